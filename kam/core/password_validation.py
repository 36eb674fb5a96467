"""KAM's password rules beside Django's: no own name in it, a length message in Chinese."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

SHORTEST_PART = 3


class NameInPasswordValidator:
    """Refuse a password that contains the user name, given name or family name.

    Django's UserAttributeSimilarityValidator compares the whole password with each
    attribute, so ``rep2rep2rep2`` for user ``rep2`` passes it; this one looks for the
    name anywhere in the password, ignoring case. Parts shorter than three characters
    (most Chinese given and family names) would refuse too much and are left out.
    """

    ATTRIBUTES = ("username", "first_name", "last_name")

    def validate(self, password: str, user: Any = None) -> None:
        if user is None:
            return
        folded = password.casefold()
        for attribute in self.ATTRIBUTES:
            value = str(getattr(user, attribute, "") or "").strip().casefold()
            if len(value) >= SHORTEST_PART and value in folded:
                raise ValidationError(
                    _("The password must not contain your user name or your name."),
                    code="password_contains_name",
                )

    def get_help_text(self) -> str:
        return _("Your password must not contain your user name or your name.")


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's, with its refusal in KAM's catalogue: Django 5.2 reworded the message and
    its Chinese catalogue still has only the old wording, so Chinese pages showed English."""

    def get_error_message(self) -> str:
        return ngettext(
            "The password is too short: it needs at least %(min_length)d character.",
            "The password is too short: it needs at least %(min_length)d characters.",
            self.min_length,
        ) % {"min_length": self.min_length}
