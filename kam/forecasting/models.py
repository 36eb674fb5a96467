"""Targets, weekly pipeline snapshots, forecast adjustments and learned odds (DOMAIN.md §5)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kam.core.fields import BoundedTextField
from kam.core.models import Versioned
from kam.core.money import MoneyField
from kam.forecasting.periods import Period


class Metric(models.TextChoices):
    """What a target counts: orders won, or cash collected (§6: a sale counts when paid)."""

    BOOKINGS = "bookings", _("Bookings")
    COLLECTIONS = "collections", _("Collections")


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")


class Method(models.TextChoices):
    """How the open pipeline is weighted in the forecast (honest odds)."""

    CONFIGURED = "configured", _("Configured stage rates")
    LEARNED = "learned", _("Learned stage rates")
    MODEL = "model", _("Learned win probability")


class ScopedToPeriod(models.Model):
    """A figure for one period and one scope: a rep, a team, or (neither) the company."""

    period_kind = models.CharField(_("period"), max_length=10, choices=PeriodKind.choices)
    period_start = models.DateField(_("period start"))
    team = models.ForeignKey(
        "core.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sales rep"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )

    class Meta:
        abstract = True

    @property
    def period(self) -> Period:
        return Period.of(self.period_kind, self.period_start)

    @property
    def scope_label(self) -> str:
        if self.user_id:
            return str(self.user)
        if self.team_id:
            return str(self.team)
        return str(_("Company"))


class Target(ScopedToPeriod, Versioned):
    """A sales target set explicitly for a rep, a team or the company.

    A team without an explicit target rolls up from its members and sub-teams
    (see :func:`kam.forecasting.selectors.target_for`).
    """

    metric = models.CharField(
        _("metric"), max_length=20, choices=Metric.choices, default=Metric.BOOKINGS
    )
    amount = MoneyField(_("target"), validators=[MinValueValidator(Decimal(0))])
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="target_not_negative"),
            models.CheckConstraint(
                condition=Q(team__isnull=True) | Q(user__isnull=True), name="target_one_scope"
            ),
            models.UniqueConstraint(
                fields=["metric", "period_kind", "period_start", "user"],
                condition=Q(user__isnull=False),
                name="unique_rep_target",
            ),
            models.UniqueConstraint(
                fields=["metric", "period_kind", "period_start", "team"],
                condition=Q(team__isnull=False),
                name="unique_team_target",
            ),
            models.UniqueConstraint(
                fields=["metric", "period_kind", "period_start"],
                condition=Q(team__isnull=True, user__isnull=True),
                name="unique_company_target",
            ),
        ]
        indexes = [models.Index(fields=["metric", "period_kind", "period_start"])]

    def __str__(self) -> str:
        return f"{self.scope_label} {self.period} {self.get_metric_display()}"


class ForecastAdjustment(ScopedToPeriod):
    """A manager's adjusted number for a rep's or team's forecast, with the reason.

    Append-only: the latest row of a scope and period is the adjusted figure;
    the system figure at the time is kept beside it.
    """

    system_amount = models.DecimalField(_("system forecast"), max_digits=18, decimal_places=6)
    adjusted_amount = MoneyField(
        _("adjusted forecast"),
        validators=[MinValueValidator(Decimal(0))],
    )
    note = BoundedTextField(_("why"))
    adjusted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    adjusted_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-adjusted_at", "-pk"]
        verbose_name = _("forecast adjustment")
        verbose_name_plural = _("forecast adjustments")
        constraints = [
            models.CheckConstraint(
                condition=Q(adjusted_amount__gte=0), name="adjustment_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["period_kind", "period_start"])]

    def __str__(self) -> str:
        return f"{self.scope_label} {self.period}: {self.adjusted_amount}"


class PipelineSnapshot(models.Model):
    """One open opportunity as it stood at the end of one ISO week (§5.2).

    Append-only and written once per week: ``(week, opportunity)`` is unique, so
    running the weekly job twice records nothing twice.
    """

    # The week, opportunity, owner and team are indexed by the multi-column indexes
    # below (a week's rows by the unique one); single-column ones would only slow
    # down the weekly insert of every open deal.
    week = models.DateField(_("week (Monday)"))
    opportunity = models.ForeignKey(
        "pipeline.Opportunity",
        on_delete=models.CASCADE,
        related_name="snapshots",
        db_index=False,
    )
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="+")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    team = models.ForeignKey(
        "core.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    stage = models.ForeignKey("pipeline.Stage", on_delete=models.PROTECT, related_name="+")
    stage_order = models.PositiveSmallIntegerField()
    win_rate = models.DecimalField(max_digits=5, decimal_places=2)
    amount = MoneyField()
    expected_close_date = models.DateField()
    weighted = models.DecimalField(max_digits=22, decimal_places=6)
    # The same deal's row of the week before, copied when this row is written, so the
    # week-over-week change reads one row. Empty when the deal was not in that snapshot.
    previous_stage_order = models.PositiveSmallIntegerField(null=True, blank=True)
    previous_close_date = models.DateField(null=True, blank=True)
    previous_amount = MoneyField(null=True, blank=True)

    class Meta:
        verbose_name = _("pipeline snapshot")
        verbose_name_plural = _("pipeline snapshots")
        constraints = [
            models.UniqueConstraint(fields=["week", "opportunity"], name="one_snapshot_a_week"),
        ]
        indexes = [
            models.Index(fields=["opportunity", "week"]),
            # A manager's or rep's progress reads the rows of a team (of that week) or
            # of an owner, a few weeks at a time. The team's also holds what the weekly
            # pipeline sums (close date, account for the viewer's visibility, rate, amount):
            # SQLite reads a team's weeks from the index alone, instead of looking up each
            # row in the table.
            # One index widened, not one more: the weekly insert keeps its cost.
            models.Index(
                fields=["team", "week", "expected_close_date", "account", "win_rate", "amount"],
                name="snapshot_team_week_pipeline",
            ),
            models.Index(fields=["owner", "week"], name="snapshot_owner_week"),
        ]

    def __str__(self) -> str:
        return f"{self.week}: {self.opportunity_id}"


class PipelineWeekTotal(models.Model):
    """The snapshot rows of one week added up (§5.2), so a company-wide read is a few rows.

    One row per week, owner's team of that week, quarter the deals are expected
    to close in and stage win rate: how many deals, their amount, and the
    same for each kind of week-over-week change. ``closes_in`` is the first day of
    the quarter of the expected close date, or of the week's own quarter when that
    is later (a deal overdue in an earlier quarter counts like one due now; no read
    asks about a quarter before the week's own). Written with the week's snapshot in
    the same transaction and rebuilt from the rows by
    :func:`kam.forecasting.services.total_snapshot_week`; sums are whole cents.
    """

    week = models.DateField()
    team = models.ForeignKey(
        "core.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closes_in = models.DateField()
    win_rate = models.DecimalField(max_digits=5, decimal_places=2)
    deals = models.PositiveIntegerField()
    amount_cents = models.BigIntegerField()
    new_count = models.PositiveIntegerField(default=0)
    new_cents = models.BigIntegerField(default=0)
    forward_count = models.PositiveIntegerField(default=0)
    forward_cents = models.BigIntegerField(default=0)
    back_count = models.PositiveIntegerField(default=0)
    back_cents = models.BigIntegerField(default=0)
    pushed_count = models.PositiveIntegerField(default=0)
    pushed_cents = models.BigIntegerField(default=0)
    pulled_count = models.PositiveIntegerField(default=0)
    pulled_cents = models.BigIntegerField(default=0)
    amount_up_count = models.PositiveIntegerField(default=0)
    amount_up_cents = models.BigIntegerField(default=0)
    amount_up_change_cents = models.BigIntegerField(default=0)
    amount_down_count = models.PositiveIntegerField(default=0)
    amount_down_cents = models.BigIntegerField(default=0)
    amount_down_change_cents = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("pipeline week total")
        verbose_name_plural = _("pipeline week totals")
        constraints = [
            models.UniqueConstraint(
                fields=["week", "team", "closes_in", "win_rate"], name="one_week_total_a_group"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.week}: {self.team_id} {self.closes_in} {self.win_rate}%"


class SnapshotWeek(models.Model):
    """That the snapshot of a week was taken (also when no deal was open)."""

    week = models.DateField(unique=True)
    taken_at = models.DateTimeField(auto_now_add=True)
    opportunities = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-week"]

    def __str__(self) -> str:
        return str(self.week)


class WinModel(models.Model):
    """One training of the learned win-probability model, with its held-out accuracy."""

    trained_at = models.DateTimeField(auto_now_add=True, db_index=True)
    as_of = models.DateField()
    window_months = models.PositiveSmallIntegerField()
    examples = models.PositiveIntegerField()
    coefficients = models.JSONField(default=dict)
    accuracy = models.JSONField(default=dict)

    class Meta:
        ordering = ["-trained_at", "-pk"]
        verbose_name = _("win model")
        verbose_name_plural = _("win models")

    def __str__(self) -> str:
        return f"{self.trained_at:%Y-%m-%d %H:%M}"


class OpportunityOdds(models.Model):
    """The learned win probability of an open opportunity and its main reasons."""

    opportunity = models.OneToOneField(
        "pipeline.Opportunity", on_delete=models.CASCADE, related_name="odds"
    )
    model = models.ForeignKey(WinModel, on_delete=models.CASCADE, related_name="odds")
    probability = models.DecimalField(max_digits=5, decimal_places=4)
    reasons = models.JSONField(default=list)

    class Meta:
        verbose_name = _("learned win probability")
        verbose_name_plural = _("learned win probabilities")

    def __str__(self) -> str:
        return f"{self.opportunity_id}: {self.probability}"


class FunnelReview(models.Model):
    """One weekly funnel review (漏斗检查会) of a team: held by its manager over one week.

    Opened when the manager records the first decision of the meeting. ``red_flags``
    keeps the flags each deal showed at that moment (``{deal id: [flag codes]}``), so the
    next review lists only the flags raised since.
    """

    team = models.ForeignKey(
        "core.Team", verbose_name=_("team"), on_delete=models.CASCADE, related_name="+"
    )
    week = models.DateField(_("week (Monday)"))
    held_at = models.DateTimeField(_("held at"))
    held_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("held by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    red_flags = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("funnel review")
        verbose_name_plural = _("funnel reviews")
        constraints = [
            models.UniqueConstraint(fields=["team", "week"], name="one_funnel_review_a_week")
        ]
        ordering = ["team", "-week"]

    def __str__(self) -> str:
        return f"{self.team_id} {self.week}"


class ReviewDecision(models.Model):
    """What the manager decided for one deal in a funnel review, and the next step.

    The next step is the deal owner's task (``task``), so it shows on the rep's list and
    on the deal until done.
    """

    review = models.ForeignKey(FunnelReview, on_delete=models.CASCADE, related_name="decisions")
    opportunity = models.ForeignKey(
        "pipeline.Opportunity",
        verbose_name=_("opportunity"),
        on_delete=models.CASCADE,
        related_name="review_decisions",
    )
    decision = BoundedTextField(_("decision"))
    next_step = models.CharField(_("next step"), max_length=200)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    task = models.ForeignKey(
        "activities.Task",
        verbose_name=_("task"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"))

    class Meta:
        verbose_name = _("funnel review decision")
        verbose_name_plural = _("funnel review decisions")
        ordering = ["review", "decided_at", "pk"]

    def __str__(self) -> str:
        return self.next_step
