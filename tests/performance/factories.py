"""Team performance factories: answered surveys go through the services, like a customer."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone

from kam.accounts.models import Account
from kam.core.models import User
from kam.performance import calculations, services
from kam.performance.models import SurveyInvitation, SurveyResponse

ALL_FIVES = dict.fromkeys(services.QUESTIONS, 5)


def answers(level: int = 4, **overrides: Any) -> dict[str, Any]:
    return {**dict.fromkeys(services.QUESTIONS, level), **overrides}


def invite(account: Account, by: User, **kwargs: Any) -> services.NewInvitation:
    return services.invite_to_survey(account, by=by, **kwargs)


def answered(
    account: Account, on: date, *, level: int = 4, by: User | None = None, **overrides: Any
) -> SurveyResponse:
    """A survey answered on ``on`` (the date stands for the day the customer sent it)."""
    made = invite(account, by or account.owner)
    response = services.answer_survey(made.token, answers=answers(level, **overrides))
    SurveyResponse.objects.filter(pk=response.pk).update(answered_on=on)
    response.refresh_from_db()
    return response


def expire(invitation: SurveyInvitation) -> None:
    SurveyInvitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timezone.timedelta(minutes=1)
    )


def loyalty(level: int) -> Any:
    return calculations.score_0_100([level] * len(services.INTENT_QUESTIONS))
