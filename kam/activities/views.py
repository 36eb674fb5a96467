"""Activity pages."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kam.accounts.visibility import can_edit_account, require_edit, visible_accounts
from kam.activities import calculations, selectors, services
from kam.activities import forms as activity_forms
from kam.activities.models import Activity, ActivityStatus, CalendarFeed, Kind, Outcome
from kam.activities.todos.calendar import task_events
from kam.core.concurrency import ConflictError
from kam.core.forms import apply_errors
from kam.core.http import AuthenticatedHttpRequest
from kam.core.params import parse_int, query_date, query_int
from kam.pipeline.models import PipelineSettings
from kam.pipeline.selectors import visible_opportunities
from kam.ui.listing import paginate

SORTS = {"when": "starts_at", "account": "account__name", "kind": "kind"}


@login_required
def activity_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every activity the user sees, filtered by kind, outcome, owner, account and dates."""
    user = request.user
    filters = selectors.ActivityFilters.from_params(request.GET)
    listing = paginate(
        request,
        selectors.filtered_activities(user, filters),
        sorts=SORTS,
        default_sort="-when",
        keys_first=True,
    )
    return render(
        request,
        "activities/list.html",
        {
            "listing": listing,
            "filters": filters,
            "statuses": ActivityStatus.choices,
            "kinds": Kind.choices,
            "outcomes": Outcome.choices,
            "owners": selectors.team_members(user),
        },
    )


# --- planning, changing, cancelling ----------------------------------------------------------


def _with_current_version(request: HttpRequest, activity: Activity) -> QueryDict:
    """The posted data with the version now current, so a deliberate resubmit applies."""
    data = request.POST.copy()
    data["version"] = str(activity.version)
    return data


def _editable(request: AuthenticatedHttpRequest, pk: int) -> Activity:
    """An activity the user sees (else 404) and may change (else 403, e.g. finance)."""
    activity = selectors.visible_activity(request.user, pk)
    require_edit(request.user, activity.account)
    return activity


