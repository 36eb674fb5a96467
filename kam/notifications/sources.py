"""Where events come from: each source asks its own area, as the person to
be told, what is due; so a person only hears about what they may see.

Each function takes the recipient and the moment of the scan and returns
:class:`Occurrence` values; the rules stay in their areas (stall rule, red flags,
overdue, promises, forecast), this module only phrases them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import partial

from django.db.models import DecimalField, ExpressionWrapper, F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kam.accounts.models import AccountMember
from kam.accounts.visibility import scope_to_visible_accounts
from kam.activities import selectors as activity_selectors
from kam.activities.models import ActivityStatus, Task
from kam.activities.selectors import calendar_activities
from kam.activities.todos import selectors as task_selectors
from kam.core.models import Role, User
from kam.core.phrases import (
    Phrase,
    calendar_day,
    in_every_language,
    joined,
    moment,
    phrase,
)
from kam.core.visibility import managed_team_ids
from kam.forecasting.periods import QUARTER, Period, Week
from kam.forecasting.scopes import TEAM, default_scope
from kam.forecasting.selectors import forecast_report
from kam.notifications.calculations import (
    installment_reminder_due,
    next_anniversary,
    parse_special_days,
)
from kam.notifications.models import Event, NotificationSettings
from kam.pipeline.calculations import stall_verdict
from kam.pipeline.models import Opportunity, PipelineSettings, Status
from kam.receivables.models import Installment
from kam.receivables.selectors import open_alerts, overdue_invoices, visible_contracts
from kam.stakeholders.models import Contact
from kam.stakeholders.red_flags import red_flags_for_opportunities
from kam.stakeholders.services import can_see_personal_info


@dataclass(frozen=True)
class Occurrence:
    """One event for one person, phrased to be put into words when it is read."""

    event: str
    key: str
    title: Phrase
    body: Phrase
    url: str = ""
    account_id: int | None = None
    # A person whose personal information the message reveals (special days): reading
    # it is logged like opening the personal page, and it never goes to a group chat.
    sensitive_contact: Contact | None = None


@dataclass(frozen=True)
class Moment:
    now: datetime
    today: date
    settings: NotificationSettings


def _money(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def activity_reminders(user: User, at: Moment) -> list[Occurrence]:
    """Planned activities the person leads or attends, starting within the lead time."""
    lead = timedelta(hours=at.settings.activity_lead_hours)
    activities = calendar_activities(user, start=at.now, end=at.now + lead).filter(
        status=ActivityStatus.PLANNED
    )
    result = []
    kinds = dict(activities.model._meta.get_field("kind").flatchoices)
    for activity in activities.select_related("account"):
        result.append(
            Occurrence(
                Event.ACTIVITY_REMINDER,
                f"activity:{activity.pk}:{activity.starts_at.isoformat()}",
                phrase(
                    _("%(kind)s with %(account)s at %(when)s"),
                    kind=kinds.get(activity.kind, activity.kind),
                    account=str(activity.account),
                    when=moment(activity.starts_at),
                ),
                phrase(_("Objective: %(objective)s"), objective=activity.objective or "—"),
                reverse("activities:detail", args=[activity.pk]),
                activity.account_id,
            )
        )
    return result


def installments_due(user: User, at: Moment) -> list[Occurrence]:
    """Installments of the person's contracts inside their contract's reminder window."""
    installments = (
        Installment.objects.filter(
            contract__in=visible_contracts(user).filter(owner=user).values("pk"),
            due_date__gte=at.today,
            due_date__lte=at.today + timedelta(days=366),
        )
        .exclude(invoices__open_amount=0, invoices__paid_on__isnull=False)
        .select_related("contract", "contract__account")
        .distinct()
    )
    result = []
    for item in installments:
        contract = item.contract
        if not installment_reminder_due(item.due_date, contract.reminder_days, at.today):
            continue
        result.append(
            Occurrence(
                Event.INSTALLMENT_DUE,
                f"installment-due:{item.pk}:{item.due_date.isoformat()}",
                phrase(
                    _("Installment %(number)s of %(contract)s due on %(day)s"),
                    number=item.sequence,
                    contract=contract.number,
                    day=item.due_date,
                ),
                phrase(
                    _("%(account)s: %(amount)s %(currency)s"),
                    account=str(contract.account),
                    amount=_money(item.amount),
                    currency=contract.currency,
                ),
                reverse("receivables:contract", args=[contract.pk]),
                contract.account_id,
            )
        )
    return result


def invoices_overdue(user: User, at: Moment) -> list[Occurrence]:
    """The person's open invoices past their due date (the receivables overdue list)."""
    result = []
    for invoice in overdue_invoices(user, today=at.today).filter(owner=user):
        result.append(
            Occurrence(
                Event.INVOICE_OVERDUE,
                f"invoice-overdue:{invoice.pk}:{invoice.due_date.isoformat()}",
                phrase(
                    _("Invoice %(number)s of %(account)s is overdue"),
                    number=invoice.number,
                    account=str(invoice.account),
                ),
                phrase(
                    _("%(amount)s open, due on %(day)s (%(days)d days ago)"),
                    amount=_money(invoice.open_amount),
                    day=invoice.due_date,
                    days=invoice.days_overdue,
                ),
                reverse("receivables:contract", args=[invoice.contract_id]),
                invoice.account_id,
            )
        )
    return result


