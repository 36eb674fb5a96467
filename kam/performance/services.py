"""Writes of team performance: skill assessments, survey links and answers, scorecard
settings (DOMAIN.md §1.4, §1.5, §7). Each validates, writes in one transaction, audits."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.accounts.models import Account
from kam.accounts.visibility import can_edit_account
from kam.core import changes
from kam.core.models import Interface, Role, User
from kam.performance import calculations, selectors
from kam.performance.models import (
    LoyaltyIntent,
    PerformanceSettings,
    ScorecardIndicator,
    SkillAssessment,
    SkillDimension,
    SupplierRating,
    SurveyInvitation,
    SurveyLanguage,
    SurveyResponse,
)
from kam.stakeholders.models import Contact

# The questions of the survey, in the order the page asks them.
SUPPLIER_QUESTIONS = list(SupplierRating.values)
INTENT_QUESTIONS = list(LoyaltyIntent.values)
QUESTIONS = [*SUPPLIER_QUESTIONS, *INTENT_QUESTIONS, "open_to_ideas"]


# --- skill assessments (§7) --------------------------------------------------------


@transaction.atomic
def assess_rep(
    rep: User,
    *,
    levels: dict[str, Any],
    note: str = "",
    assessed_on: date | None = None,
    by: User,
    via: str = Interface.WEB,
) -> SkillAssessment:
    """Record a manager's judgement of a rep on the five dimensions, level 1-3 (§7).

    Only a manager of the rep's team subtree (or a director) may assess them, and nobody
    assesses themselves; a level outside 1-3 is refused and nothing is recorded.
    """
    if not selectors.coachable_reps(by).filter(pk=rep.pk).exists():
        raise ValidationError(
            {"rep": _("You can only assess the reps of the teams you manage.")}, code="outside"
        )
    errors = {}
    for dimension in SkillDimension:
        if not calculations.valid_level(levels.get(dimension.value)):
            errors[dimension.value] = _("Choose a level from 1 to 3.")
    today = timezone.localdate()
    assessed_on = assessed_on or today
    if assessed_on > today:
        errors["assessed_on"] = _("An assessment cannot be dated in the future.")
    if errors:
        raise ValidationError(errors)
    assessment = SkillAssessment(
        rep=rep,
        assessed_by=by,
        assessed_on=assessed_on,
        note=note.strip(),
        **{d.value: levels[d.value] for d in SkillDimension},
    )
    # The levels and the date are checked above, in the assessment form's own words.
    return changes.create(assessment, by=by, via=via, clean=None)


# --- loyalty surveys (§1.5) --------------------------------------------------------


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class NewInvitation:
    invitation: SurveyInvitation
    token: str  # shown once; only its hash is stored


@transaction.atomic
def invite_to_survey(
    account: Account,
    *,
    contact: Contact | None = None,
    language: str = SurveyLanguage.CHINESE,
    valid_days: int | None = None,
    by: User,
    via: str = Interface.WEB,
) -> NewInvitation:
    """Make a single-use survey link for one person at the account (§1.5)."""
    if not can_edit_account(by, account):
        raise PermissionDenied
    errors = {}
    if contact is not None and contact.account_id != account.pk:
        errors["contact"] = _("This person does not work at this account.")
    if language not in SurveyLanguage.values:
        errors["language"] = _("Choose Chinese or English.")
    days = valid_days if valid_days is not None else PerformanceSettings.current().survey_valid_days
    if not 1 <= days <= 365:
        errors["valid_days"] = _("A link stays open between 1 and 365 days.")
    if errors:
        raise ValidationError(errors)
    token = secrets.token_urlsafe(32)
    invitation = SurveyInvitation(
        account=account,
        contact=contact,
        token_hash=token_hash(token),
        language=language,
        expires_at=timezone.now() + timedelta(days=days),
        created_by=by,
    )
    # The link's hash opens the survey: the trail keeps that it was set, not its value.
    changes.create(invitation, by=by, via=via, clean=None, redacted=["token_hash"])
    return NewInvitation(invitation, token)


class SurveyLinkError(Exception):
    """The link cannot be answered: unknown, already answered, or expired."""

    UNKNOWN, USED, EXPIRED = "unknown", "used", "expired"

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)

    @property
    def message(self) -> str:
        return {
            self.UNKNOWN: _("This survey link is not valid. Please check the address."),
            self.USED: _("This survey has already been answered. Thank you!"),
            self.EXPIRED: _("This survey link has expired. Please ask your contact for a new one."),
        }[self.reason]


def open_survey(token: str, *, for_update: bool = False) -> SurveyInvitation:
    """The invitation behind a link, if it can still be answered."""
    queryset = SurveyInvitation.objects.select_related("account", "contact")
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    invitation = queryset.filter(token_hash=token_hash(token)).first()
    if invitation is None:
        raise SurveyLinkError(SurveyLinkError.UNKNOWN)
    if invitation.answered_at is not None:
        raise SurveyLinkError(SurveyLinkError.USED)
    if invitation.expires_at <= timezone.now():
        raise SurveyLinkError(SurveyLinkError.EXPIRED)
    return invitation


@transaction.atomic
def answer_survey(token: str, *, answers: dict[str, Any], comment: str = "") -> SurveyResponse:
    """Record the answers given through a survey link, once (§1.5).

    Every question needs an answer from 1 to 5; a reused, expired or unknown link, or
    an answer outside the scale, records nothing.
    """
    invitation = open_survey(token, for_update=True)
    errors = {
        q: _("Choose an answer from 1 to 5.")
        for q in QUESTIONS
        if not calculations.valid_rating(answers.get(q))
    }
    if len(comment) > 2000:
        errors["comment"] = _("Please keep the comment under 2000 characters.")
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    response = SurveyResponse(
        invitation=invitation,
        account=invitation.account,
        answered_on=timezone.localdate(now),
        comment=comment.strip(),
        supplier_score=calculations.score_0_100([answers[q] for q in SUPPLIER_QUESTIONS]),
        loyalty_score=calculations.score_0_100([answers[q] for q in INTENT_QUESTIONS]),
        **{q: answers[q] for q in QUESTIONS},
    )
    changes.create(response, by=None, via=Interface.WEB, clean=None)
    SurveyInvitation.objects.filter(pk=invitation.pk).update(answered_at=now)
    return response


# --- scorecard settings (§1.4) -----------------------------------------------------


def _require_admin(by: User | None) -> None:
    if by is None or not by.is_kam_admin:
        raise PermissionDenied


INDICATOR_FIELDS = ["target", "weight_attack", "weight_defend", "weight_maintain"]


@transaction.atomic
def update_indicator(
    indicator: ScorecardIndicator,
    *,
    version: int | None,
    by: User,
    via: str = Interface.WEB,
    **fields: Decimal,
) -> ScorecardIndicator:
    """Change an indicator's target or its weights per posture (administrators only)."""
    _require_admin(by)
    for name in fields:
        if name not in INDICATOR_FIELDS:
            raise ValidationError({name: _("This field cannot be changed.")})
    changes.update(
        indicator,
        fields,
        by=by,
        via=via,
        expected_version=version,
        clean=changes.full_check,
        always=True,
    )
    return indicator


# --- performance settings (§1.5, §7) -------------------------------------------------

SETTINGS_FIELDS = ["hourly_cost", "loyalty_drop_points", "survey_valid_days"]


def may_change_settings(user: User | None) -> bool:
    """Administrators and directors set the company's figures for costing time and loyalty."""
    return bool(
        user is not None
        and user.is_authenticated
        and (user.is_kam_admin or user.role == Role.DIRECTOR)
    )


@transaction.atomic
def update_performance_settings(
    *,
    by: User,
    expected_version: int | None,
    via: str = Interface.WEB,
    **fields: Decimal | int,
) -> PerformanceSettings:
    """The cost of a rep's hour (time spent on accounts, §1.5), the loyalty drop that raises
    a flag and how long a survey link stays open (§7); a stale edit is refused."""
    if not may_change_settings(by):
        raise PermissionDenied
    unknown = set(fields) - set(SETTINGS_FIELDS)
    if unknown:
        raise TypeError(f"unknown performance settings: {sorted(unknown)}")
    row = PerformanceSettings.current()
    changes.update(
        row,
        fields,
        by=by,
        via=via,
        expected_version=expected_version,
        clean=changes.full_check,
        always=True,
    )
    return row
