"""Forms for signing in, passwords, and administering users and teams."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from kam.core.client_address import client_address
from kam.core.concurrency import ConflictError
from kam.core.models import Role, Team, User
from kam.core.services import auth as auth_service
from kam.core.services import users as user_services
from kam.ui.forms import KamForm


class ThrottledAuthenticationForm(AuthenticationForm):
    """Sign-in throttled per user name and address, per address and per name."""

    def clean(self) -> dict[str, Any]:
        username = str(self.data.get("username", ""))
        address = client_address(self.request)
        lock = auth_service.lockout(username, address)
        if lock is not None:
            raise ValidationError(lock.message(), code="locked_out")
        try:
            cleaned = super().clean()
        except ValidationError:
            if username.strip():
                auth_service.record_failure(username, address)
            raise
        auth_service.record_success(username, address)
        return cleaned


class PasswordChangeForm(auth_forms.PasswordChangeForm, KamForm):
    """One's own password: the current one, then the new one twice."""

    def save(self, commit: bool = True) -> Any:
        user_services.set_password(self.user, self.cleaned_data["new_password1"], by=self.user)
        return self.user


class PasswordResetForm(auth_forms.PasswordResetForm, KamForm):
    """Ask for a reset link by user name or email; the answer is the same either way."""

    email = forms.CharField(label=_("User name or email"), max_length=254)

    def __init__(self, *args: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
        self.request = request
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs.update({"autocomplete": "username", "autofocus": True})

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors and not auth_service.password_reset_allowed(
            client_address(self.request)
        ):
            raise ValidationError(
                _(
                    "Too many password reset requests from your address. "
                    "Try again in %(minutes)s minutes."
                ),
                code="throttled",
                params={"minutes": settings.KAM_PASSWORD_RESET_REQUEST_MINUTES},
            )
        return cleaned

    def get_users(self, email: str) -> Iterator[Any]:
        """Active users with an email address, found by user name or email."""
        login = email.strip()
        if not login:
            return iter(())
        users = User.objects.filter(
            Q(username__iexact=login) | Q(email__iexact=login), is_active=True
        ).exclude(email="")
        return (u for u in users if u.has_usable_password())

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        """Send in the user's own language, with the link starting at KAM_BASE_URL."""
        user = context["user"]
        context["base_url"] = settings.KAM_BASE_URL.rstrip("/")
        context["hours"] = settings.PASSWORD_RESET_TIMEOUT // 3600
        with translation.override(user.language or translation.get_language()):
            super().send_mail(
                subject_template_name,
                email_template_name,
                context,
                from_email,
                to_email,
                html_email_template_name,
            )


class SetPasswordForm(auth_forms.SetPasswordForm, KamForm):
    """The new password, chosen through a reset link."""

    def save(self, commit: bool = True) -> Any:
        user_services.set_password(self.user, self.cleaned_data["new_password1"], by=self.user)
        return self.user


class UserForm(KamForm):
    username = forms.CharField(label=_("user name"), max_length=150)
    last_name = forms.CharField(label=_("family name"), max_length=150, required=False)
    first_name = forms.CharField(label=_("given name"), max_length=150, required=False)
    email = forms.EmailField(label=_("email"), required=False)
    phone = forms.CharField(label=_("phone"), max_length=40, required=False)
    role = forms.ChoiceField(label=_("role"), choices=Role.choices)
    team = forms.ModelChoiceField(label=_("team"), queryset=Team.objects.all(), required=False)
    is_active = forms.BooleanField(label=_("active"), required=False, initial=True)
    password = forms.CharField(
        label=_("password"),
        widget=forms.PasswordInput(render_value=False),
        required=False,
        help_text=_("At least 10 characters, not only digits. Leave empty to keep it."),
    )

    def __init__(self, *args: Any, instance: User | None = None, **kwargs: Any) -> None:
        self.instance = instance
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {
                    "username": instance.username,
                    "last_name": instance.last_name,
                    "first_name": instance.first_name,
                    "email": instance.email,
                    "phone": instance.phone,
                    "role": instance.role,
                    "team": instance.team,
                    "is_active": instance.is_active,
                },
            )
        super().__init__(*args, **kwargs)
        if instance is not None:
            self.fields["username"].disabled = True
        else:
            self.fields["password"].required = True
            self.fields["password"].help_text = _("At least 10 characters, not only digits.")


class TeamForm(KamForm):
    name = forms.CharField(label=_("name"), max_length=100)
    parent = forms.ModelChoiceField(
        label=_("parent team"), queryset=Team.objects.all(), required=False
    )
    manager = forms.ModelChoiceField(
        label=_("manager"), queryset=User.objects.filter(is_active=True), required=False
    )


class ApiTokenForm(KamForm):
    """A new API token for oneself: only its name is chosen."""

    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        required=False,
        help_text=_("Tells your tokens apart in the list, e.g. “ERP integration”."),
    )


def apply_errors(form: forms.BaseForm, error: ValidationError | ConflictError) -> None:
    """Show a service's refusal on ``form``: field by field where the field is on the form,
    as a form-wide error otherwise; an edit conflict as a form-wide error (the one way
    every page puts a service's refusal on its form)."""
    if isinstance(error, ConflictError):
        form.add_error(None, str(error))
    elif hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)
