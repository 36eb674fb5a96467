"""Reads of the decision chain; all start from account visibility."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from kam.accounts.models import Account
from kam.accounts.visibility import scope_to_visible_accounts, visible_accounts
from kam.core.models import User
from kam.pipeline.models import Opportunity, Status
from kam.stakeholders.calculations import DECISION_FIELDS, RedFlag, Severity
from kam.stakeholders.models import (
    Assessment,
    Contact,
    InfluenceLine,
    PaymentApprovalStep,
    PolicyWatch,
    Stakeholder,
)


def visible_contacts(user: User) -> QuerySet[Contact]:
    return scope_to_visible_accounts(Contact.objects.all(), user)


def contact_list(user: User, q: str = "", account: int | None = None) -> QuerySet[Contact]:
    contacts = visible_contacts(user).select_related("account", "reports_to")
    if q:
        contacts = contacts.filter(
            Q(name__icontains=q)
            | Q(title__icontains=q)
            | Q(department__icontains=q)
            | Q(account__name__icontains=q)
        )
    if account:
        contacts = contacts.filter(account_id=account)
    return contacts


def contact_detail(user: User, pk: int) -> Contact:
    """One visible person with their line, history and buying roles; else DoesNotExist."""
    return (
        visible_contacts(user)
        .select_related("account", "reports_to")
        .prefetch_related(
            "direct_reports",
            Prefetch("changes", queryset=_changes()),
            Prefetch(
                "stakes",
                queryset=Stakeholder.objects.select_related(
                    "opportunity", "opportunity__stage"
                ).prefetch_related(
                    Prefetch(
                        "assessments", queryset=Assessment.objects.order_by("assessed_on", "pk")
                    )
                ),
            ),
        )
        .get(pk=pk)
    )


def _changes() -> QuerySet[Any]:
    from kam.stakeholders.models import ContactChange

    return ContactChange.objects.select_related("recorded_by").order_by("-effective_on", "-pk")


def visible_opportunity(user: User, pk: int) -> Opportunity:
    return (
        scope_to_visible_accounts(Opportunity.objects.all(), user)
        .select_related("account", "stage", "owner")
        .get(pk=pk)
    )


def visible_account(user: User, pk: int) -> Account:
    return visible_accounts(user).get(pk=pk)


def buying_circle(opportunity: Opportunity) -> list[Stakeholder]:
    """The opportunity's circle, each with its assessments oldest first (for trends)."""
    return list(
        Stakeholder.objects.filter(opportunity=opportunity)
        .select_related("contact", "staff")
        .prefetch_related(
            Prefetch("assessments", queryset=Assessment.objects.order_by("assessed_on", "pk"))
        )
        .order_by("-is_decision_maker", "-is_technical_gatekeeper", "-is_user", "-is_coach", "pk")
    )


def visible_stakeholders(user: User) -> QuerySet[Stakeholder]:
    return scope_to_visible_accounts(
        Stakeholder.objects.all(), user, account_field="opportunity__account"
    )


def visible_influence_lines(user: User) -> QuerySet[InfluenceLine]:
    return scope_to_visible_accounts(InfluenceLine.objects.all(), user)


def visible_policy_watches(user: User) -> QuerySet[PolicyWatch]:
    return scope_to_visible_accounts(PolicyWatch.objects.all(), user)


@dataclass(frozen=True)
class ApprovalStep:
    position: int
    contact_id: int
    name: str
    title: str
    department: str
    has_left: bool
    note: str


def payment_approval_chain(user: User, account: Account | int) -> list[ApprovalStep]:
    """The customer's payment approval path, first approver first (§6); empty if not visible."""
    account_id = account.pk if isinstance(account, Account) else account
    steps = scope_to_visible_accounts(
        PaymentApprovalStep.objects.filter(account_id=account_id), user
    ).select_related("contact")
    return [
        ApprovalStep(
            position=s.position,
            contact_id=s.contact_id,
            name=s.contact.name,
            title=s.contact.title,
            department=s.contact.department,
            has_left=s.contact.has_left,
            note=s.note,
        )
        for s in steps.order_by("position")
    ]


def influence_lines(account: Account, people_ids: list[int] | None = None) -> list[InfluenceLine]:
    lines = InfluenceLine.objects.filter(account=account).select_related("source", "target")
    if people_ids is not None:
        lines = lines.filter(source_id__in=people_ids, target_id__in=people_ids)
    return list(lines.order_by("source__name", "target__name"))


def open_deals(user: User, *, mine: bool = True) -> QuerySet[Opportunity]:
    """Open opportunities the user may see; ``mine`` keeps those they own."""
    deals = scope_to_visible_accounts(
        Opportunity.objects.filter(status=Status.OPEN), user
    ).select_related("account", "stage", "owner")
    return deals.filter(owner=user) if mine else deals


@dataclass(frozen=True)
class FlaggedDeal:
    opportunity: Opportunity
    flags: list[RedFlag]

    @property
    def worst(self) -> str:
        return self.flags[0].severity if self.flags else ""


FLAGGED_FIELDS = (
    "pk",
    "name",
    "account_id",
    "owner_id",
    "status",
    "stage",
    "competition_status",
    "amount",
    "expected_close_date",
    "has_budget",
    *DECISION_FIELDS,
)


def flagged_deals(deals: QuerySet[Opportunity]) -> list[FlaggedDeal]:
    """Open deals with their red flags, most flagged first; bounded queries."""
    from kam.stakeholders.red_flags import red_flags_for_opportunities

    # The rules and the table need only these columns; the opportunity's long texts,
    # its account and its owner would be most of what a 300-deal pipeline reads.
    # Sorted here rather than in SQL: an ORDER BY would tempt SQLite to walk every open
    # deal in close-date order instead of reading one owner's or account's deals.
    rows = sorted(
        deals.select_related(None).select_related("stage").only(*FLAGGED_FIELDS).order_by(),
        key=lambda o: (o.expected_close_date, o.pk),
    )
    flags = red_flags_for_opportunities(rows)
    result = [FlaggedDeal(o, flags.get(o.pk, [])) for o in rows]
    result.sort(
        key=lambda d: (
            -sum(1 for f in d.flags if f.severity == Severity.HIGH),
            -len(d.flags),
        )
    )
    return result
