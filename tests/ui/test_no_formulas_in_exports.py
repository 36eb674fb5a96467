"""No spreadsheet KAM hands out runs a formula, whatever users typed into it.

Every free-text field of every KAM model is filled with formula payloads, then
every export is downloaded through HTTP: the exports are found by enumeration
(the URL patterns that answer a spreadsheet, the list-export registry, the
import kinds), so a new export is covered without editing this test; one that
takes an argument the test does not know fails here until it is named in
:data:`ARGUMENTS`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from datetime import timedelta
from decimal import Decimal
from io import BytesIO
from typing import Any

import pytest
from django.apps import apps
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.utils.escape import unescape

from kam.forecasting.models import Metric
from kam.forecasting.periods import Period
from kam.forecasting.services import set_target
from kam.imports.kinds import IMPORTERS
from kam.performance.models import SkillDimension
from kam.performance.services import assess_rep
from kam.reports.list_exports import EXPORTS
from kam.stakeholders.models import PersonalInfo
from kam.ui.spreadsheets import FORMULA_TRIGGERS
from tests.factories import AccountMemberFactory, ActivityFactory, ContactFactory
from tests.forecasting.factories import deal
from tests.performance.factories import answered
from tests.receivables.factories import contract_for, invoice_for

pytestmark = pytest.mark.django_db

PAYLOADS = [
    '=HYPERLINK("http://x","y")',
    "@SUM(1+1)",
    "+1 经理",
    "-2+3",
    "=cmd|' /C calc'!A0",
    "\t制表符开头",
    "\r回车开头",
]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: Text fields that are keys or machinery, not something a user types.
NOT_TYPED = {"password", "username", "path", "currency", "key", "token", "language"}


def _typed_text_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField)
        and not isinstance(f, models.EmailField | models.SlugField | models.URLField)
        and f.editable
        and not f.choices
        and not f.primary_key
        and f.name not in NOT_TYPED
    ]


def poison_every_text_field() -> set[str]:
    """Overwrite every typed text field of every KAM row with a payload; the texts written."""
    written: set[str] = set()
    payloads = itertools.cycle(PAYLOADS)
    for model in apps.get_models():
        if not model.__module__.startswith("kam."):
            continue
        fields = _typed_text_fields(model)
        if not fields:
            continue
        for pk in model._default_manager.values_list("pk", flat=True):
            values = {}
            for f in fields:
                text = next(payloads)
                if f.unique:
                    text = f"{text} {pk}"
                values[f.name] = text[: f.max_length] if f.max_length else text
            model._default_manager.filter(pk=pk).update(**values)
            written.update(values.values())
    return written


def _routes(
    patterns: list[Any], prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str, URLPattern]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _routes(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{namespace}{p.name}", prefix + str(p.pattern), p


def spreadsheet_routes() -> list[tuple[str, str, URLPattern]]:
    """Every page route that hands out a file: "export" or ".xlsx" in its path (the API
    answers JSON only)."""
    return [
        (name, route, p)
        for name, route, p in _routes(get_resolver().url_patterns)
        if ("export" in route or ".xlsx" in route) and not route.startswith("api/")
    ]


#: Route name → how to fill its arguments (from the data of the test), one download each.
ARGUMENTS: dict[str, Callable[[Any], list[tuple[Any, ...]]]] = {
    "reports:export": lambda data: [(name,) for name in EXPORTS],
    "imports:template": lambda data: [(kind,) for kind in IMPORTERS],
    "stakeholders:personal_export": lambda data: [(data.contact.pk, "xlsx")],
}


#: Files made of figures, dates and KAM's own labels only: nothing a user typed.
NO_TYPED_TEXT = {"imports:template", "receivables:export_cash_forecast"}


def _needs_arguments(pattern: URLPattern) -> bool:
    return bool(pattern.pattern.regex.groupindex) or pattern.pattern.regex.groups > 0


@pytest.fixture
def data(org):  # type: ignore[no-untyped-def]
    """One of each thing an export reads, seen by the rep, their manager and the director."""

    class Data:
        pass

    d = Data()
    today = timezone.localdate()
    account = ContactFactory(account__owner=org.rep).account
    d.account = account
    AccountMemberFactory(account=account, user=org.rep2)
    d.contact = ContactFactory(account=account, reports_to=account.contacts.first())
    PersonalInfo.objects.create(contact=d.contact, family="女儿", hobbies="钓鱼")
    deal(account, "300000", "design", close=today + timedelta(days=10))
    deal(account, "120000", "comparison", status="lost", closed_on=today, close=today)
    deal(account, "80000", "commitment", status="won", closed_on=today, close=today)
    ActivityFactory(
        account=account,
        status="done",
        outcome="advance",
        starts_at=timezone.now() - timedelta(hours=1),
    )
    contract = contract_for(account, org.rep, amount="500000", signed_on=today - timedelta(90))
    invoice_for(contract, org.finance, amount="200000", issued_on=today - timedelta(80))
    answered(account, today - timedelta(days=3))

    assess_rep(org.rep, levels={d.value: 2 for d in SkillDimension}, note="x", by=org.east_manager)

    set_target(
        metric=Metric.BOOKINGS,
        period=Period.of("quarter", today),
        amount=Decimal("1000000"),
        user=org.rep,
        by=org.director,
    )
    d.written = poison_every_text_field()
    return d


def _cells(content: bytes) -> Iterator[Any]:
    book = load_workbook(BytesIO(content))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            yield from row


def _download(client_for, url: str, org) -> bytes:  # type: ignore[no-untyped-def]
    """The file as the first of the director, finance and the rep allowed to download it."""
    for user in (org.director, org.finance, org.rep):
        response = client_for(user).get(url)
        if response.status_code == 200 and response["Content-Type"] == XLSX:
            return response.content
    raise AssertionError(f"nobody could download {url}: {response.status_code}")


def test_every_export_writes_typed_formulas_as_text(org, data, client, settings):
    settings.LANGUAGE_CODE = "zh-hans"

    def client_for(user):  # type: ignore[no-untyped-def]
        client.force_login(user)
        return client

    routes = spreadsheet_routes()
    assert {"reports:export", "forecasting:export", "receivables:export_aging"} <= {
        name for name, _r, _p in routes
    }
    seen: set[str] = set()
    downloaded = []
    for name, route, pattern in routes:
        if _needs_arguments(pattern):
            assert name in ARGUMENTS, f"{name} ({route}) takes arguments: name them in ARGUMENTS"
            urls = [reverse(name, args=args) for args in ARGUMENTS[name](data)]
        else:
            urls = [reverse(name)]
        for url in urls:
            content = _download(client_for, url, org)
            downloaded.append(url)
            typed_here = set()
            for cell in _cells(content):
                assert cell.data_type != "f", f"{url} {cell.coordinate}: formula {cell.value!r}"
                if not isinstance(cell.value, str):
                    continue
                text = unescape(cell.value)
                if text.startswith(FORMULA_TRIGGERS):
                    assert cell.data_type == "s" and cell.quotePrefix, (url, cell.coordinate)
                typed_here |= {p for p in PAYLOADS if text.startswith(p)}
            if name not in NO_TYPED_TEXT:
                assert typed_here, f"{url} carried none of the payloads"
            seen |= typed_here
    assert seen == set(PAYLOADS)
    assert len(downloaded) >= len(EXPORTS) + len(IMPORTERS) + 8
