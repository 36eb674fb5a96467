"""Import pages: upload, the dry-run report with live progress, commit, templates."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kam.core.http import AuthenticatedHttpRequest
from kam.core.models import Interface
from kam.imports import selectors, services
from kam.imports.forms import UploadForm
from kam.imports.kinds import IMPORTERS
from kam.imports.models import BatchStatus, ImportBatch, Kind
from kam.imports.reading import FileRefused, check_upload, max_rows, max_upload_bytes
from kam.imports.workbooks import template_for
from kam.ui.listing import paginate

SHOWN_ROWS = 500


def _batch(request: AuthenticatedHttpRequest, pk: int) -> ImportBatch:
    return get_object_or_404(selectors.visible_batches(request.user), pk=pk)


@login_required
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            # Size and type are checked before the file is read into memory.
            check_upload(upload.name, upload.size, upload.read(8))
            upload.seek(0)
            batch = services.start_import(
                kind=form.cleaned_data["kind"],
                file_name=upload.name,
                content=upload.read(),
                by=request.user,
                via=Interface.WEB,
                language=request.LANGUAGE_CODE,
            )
        except FileRefused as error:
            form.add_error("file", str(error))
        except PermissionDenied as error:
            form.add_error(None, str(error))
        except ValidationError as error:
            for message in error.messages:
                form.add_error("file", message)
        else:
            return redirect("imports:detail", pk=batch.pk)
    listing = paginate(
        request,
        selectors.visible_batches(request.user),
        sorts={"created": "created_at", "kind": "kind", "status": "status"},
        default_sort="-created",
    )
    templates = [(kind, label) for kind, label in Kind.choices]
    context = {
        "form": form,
        "listing": listing,
        "templates": templates,
        "max_rows": max_rows(),
        "max_mb": max_upload_bytes() // (1024 * 1024),
    }
    return render(request, "imports/index.html", context)


@login_required
def template(request: AuthenticatedHttpRequest, kind: str) -> HttpResponse:
    if kind not in IMPORTERS:
        raise Http404
    response = HttpResponse(
        template_for(kind),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="kam-import-{kind}.xlsx"'
    return response


def _report_context(batch: ImportBatch) -> dict[str, Any]:
    labels = {c.key: str(c.label) for c in IMPORTERS[batch.kind].columns}
    errors = [
        {
            **e,
            "column_label": labels.get(e["column"], e["column"]),
            # an unknown column is named by the file's own header
            "column_is_data": bool(e["column"]) and e["column"] not in labels,
        }
        for e in selectors.report_errors(batch, SHOWN_ROWS, html=True)
    ]
    rows = selectors.report_rows(batch, SHOWN_ROWS, html=True)
    return {
        "batch": batch,
        "message": selectors.report_message(batch, html=True),
        "errors": errors,
        "rows": rows,
        "more_errors": max(0, batch.error_count - len(errors)),
        "can_commit": batch.status == BatchStatus.READY,
    }


@login_required
def detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    return render(request, "imports/detail.html", _report_context(batch))


@login_required
def progress(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The htmx-polled status panel; once the job is done it brings the whole report."""
    batch = _batch(request, pk)
    return render(request, "imports/_status.html", _report_context(batch))


@login_required
@require_POST
def commit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    try:
        services.request_commit(batch, by=request.user, via=Interface.WEB)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.info(request, _("The import has started; this page shows when it is done."))
    return redirect("imports:detail", pk=batch.pk)
