"""What the API answers, field by field (the OpenAPI schema is generated from these)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone
from ninja import Field, Schema
from pydantic import field_validator


class Problem(Schema):
    detail: str
    errors: list[dict] | None = Field(
        default=None, description="For invalid input: which parameters, and why."
    )


# Opening hours and session times are wall-clock times in Asia/Shanghai: "08:30". OpenAPI's
# "time" format would demand a UTC offset, which a timetable does not have.
LocalTime = Field(pattern=r"^[0-2][0-9]:[0-5][0-9]$", description="Local time, HH:MM")


class SessionOut(Schema):
    id: int
    date: datetime.date
    kind: str
    starts_at: str = LocalTime
    ends_at: str = LocalTime
    capacity: int
    free: int


class StationOut(Schema):
    id: int
    name: str
    kind: str
    status: str
    community: str
    region_code: str
    address: str
    licensed_places: int
    free_places: int
    age_min_months: int
    age_max_months: int
    opens_at: str = LocalTime
    closes_at: str = LocalTime
    inclusive_monthly_price: Decimal | None
    upcoming_sessions: list[SessionOut]


class StationPage(Schema):
    results: list[StationOut]
    next: str | None = Field(description="Cursor of the next page; null on the last page.")


class RegionOut(Schema):
    code: str
    name: str
    name_en: str
    level: str
    parent_code: str | None


class RegionPage(Schema):
    results: list[RegionOut]
    next: str | None


class FigureOut(Schema):
    key: str
    label: str
    kind: str = Field(description="count, percent, per_1000 or minutes")
    value: float | None
    numerator: int | None
    denominator: int | None


class RegionFigures(Schema):
    region: RegionOut
    month: str = Field(description="YYYY-MM")
    computed_at: datetime.datetime | None
    figures: list[FigureOut]


class EnrolmentOut(Schema):
    id: int
    child_id: int
    child_name: str
    date_of_birth: datetime.date
    status: str
    care_class: str | None
    start_date: datetime.date
    applied_on: datetime.datetime


class EnrolmentPage(Schema):
    results: list[EnrolmentOut]
    next: str | None


class ElderOut(Schema):
    id: int
    name: str
    sex: str
    date_of_birth: datetime.date | None
    id_number: str = Field(description="Masked: only the first and last characters are shown.")
    support_category: str
    status: str


class ElderPage(Schema):
    results: list[ElderOut]
    next: str | None


class ReadingIn(Schema):
    elder_id: int
    kind: str = Field(description="One of the portal's measurement codes, e.g. bp, glucose.")
    value: Decimal = Field(max_digits=6, decimal_places=1)
    value2: Decimal | None = Field(default=None, max_digits=6, decimal_places=1)
    measured_at: datetime.datetime

    @field_validator("measured_at")
    @classmethod
    def measured_at_is_plausible(cls, value: datetime.datetime) -> datetime.datetime:
        # A device clock a day ahead or stuck before 2000 gives a moment no one measured.
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        if value > timezone.now() + datetime.timedelta(days=1):
            raise ValueError("measured_at is more than a day in the future")
        if value.year < 2000:
            raise ValueError("measured_at is before 2000")
        return value


class ReadingOut(Schema):
    id: int
    elder_id: int
    kind: str
    value: Decimal
    value2: Decimal | None
    measured_at: datetime.datetime
