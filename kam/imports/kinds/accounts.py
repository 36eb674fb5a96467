"""Accounts, found by name (brackets of either width, spaces, case ignored)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy

from kam.accounts import services as account_services
from kam.accounts.models import Attitude, Industry, Nature, ProductUsage, Scale
from kam.imports.columns import Column, choice, code, text
from kam.imports.kinds.base import (
    CREATE,
    UNCHANGED,
    UPDATE,
    Importer,
    Outcome,
    non_negative,
    owner_column,
    positive_int,
)
from kam.imports.models import Kind


class AccountImporter(Importer):
    kind = Kind.ACCOUNTS
    columns = [
        Column(
            "name",
            gettext_lazy("Account name"),
            text(200),
            required=True,
            example="上海示例电子有限公司",
            aliases=("客户", "客户名"),
        ),
        Column(
            "industry", gettext_lazy("Industry"), choice(lambda: Industry.choices), example="制造业"
        ),
        Column(
            "nature", gettext_lazy("Nature"), choice(lambda: Nature.choices), example="民营企业"
        ),
        Column("scale", gettext_lazy("Scale"), choice(lambda: Scale.choices)),
        Column("attitude", gettext_lazy("Attitude toward us"), choice(lambda: Attitude.choices)),
        Column(
            "product_usage", gettext_lazy("Product usage"), choice(lambda: ProductUsage.choices)
        ),
        Column("city", gettext_lazy("City"), text(60), example="上海"),
        Column("address", gettext_lazy("Address"), text(300)),
        Column("post_code", gettext_lazy("Post code"), code),
        Column("website", gettext_lazy("Website"), text(200)),
        Column("employees", gettext_lazy("Employees"), positive_int, example=1200),
        Column("annual_revenue", gettext_lazy("Revenue this year"), non_negative),
        Column("purchase_potential", gettext_lazy("Purchase potential per year"), non_negative),
        owner_column(),
        Column("parent", gettext_lazy("Parent company"), text(200)),
    ]
    account_columns = ("name", "parent")
    FIELDS = [
        "industry",
        "nature",
        "scale",
        "attitude",
        "product_usage",
        "city",
        "address",
        "post_code",
        "website",
        "employees",
        "annual_revenue",
        "purchase_potential",
    ]

    def key(self, values: dict[str, Any]) -> tuple[Any, ...]:
        return (self.account_key(values["name"]),)

    def apply(self, values: dict[str, Any]) -> Outcome:
        name = values["name"]
        fields = {f: values[f] for f in self.FIELDS if f in values}
        if "owner" in values:
            fields["owner"] = self.user(values["owner"])
        if "parent" in values:
            fields["parent"] = self.account(values["parent"], column="parent")
        existing = account_services.find_duplicate(name)
        if existing is None:
            owner = fields.pop("owner", None) or self.default_owner()
            account = account_services.create_account(
                name=name, owner=owner, by=self.by, via=self.via, **fields
            )
            self.remember_account(account)
            return Outcome(CREATE, account.name)
        account = self.account(existing.name, column="name")
        changed = self.changes(account, fields, [*self.FIELDS, "owner", "parent"])
        if not changed:
            return Outcome(UNCHANGED, account.name)
        described = self.describe(account, changed)
        account_services.update_account(
            account, by=self.by, expected_version=None, via=self.via, **changed
        )
        return Outcome(UPDATE, account.name, described)
