"""The audit trail as its reader sees it: labels and values in the reader's language."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from kam.core import audit
from kam.core.audit_display import changes_display
from kam.core.models import AuditEvent
from kam.pipeline.models import Stage, Status
from tests.factories import AccountFactory, OpportunityFactory, UserFactory


def _stages() -> tuple[Stage, Stage]:
    first, second = Stage.objects.order_by("model_id", "order")[:2]
    return first, second


@pytest.fixture
def edit(org):  # type: ignore[no-untyped-def]
    """A deal edited by a Chinese rep: its stage, status, amount, close date, owner, a
    yes/no, a hidden personal value and a field the model no longer has."""
    deal = OpportunityFactory(account=AccountFactory(owner=org.rep), owner=org.rep)
    first, second = _stages()
    org.rep.language = "zh-hans"
    org.rep.save()
    with translation.override("zh-hans"):
        return audit.record(
            AuditEvent.Action.UPDATE,
            deal,
            by=org.rep,
            changes={
                "stage_id": [first.pk, second.pk],
                "status": [Status.OPEN, Status.WON],
                "amount": ["500000.00", "1250000.50"],
                "expected_close_date": ["2026-12-07", "2027-01-15"],
                "owner_id": [org.rep.pk, org.rep2.pk],
                "has_budget": [False, True],
                "description": [audit.REDACTED, audit.REDACTED],
                "legacy_score": [3, 4],
            },
        )


def _by_key(event: AuditEvent) -> dict[str, tuple[str, str | None, str, bool]]:
    return {
        c.key: (c.label, c.before.text if c.before else None, c.after.text, c.raw)
        for c in changes_display([event])[event.pk]
    }


def test_an_english_reader_sees_english_labels_for_a_change_a_chinese_user_made(edit, org):
    first, second = _stages()
    with translation.override("en"):
        shown = _by_key(edit)
    assert shown["stage_id"] == ("Stage", str(first), str(second), False)
    assert shown["status"] == ("Status", "Open", "Won", False)
    assert shown["amount"] == ("Amount", "500,000", "1,250,000.5", False)
    assert shown["expected_close_date"] == (
        "Expected close date",
        "7 Dec 2026",
        "15 Jan 2027",
        False,
    )
    assert shown["owner_id"] == ("Owner", str(org.rep), str(org.rep2), False)
    assert shown["has_budget"][1:3] == ("No", "Yes")
    assert shown["description"][1:3] == (audit.REDACTED, audit.REDACTED)
    assert shown["legacy_score"] == ("legacy_score", "3", "4", True)


def test_a_chinese_reader_sees_the_same_change_in_chinese(edit):
    with translation.override("zh-hans"):
        shown = _by_key(edit)
    assert shown["status"] == ("状态", "进行中", "赢单", False)
    assert shown["has_budget"][1:3] == ("否", "是")
    assert shown["amount"][0] == "金额"


def test_the_audit_page_shows_labels_in_the_readers_language_and_sets_apart_a_removed_field(
    edit, org, login
):
    org.admin.language = "en"
    org.admin.save()
    page = login(org.admin).get(reverse("core:audit_log")).content.decode()
    assert "<strong>Status</strong>: <span>Open</span> → <span>Won</span>" in page
    assert "<strong>Expected close date</strong>" in page
    # The removed field: its key, muted and marked as data, so no one takes it for a label.
    assert re.search(r'<span class="text-muted" data-user-content>legacy_score</span>', page)
    assert ">stage_id<" not in page and ">status<" not in page
    assert "Opportunity</span> #" in page


def test_the_audit_page_reads_related_names_in_one_query_per_model_however_many_rows(
    org, login, django_assert_max_num_queries
):
    first, second = _stages()
    for _ in range(30):
        deal = OpportunityFactory(account=AccountFactory(owner=org.rep), owner=org.rep)
        audit.record(
            AuditEvent.Action.UPDATE,
            deal,
            by=UserFactory(),
            changes={"stage_id": [first.pk, second.pk], "owner_id": [org.rep.pk, org.rep2.pk]},
        )
    client = login(org.admin)
    # session and user, the count and the page of events, stages and users: one each.
    with django_assert_max_num_queries(8):
        response = client.get(reverse("core:audit_log"), {"object_type": "pipeline.opportunity"})
    assert response.status_code == 200
    assert response.content.decode().count(str(second)) >= 30


def test_a_value_of_a_created_record_reads_as_one_value(org):
    deal = OpportunityFactory(account=AccountFactory(owner=org.rep), owner=org.rep)
    event = audit.record(
        AuditEvent.Action.CREATE, deal, by=org.rep, changes={"amount": "98000.00", "currency": ""}
    )
    shown = {c.key: c for c in changes_display([event])[event.pk]}
    assert shown["amount"].before is None and shown["amount"].after.text == "98,000"
    assert shown["currency"].after.text == "—"


def test_a_field_without_a_translatable_name_never_puts_english_on_a_chinese_page(org):
    """A column named by Django's default (a plain verbose name, not marked for translation)
    reads in Chinese where a catalogue knows its words, and otherwise as its stored key,
    set apart like a removed field: never as English words on a Chinese page."""
    from kam.core.models import LoginFailure
    from kam.imports.models import ImportBatch

    assert isinstance(ImportBatch._meta.get_field("language").verbose_name, str)
    batch = audit.record(
        AuditEvent.Action.CREATE, ImportBatch(pk=1), by=org.rep, changes={"language": "zh-hans"}
    )
    failure = audit.record(
        AuditEvent.Action.CREATE,
        LoginFailure(pk=1, username="x", ip_address="10.0.0.1", at=timezone.now()),
        by=None,
        changes={"ip_address": "10.0.0.1"},
    )
    with translation.override("zh-hans"):
        language = changes_display([batch])[batch.pk][0]
        address = changes_display([failure])[failure.pk][0]
    assert (language.label, language.raw) == ("语言", False)
    assert (address.label, address.raw) == ("ip_address", True)
    with translation.override("en"):
        address = changes_display([failure])[failure.pk][0]
    assert (address.label, address.raw) == ("Ip address", False)
