"""Activities, found by account + kind + start time."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kam.activities import services as activity_services
from kam.activities.models import Activity
from kam.activities.models import Kind as ActivityKind
from kam.core.phrases import joined, phrase
from kam.imports.cells import clean_text, parse_datetime, split_list
from kam.imports.columns import Column, choice, text, text_of
from kam.imports.kinds.base import (
    CREATE,
    UNCHANGED,
    UPDATE,
    Importer,
    Outcome,
    account_column,
    non_negative,
    owner_column,
    positive_int,
    refuse,
)
from kam.imports.models import Kind
from kam.pipeline.models import Opportunity
from kam.stakeholders.models import Contact


class ActivityImporter(Importer):
    kind = Kind.ACTIVITIES
    columns = [
        account_column(),
        Column(
            "kind",
            gettext_lazy("Kind of activity"),
            choice(lambda: ActivityKind.choices),
            required=True,
            example="销售拜访",
        ),
        Column(
            "starts_at",
            gettext_lazy("When"),
            parse_datetime,
            required=True,
            example="2026-12-01 14:00",
        ),
        Column(
            "objective",
            gettext_lazy("Objective: what the customer will do"),
            clean_text,
            required=True,
            example="客户同意安排技术交流会",
        ),
        owner_column(),
        Column("opportunity", gettext_lazy("Opportunity name"), text(200)),
        Column("location", gettext_lazy("Where"), text(200)),
        Column("purpose", gettext_lazy("Why (purpose)"), text_of(Activity, "purpose")),
        Column(
            "contacts", gettext_lazy("People at the customer"), split_list, example="王建国、李明"
        ),
        Column("duration_minutes", gettext_lazy("Duration (minutes)"), positive_int),
        Column("expenses", gettext_lazy("Expenses (CNY)"), non_negative),
    ]
    FIELDS = [
        "kind",
        "starts_at",
        "objective",
        "location",
        "purpose",
        "duration_minutes",
        "expenses",
    ]

    def key(self, values: dict[str, Any]) -> tuple[Any, ...]:
        return (self.account_key(values["account"]), values["kind"], values["starts_at"])

    def apply(self, values: dict[str, Any]) -> Outcome:
        account = self.account(values["account"])
        fields = {f: values[f] for f in self.FIELDS if f in values}
        starts_at: datetime = fields["starts_at"]
        if timezone.is_naive(starts_at):
            fields["starts_at"] = timezone.make_aware(starts_at)
        if "owner" in values:
            fields["owner"] = self.user(values["owner"])
        if "opportunity" in values:
            fields["opportunity"] = Opportunity.objects.filter(
                account=account, name=values["opportunity"]
            ).first()
            if fields["opportunity"] is None:
                raise refuse(
                    "opportunity",
                    _("No opportunity “%(name)s” at this account.")
                    % {"name": values["opportunity"]},
                )
        contacts = None
        if "contacts" in values:
            found = {
                c.name: c
                for c in Contact.objects.filter(account=account, name__in=values["contacts"])
            }
            missing = [n for n in values["contacts"] if n not in found]
            if missing:
                raise refuse(
                    "contacts",
                    _("No person named %(names)s at this account.") % {"names": "、".join(missing)},
                )
            contacts = list(found.values())
        label = f"{account.name} · {timezone.localtime(fields['starts_at']):%Y-%m-%d %H:%M}"
        existing = Activity.objects.filter(
            account=account, kind=fields["kind"], starts_at=fields["starts_at"]
        ).first()
        if existing is None:
            fields.setdefault("owner", self.default_owner(account))
            activity_services.plan_activity(
                account=account, by=self.by, via=self.via, contacts=contacts or (), **fields
            )
            return Outcome(CREATE, label)
        changed = self.changes(existing, fields, [*self.FIELDS, "owner", "opportunity"])
        same_people = contacts is None or {c.pk for c in contacts} == set(
            existing.contacts.values_list("pk", flat=True)
        )
        if not changed and same_people:
            return Outcome(UNCHANGED, label)
        parts = [self.describe(existing, changed)] if changed else []
        if not same_people:
            parts.append(
                phrase(
                    gettext_lazy("%(field)s: %(value)s"),
                    field=gettext_lazy("People"),
                    value="、".join(c.name for c in contacts or ()),
                )
            )
        described = joined(parts, "; ")
        activity_services.update_activity(
            existing, by=self.by, expected_version=None, via=self.via, contacts=contacts, **changed
        )
        return Outcome(UPDATE, label, described)
