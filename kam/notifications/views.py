"""The inbox, preferences, and the administrators' notification settings (thin views)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kam.core.concurrency import ConflictError
from kam.core.forms import apply_errors
from kam.core.http import AuthenticatedHttpRequest
from kam.core.views import admin_required
from kam.notifications import selectors, services
from kam.notifications.forms import EndpointForm, PreferencesForm, SettingsForm
from kam.notifications.models import Event, NotificationSettings, WebhookEndpoint
from kam.ui.listing import paginate


def _version(request: HttpRequest) -> int | None:
    """The version the editor loaded (a hidden field); None when it is missing or bad."""
    raw = request.POST.get("version", "")
    return int(raw) if raw.isdigit() else None


@login_required
@require_GET
def inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    unread_only = request.GET.get("unread") == "1"
    items = selectors.inbox(user)
    if unread_only:
        items = items.filter(read_at__isnull=True)
    event = request.GET.get("event", "")
    if event in Event.values:
        items = items.filter(event=event)
    listing = paginate(request, items, sorts={"at": "created_at"}, default_sort="-at")
    return render(
        request,
        "notifications/inbox.html",
        {
            "listing": listing,
            "unread_only": unread_only,
            "event": event,
            "events": Event.choices,
            "unread": selectors.unread_count(user),
        },
    )


@login_required
@require_GET
def badge(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The unread count in the navigation bar, loaded by htmx after the page."""
    return render(
        request, "notifications/_badge.html", {"unread": selectors.unread_count(request.user)}
    )


@login_required
@require_POST
def mark_read(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    item = services.mark_read(selectors.inbox_item(user, pk), by=user)
    if request.headers.get("HX-Request"):
        response = render(request, "notifications/_item.html", {"item": item})
        response["HX-Trigger"] = "kam-notifications-changed"
        return response
    return redirect("notifications:inbox")


@login_required
@require_POST
def mark_all_read(request: AuthenticatedHttpRequest) -> HttpResponse:
    count = services.mark_all_read(by=request.user)
    messages.success(request, _("%(count)d notifications marked read.") % {"count": count})
    return redirect("notifications:inbox")


@login_required
def preferences(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    form = PreferencesForm(
        request.POST if request.method == "POST" else None,
        current=selectors.preferences_of(user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.save_preferences(user, form.choices(), by=user)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})


@admin_required
def settings_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Thresholds, the group bots (secrets masked) and what failed to go out."""
    row = NotificationSettings.current()
    form = SettingsForm(request.POST or None, initial=SettingsForm.initial_from(row))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.save_settings(
                by=request.user,
                expected_version=_version(request),
                large_deal_amount=data["large_deal_amount"],
                activity_lead_hours=data["activity_lead_hours"],
                special_day_lead_days=data["special_day_lead_days"],
                digest_weekday=data["digest_weekday"],
            )
        except ConflictError as error:
            form.add_error(None, str(error))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("notifications:settings")
    return render(
        request,
        "notifications/settings.html",
        {
            "form": form,
            "tab": "notifications",
            "version": row.version,
            "endpoints": selectors.endpoint_rows(),
            "failures": selectors.failed_deliveries(),
            "retrying": selectors.retrying_count(),
        },
    )


@admin_required
def endpoint_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk) if pk else None
    initial = (
        {
            "name": endpoint.name,
            "platform": endpoint.platform,
            "team": endpoint.team,
            "active": endpoint.active,
        }
        if endpoint
        else {"active": True}
    )
    form = EndpointForm(request.POST or None, initial=initial)
    if endpoint is None:
        form.fields["url"].required = True
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.save_endpoint(
                endpoint or WebhookEndpoint(),
                by=request.user,
                expected_version=_version(request),
                name=data["name"],
                platform=data["platform"],
                url=data.get("url") or "",
                secret=data.get("secret") or "",
                team=data.get("team"),
                active=bool(data.get("active")),
            )
        except ConflictError as error:
            form.add_error(None, str(error))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("notifications:settings")
    masked = selectors.masked_endpoint(endpoint) if endpoint else None
    return render(
        request,
        "notifications/endpoint_form.html",
        {"form": form, "endpoint": endpoint, "masked": masked, "tab": "notifications"},
    )


@admin_required
@require_POST
def endpoint_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    services.delete_endpoint(get_object_or_404(WebhookEndpoint, pk=pk), by=request.user)
    messages.success(request, _("Deleted."))
    return redirect("notifications:settings")


@admin_required
@require_POST
def retry_failed(request: AuthenticatedHttpRequest) -> HttpResponse:
    count = services.retry_failed(by=request.user)
    messages.success(
        request, _("%(count)d failed deliveries will be sent again.") % {"count": count}
    )
    return redirect("notifications:settings")


@admin_required
@require_POST
def send_test(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    """Send a test message to a group bot, or by email to oneself, and say how it went."""
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk) if pk else None
    user = request.user
    result = services.send_test_message(by=user, endpoint=endpoint)
    where = endpoint.name if endpoint is not None else user.email or _("your email address")
    if result.ok:
        messages.success(request, _("The test message went out to %(where)s.") % {"where": where})
    else:
        messages.error(
            request,
            _("The test message to %(where)s failed: %(error)s")
            % {"where": where, "error": result.error},
        )
    return redirect("notifications:settings")
