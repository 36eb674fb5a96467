"""The method in the product: one help page per concept of key-account selling.

Every page of KAM that uses a concept (a tier, a red flag, a stage's exit criteria, an
outcome) links to its page with ``{% help_link "<key>" %}``; the pages live under
``/help/``. The registry is here, in the lowest layer, so every app's templates may link
to it. Each topic's text is a template, ``help/<key>.html``, translated like any other.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class UnknownTopic(LookupError):
    """A help link names a topic that has no page."""


@dataclass(frozen=True)
class Group:
    key: str
    title: Promise | str


@dataclass(frozen=True)
class Topic:
    key: str
    title: Promise | str
    group: str
    related: tuple[str, ...] = ()

    @property
    def template(self) -> str:
        return f"help/{self.key}.html"


GROUPS = [
    Group("accounts", _("Accounts")),
    Group("chain", _("Decision chain")),
    Group("funnel", _("Opportunities and the funnel")),
    Group("activities", _("Activities")),
    Group("forecast", _("Forecast")),
    Group("receivables", _("Receivables")),
]

TOPICS: dict[str, Topic] = {
    topic.key: topic
    for topic in [
        Topic(
            "qualification",
            _("Key-account qualification and tiers"),
            "accounts",
            ("value-pyramid", "attack-defend"),
        ),
        Topic(
            "value-pyramid",
            _("Customer value pyramid"),
            "accounts",
            ("qualification", "account-plans"),
        ),
        Topic(
            "attack-defend",
            _("Attack / defend segmentation"),
            "accounts",
            ("qualification", "account-plans"),
        ),
        Topic("swot", _("SWOT and latent needs"), "accounts", ("account-plans",)),
        Topic("account-plans", _("Account plans"), "accounts", ("swot", "attack-defend")),
        Topic(
            "buying-roles",
            _("The four buyer types"),
            "chain",
            ("attitudes", "minefields", "influence-map"),
        ),
        Topic(
            "attitudes",
            _("Support, relationship and innovation attitude"),
            "chain",
            ("buying-roles", "styles"),
        ),
        Topic("styles", _("Interpersonal styles"), "chain", ("attitudes",)),
        Topic("influence-map", _("Influence map"), "chain", ("buying-roles", "attitudes")),
        Topic(
            "minefields",
            _("Red flags (minefields)"),
            "chain",
            ("buying-roles", "influence-map", "outcomes"),
        ),
        Topic(
            "stages",
            _("Stages, win rates and exit criteria"),
            "funnel",
            ("early-qualification", "forecast", "win-rates"),
        ),
        Topic(
            "early-qualification",
            _("Qualifying early"),
            "funnel",
            ("stages", "twenty-questions"),
        ),
        Topic(
            "twenty-questions",
            _("The twenty questions"),
            "funnel",
            ("early-qualification", "decision-factors"),
        ),
        Topic(
            "decision-factors",
            _("Decision factors and the decision process"),
            "funnel",
            ("competitors", "twenty-questions"),
        ),
        Topic("competitors", _("Competitors"), "funnel", ("decision-factors", "minefields")),
        Topic("objections", _("Objections"), "funnel", ("decision-factors", "outcomes")),
        Topic(
            "activity-planning",
            _("Planning an activity: 5W and the objective"),
            "activities",
            ("outcomes",),
        ),
        Topic(
            "outcomes",
            _("The four outcomes of a call"),
            "activities",
            ("activity-planning", "stages"),
        ),
        Topic("forecast", _("Sales forecast"), "forecast", ("progress", "win-rates", "stages")),
        Topic("progress", _("Weekly sales progress"), "forecast", ("forecast", "funnel-review")),
        Topic(
            "funnel-review",
            _("The weekly funnel review"),
            "forecast",
            ("progress", "twenty-questions", "minefields"),
        ),
        Topic(
            "win-rates",
            _("Configured and learned win rates"),
            "forecast",
            ("forecast", "stages"),
        ),
        Topic(
            "complete-sale",
            _("A sale counts when the cash is in"),
            "receivables",
            ("aging", "credit"),
        ),
        Topic("aging", _("Receivables aging"), "receivables", ("complete-sale", "power")),
        Topic("credit", _("Credit limits and credit hold"), "receivables", ("complete-sale",)),
        Topic(
            "power",
            _("Collecting with POWER"),
            "receivables",
            ("promises", "aging"),
        ),
        Topic("promises", _("Promises to pay"), "receivables", ("power", "aging")),
    ]
}


def topic(key: str) -> Topic:
    """The topic ``key``; :class:`UnknownTopic` when there is none."""
    try:
        return TOPICS[key]
    except KeyError:
        raise UnknownTopic(f"No help topic {key!r}; the topics are: {', '.join(TOPICS)}.") from None


def grouped() -> list[tuple[Group, list[Topic]]]:
    """The topics of each group, in the order of the method."""
    return [(group, [t for t in TOPICS.values() if t.group == group.key]) for group in GROUPS]
