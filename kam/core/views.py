"""Sign-in, passwords, the language switch, the home page and user/team administration."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from kam.core import selectors
from kam.core.audit_display import shown_events
from kam.core.forms import (
    ApiTokenForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
    TeamForm,
    ThrottledAuthenticationForm,
    UserForm,
    apply_errors,
)
from kam.core.http import AuthenticatedHttpRequest, request_user
from kam.core.models import AuditEvent, Interface, Team, User
from kam.core.services import teams as team_services
from kam.core.services import tokens as token_services
from kam.core.services import users as user_services
from kam.core.visibility import visible_api_tokens
from kam.ui.listing import paginate


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    authentication_form = ThrottledAuthenticationForm
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    """One's own password; this browser stays signed in (Django updates the session hash)."""

    template_name = "core/password_change.html"
    form_class = PasswordChangeForm
    success_url = reverse_lazy("home")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, _("Your password has been changed."))
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """Mail a single-use link (Django's token: it dies with the password it resets)."""

    template_name = "core/password_reset.html"
    form_class = PasswordResetForm
    email_template_name = "core/password_reset_email.txt"
    subject_template_name = "core/password_reset_subject.txt"
    success_url = reverse_lazy("core:password_reset_done")

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "request": self.request}


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "core/password_reset_done.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from django.conf import settings

        hours = settings.PASSWORD_RESET_TIMEOUT // 3600
        return {**super().get_context_data(**kwargs), "hours": hours}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "core/password_reset_confirm.html"
    form_class = SetPasswordForm
    success_url = reverse_lazy("core:password_reset_complete")

    def get_user(self, uidb64: str) -> Any:
        user = super().get_user(uidb64)
        return user if user is not None and user.is_active else None


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "core/password_reset_complete.html"


def admin_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    @login_required
    def wrapper(request: AuthenticatedHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_kam_admin:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@require_POST
def switch_language(request: HttpRequest) -> HttpResponse:
    """Switch the UI language; for a signed-in user it sticks to their profile."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if language not in dict(settings.LANGUAGES):
        messages.error(request, _("Unknown language."))
        return response
    if request.user.is_authenticated:
        user_services.set_language(request_user(request), language)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
    )
    return response


@admin_required
def user_list(request: HttpRequest) -> HttpResponse:
    users = User.objects.select_related("team").order_by("team__path", "username")
    return render(request, "core/user_list.html", {"users": users})


@admin_required
def user_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    actor = request.user
    instance = get_object_or_404(User, pk=pk) if pk else None
    form = UserForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        password = data.pop("password")
        username = data.pop("username")
        try:
            if instance is None:
                user_services.create_user(username=username, password=password, by=actor, **data)
            else:
                user_services.update_user(instance, by=actor, **data)
                if password:
                    user_services.set_password(instance, password, by=actor)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("core:user_list")
    return render(request, "core/user_form.html", {"form": form, "instance": instance})


@admin_required
def audit_log(request: HttpRequest) -> HttpResponse:
    """The audit trail, searchable by administrators; nobody can edit it."""
    filters = selectors.AuditFilters.from_params(request.GET)
    events = selectors.audit_search(filters)
    listing = paginate(request, events, sorts={"at": "at"}, default_sort="-at", per_page=100)
    context = {
        "listing": listing,
        "events": shown_events(listing.rows),
        "filters": filters,
        "actions": AuditEvent.Action.choices,
    }
    return render(request, "core/audit_log.html", context)


@admin_required
def team_list(request: HttpRequest) -> HttpResponse:
    teams = Team.objects.select_related("manager", "parent").order_by("path")
    return render(request, "core/team_list.html", {"teams": teams})


@admin_required
def team_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    actor = request.user
    instance = get_object_or_404(Team, pk=pk) if pk else None
    initial = (
        {"name": instance.name, "parent": instance.parent, "manager": instance.manager}
        if instance
        else None
    )
    form = TeamForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            team_services.save_team(instance or Team(), by=actor, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("core:team_list")
    return render(request, "core/team_form.html", {"form": form, "instance": instance})


def _token_owner(request: AuthenticatedHttpRequest, pk: int | None) -> User:
    """Whose tokens the page is about: one's own, or (administrators) anyone's; 404 else."""
    actor = request.user
    owner = actor if pk is None else get_object_or_404(User, pk=pk)
    if not token_services.can_manage_tokens_of(actor, owner):
        raise Http404
    return owner


def _tokens_page(owner: User, actor: User) -> str:
    if owner.pk == actor.pk:
        return reverse("core:api_tokens")
    return reverse("core:user_api_tokens", args=[owner.pk])


@login_required
def api_tokens(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    """A person's live API tokens: the owner (who may also make one here) or an administrator."""
    actor = request.user
    owner = _token_owner(request, pk)
    is_own = owner.pk == actor.pk
    form = ApiTokenForm(request.POST or None) if is_own else None
    new_key = ""
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                _token, new_key = token_services.issue_token(
                    actor, name=form.cleaned_data["name"], via=Interface.WEB
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                form = ApiTokenForm()
    tokens = (
        visible_api_tokens(actor)
        .filter(auth_token__user=owner)
        .order_by("-auth_token__created", "-pk")
    )
    return render(
        request,
        "core/api_tokens.html",
        {
            "owner": owner,
            "is_own": is_own,
            "tokens": tokens,
            "form": form,
            "new_key": new_key,
            "token_days": settings.KAM_API_TOKEN_DAYS,
        },
    )


@require_POST
@login_required
def api_token_revoke(request: AuthenticatedHttpRequest, token_id: int) -> HttpResponse:
    actor = request.user
    token = get_object_or_404(visible_api_tokens(actor), pk=token_id)
    owner = token.auth_token.user
    token_services.revoke_token(token, by=actor, via=Interface.WEB)
    messages.success(request, _("The token is revoked: it no longer signs anyone in."))
    return redirect(_tokens_page(owner, actor))


@require_POST
@login_required
def api_tokens_revoke_all(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    actor = request.user
    owner = _token_owner(request, pk)
    revoked = token_services.revoke_all_tokens(owner, by=actor, via=Interface.WEB)
    messages.success(
        request,
        ngettext("%(count)s token revoked.", "%(count)s tokens revoked.", revoked)
        % {"count": revoked},
    )
    return redirect(_tokens_page(owner, actor))
