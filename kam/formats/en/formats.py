"""English as KAM's readers use it (a Chinese company's English-speaking staff, not a US
office): day before month and a 24-hour clock, e.g. 7 Dec 2026 21:34, never 12/07/2026 9:34
p.m.; amounts grouped by thousands like the Chinese pages."""

DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y H:i"
TIME_FORMAT = "H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
FIRST_DAY_OF_WEEK = 1
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
