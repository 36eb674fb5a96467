"""Free text with a maximum, declared once on the model and enforced everywhere.

Django's ``TextField`` hands ``max_length`` to the form field only; a serializer, a
service's ``full_clean`` and an import would accept a note of any size (a 1 MB note made
a 2 MB account page). ``BoundedTextField`` turns its ``max_length`` into a validator, so
model forms, DRF model serializers and ``full_clean`` refuse the same text with the field
named, and saving refuses it too (so a service or an import that skips ``full_clean``
still cannot store it; imports report the row and the column). Hand-written form fields
for free text get the same bound from ``kam.ui.forms``. The database column stays
``text``: the limit costs no migration of the data.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import validators
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.functional import cached_property

# What a person writes about a customer, a person or a deal: a note, a reason, a plan
# (a setting, so that hand-written form fields in kam.ui bound it alike).
NOTE_MAX_LENGTH: int = settings.KAM_NOTE_MAX_LENGTH
# Longer text written by KAM itself (an error's trace, a message about a file).
LOG_MAX_LENGTH = 50_000


class BoundedTextField(models.TextField):
    """A ``TextField`` of at most ``max_length`` characters (``NOTE_MAX_LENGTH`` unless
    given), refused by every validation path, not only by forms."""

    def __init__(self, *args: Any, max_length: int = NOTE_MAX_LENGTH, **kwargs: Any) -> None:
        kwargs["max_length"] = max_length
        super().__init__(*args, **kwargs)

    @cached_property
    def validators(self) -> list[Any]:
        return [*super().validators, validators.MaxLengthValidator(self.max_length)]

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        """Refuse to store over-long text even where no one called ``full_clean``.

        Services that write without ``full_clean`` (and the imports through them) thus
        still answer a ``ValidationError`` naming the field, never a stored megabyte.
        """
        value = super().pre_save(model_instance, add)
        if isinstance(value, str) and self.max_length and len(value) > self.max_length:
            raise ValidationError(
                {
                    self.name: validators.MaxLengthValidator(self.max_length).message
                    % {"limit_value": self.max_length, "show_value": len(value)}
                }
            )
        return value
