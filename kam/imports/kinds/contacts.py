"""People of an account, found by account + name, or account + phone when the name differs."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kam.accounts.models import Account
from kam.core.phrases import Phrase, joined, phrase
from kam.imports.cells import split_list
from kam.imports.columns import Column, choice, code, text
from kam.imports.kinds.base import (
    CREATE,
    UNCHANGED,
    UPDATE,
    Importer,
    Outcome,
    account_column,
    refuse,
)
from kam.imports.models import Kind
from kam.pipeline.models import Opportunity
from kam.stakeholders import services as stakeholder_services
from kam.stakeholders.models import BuyingRole, Contact, Level, PurchaseRole, Stakeholder

_parse_role = choice(lambda: BuyingRole.choices)
# Other names people give the buying roles in their own sheets.
ROLE_SYNONYMS = {
    "用户": BuyingRole.USER,
    "拍板人": BuyingRole.DECISION_MAKER,
    "教练": BuyingRole.COACH,
    "内线": BuyingRole.COACH,
}


def _roles(value: Any) -> list[str]:
    return sorted({ROLE_SYNONYMS.get(part) or _parse_role(part) for part in split_list(value)})


class ContactImporter(Importer):
    kind = Kind.CONTACTS
    several_writes = True
    columns = [
        account_column(),
        Column("name", gettext_lazy("Person's name"), text(100), required=True, example="王建国"),
        Column("phone", gettext_lazy("Phone"), code, example="13800000000"),
        Column("title", gettext_lazy("Title"), text(100), example="信息中心主任"),
        Column("department", gettext_lazy("Department"), text(100), example="信息中心"),
        Column("level", gettext_lazy("Level"), choice(lambda: Level.choices), example="管理层"),
        Column("email", gettext_lazy("Email"), code),
        Column("wechat", gettext_lazy("WeChat"), text(60)),
        Column("opportunity", gettext_lazy("Opportunity name"), text(200)),
        Column("roles", gettext_lazy("Buying roles"), _roles, example="决策者、用户"),
        Column(
            "purchase_role", gettext_lazy("Purchase role"), choice(lambda: PurchaseRole.choices)
        ),
    ]
    FIELDS = ["phone", "title", "department", "level", "email", "wechat"]

    def key(self, values: dict[str, Any]) -> tuple[Any, ...]:
        return (self.account_key(values["account"]), values["name"], values.get("opportunity", ""))

    def apply(self, values: dict[str, Any]) -> Outcome:
        account = self.account(values["account"])
        fields = {f: values[f] for f in self.FIELDS if f in values}
        label = f"{account.name} · {values['name']}"
        people = Contact.objects.filter(account=account)
        contact = people.filter(name=values["name"]).first()
        if contact is None and values.get("phone"):
            contact = people.filter(phone=values["phone"]).first()
        action = UNCHANGED
        described: list[Phrase] = []
        if contact is None:
            contact = stakeholder_services.create_contact(
                account=account, name=values["name"], by=self.by, via=self.via, **fields
            )
            action = CREATE
        else:
            changed = self.changes(
                contact, {**fields, "name": values["name"]}, [*self.FIELDS, "name"]
            )
            if changed:
                described.append(self.describe(contact, changed))
                stakeholder_services.update_contact(
                    contact, by=self.by, expected_version=None, via=self.via, **changed
                )
                action = UPDATE
        if "opportunity" in values:
            roles_changed = self._set_roles(account, contact, values)
            if roles_changed:
                described.append(roles_changed)
                action = action if action == CREATE else UPDATE
        elif "roles" in values or "purchase_role" in values:
            raise refuse(
                "opportunity", _("Name the opportunity on which the person has these roles.")
            )
        return Outcome(action, label, joined(described, "; ") if action == UPDATE else "")

    def _set_roles(
        self, account: Account, contact: Contact, values: dict[str, Any]
    ) -> Phrase | None:
        """Add the person to the deal or change their roles; says what changed ("" if nothing)."""
        opportunity = Opportunity.objects.filter(
            account=account, name=values["opportunity"]
        ).first()
        if opportunity is None:
            raise refuse(
                "opportunity",
                _("No opportunity “%(name)s” at this account.") % {"name": values["opportunity"]},
            )
        roles = values.get("roles", [])
        purchase_role = values.get("purchase_role", "")
        member = Stakeholder.objects.filter(opportunity=opportunity, contact=contact).first()
        if member is None:
            stakeholder_services.add_stakeholder(
                opportunity,
                by=self.by,
                via=self.via,
                contact=contact,
                roles=roles,
                purchase_role=purchase_role,
            )
            return phrase(gettext_lazy("Added to “%(opportunity)s”"), opportunity=opportunity.name)
        held = sorted(r for r, f in Stakeholder.ROLE_FIELDS.items() if getattr(member, f))
        fields = {}
        if "purchase_role" in values and member.purchase_role != purchase_role:
            fields["purchase_role"] = purchase_role
        described = [self.describe(member, fields)] if fields else []
        if "roles" in values and held != roles:
            shown = dict(BuyingRole.choices)
            described.append(
                phrase(
                    gettext_lazy("%(field)s: %(before)s → %(after)s"),
                    field=gettext_lazy("Buying roles"),
                    before=joined([shown[r] for r in held]) if held else "—",
                    after=joined([shown[r] for r in roles]) if roles else "—",
                )
            )
        if ("roles" in values and held != roles) or fields:
            stakeholder_services.update_stakeholder(
                member,
                by=self.by,
                expected_version=None,
                via=self.via,
                roles=roles if "roles" in values else None,
                **fields,
            )
            return joined(described, "; ")
        return None
