"""Seed the funnel screen (§3.3): the worth gate is a red flag from Comparison (purchase
stages) and from Consulting, where the solution is submitted (consultative selling); each
deal's latest evaluation is read into the deal under the default pass mark (7 of 10)."""

from django.db import migrations
from django.db.models import OuterRef, Subquery

WORTH_GATE_FROM = {"purchase": "comparison", "consultative": "consulting"}
PASS_MARK = 7
GATES = ["project", "ours", "win", "worth"]


def seed(apps, schema_editor):
    PipelineSettings = apps.get_model("pipeline", "PipelineSettings")
    Stage = apps.get_model("pipeline", "Stage")
    Evaluation = apps.get_model("pipeline", "Evaluation")
    Opportunity = apps.get_model("pipeline", "Opportunity")
    row, _ = PipelineSettings.objects.get_or_create(pk=1)
    for model_key, stage_key in WORTH_GATE_FROM.items():
        stage = Stage.objects.filter(model__key=model_key, key=stage_key).first()
        if stage is not None:
            row.worth_gate_stages.add(stage)
    newest = Evaluation.objects.filter(opportunity=OuterRef("pk")).order_by("-evaluated_at", "-pk")
    deals = list(
        Opportunity.objects.annotate(latest=Subquery(newest.values("pk")[:1])).filter(
            latest__isnull=False
        )
    )
    evaluations = Evaluation.objects.in_bulk([deal.latest for deal in deals])
    changed = []
    for deal in deals:
        evaluation = evaluations[deal.latest]
        deal.evaluated_at = evaluation.evaluated_at
        deal.evaluation_total = evaluation.total_score
        passed = 0
        for gate in GATES:
            ok = getattr(evaluation, f"{gate}_score") >= PASS_MARK
            setattr(deal, f"passes_{gate}", ok)
            passed += ok
        deal.gates_passed = passed
        changed.append(deal)
    Opportunity.objects.bulk_update(
        changed,
        [
            "evaluated_at",
            "evaluation_total",
            "gates_passed",
            *(f"passes_{gate}" for gate in GATES),
        ],
        batch_size=500,
    )


class Migration(migrations.Migration):
    dependencies = [("pipeline", "0013_funnel_screen")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
