"""Each event source fires for the person concerned, and stays silent otherwise."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from kam.activities.models import ActivityStatus, Outcome
from kam.activities.services import refresh_deal_progress
from kam.core.models import AuditEvent
from kam.notifications import services
from kam.notifications.models import Event, Notification, NotificationSettings
from kam.pipeline.models import Opportunity
from kam.receivables import services as receivables
from kam.receivables.services import PlannedInstallment
from kam.stakeholders.models import PersonalInfo
from tests.factories import (
    AccountFactory,
    AccountMemberFactory,
    ActivityFactory,
    ContactFactory,
    OpportunityFactory,
)
from tests.receivables.factories import contract_for, invoice_for

pytestmark = pytest.mark.django_db


def events_of(user, event: str) -> list[Notification]:  # type: ignore[no-untyped-def]
    return list(Notification.objects.filter(recipient=user, event=event))


def scan(*users, now: datetime | None = None):  # type: ignore[no-untyped-def]
    return services.scan(now=now, users=list(users))


# --- activity reminders -------------------------------------------------------------


def test_a_planned_activity_within_the_lead_time_is_reminded_to_owner_and_attendees(org):
    account = AccountFactory(owner=org.rep)
    AccountMemberFactory(account=account, user=org.rep2)
    activity = ActivityFactory(account=account, starts_at=timezone.now() + timedelta(hours=3))
    activity.staff.add(org.rep2)
    scan(org.rep, org.rep2, org.north_rep)
    for person in (org.rep, org.rep2):
        [reminder] = events_of(person, Event.ACTIVITY_REMINDER)
        assert account.name in reminder.title
        assert reminder.url == f"/activities/{activity.pk}/"
    assert not events_of(org.north_rep, Event.ACTIVITY_REMINDER)


def test_activities_far_ahead_done_or_cancelled_are_not_reminded(org):
    account = AccountFactory(owner=org.rep)
    ActivityFactory(account=account, starts_at=timezone.now() + timedelta(days=3))
    ActivityFactory(
        account=account,
        starts_at=timezone.now() + timedelta(hours=2),
        status=ActivityStatus.CANCELLED,
    )
    ActivityFactory(account=account, starts_at=timezone.now() - timedelta(hours=2))
    scan(org.rep)
    assert not events_of(org.rep, Event.ACTIVITY_REMINDER)


# --- receivables ----------------------------------------------------------------------


def test_an_installment_inside_its_reminder_window_is_announced_to_the_contract_owner(org):
    account = AccountFactory(owner=org.rep)
    today = timezone.localdate()
    contract_for(
        account,
        org.rep,
        signed_on=today - timedelta(days=30),
        reminder_days=7,
        installments=[
            PlannedInstallment(Decimal("40000"), today + timedelta(days=5)),
            PlannedInstallment(Decimal("60000"), today + timedelta(days=40)),
        ],
    )
    scan(org.rep, org.rep2)
    [due] = events_of(org.rep, Event.INSTALLMENT_DUE)
    assert "1" in due.title and "40,000.00" in due.body
    assert not events_of(org.rep2, Event.INSTALLMENT_DUE)


def test_an_overdue_invoice_is_announced_once_and_a_paid_one_not_at_all(org):
    account = AccountFactory(owner=org.rep)
    today = timezone.localdate()
    contract = contract_for(account, org.finance, signed_on=today - timedelta(days=90))
    overdue = invoice_for(
        contract, org.finance, amount="30000", issued_on=today - timedelta(days=60)
    )
    invoice_for(contract, org.finance, amount="20000", issued_on=today - timedelta(days=5))
    scan(org.rep)
    scan(org.rep)
    [item] = events_of(org.rep, Event.INVOICE_OVERDUE)
    assert overdue.number in item.title


def test_a_broken_promise_is_announced_to_the_account_owner(org):
    account = AccountFactory(owner=org.rep)
    today = timezone.localdate()
    receivables.record_promise(
        account,
        amount=Decimal("10000"),
        made_on=today - timedelta(days=10),
        due_on=today - timedelta(days=3),
        by=org.rep,
    )
    kept = AccountFactory(owner=org.rep2)
    receivables.record_promise(
        kept, amount=Decimal("5000"), due_on=today + timedelta(days=3), by=org.rep2
    )
    scan(org.rep, org.rep2)
    [broken] = events_of(org.rep, Event.PROMISE_BROKEN)
    assert account.name in broken.title
    assert not events_of(org.rep2, Event.PROMISE_BROKEN)


# --- pipeline -------------------------------------------------------------------------


def test_red_flags_of_a_large_deal_reach_its_owner_and_the_team_manager(org):
    NotificationSettings.current()
    NotificationSettings.objects.update(large_deal_amount=Decimal("500000"))
    large = OpportunityFactory(account=AccountFactory(owner=org.rep), amount=Decimal("800000"))
    OpportunityFactory(account=AccountFactory(owner=org.rep), amount=Decimal("100000"))
    scan(org.rep, org.east_manager, org.north_manager)
    flags = events_of(org.rep, Event.RED_FLAG)
    assert flags and all(f"/opportunities/{large.pk}/" == f.url for f in flags)
    assert {f.key for f in events_of(org.east_manager, Event.RED_FLAG)} == {f.key for f in flags}
    assert not events_of(org.north_manager, Event.RED_FLAG)


def test_a_deal_in_foreign_currency_counts_in_cny(org):
    NotificationSettings.current()
    NotificationSettings.objects.update(large_deal_amount=Decimal("500000"))
    OpportunityFactory(
        account=AccountFactory(owner=org.rep),
        amount=Decimal("100000"),
        currency="USD",
        exchange_rate=Decimal("7.1"),
    )
    scan(org.rep)
    assert events_of(org.rep, Event.RED_FLAG)


def test_a_stalled_deal_is_announced_to_its_owner_only(org):
    account = AccountFactory(owner=org.rep)
    AccountMemberFactory(account=account, user=org.rep2)
    deal = OpportunityFactory(account=account)
    for days in (20, 10):
        ActivityFactory(
            account=account,
            opportunity=deal,
            starts_at=timezone.now() - timedelta(days=days),
            status=ActivityStatus.DONE,
            outcome=Outcome.CONTINUATION,
        )
    fresh = OpportunityFactory(account=account)
    scan(org.rep, org.rep2)
    [stalled] = events_of(org.rep, Event.STALLED_DEAL)
    assert stalled.url == f"/opportunities/{deal.pk}/"
    assert fresh.name not in stalled.title
    assert not events_of(org.rep2, Event.STALLED_DEAL)


def test_a_deal_without_progress_for_the_stall_days_is_stalled(org):
    deal = OpportunityFactory(account=AccountFactory(owner=org.rep))
    Opportunity.objects.filter(pk=deal.pk).update(created_at=timezone.now() - timedelta(days=45))
    refresh_deal_progress([deal.pk])
    scan(org.rep)
    assert events_of(org.rep, Event.STALLED_DEAL)


# --- special days ---------------------------------------------------------------------


def _birthday_in(days: int) -> date:
    day = timezone.localdate() + timedelta(days=days)
    return day.replace(year=1978) if not (day.month == 2 and day.day == 29) else date(1978, 2, 28)


def test_a_birthday_coming_up_goes_to_the_account_team_and_is_logged(org):
    account = AccountFactory(owner=org.rep)
    AccountMemberFactory(account=account, user=org.rep2)
    person = ContactFactory(account=account)
    PersonalInfo.objects.create(contact=person, birthday=_birthday_in(2))
    later = ContactFactory(account=account)
    PersonalInfo.objects.create(contact=later, birthday=_birthday_in(20))
    scan(org.rep, org.rep2, org.north_rep, org.finance, org.east_manager)
    for who in (org.rep, org.rep2):
        [day] = events_of(who, Event.SPECIAL_DAY)
        assert person.name in day.title
        assert AuditEvent.objects.filter(
            action=AuditEvent.Action.VIEW_SENSITIVE, object_id=str(person.pk), actor=who
        ).exists()
    # Not on the account team, or not allowed to see personal information at all.
    for who in (org.north_rep, org.finance, org.east_manager):
        assert not events_of(who, Event.SPECIAL_DAY)


def test_special_days_written_as_text_are_announced_too(org):
    account = AccountFactory(owner=org.rep)
    soon, later = _birthday_in(1), _birthday_in(3)
    far = _birthday_in(40)
    person = ContactFactory(account=account)
    PersonalInfo.objects.create(
        contact=person,
        birthday=soon,
        special_days=(
            f"生日 {soon.month}月{soon.day}日；结婚纪念日：{later:%m-%d}\n"
            f"入职 {far.month}/{far.day}；农历八月十五"
        ),
    )
    scribbled = ContactFactory(account=account)
    PersonalInfo.objects.create(contact=scribbled, special_days="喜欢茶；13-45；2月30日")
    bare = ContactFactory(account=account)
    PersonalInfo.objects.create(contact=bare, special_days=f"{later.month}月{later.day}日")
    org.rep.language = "en"
    org.rep.save()
    scan(org.rep)
    titles = sorted(n.title for n in events_of(org.rep, Event.SPECIAL_DAY))
    assert len(titles) == 3, titles
    assert sum(t.startswith("Birthday of") and person.name in t for t in titles) == 1
    assert sum(t.startswith("结婚纪念日 of") and person.name in t for t in titles) == 1
    assert sum(t.startswith("Special day of") and bare.name in t for t in titles) == 1
    # The same scan again sends nothing twice.
    scan(org.rep)
    assert len(events_of(org.rep, Event.SPECIAL_DAY)) == 3


def test_special_days_never_go_to_a_group_chat(org):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.save_preferences(org.rep, {Event.SPECIAL_DAY: {"inbox", "webhook"}}, by=org.rep)


# --- weekly digest --------------------------------------------------------------------


def _monday_morning() -> datetime:
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    return datetime.combine(monday, time(9), tzinfo=timezone.get_current_timezone())


def test_a_manager_gets_the_weekly_forecast_digest_once_a_week(org):
    org.east_manager.language = "en"
    org.east_manager.save()
    monday = _monday_morning()
    scan(org.east_manager, org.rep, now=monday)
    scan(org.east_manager, now=monday + timedelta(days=2))
    [digest] = events_of(org.east_manager, Event.FORECAST_DIGEST)
    assert org.east.name in digest.title
    assert digest.body.startswith("Forecast ") and "No target is set" in digest.body
    assert not events_of(org.rep, Event.FORECAST_DIGEST)
    scan(org.east_manager, now=monday + timedelta(days=7))
    assert len(events_of(org.east_manager, Event.FORECAST_DIGEST)) == 2


def test_no_digest_before_the_configured_weekday(org):
    NotificationSettings.current()
    NotificationSettings.objects.update(digest_weekday=4)
    scan(org.east_manager, now=_monday_morning())
    assert not events_of(org.east_manager, Event.FORECAST_DIGEST)


# --- visibility and preferences --------------------------------------------------------


def test_nobody_hears_of_what_they_may_not_see(org):
    account = AccountFactory(owner=org.north_rep)
    ActivityFactory(account=account, starts_at=timezone.now() + timedelta(hours=1))
    OpportunityFactory(account=account, amount=Decimal("5000000"))
    scan(org.rep, org.east_manager, org.north_rep)
    theirs = Notification.objects.filter(recipient__in=[org.rep, org.east_manager])
    assert not theirs.filter(account=account).exists()
    assert not [n for n in theirs if account.name in n.title + n.body]
    assert Notification.objects.filter(recipient=org.north_rep).exists()


def test_an_event_switched_off_is_not_recorded(org):
    account = AccountFactory(owner=org.rep)
    ActivityFactory(account=account, starts_at=timezone.now() + timedelta(hours=1))
    services.save_preferences(org.rep, {Event.ACTIVITY_REMINDER: set()}, by=org.rep)
    scan(org.rep)
    assert not events_of(org.rep, Event.ACTIVITY_REMINDER)


def test_the_scan_reads_in_bounded_queries_per_person(org, django_assert_max_num_queries):
    account = AccountFactory(owner=org.rep)
    for hours in range(1, 6):
        ActivityFactory(account=account, starts_at=timezone.now() + timedelta(hours=hours))
    scan(org.rep)
    assert len(events_of(org.rep, Event.ACTIVITY_REMINDER)) == 5
    with django_assert_max_num_queries(60):
        scan(org.rep)
