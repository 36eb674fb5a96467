"""What each kind of spreadsheet holds, how its rows find existing records, and which
service writes them (issue 8, item 3).

Every row goes through the same service a person uses on the page, so an import
obeys exactly the rules of the product, its permissions and its audit trail.
Rows find existing records by natural key:

- accounts: the account name (brackets of either width, spaces, case ignored);
- people: account + name, or account + phone when the name differs;
- opportunities: account + opportunity name;
- activities: account + kind + start time;
- contracts: the contract number, invoices by invoice number;
- payments: account + bank reference (without a reference, each row is a new payment).

Who may import what: nobody gets further than on the pages. Rows name accounts
the importer may change (a rep: their own and their accounts' teams'; a manager:
the team's; finance: none, finance reads accounts); an account they may not see
reads as "no such account". Owners are colleagues the importer sees. Invoices and
payments are finance's (and administrators'), as in receivables.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kam.accounts import services as account_services
from kam.accounts.models import Account, Industry, Nature, Scale
from kam.accounts.visibility import can_edit_account, editable_accounts, visible_accounts
from kam.activities import services as activity_services
from kam.activities.models import Activity
from kam.activities.models import Kind as ActivityKind
from kam.core.concurrency import ConflictError
from kam.core.models import Role, User
from kam.core.visibility import visible_users
from kam.imports.cells import (
    CellError,
    clean_text,
    header_key,
    parse_bool,
    parse_date,
    parse_datetime,
    parse_decimal,
    parse_integer,
    parse_percent,
    split_list,
)
from kam.imports.columns import Column, choice, code, text, text_of
from kam.imports.models import Kind
from kam.pipeline import services as pipeline_services
from kam.pipeline.models import ForecastCategory, Opportunity, Stage, Status
from kam.receivables import permissions as money
from kam.receivables import services as receivable_services
from kam.receivables.models import Contract, Invoice, Payment, PaymentMethod
from kam.stakeholders import services as stakeholder_services
from kam.stakeholders.models import BuyingRole, Contact, Level, PurchaseRole, Stakeholder

CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"


class RowRefused(Exception):
    """The row cannot be imported; ``problems`` are (column key, message) pairs."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(message for _column, message in problems))


def refuse(column: str, message: str) -> RowRefused:
    return RowRefused([(column, message)])


@dataclass(frozen=True)
class Outcome:
    action: str
    label: str
    changes: str = ""  # what an update changes, e.g. "Amount: 100.00 → 250.00"


def _non_negative(value: Any) -> Decimal:
    number = parse_decimal(value)
    if number < 0:
        raise CellError(_("The amount cannot be negative."))
    return number


def _positive_int(value: Any) -> int:
    number = parse_integer(value)
    if number < 0:
        raise CellError(_("Enter a number of zero or more."))
    return number


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


def _account_column() -> Column:
    return Column(
        "account",
        gettext_lazy("Account name"),
        text(200),
        required=True,
        example="上海示例电子有限公司",
        aliases=("客户", "account", "客户名"),
    )


def _owner_column() -> Column:
    return Column(
        "owner",
        gettext_lazy("Owner (user name)"),
        text(150),
        example="rep",
        aliases=("负责人", "owner", "销售"),
    )


