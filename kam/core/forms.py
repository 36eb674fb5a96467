"""Forms for signing in and for administering users and teams."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kam.core.models import Role, Team, User
from kam.core.services import auth as auth_service
from kam.ui.forms import KamForm


def client_ip(request: Any) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


class ThrottledAuthenticationForm(AuthenticationForm):
    """Sign-in that locks a user name after repeated failures."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "locked_out": _(
            "Too many failed sign-in attempts for this user. Try again in %(minutes)s minutes "
            "or ask an administrator."
        ),
    }

    def clean(self) -> dict[str, Any]:
        from django.conf import settings

        username = self.data.get("username", "")
        if username and auth_service.is_locked_out(username):
            raise ValidationError(
                self.error_messages["locked_out"],
                code="locked_out",
                params={"minutes": settings.KAM_LOGIN_LOCKOUT_MINUTES},
            )
        try:
            cleaned = super().clean()
        except ValidationError:
            if username:
                auth_service.record_failure(username, client_ip(self.request))
            raise
        auth_service.clear_failures(username)
        return cleaned


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