def broken_promises(user: User, at: Moment) -> list[Occurrence]:
    """Broken promises to pay the person was alerted to (React quickly, §6)."""
    result = []
    for alert in open_alerts(user).filter(user=user, promise__isnull=False):
        promise = alert.promise
        assert promise is not None
        result.append(
            Occurrence(
                Event.PROMISE_BROKEN,
                f"promise-broken:{promise.pk}",
                phrase(_("%(account)s broke its promise to pay"), account=str(alert.account)),
                phrase(
                    _("%(amount)s were promised by %(day)s."),
                    amount=_money(promise.amount),
                    day=promise.due_on,
                ),
                reverse("receivables:index"),
                alert.account_id,
            )
        )
    return result


def _large_deals(user: User, at: Moment):  # type: ignore[no-untyped-def]
    deals = scope_to_visible_accounts(Opportunity.objects.filter(status=Status.OPEN), user)
    if user.role == Role.MANAGER:
        deals = deals.filter(Q(owner=user) | Q(owner__team_id__in=managed_team_ids(user)))
    else:
        deals = deals.filter(owner=user)
    in_cny = ExpressionWrapper(
        F("amount") * F("exchange_rate"), output_field=DecimalField(max_digits=24, decimal_places=8)
    )
    return (
        deals.annotate(in_cny=in_cny)
        .filter(in_cny__gte=at.settings.large_deal_amount)
        .select_related("account", "stage")
    )


def red_flags_on_large_deals(user: User, at: Moment) -> list[Occurrence]:
    """Red flags (§2.3) of large open deals: the owner's, and a manager's whole team's."""
    deals = list(_large_deals(user, at))
    flags = red_flags_for_opportunities(deals, today=at.today)
    result = []
    for deal in deals:
        for flag in flags.get(deal.pk, []):
            result.append(
                Occurrence(
                    Event.RED_FLAG,
                    f"red-flag:{deal.pk}:{flag.code}",
                    phrase(
                        _("Red flag on %(deal)s (%(account)s)"),
                        deal=deal.name,
                        account=str(deal.account),
                    ),
                    joined([flag.text, flag.action], separator=" "),
                    reverse("pipeline:detail", args=[deal.pk]),
                    deal.account_id,
                )
            )
    return result


def _stall_reason(
    last_outcomes: tuple[str, ...], last_progress: date | None, today: date, stall_days: int
) -> str:
    return stall_verdict(
        last_outcomes=last_outcomes,
        last_progress=last_progress,
        today=today,
        stall_days=stall_days,
    ).reason


