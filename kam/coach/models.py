"""Call preparation and the objection playbook (DOMAIN.md §3.5, §4; COACHING.md §6, §7)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kam.core.fields import BoundedTextField
from kam.core.models import Versioned
from kam.pipeline.models import ObjectionKind


class ObjectiveMet(models.TextChoices):
    """Which of the call's objectives the customer's action met, judged after the call."""

    MAIN = "main", _("The objective")
    FALLBACK = "fallback", _("The fallback objective")
    NONE = "none", _("Neither")


class CallPlan(Versioned):
    """The rep's preparation for one planned activity, pre-filled by KAM (§4, COACHING §6).

    The people to meet are not stored here: their roles, styles and attitudes are read
    from the decision chain each time, so the plan never shows a stale judgement.
    """

    activity = models.OneToOneField(
        "activities.Activity",
        verbose_name=_("activity"),
        on_delete=models.CASCADE,
        related_name="call_plan",
    )
    objective = BoundedTextField(_("objective: what the customer will do"))
    fallback_objective = BoundedTextField(
        _("fallback objective"),
        blank=True,
        help_text=_("The least the customer should agree to if the main objective is not met."),
    )
    situation_questions = BoundedTextField(_("situation questions"), blank=True)
    problem_questions = BoundedTextField(_("difficulty questions"), blank=True)
    implication_questions = BoundedTextField(_("impact questions"), blank=True)
    need_payoff_questions = BoundedTextField(_("need-payoff questions"), blank=True)
    fab = BoundedTextField(_("FAB statements"), blank=True)
    power_statement = BoundedTextField(_("power statement"), blank=True)
    opener_fact = BoundedTextField(_("an undeniable fact"), blank=True)
    opener_assessment = BoundedTextField(_("your assessment"), blank=True)
    opener_question = BoundedTextField(_("an open question"), blank=True)
    trust_plan = BoundedTextField(_("how we build trust"), blank=True)
    coach_plan = BoundedTextField(_("how we win a coach"), blank=True)
    expected_objections = models.JSONField(_("objections expected"), default=list, blank=True)
    objective_met = models.CharField(
        _("objective met"), max_length=10, choices=ObjectiveMet.choices, blank=True
    )
    objective_met_at = models.DateTimeField(_("judged at"), null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("prepared by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("call plan")
        verbose_name_plural = _("call plans")

    def __str__(self) -> str:
        return f"{self.activity_id}: {self.objective[:40]}"


class PlaybookEntry(Versioned):
    """The prepared answer to one of the eight objections (§3.5, COACHING §7).

    Content is data in both languages, seeded by a migration and edited by managers.
    """

    kind = models.CharField(
        _("objection"), max_length=20, choices=ObjectionKind.choices, unique=True
    )
    surface_zh = BoundedTextField(_("what the buyer says (Chinese)"))
    surface_en = BoundedTextField(_("what the buyer says (English)"))
    root_cause_zh = BoundedTextField(_("root cause (Chinese)"))
    root_cause_en = BoundedTextField(_("root cause (English)"))
    response_zh = BoundedTextField(_("solution-selling response (Chinese)"))
    response_en = BoundedTextField(_("solution-selling response (English)"))
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last edited by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = _("playbook entry")
        verbose_name_plural = _("objection playbook")

    def __str__(self) -> str:
        return self.get_kind_display()

    def _in_language(self, stem: str) -> str:
        chinese = (get_language() or "zh-hans").lower().startswith("zh")
        return str(getattr(self, f"{stem}_zh" if chinese else f"{stem}_en"))

    @property
    def surface(self) -> str:
        return self._in_language("surface")

    @property
    def root_cause(self) -> str:
        return self._in_language("root_cause")

    @property
    def response(self) -> str:
        return self._in_language("response")


class ObjectionResponse(models.Model):
    """The answer actually given to a logged objection, and the playbook entry it came from.

    History, never edited: the objection's own ``response`` carries the latest one.
    """

    objection = models.ForeignKey(
        "pipeline.Objection",
        verbose_name=_("objection"),
        on_delete=models.CASCADE,
        related_name="responses_used",
    )
    entry = models.ForeignKey(
        PlaybookEntry,
        verbose_name=_("playbook entry"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="uses",
    )
    activity = models.ForeignKey(
        "activities.Activity",
        verbose_name=_("during the activity"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    response = BoundedTextField(_("response used"))
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("used by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    used_at = models.DateTimeField(_("used at"), auto_now_add=True)

    class Meta:
        ordering = ["-used_at", "-pk"]
        verbose_name = _("response used")
        verbose_name_plural = _("responses used")

    def __str__(self) -> str:
        return f"{self.objection_id}: {self.response[:40]}"