class Importer:
    """Reads one kind of row and writes it through that area's services."""

    kind: str
    columns: list[Column]
    # A row written by more than one service call is checked in a savepoint of its own.
    several_writes = False
    # Rows change the account's own records; receivables leave the rule to their services.
    edits_accounts = True

    def __init__(self, by: User | None, via: str) -> None:
        self.by = by
        self.via = via
        self._accounts: dict[str, Account | None] = {}
        self._editable: dict[int, bool] = {}
        self._users: dict[str, User | None] = {}

    # --- what the file holds

    @classmethod
    def column(cls, key: str) -> Column:
        return next(c for c in cls.columns if c.key == key)

    def may_import(self) -> str:
        """Why this user may not import this kind at all ("" when they may)."""
        if self.by is not None and self.by.role == Role.FINANCE:
            return _("Finance reads accounts but does not change them; ask the account team.")
        return ""

    def key(self, values: dict[str, Any]) -> tuple[Any, ...] | None:
        """The natural key of a row, to find rows that say the same thing twice."""
        raise NotImplementedError

    def apply(self, values: dict[str, Any]) -> Outcome:
        raise NotImplementedError

    def flush(self) -> None:
        """Write what ``apply`` gathered for one bulk insert (after the last row)."""

    # Columns holding account names, looked up together before the rows are applied.
    account_columns: tuple[str, ...] = ("account",)

    def prepare(self, rows: list[dict[str, Any]]) -> None:
        """Read what many rows need in a few queries instead of one per row."""
        names = {values[c] for values in rows for c in self.account_columns if c in values}
        self.preload_accounts(names)

    def preload_accounts(self, names: Iterable[str]) -> None:
        wanted = {self.account_key(n) for n in names} - set(self._accounts)
        variants: set[str] = set()
        for name in names:
            plain = account_services.normalised_name(name)
            variants |= {plain, plain.replace("(", "（").replace(")", "）")}
        found: dict[str, Account] = {}
        for account in Account.objects.filter(name__in=variants).order_by("pk"):
            found.setdefault(self.account_key(account.name), account)
        ids = [a.pk for a in found.values()]
        visible = editable = set(ids)
        if self.by is not None:
            visible = set(visible_accounts(self.by).filter(pk__in=ids).values_list("pk", flat=True))
            editable = set(
                editable_accounts(self.by).filter(pk__in=ids).values_list("pk", flat=True)
            )
        for key in wanted:
            match = found.get(key)
            if match is None:
                continue  # looked up one by one, case-insensitively, when a row needs it
            self._accounts[key] = match if match.pk in visible else None
            self._editable[match.pk] = match.pk in editable

    # --- lookups shared by the kinds

    @staticmethod
    def account_key(name: str) -> str:
        return account_services.normalised_name(name).lower()

    def account(self, name: str, column: str = "account") -> Account:
        """The account of that name that the importer may change; otherwise the row is refused.

        An account they may not see reads exactly as one that does not exist.
        """
        key = self.account_key(name)
        if key not in self._accounts:
            found = account_services.find_duplicate(name)
            if (
                found is not None
                and self.by is not None
                and not visible_accounts(self.by).filter(pk=found.pk).exists()
            ):
                found = None
            self._accounts[key] = found
        account = self._accounts[key]
        if account is None:
            raise refuse(
                column, _("No account named “%(name)s” that you can see.") % {"name": name}
            )
        if self.by is not None and self.edits_accounts:
            if account.pk not in self._editable:
                self._editable[account.pk] = can_edit_account(self.by, account)
            if not self._editable[account.pk]:
                raise refuse(column, _("You may not change this account."))
        return account

    def remember_account(self, account: Account) -> None:
        self._accounts[self.account_key(account.name)] = account
        self._editable[account.pk] = True

    def user(self, name: str, column: str = "owner") -> User:
        """A colleague by user name or full name, among those the importer sees."""
        if name not in self._users:
            users = User.objects.filter(is_active=True)
            if self.by is not None:
                users = visible_users(self.by).filter(is_active=True)
            found = users.filter(username__iexact=name).first()
            if found is None:
                matches = [u for u in users.filter(last_name=name[:1]) if u.get_full_name() == name]
                found = matches[0] if len(matches) == 1 else None
            self._users[name] = found
        user = self._users[name]
        if user is None:
            raise refuse(
                column, _("No colleague “%(name)s” among those you can see.") % {"name": name}
            )
        return user

    def default_owner(self, account: Account | None = None) -> User:
        if self.by is not None and self.by.role in (Role.REP, Role.MANAGER):
            return self.by
        if account is not None:
            return account.owner
        if self.by is not None:
            return self.by
        raise refuse("owner", _("Give the owner's user name."))

    @staticmethod
    def changes(record: Any, values: dict[str, Any], fields: Iterable[str]) -> dict[str, Any]:
        """The given values that differ from the record's (an empty cell changes nothing)."""
        changed = {}
        for name in fields:
            if name not in values:
                continue
            current = getattr(record, name)
            new = values[name]
            if isinstance(current, Decimal) and isinstance(new, Decimal):
                if current == new:
                    continue
            elif current == new:
                continue
            changed[name] = new
        return changed

    @staticmethod
    def describe(record: Any, changed: dict[str, Any]) -> str:
        """The changes in words, old value to new: “Amount: 100.00 → 250.00; City: 上海 → 苏州”."""
        parts = []
        for name, new in changed.items():
            try:
                field = record._meta.get_field(name)
            except FieldDoesNotExist:
                field = None
            label = capfirst(str(field.verbose_name)) if field is not None else name
            parts.append(f"{label}: {_shown(field, getattr(record, name))} → {_shown(field, new)}")
        return "; ".join(parts)