def stalled_deals(user: User, at: Moment) -> list[Occurrence]:
    """The person's own deals that the stall rule calls stalled."""
    result = []
    stall_days = PipelineSettings.current().stall_days
    own = activity_selectors.stalled_deals(user, today=at.today, stall_days=stall_days)
    for stalled in activity_selectors.explain_stalled(
        own.filter(owner=user).select_related("account").order_by("pk"),
        today=at.today,
        stall_days=stall_days,
    ):
        deal = stalled.opportunity
        since = stalled.last_progress.isoformat() if stalled.last_progress else "-"
        # The stall rule says why in the language active when it runs: once per language.
        reason = in_every_language(
            partial(
                _stall_reason, stalled.last_outcomes, stalled.last_progress, at.today, stall_days
            )
        )
        result.append(
            Occurrence(
                Event.STALLED_DEAL,
                f"stalled:{deal.pk}:{since}",
                phrase(
                    _("%(deal)s (%(account)s) is stalled"),
                    deal=deal.name,
                    account=str(deal.account),
                ),
                reason,
                reverse("pipeline:detail", args=[deal.pk]),
                deal.account_id,
            )
        )
    return result


def special_days(user: User, at: Moment) -> list[Occurrence]:
    """Birthdays and the special days written on a person's page (§2.2: "生日 3月5日",
    "结婚纪念日 10-01") coming up, of people at the accounts the person works on (owner or
    account team), only when they may see personal information (§7)."""
    if user.role in (Role.FINANCE, Role.ADMIN) or user.is_superuser:
        return []
    on_team = AccountMember.objects.filter(user=user).values("account_id")
    contacts = (
        scope_to_visible_accounts(Contact.objects.all(), user)
        .filter(Q(account__owner=user) | Q(account_id__in=on_team))
        .filter(
            Q(personal_info__birthday__isnull=False) | ~Q(personal_info__special_days=""),
            personal_info__isnull=False,
            has_left=False,
        )
        .select_related("account", "personal_info")
    )
    horizon = at.today + timedelta(days=at.settings.special_day_lead_days)
    allowed: dict[int, bool] = {}
    result = []
    for contact in contacts:
        info = contact.personal_info
        birthday = next_anniversary(info.birthday, at.today) if info.birthday else None
        written: dict[date, list[str]] = {}
        for entry in parse_special_days(info.special_days):
            day = entry.next_on_or_after(at.today)
            if day <= horizon and day != birthday:
                written.setdefault(day, [])
                if entry.label and entry.label not in written[day]:
                    written[day].append(entry.label)
        if (birthday is None or birthday > horizon) and not written:
            continue
        if contact.account_id not in allowed:
            allowed[contact.account_id] = can_see_personal_info(user, contact.account)
        if not allowed[contact.account_id]:
            continue
        facts = {"person": contact.name, "account": str(contact.account)}
        titled: list[tuple[date, Phrase]] = []
        if birthday is not None and birthday <= horizon:
            titled.append(
                (
                    birthday,
                    phrase(
                        _("Birthday of %(person)s (%(account)s) on %(day)s"),
                        **facts,
                        day=calendar_day(birthday, "MONTH_DAY_FORMAT"),
                    ),
                )
            )
        for when, labels in sorted(written.items()):
            shown = {**facts, "day": calendar_day(when, "MONTH_DAY_FORMAT")}
            titled.append(
                (
                    when,
                    phrase(
                        _("%(what)s of %(person)s (%(account)s) on %(day)s"),
                        **shown,
                        what="、".join(labels),
                    )
                    if labels
                    else phrase(_("Special day of %(person)s (%(account)s) on %(day)s"), **shown),
                )
            )
        for when, title in titled:
            result.append(
                Occurrence(
                    Event.SPECIAL_DAY,
                    f"special-day:{contact.pk}:{when.isoformat()}",
                    title,
                    phrase(_("A good moment for a personal word.")),
                    reverse("stakeholders:detail", args=[contact.pk]),
                    contact.account_id,
                    sensitive_contact=contact,
                )
            )
    return result