@login_required
def activity_plan(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Plan an activity, from an account, an opportunity, or blank (then pick the account)."""
    user = request.user
    source = request.POST if request.method == "POST" else request.GET
    opportunity = None
    opportunity_id = query_int(source, "opportunity")
    if opportunity_id:
        opportunity = visible_opportunities(user).filter(pk=opportunity_id).first()
        if opportunity is None:
            raise Http404
    account_id = opportunity.account_id if opportunity else query_int(source, "account")
    account = visible_accounts(user).filter(pk=account_id).first() if account_id else None
    if account is None:
        if account_id:
            raise Http404
        picker = activity_forms.AccountChoiceForm(user=user)
        return render(request, "activities/pick_account.html", {"form": picker})
    require_edit(user, account)
    form = activity_forms.ActivityForm(
        request.POST or None,
        account=account,
        user=user,
        initial={"opportunity": opportunity.pk if opportunity else None},
    )
    if request.method == "POST" and form.is_valid():
        try:
            activity = services.plan_activity(
                account=account,
                by=user,
                contacts=form.cleaned_data["contacts"],
                staff=form.cleaned_data["staff"],
                plan_action=form.cleaned_data.get("plan_action"),
                **form.service_fields(),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Activity planned."))
            return redirect("activities:detail", activity.pk)
    return render(
        request,
        "activities/form.html",
        {"form": form, "account": account, "instance": None, "opportunity": opportunity},
    )


@login_required
def activity_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    activity = selectors.visible_activity(user, pk)
    can_edit = can_edit_account(user, activity.account)
    return render(
        request,
        "activities/detail.html",
        {
            "activity": activity,
            "can_edit": can_edit,
            "cancel_form": activity_forms.VersionForm(initial={"version": activity.version}),
            "is_past": activity.starts_at <= timezone.now(),
        },
    )


@login_required
def activity_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Change a planned activity; a stale form is refused with a clear conflict."""
    user = request.user
    activity = _editable(request, pk)
    form = activity_forms.ActivityForm(
        request.POST or None, account=activity.account, user=user, instance=activity
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_activity(
                activity,
                by=user,
                expected_version=form.cleaned_data.get("version"),
                contacts=form.cleaned_data["contacts"],
                staff=form.cleaned_data["staff"],
                plan_action=form.cleaned_data.get("plan_action"),
                **form.service_fields(),
            )
        except ConflictError as error:
            current = selectors.visible_activity(user, pk)
            form = activity_forms.ActivityForm(
                _with_current_version(request, current),
                account=current.account,
                user=user,
                instance=current,
            )
            form.is_valid()
            apply_errors(form, error)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("activities:detail", activity.pk)
    return render(
        request,
        "activities/form.html",
        {"form": form, "account": activity.account, "instance": activity},
    )


@login_required
def activity_outcome(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Record what the customer did (§3.6)."""
    user = request.user
    activity = _editable(request, pk)
    form = activity_forms.OutcomeForm(request.POST or None, instance=activity)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_outcome(
                activity,
                outcome=data["outcome"],
                note=data.get("outcome_note", ""),
                by=user,
                expected_version=data.get("version"),
                duration_minutes=data.get("duration_minutes"),
                expenses=data.get("expenses"),
                idempotency_key=data.get("idempotency_key", ""),
            )
        except (ConflictError, ValidationError) as error:
            if isinstance(error, ConflictError):
                current = selectors.visible_activity(user, pk)
                form = activity_forms.OutcomeForm(
                    _with_current_version(request, current), instance=current
                )
                form.is_valid()
            apply_errors(form, error)
        else:
            messages.success(request, _("Outcome recorded."))
            return redirect("activities:detail", activity.pk)
    return render(request, "activities/outcome.html", {"form": form, "activity": activity})


@login_required
@require_POST
def activity_cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    activity = _editable(request, pk)
    form = activity_forms.VersionForm(request.POST)
    form.is_valid()
    try:
        services.cancel_activity(
            activity,
            by=request.user,
            expected_version=form.cleaned_data.get("version"),
        )
    except (ConflictError, ValidationError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, _("Activity cancelled."))
    return redirect("activities:detail", activity.pk)


# --- stalled deals ---------------------------------------------------------------------------


STALLED_SORTS = {
    "amount": "amount",
    "name": "name",
    "account": "account__name",
    "progress": "progressed_at",
}


@login_required
def stalled(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Open deals of what the user sees that only continue, or have not advanced for long."""
    stall_days = PipelineSettings.current().stall_days
    found = selectors.stalled_deals(request.user, stall_days=stall_days)
    listing = paginate(
        request,
        found.select_related("account", "owner", "stage"),
        sorts=STALLED_SORTS,
        default_sort="-amount",
    )
    deals = selectors.explain_stalled(listing.rows, stall_days=stall_days)
    return render(request, "activities/stalled.html", {"deals": deals, "listing": listing})


# --- calendar and ICS feed -------------------------------------------------------------------

TEAM = "team"


@login_required
def calendar_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A month or week grid of one person's activities, or a manager's whole subtree."""
    user = request.user
    span = request.GET.get("span", calculations.MONTH)
    if span not in (calculations.MONTH, calculations.WEEK):
        span = calculations.MONTH
    anchor = query_date(request.GET, "date") or timezone.localdate()
    members = selectors.team_members(user)
    person = request.GET.get("person", "")
    if person == TEAM:
        people = members
    else:
        chosen = parse_int(person, "person")
        people = members.filter(pk=chosen) if chosen else members.filter(pk=user.pk)
        person = str(chosen or user.pk)
    weeks = selectors.calendar_grid(user, anchor=anchor, span=span, people=people)
    return render(
        request,
        "activities/calendar.html",
        {
            "weeks": weeks,
            "span": span,
            "anchor": anchor,
            "person": person,
            "members": members,
            "previous": calculations.neighbour(anchor, span, -1),
            "next": calculations.neighbour(anchor, span, 1),
            "today": timezone.localdate(),
        },
    )


@login_required
def calendar_feed(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Get, renew or revoke one's private calendar link."""
    user = request.user
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.revoke_calendar_token(user, by=user)
            messages.success(request, _("The calendar link no longer works."))
        else:
            services.issue_calendar_token(user, by=user)
            messages.success(
                request, _("A new calendar link is ready; the old one stopped working.")
            )
        return redirect("activities:calendar_feed")
    feed = CalendarFeed.objects.filter(user=user).first()
    url = (
        request.build_absolute_uri(reverse("activities:ics", args=[feed.token]))
        if feed is not None
        else ""
    )
    return render(request, "activities/feed.html", {"feed": feed, "url": url})


DEFAULT_DURATION = timedelta(hours=1)


def ics_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The secret-URL calendar a phone or Outlook subscribes to; a revoked token is 404."""
    feed = selectors.feed_for_token(token)
    if feed is None:
        raise Http404
    user = feed.user
    with translation.override(user.language or settings.LANGUAGE_CODE):
        events = [
            calculations.CalendarEvent(
                uid=f"activity-{activity.pk}@kam",
                starts_at=activity.starts_at,
                ends_at=activity.starts_at
                + (
                    timedelta(minutes=activity.duration_minutes)
                    if activity.duration_minutes
                    else DEFAULT_DURATION
                ),
                stamp=activity.updated_at,
                summary=f"{activity.get_kind_display()} · {activity.account.name}",
                location=activity.location,
                description="\n".join(
                    line
                    for line in (
                        _("Objective: %(objective)s") % {"objective": activity.objective},
                        _("Purpose: %(purpose)s") % {"purpose": activity.purpose}
                        if activity.purpose
                        else "",
                        _("Opportunity: %(name)s") % {"name": activity.opportunity.name}
                        if activity.opportunity
                        else "",
                    )
                    if line
                ),
            )
            for activity in selectors.feed_activities(user)
        ] + task_events(user)
        body = calculations.ics_calendar(
            events, name=_("KAM activities of %(user)s") % {"user": user}
        )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="kam.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response
