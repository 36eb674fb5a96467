"""Settings → Background jobs: recent runs, failures after the last try, retry."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kam.core.http import AuthenticatedHttpRequest
from kam.core.views import admin_required
from kam.jobs import runner, selectors, services
from kam.jobs.models import JobFailure


@admin_required
def job_list(request: HttpRequest) -> HttpResponse:
    failures = [
        (
            failure,
            runner.label_for(failure.task_path),
            selectors.arguments_in_words(failure.args, failure.kwargs),
        )
        for failure in selectors.failures()[:100]
    ]
    return render(
        request,
        "jobs/job_list.html",
        {"runs": selectors.recent_runs(), "failures": failures},
    )


@require_POST
@admin_required
def job_retry(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    failure = get_object_or_404(JobFailure, pk=pk)
    try:
        services.retry(failure, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The job has been queued again."))
    return redirect("jobs:job_list")
