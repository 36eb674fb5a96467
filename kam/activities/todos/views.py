"""Task pages: my tasks, the form, one-click done / undone (htmx), and the panel the
account, deal, person, contract and invoice pages load."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from kam.activities.todos import about as task_about
from kam.activities.todos import links, selectors, services
from kam.activities.todos.forms import TaskForm
from kam.core.concurrency import ConflictError
from kam.core.forms import apply_errors
from kam.core.http import AuthenticatedHttpRequest
from kam.ui.listing import paginate

TABS = {
    selectors.OPEN: pgettext_lazy("task", "Open"),
    selectors.OVERDUE: gettext_lazy("Overdue"),
    selectors.TODAY: gettext_lazy("Today"),
    selectors.UPCOMING: gettext_lazy("Upcoming"),
    selectors.DONE: gettext_lazy("Done"),
}

SORTS = {
    "due": "due_on",
    "title": "title",
    "account": "account__name",
    "owner": "owner__username",
    "done": "done_at",
}


@login_required
def task_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """My tasks (or a colleague's, or everyone's I see), by tab: overdue, today, upcoming,
    done; sortable, one card a row on a phone."""
    user = request.user
    today = timezone.localdate()
    filters = selectors.TaskFilters.from_params(request.GET)
    when = filters.when or selectors.OPEN
    if not filters.owner and not filters.everyone:
        filters = replace(filters, owner=user.pk)
    scoped = selectors.filtered_tasks(user, replace(filters, when=""), today=today)
    listing = paginate(
        request,
        selectors.with_related(selectors.when_filter(scoped, when, today)),
        sorts=SORTS,
        default_sort="-done" if when == selectors.DONE else "due",
    )
    owners = list(selectors.task_owners(user))
    counts = selectors.tab_counts(scoped, today)
    return render(
        request,
        "tasks/list.html",
        {
            "listing": listing,
            "filters": filters,
            "when": when,
            "tabs": [(key, TABS[key], count) for key, count in counts.items()],
            "owners": owners if len(owners) > 1 else [],
            "owner_value": selectors.EVERYONE if filters.everyone else filters.owner,
            "today": today,
        },
    )


def _next_url(request: AuthenticatedHttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return fallback


@login_required
def task_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A new task, about the record named in the address (or about an account chosen here)."""
    user = request.user
    about = task_about.about_from(user, request.GET)
    form = TaskForm(request.POST or None, user=user, pick_account=about.empty)
    if request.method == "POST" and form.is_valid():
        fields = about.service_fields()
        if about.empty:
            fields["account"] = form.cleaned_data.get("account")
        try:
            services.create_task(by=user, **form.service_fields(), **fields)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Task created."))
            return redirect(_next_url(request, about.page() or reverse("tasks:list")))
    return render(
        request,
        "tasks/form.html",
        {"form": form, "about": about, "task": None, "next": _next_url(request, "")},
    )


@login_required
def task_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Change a task; a stale form is refused with the conflict shown."""
    user = request.user
    task = selectors.visible_task(user, pk)
    form = TaskForm(request.POST or None, user=user, instance=task, pick_account=False)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_task(
                task,
                by=user,
                expected_version=form.cleaned_data.get("version"),
                **form.service_fields(),
            )
        except (ConflictError, ValidationError) as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(_next_url(request, reverse("tasks:list")))
    return render(
        request,
        "tasks/form.html",
        {
            "form": form,
            "task": task,
            "about": None,
            "linked": links.describe(task.linked),
            "next": _next_url(request, ""),
        },
    )


@login_required
@require_POST
def task_toggle(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Done or undone in one click: htmx swaps the row (or the panel's line) in place."""
    user = request.user
    task = selectors.visible_task(user, pk)
    done = request.POST.get("done") == "1"
    if done:
        services.mark_done(task, by=user)
    else:
        services.mark_undone(task, by=user)
    if not request.headers.get("HX-Request"):
        if done:
            messages.success(request, _("Done: %(title)s") % {"title": task.title})
        else:
            messages.success(request, _("Back on the list: %(title)s") % {"title": task.title})
        return redirect(_next_url(request, reverse("tasks:list")))
    task = selectors.visible_task(user, pk)
    template = {"panel": "tasks/_panel_item.html", "short": "tasks/_row_short.html"}.get(
        request.POST.get("as", ""), "tasks/_row.html"
    )
    return render(
        request,
        template,
        {"task": task, "today": timezone.localdate(), "next": _next_url(request, "")},
    )


@login_required
def task_panel(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The tasks about one record, for its page (loaded by htmx on arrival)."""
    user = request.user
    about = task_about.about_from(user, request.GET)
    if about.empty:
        found = selectors.AboutTasks([], [])
    elif about.linked is not None:
        described = links.describe(about.linked)
        assert described is not None
        found = selectors.tasks_about(user, linked=(described.kind, about.linked.pk))
    else:
        name = next(n for n in ("opportunity", "person", "account") if getattr(about, n))
        found = selectors.tasks_about(user, **{name: getattr(about, name).pk})
    context: dict[str, Any] = {
        "about": about,
        "found": found,
        "today": timezone.localdate(),
        "next": about.page(),
    }
    return render(request, "tasks/_panel.html", context)
