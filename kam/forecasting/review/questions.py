"""Why a deal is on the review's agenda, and the question the manager asks about it.

The texts are the product's own, from DOMAIN.md §3.3 (the twenty questions' four gates),
§3.6 (stalled deals), §2.3 (red flags) and §5 (moving each deal down the funnel with a
customer action).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Reason(models.TextChoices):
    """The kinds of agenda item, in the order the meeting takes them."""

    FAILS_PROJECT = "fails_project", _("Fails “Is there a project?”")
    FAILS_OURS = "fails_ours", _("Fails “Is it our opportunity?”")
    FAILS_WIN = "fails_win", _("Fails “Can we win?”")
    FAILS_WORTH = "fails_worth", _("Fails “Is it worth winning?”")
    REEVALUATE = "reevaluate", _("To re-evaluate")
    STALLED = "stalled", _("Stalled")
    RED_FLAG = "red_flag", _("New red flag")
    MOVED_BACK = "moved_back", _("Moved back a stage")
    CLOSE_SLIPPED = "close_slipped", _("Close date pushed out")


QUESTIONS: dict[str, Promise] = {
    Reason.FAILS_PROJECT: _(
        "Is there really a project — a need the customer owns, a budget and a date? "
        "If not, what keeps it in the funnel?"
    ),
    Reason.FAILS_OURS: _(
        "Does the customer see it as ours: do we know every decision maker, and did we "
        "help shape the need? What gets us in?"
    ),
    Reason.FAILS_WIN: _(
        "Where are we behind the competitors, and which customer action this week changes that?"
    ),
    Reason.FAILS_WORTH: _(
        "Is it worth winning — margin, payment, what it opens at the account? Do we keep "
        "spending on it, or leave it?"
    ),
    Reason.REEVALUATE: _(
        "The twenty questions are missing or out of date: when will they be answered "
        "again, and what changed since the last stage move?"
    ),
    Reason.STALLED: _(
        "Nothing has moved it forward: what will the customer do next, and when is the "
        "visit that asks for it?"
    ),
    Reason.RED_FLAG: _("Who takes the next step against this red flag, and by when?"),
    Reason.MOVED_BACK: _(
        "Which exit criterion no longer holds, and what must the customer do to meet it again?"
    ),
    Reason.CLOSE_SLIPPED: _(
        "Whose decision moved the date? Is the new date the customer's, or our hope?"
    ),
}

#: The gate each "fails" reason stands for (the stored ``passes_<gate>`` field).
GATE_REASONS: dict[str, str] = {
    "project": Reason.FAILS_PROJECT,
    "ours": Reason.FAILS_OURS,
    "win": Reason.FAILS_WIN,
    "worth": Reason.FAILS_WORTH,
}


@dataclass(frozen=True)
class Item:
    """One reason a deal is on the agenda: what, a detail from the data, and the question."""

    reason: str
    detail: str = ""

    @property
    def label(self) -> str:
        return str(Reason(self.reason).label)

    @property
    def question(self) -> str:
        return str(QUESTIONS[self.reason])