def _shown(field: Any, value: Any) -> str:
    """A value as the report shows it: choices by their label, money with separators."""
    if value is None or value == "":
        return "—"
    if field is not None and getattr(field, "flatchoices", None):
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, datetime):
        return f"{timezone.localtime(value) if timezone.is_aware(value) else value:%Y-%m-%d %H:%M}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


# ------------------------------------------------------------------------- accounts


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
        Column("city", gettext_lazy("City"), text(60), example="上海"),
        Column("address", gettext_lazy("Address"), text(300)),
        Column("post_code", gettext_lazy("Post code"), code),
        Column("website", gettext_lazy("Website"), text(200)),
        Column("employees", gettext_lazy("Employees"), _positive_int, example=1200),
        Column("annual_revenue", gettext_lazy("Revenue this year"), _non_negative),
        Column("purchase_potential", gettext_lazy("Purchase potential per year"), _non_negative),
        _owner_column(),
        Column("parent", gettext_lazy("Parent company"), text(200)),
    ]
    account_columns = ("name", "parent")
    FIELDS = [
        "industry",
        "nature",
        "scale",
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


# -------------------------------------------------------------------------- people


class ContactImporter(Importer):
    kind = Kind.CONTACTS
    several_writes = True
    columns = [
        _account_column(),
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
        described = []
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
        return Outcome(action, label, "; ".join(described) if action == UPDATE else "")

    def _set_roles(self, account: Account, contact: Contact, values: dict[str, Any]) -> str:
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
            return _("Added to “%(opportunity)s”") % {"opportunity": opportunity.name}
        held = sorted(r for r, f in Stakeholder.ROLE_FIELDS.items() if getattr(member, f))
        fields = {}
        if "purchase_role" in values and member.purchase_role != purchase_role:
            fields["purchase_role"] = purchase_role
        described = self.describe(member, fields)
        if "roles" in values and held != roles:
            shown = dict(BuyingRole.choices)
            described = "; ".join(
                filter(
                    None,
                    [
                        described,
                        "{}: {} → {}".format(
                            _("Buying roles"),
                            "、".join(str(shown[r]) for r in held) or "—",
                            "、".join(str(shown[r]) for r in roles) or "—",
                        ),
                    ],
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
            return described
        return ""


# ------------------------------------------------------------------- opportunities


class OpportunityImporter(Importer):
    kind = Kind.OPPORTUNITIES
    columns = [
        _account_column(),
        Column(
            "name",
            gettext_lazy("Opportunity name"),
            text(200),
            required=True,
            example="数据中心扩容",
        ),
        Column("amount", gettext_lazy("Amount"), _non_negative, required=True, example=1200000),
        Column(
            "expected_close_date",
            gettext_lazy("Expected close date"),
            parse_date,
            required=True,
            example="2026-12-31",
        ),
        Column("stage", gettext_lazy("Stage"), text(100), example="需求确认"),
        Column(
            "exit_criteria_met",
            gettext_lazy("Exit criteria met"),
            parse_bool,
            help=gettext_lazy(
                "是 when the exit criteria of every stage an existing deal leaves are met; "
                "moving forward needs it, as on the deal's page."
            ),
            example="是",
        ),
        Column(
            "override_reason",
            gettext_lazy("Qualification override reason"),
            text(500),
            help=gettext_lazy(
                "A manager's reason to move an unqualified deal past the second stage."
            ),
        ),
        _owner_column(),
        Column("currency", gettext_lazy("Currency"), code, example="CNY"),
        Column("exchange_rate", gettext_lazy("Rate to CNY"), parse_decimal),
        Column(
            "forecast_category",
            gettext_lazy("Forecast category"),
            choice(lambda: ForecastCategory.choices),
        ),
        Column("source", gettext_lazy("Source"), text(100)),
        Column("products", gettext_lazy("Products"), text(300)),
        Column("description", gettext_lazy("Description"), text_of(Opportunity, "description")),
    ]
    FIELDS = [
        "name",
        "amount",
        "expected_close_date",
        "currency",
        "exchange_rate",
        "forecast_category",
        "source",
        "products",
        "description",
    ]

    def __init__(self, by: User | None, via: str) -> None:
        super().__init__(by, via)
        self._deals: dict[int, dict[str, Opportunity]] = {}
        self._stages: dict[int, Stage] = {}
        self._default_model: int | None = None
        self._new: list[Opportunity] = []
        self._stage_names: dict[tuple[int | None, str], Stage] = {}

    def key(self, values: dict[str, Any]) -> tuple[Any, ...]:
        return (self.account_key(values["account"]), values["name"].lower())

    def prepare(self, rows: list[dict[str, Any]]) -> None:
        super().prepare(rows)
        ids = [a.pk for a in self._accounts.values() if a is not None]
        for account_id in ids:
            self._deals.setdefault(account_id, {})
        for deal in Opportunity.objects.filter(account_id__in=ids).order_by("pk"):
            self._deals[deal.account_id][deal.name.lower()] = deal

    def stage(self, name: str, model_id: int | None = None) -> Stage:
        """A stage by its Chinese or English name, or its key: of the default funnel, or of
        ``model_id``'s (an existing deal moves within its own stage model)."""
        if not self._stages:
            self._load_stages()
        model_id = self._default_model if model_id is None else model_id
        wanted = header_key(name)
        if (model_id, wanted) in self._stage_names:
            return self._stage_names[model_id, wanted]
        stages = sorted(
            (s for s in self._stages.values() if s.model_id == model_id), key=lambda s: s.order
        )
        raise refuse(
            "stage",
            _("“%(value)s” is not a stage of the funnel: %(options)s.")
            % {"value": name, "options": "、".join(s.name for s in stages)},
        )

    def first_stage(self) -> Stage:
        if not self._stages:
            self._load_stages()
        return min(
            (s for s in self._stages.values() if s.model_id == self._default_model),
            key=lambda s: s.order,
        )

    def _load_stages(self) -> None:
        self._stages = {s.pk: s for s in Stage.objects.select_related("model")}
        for stage in self._stages.values():
            if stage.model.is_default:
                self._default_model = stage.model_id
            for written in (stage.name_en, stage.name_zh, stage.key):
                self._stage_names.setdefault((stage.model_id, header_key(written)), stage)
        if self._default_model is None:
            raise refuse("stage", _("No default stage model is configured."))

    def flush(self) -> None:
        if self._new:
            pipeline_services.create_opportunities(self._new, by=self.by, via=self.via)
            self._new = []

    def deals(self, account: Account) -> dict[str, Opportunity]:
        """The account's opportunities by name, read once per account."""
        if account.pk not in self._deals:
            self._deals[account.pk] = {
                o.name.lower(): o
                for o in Opportunity.objects.filter(account=account).order_by("-pk")
            }
        return self._deals[account.pk]

    def apply(self, values: dict[str, Any]) -> Outcome:
        account = self.account(values["account"])
        fields = {f: values[f] for f in self.FIELDS if f in values}
        if "owner" in values:
            fields["owner"] = self.user(values["owner"])
        label = f"{account.name} · {values['name']}"
        existing = self.deals(account).get(values["name"].lower())
        if existing is None:
            stage = self.stage(values["stage"]) if "stage" in values else None
            fields.setdefault("owner", self.default_owner(account))
            opportunity = pipeline_services.new_opportunity(
                account=account, by=self.by, stage=stage or self.first_stage(), **fields
            )
            self._new.append(opportunity)
            return Outcome(CREATE, label)
        if not self._stages:
            self._load_stages()
        current = self._stages[existing.stage_id]
        stage = self.stage(values["stage"], current.model_id) if "stage" in values else None
        moves = stage is not None and stage.pk != current.pk
        changed = self.changes(existing, fields, [*self.FIELDS, "owner"])
        if not changed and not moves:
            return Outcome(UNCHANGED, label)
        described = self.describe(existing, changed)
        # Two service calls: a move refused after the edit must not leave the edit behind.
        with transaction.atomic():
            if changed:
                pipeline_services.update_opportunity(
                    existing, by=self.by, expected_version=None, via=self.via, **changed
                )
            if moves:
                assert stage is not None
                self.move(existing, current, stage, values)
                moved = f"{_('Stage')}: {current.name} → {stage.name}"
                described = "; ".join(filter(None, [described, moved]))
        return Outcome(UPDATE, label, described)

    def move(
        self, opportunity: Opportunity, current: Stage, stage: Stage, values: dict[str, Any]
    ) -> None:
        """Move the deal as its page does: the row confirms the exit criteria of the stages
        it leaves (§3.1) and may carry a manager's qualification override (§3.2)."""
        forward = stage.order > current.order
        confirmed = bool(values.get("exit_criteria_met"))
        left = []
        if forward and confirmed:
            left = [
                s.pk
                for s in self._stages.values()
                if s.model_id == current.model_id and current.order <= s.order < stage.order
            ]
        try:
            pipeline_services.move_opportunity(
                opportunity,
                stage,
                by=self.by,
                expected_version=None,
                via=self.via,
                confirmed_exit_stages=left,
                override_reason=values.get("override_reason", ""),
            )
        except pipeline_services.MoveRefused as error:
            unconfirmed = forward and not confirmed and opportunity.status == Status.OPEN
            column = "exit_criteria_met" if unconfirmed else "stage"
            raise RowRefused([(column, message) for message in error.messages]) from None


# ---------------------------------------------------------------------- activities


class ActivityImporter(Importer):
    kind = Kind.ACTIVITIES
    columns = [
        _account_column(),
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
        _owner_column(),
        Column("opportunity", gettext_lazy("Opportunity name"), text(200)),
        Column("location", gettext_lazy("Where"), text(200)),
        Column("purpose", gettext_lazy("Why (purpose)"), text_of(Activity, "purpose")),
        Column(
            "contacts", gettext_lazy("People at the customer"), split_list, example="王建国、李明"
        ),
        Column("duration_minutes", gettext_lazy("Duration (minutes)"), _positive_int),
        Column("expenses", gettext_lazy("Expenses (CNY)"), _non_negative),
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
        described = self.describe(existing, changed)
        if not same_people:
            names = "、".join(c.name for c in contacts or ())
            described = "; ".join(filter(None, [described, f"{_('People')}: {names}"]))
        activity_services.update_activity(
            existing, by=self.by, expected_version=None, via=self.via, contacts=contacts, **changed
        )
        return Outcome(UPDATE, label, described)


# --------------------------------------------------------------- contracts/invoices


class ContractImporter(Importer):
    kind = Kind.CONTRACTS
    several_writes = True
    edits_accounts = False
    columns = [
        Column(
            "number", gettext_lazy("Contract number"), code, required=True, example="HT2026-00123"
        ),
        _account_column(),
        Column(
            "name",
            gettext_lazy("Contract name"),
            text(200),
            required=True,
            example="数据中心扩容一期",
        ),
        Column(
            "amount", gettext_lazy("Contract amount"), _non_negative, required=True, example=800000
        ),
        Column(
            "gross_margin_pct",
            gettext_lazy("Gross margin (%)"),
            parse_percent,
            required=True,
            example="32%",
        ),
        Column(
            "signed_on", gettext_lazy("Signed on"), parse_date, required=True, example="2026-06-30"
        ),
        Column(
            "payment_terms_days", gettext_lazy("Payment terms (days)"), _positive_int, example=60
        ),
        Column("opportunity", gettext_lazy("Won opportunity"), text(200)),
        Column("invoice_number", gettext_lazy("Invoice number"), code),
        Column("invoice_amount", gettext_lazy("Invoice amount"), _non_negative),
        Column("issued_on", gettext_lazy("Invoice issued on"), parse_date),
        Column("due_date", gettext_lazy("Invoice due date"), parse_date),
    ]

    def may_import(self) -> str:
        return ""

    def key(self, values: dict[str, Any]) -> tuple[Any, ...]:
        return (values["number"].upper(), values.get("invoice_number", "").upper())

    TERMS = ["name", "amount", "gross_margin_pct", "signed_on", "payment_terms_days"]

    def __init__(self, by: User | None, via: str) -> None:
        super().__init__(by, via)
        # The contract terms the file gave first for each contract number.
        self._terms: dict[str, dict[str, Any]] = {}

    def apply(self, values: dict[str, Any]) -> Outcome:
        account = self.account(values["account"])
        label = values["number"]
        action = UNCHANGED
        described = ""
        self._same_terms_as_before(values)
        contract = Contract.objects.filter(number__iexact=values["number"]).first()
        if contract is not None and contract.account_id != account.pk:
            raise refuse("number", _("This contract number is used at another account."))
        if contract is not None:
            self._same_opportunity(contract, values)
            changed = self.changes(contract, values, self.TERMS)
            if changed:
                described = self.describe(contract, changed)
                receivable_services.update_contract(
                    contract,
                    by=self.by,  # type: ignore[arg-type]
                    expected_version=None,
                    via=self.via,
                    **changed,
                )
                action = UPDATE
        else:
            opportunity = None
            if "opportunity" in values:
                opportunity = Opportunity.objects.filter(
                    account=account, name=values["opportunity"]
                ).first()
                if opportunity is None:
                    raise refuse(
                        "opportunity",
                        _("No opportunity “%(name)s” at this account.")
                        % {"name": values["opportunity"]},
                    )
            contract = receivable_services.create_contract(
                account=account,
                name=values["name"],
                amount=values["amount"],
                gross_margin_pct=values["gross_margin_pct"],
                signed_on=values["signed_on"],
                by=self.by,  # type: ignore[arg-type]
                via=self.via,
                opportunity=opportunity,
                number=values["number"],
                payment_terms_days=values.get("payment_terms_days", 30),
            )
            action = CREATE
        if "invoice_number" in values:
            label = f"{values['number']} · {values['invoice_number']}"
            if not Invoice.objects.filter(number__iexact=values["invoice_number"]).exists():
                missing = [
                    (key, _("An invoice needs this too."))
                    for key in ("invoice_amount", "issued_on")
                    if key not in values
                ]
                if missing:
                    raise RowRefused(missing)
                invoice = receivable_services.issue_invoice(
                    contract,
                    amount=values["invoice_amount"],
                    issued_on=values["issued_on"],
                    due_date=values.get("due_date"),
                    number=values["invoice_number"],
                    by=self.by,  # type: ignore[arg-type]
                    via=self.via,
                )
                if action != CREATE:
                    issued = _("Invoice %(number)s issued: %(amount)s") % {
                        "number": invoice.number,
                        "amount": f"{invoice.amount:,.2f}",
                    }
                    described = "; ".join(filter(None, [described, issued]))
                    action = UPDATE
        return Outcome(action, label, described)

    def _same_terms_as_before(self, values: dict[str, Any]) -> None:
        """Rows of one contract (one per invoice) must agree on the contract's terms."""
        number = values["number"].upper()
        terms = {k: values[k] for k in self.TERMS if k in values}
        if number not in self._terms:
            self._terms[number] = terms
            return
        first = self._terms[number]
        differ = [k for k in terms if k in first and terms[k] != first[k]]
        if differ:
            raise RowRefused(
                [
                    (
                        key,
                        _("An earlier row gives this contract another value: %(value)s.")
                        % {"value": _shown(Contract._meta.get_field(key), first[key])},
                    )
                    for key in differ
                ]
            )

    def _same_opportunity(self, contract: Contract, values: dict[str, Any]) -> None:
        if "opportunity" not in values:
            return
        linked = contract.opportunity.name if contract.opportunity_id else ""  # type: ignore[union-attr]
        if linked.lower() != values["opportunity"].lower():
            raise refuse(
                "opportunity",
                _(
                    "This contract is linked to “%(linked)s”; an import does not change "
                    "which opportunity a contract came from."
                )
                % {"linked": linked or "—"},
            )


# ------------------------------------------------------------------------ payments


class PaymentImporter(Importer):
    kind = Kind.PAYMENTS
    edits_accounts = False
    columns = [
        _account_column(),
        Column(
            "amount", gettext_lazy("Amount received"), _non_negative, required=True, example=200000
        ),
        Column(
            "received_on",
            gettext_lazy("Received on"),
            parse_date,
            required=True,
            example="2026-07-15",
        ),
        Column("currency", gettext_lazy("Currency"), code, example="CNY"),
        Column("exchange_rate", gettext_lazy("Rate to CNY"), parse_decimal),
        Column("method", gettext_lazy("Payment method"), choice(lambda: PaymentMethod.choices)),
        Column("bank_reference", gettext_lazy("Bank reference"), code, example="BOC20260715001"),
        Column("note", gettext_lazy("Note"), text(300)),
    ]

    def may_import(self) -> str:
        if self.by is not None and not money.handles_money(self.by):
            return _("Payments are recorded by finance.")
        return ""

    def key(self, values: dict[str, Any]) -> tuple[Any, ...] | None:
        if not values.get("bank_reference"):
            return None
        return (values["bank_reference"].upper(),)

    def apply(self, values: dict[str, Any]) -> Outcome:
        account = self.account(values["account"])
        reference = values.get("bank_reference", "")
        label = f"{account.name} · {values['received_on']:%Y-%m-%d} · {values['amount']:,.2f}"
        if (
            reference
            and Payment.objects.filter(
                Q(bank_reference__iexact=reference), account=account
            ).exists()
        ):
            return Outcome(UNCHANGED, label)
        receivable_services.record_payment(
            account=account,
            amount=values["amount"],
            received_on=values["received_on"],
            by=self.by,  # type: ignore[arg-type]
            via=self.via,
            currency=values.get("currency", "CNY"),
            exchange_rate=values.get("exchange_rate"),
            method=values.get("method", PaymentMethod.BANK_TRANSFER),
            bank_reference=reference,
            note=values.get("note", ""),
        )
        return Outcome(CREATE, label)


IMPORTERS: dict[str, type[Importer]] = {
    importer.kind: importer
    for importer in (
        AccountImporter,
        ContactImporter,
        OpportunityImporter,
        ActivityImporter,
        ContractImporter,
        PaymentImporter,
    )
}


def importer_for(kind: str, by: User | None, via: str) -> Importer:
    return IMPORTERS[kind](by, via)


def problems_of(error: Exception, columns: Iterable[str]) -> list[tuple[str, str]]:
    """A service's refusal as (column, message) pairs, in the words the service used."""
    known = set(columns)
    if isinstance(error, RowRefused):
        return error.problems
    if isinstance(error, ConflictError):
        return [("", str(error))]
    if isinstance(error, PermissionDenied):
        return [("", str(error) or _("You may not make this change."))]
    assert isinstance(error, ValidationError)
    if hasattr(error, "error_dict"):
        pairs: list[tuple[str, str]] = []
        for field, messages in error.message_dict.items():
            column = field if field in known else ""
            pairs.extend((column, message) for message in messages)
        return pairs
    return [("", message) for message in error.messages]


RowErrors: tuple[type[Exception], ...] = (
    RowRefused,
    ValidationError,
    PermissionDenied,
    ConflictError,
)

Progress = Callable[[int], None]
