"""Stage models and funnel settings, edited by administrators (§3.1)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from kam.core.forms import apply_errors
from kam.core.http import AuthenticatedHttpRequest
from kam.core.params import query_int
from kam.pipeline import forms as pipeline_forms
from kam.pipeline import guidance, services
from kam.pipeline.models import PipelineSettings, Stage, StageModel


def _reordered(model: StageModel, stage_pk: int | None, direction: str) -> list[int]:
    """The model's stage ids with one stage moved up or down a place."""
    ids = list(model.stages.order_by("order").values_list("pk", flat=True))
    if stage_pk in ids:
        index = ids.index(stage_pk)
        target = index - 1 if direction == "up" else index + 1
        if 0 <= target < len(ids):
            ids[index], ids[target] = ids[target], ids[index]
    return ids


@login_required
def stage_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Names (both languages), rates, order and exit criteria of every stage model.

    Rates are read into each StageChange when it happens, so editing them never
    rewrites history.
    """
    user = request.user
    part = request.POST.get("part", "")
    bound: dict[str, Any] = {}
    if request.method == "POST":
        if not user.is_kam_admin:
            raise PermissionDenied
        try:
            if part == "stage":
                stage = get_object_or_404(Stage, pk=query_int(request.POST, "stage"))
                form: Any = pipeline_forms.StageForm(
                    request.POST, instance=stage, prefix=f"stage-{stage.pk}"
                )
                bound[f"stage-{stage.pk}"] = form
                if form.is_valid():
                    services.update_stage(
                        Stage.objects.get(pk=stage.pk),
                        by=user,
                        **{f: form.cleaned_data[f] for f in pipeline_forms.STAGE_FIELDS},
                    )
                    messages.success(request, _("Saved. Past stage changes keep their rates."))
                    return redirect("pipeline:settings")
            elif part == "new_stage":
                model = get_object_or_404(StageModel, pk=query_int(request.POST, "model"))
                form = pipeline_forms.NewStageForm(request.POST, prefix=f"new-{model.pk}")
                bound[f"new-{model.pk}"] = form
                if form.is_valid():
                    data = dict(form.cleaned_data)
                    services.add_stage(model, by=user, **data)
                    messages.success(request, _("Stage added."))
                    return redirect("pipeline:settings")
            elif part == "order":
                model = get_object_or_404(StageModel, pk=query_int(request.POST, "model"))
                ids = _reordered(
                    model, query_int(request.POST, "stage"), request.POST.get("direction", "")
                )
                services.reorder_stages(model, ids, by=user)
                messages.success(request, _("Order saved."))
                return redirect("pipeline:settings")
            elif part == "settings":
                form = pipeline_forms.PipelineSettingsForm(request.POST)
                bound["settings"] = form
                if form.is_valid():
                    services.update_pipeline_settings(by=user, **form.cleaned_data)
                    messages.success(request, _("Saved."))
                    return redirect("pipeline:settings")
        except ValidationError as error:
            target = next(iter(bound.values()), None)
            if target is not None:
                apply_errors(target, error)
            else:
                for message in error.messages:
                    messages.error(request, message)
    models = []
    for model in StageModel.objects.prefetch_related("stages").order_by("-is_default", "pk"):
        stages = sorted(model.stages.all(), key=lambda s: s.order)
        models.append(
            {
                "model": model,
                "stages": [
                    (
                        stage,
                        bound.get(f"stage-{stage.pk}")
                        or pipeline_forms.StageForm(instance=stage, prefix=f"stage-{stage.pk}"),
                    )
                    for stage in stages
                ],
                "new_form": bound.get(f"new-{model.pk}")
                or pipeline_forms.NewStageForm(prefix=f"new-{model.pk}"),
                "time_split": guidance.time_split(model, stages),
            }
        )
    return render(
        request,
        "pipeline/settings.html",
        {
            "models": models,
            "settings_form": bound.get("settings")
            or pipeline_forms.PipelineSettingsForm(instance=PipelineSettings.current()),
            "can_edit": user.is_kam_admin,
        },
        status=400 if bound else 200,
    )
