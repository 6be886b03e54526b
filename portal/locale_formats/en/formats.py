"""How the portal writes dates and numbers in English (over Django's en): Dec. 3, 2026,
times on the 24-hour clock as in Chinese, numbers grouped with a comma (28,900)."""

DATETIME_FORMAT = "N j, Y, H:i"
SHORT_DATETIME_FORMAT = "m/d/Y H:i"
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
DECIMAL_SEPARATOR = "."
MONTH_DAY_FORMAT = "N j"
