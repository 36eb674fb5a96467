"""What every kind of import shares: the row outcome, the refusal, and the importer's
lookups of accounts and colleagues, limited to what the importer may see and change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kam.accounts import services as account_services
from kam.accounts.models import Account
from kam.accounts.visibility import can_edit_account, editable_accounts, visible_accounts
from kam.core.concurrency import ConflictError
from kam.core.models import Role, User
from kam.core.phrases import Phrase, joined, label, phrase
from kam.core.visibility import visible_users
from kam.imports.cells import CellError, parse_decimal, parse_integer
from kam.imports.columns import Column, text

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
    changes: Phrase | str = ""  # what an update changes, e.g. "Amount: 100.00 → 250.00"


def non_negative(value: Any) -> Decimal:
    number = parse_decimal(value)
    if number < 0:
        raise CellError(gettext_lazy("The amount cannot be negative."))
    return number


def positive_int(value: Any) -> int:
    number = parse_integer(value)
    if number < 0:
        raise CellError(gettext_lazy("Enter a number of zero or more."))
    return number


def account_column() -> Column:
    return Column(
        "account",
        gettext_lazy("Account name"),
        text(200),
        required=True,
        example="上海示例电子有限公司",
        aliases=("客户", "account", "客户名"),
    )


def owner_column() -> Column:
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

    @property
    def actor(self) -> User:
        """``by`` for the services typed to take a person: an import the system runs (no
        ``by``, e.g. the demo data) hands them None, which their audit records accept."""
        return cast(User, self.by)

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
    def describe(record: Any, changed: dict[str, Any]) -> Phrase:
        """The changes in words, old value to new: “Amount: 100.00 → 250.00; City: 上海 → 苏州”,
        kept as a phrase so that the report reads in its reader's language."""
        parts = []
        for name, new in changed.items():
            try:
                field = record._meta.get_field(name)
            except FieldDoesNotExist:
                field = None
            parts.append(
                phrase(
                    gettext_lazy("%(field)s: %(before)s → %(after)s"),
                    field=label(field.verbose_name) if field is not None else name,
                    before=shown(field, getattr(record, name)),
                    after=shown(field, new),
                )
            )
        return joined(parts, "; ")


def shown(field: Any, value: Any) -> str | Promise:
    """A value as the report shows it: choices by their (translatable) label, money with
    separators."""
    if value is None or value == "":
        return "—"
    if field is not None and getattr(field, "flatchoices", None):
        choice: str | Promise = dict(field.flatchoices).get(value, str(value))
        return choice
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, datetime):
        return f"{timezone.localtime(value) if timezone.is_aware(value) else value:%Y-%m-%d %H:%M}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


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