def forecast_digest(user: User, at: Moment) -> list[Occurrence]:
    """Once a week (from the configured weekday on) a manager's team forecast for the quarter."""
    if user.role != Role.MANAGER or at.today.weekday() < at.settings.digest_weekday:
        return []
    scope = default_scope(user)
    if scope.kind != TEAM:
        return []
    period = Period.of(QUARTER, at.today)
    report = forecast_report(user, scope, period, today=at.today, with_breakdown=False)
    forecast = report.forecast
    lines = [
        phrase(
            _("Forecast %(total)s, of which closed %(closed)s and weighted pipeline %(weighted)s."),
            total=_money(forecast.total),
            closed=_money(forecast.closed),
            weighted=_money(forecast.weighted),
        )
    ]
    if forecast.target is not None:
        lines.append(
            phrase(
                _("Target %(target)s: coverage %(coverage)s%%, gap %(gap)s."),
                target=_money(forecast.target),
                coverage=f"{(forecast.coverage or Decimal(0)) * 100:.0f}",
                gap=_money(forecast.gap or Decimal(0)),
            )
        )
    else:
        lines.append(phrase(_("No target is set for this quarter.")))
    week = Week.of(at.today)
    return [
        Occurrence(
            Event.FORECAST_DIGEST,
            f"digest:{scope.key}:{week.key}",
            phrase(
                _("Weekly forecast of %(team)s for %(period)s"),
                team=scope.label,
                period=period.key,
            ),
            joined(lines, separator="\n"),
            reverse("forecasting:index") + f"?scope={scope.key}&period={period.key}",
        )
    ]


# --- tasks: one given by a colleague (not by KAM's rules, not by oneself), one falling due


def _task_account(task: Task) -> str:
    return str(task.account) if task.account_id else "—"


def tasks_assigned(user: User, at: Moment) -> list[Occurrence]:
    """Open tasks a colleague gave the person lately (once each)."""
    return [
        Occurrence(
            Event.TASK_ASSIGNED,
            f"task-assigned:{task.pk}",
            phrase(
                _("%(person)s gave you a task: %(title)s"),
                person=str(task.created_by),
                title=task.title,
            ),
            phrase(
                _("Due on %(day)s · %(account)s"),
                day=calendar_day(task.due_on),
                account=_task_account(task),
            )
            if task.due_on
            else phrase(_("No due date · %(account)s"), account=_task_account(task)),
            reverse("tasks:edit", args=[task.pk]),
            task.account_id,
        )
        for task in task_selectors.assigned_by_others(user, at.now)
    ]


def tasks_due(user: User, at: Moment) -> list[Occurrence]:
    """The person's open tasks due today or overdue (once per task and due date)."""
    result = []
    for task in task_selectors.falling_due(user, at.today):
        assert task.due_on is not None
        title = (
            _("Task due today: %(title)s")
            if task.due_on == at.today
            else _("Task overdue since %(day)s: %(title)s")
        )
        result.append(
            Occurrence(
                Event.TASK_DUE,
                f"task-due:{task.pk}:{task.due_on.isoformat()}",
                phrase(title, title=task.title, day=calendar_day(task.due_on)),
                phrase(_("About: %(account)s"), account=_task_account(task)),
                reverse("tasks:list") + "?when=overdue"
                if task.due_on < at.today
                else reverse("tasks:list") + "?when=today",
                task.account_id,
            )
        )
    return result


SOURCES: dict[str, Callable[[User, Moment], list[Occurrence]]] = {
    Event.ACTIVITY_REMINDER: activity_reminders,
    Event.INSTALLMENT_DUE: installments_due,
    Event.INVOICE_OVERDUE: invoices_overdue,
    Event.PROMISE_BROKEN: broken_promises,
    Event.RED_FLAG: red_flags_on_large_deals,
    Event.STALLED_DEAL: stalled_deals,
    Event.SPECIAL_DAY: special_days,
    Event.FORECAST_DIGEST: forecast_digest,
    Event.TASK_ASSIGNED: tasks_assigned,
    Event.TASK_DUE: tasks_due,
}
