"""Figures as the domain states them: no trailing zeros, grouped, a dash for none."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from kam.ui.templatetags.figures import figure


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("80.0"), "80"),
        (Decimal("4.50"), "4.5"),
        (Decimal("12345.60"), "12,345.6"),
        (Decimal("0.125"), "0.13"),
        (Decimal("-3.10"), "-3.1"),
        (1234567, "1,234,567"),
        (None, "—"),
    ],
)
def test_a_figure_shows_no_trailing_zeros(language, value, shown):
    with translation.override(language):
        assert figure(value) == shown
