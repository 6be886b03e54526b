"""How the portal writes dates and numbers in Simplified Chinese (over Django's zh_Hans).

Dates as Django writes them (2026年12月3日); numbers grouped in threes with a comma
(28,900), as the national statistics publish them, not Django's ungrouped default."""

DATETIME_FORMAT = "Y年n月j日 H:i"
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
DECIMAL_SEPARATOR = "."
MONTH_DAY_FORMAT = "n月j日"
