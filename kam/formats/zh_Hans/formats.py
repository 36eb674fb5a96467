"""Simplified Chinese: Django leaves big numbers ungrouped (no thousands separator), so a
forecast of 56478133500 is hard to read at a glance. Chinese financial reports group by
thousands with commas (56,478,133,500); the dates and the rest stay Django's."""

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
