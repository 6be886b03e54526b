"""Planning targets and thresholds the dashboards measure against, each in one named place.

Numbers marked *unconfirmed* in DOMAIN.md (or chosen by the portal) are settings with the
value below as default, so a region can correct them without a release.
"""

from decimal import Decimal

from django.conf import settings

# 十四五 public-service plan (国家基本公共服务标准 / “十四五”公共服务规划): 4.5 childcare places
# (托位) per 1,000 residents by 2025.
CHILDCARE_PLACES_PER_1000_TARGET = Decimal("4.5")
CHILDCARE_PLACES_TARGET_SOURCE = "“十四五”公共服务规划：2025年每千人口拥有3岁以下婴幼儿托位数4.5个"

# Portal choice: an elder's alert left open longer than this is overdue.
ALERT_OVERDUE_HOURS: int = getattr(settings, "ELDERCARE_ALERT_OVERDUE_HOURS", 24)

# How many months the trend charts show.
TREND_MONTHS = 12

# How many communities the "where the gaps are" list shows.
GAPS_LIMIT = 10
