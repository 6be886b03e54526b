"""The data feed, version 1: `/api/v1/` (OpenAPI 3 schema at `/api/v1/openapi.json`,
browsable docs at `/api/v1/docs`).

Public: stations with free places and upcoming sessions (the finder's data; nothing personal).
With a token: region figures (aggregates only) for a region token; a station's enrolments or a
facility's elders for that organisation's token, each read written to the access log under the
token's account; a write token may also post a facility's health readings.

Every read goes through the same `visible_to` / `managed_by` QuerySets as the pages, with the
token's service account as the user: what a token may not see answers 404.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import F
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Query, Schema, Status
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer
from ninja.throttling import AnonRateThrottle, SimpleRateThrottle

from childcare import selectors
from childcare.models import Enrolment, Station
from childcare.services import child_access_record
from communities.models import Region
from eldercare.models import CareFacility, Elder
from eldercare.services import reading_record
from portal.api import schemas
from portal.api.models import ApiToken
from portal.api.pagination import keyset_page
from portal.api.services import token_for_secret
from portal.dashboards import indicators
from portal.dashboards.models import RegionIndicator
from portal.dashboards.selectors import BadMonth, parse_month

# Region codes are digits, lower-case letters and "-" (communities.models.Region.code).
CODE_RE = re.compile(r"^[a-z0-9-]{1,32}$")


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`; a revoked or unknown token answers 401."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        api_token = token_for_secret(token)
        if api_token is not None:
            api_token.touch()
        return api_token


class SettingRate:
    """A throttle whose rate is a setting, read on each request (so a change takes effect)."""

    setting: str

    def __init__(self) -> None:
        super().__init__(getattr(settings, self.setting))

    def allow_request(self, request: HttpRequest) -> bool:
        self.rate = getattr(settings, self.setting)
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)


class TokenRateThrottle(SettingRate, SimpleRateThrottle):
    """A budget per token (not per IP: a vendor cloud may call from many addresses)."""

    scope = "token"
    setting = "API_RATE_PER_TOKEN"

    def get_cache_key(self, request: HttpRequest) -> str | None:
        token = getattr(request, "auth", None)
        if not isinstance(token, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": token.pk}


class PublicRateThrottle(SettingRate, AnonRateThrottle):
    """A budget per client address for requests without a token."""

    setting = "API_RATE_ANONYMOUS"


api = NinjaAPI(
    title="一老一小 · One Old, One Young — data feed",
    version="1",
    description=(
        "Figures and records of the community care portal for partner systems. "
        "Authenticate with `Authorization: Bearer <token>`; tokens are issued by the "
        "portal's administrators, scoped to one region, station or care facility."
    ),
    urls_namespace="api-v1",
    throttle=[PublicRateThrottle(), TokenRateThrottle()],
)
token_auth = TokenAuth()


def _account(request: HttpRequest) -> object:
    return request.auth.account


class PageQuery(Schema):
    cursor: str | None = None
    page_size: int | None = None


# --- public --------------------------------------------------------------------------------


@api.get(
    "/stations",
    response={200: schemas.StationPage, 404: schemas.Problem, 422: schemas.Problem},
    tags=["public"],
    summary="Childcare stations with free places and upcoming sessions",
)
def station_list(
    request: HttpRequest,
    page: Query[PageQuery],
    region: str | None = None,
    free_only: bool = False,
) -> dict:
    stations = Station.objects.public()
    if region:
        found = Region.objects.filter(code=region).first() if CODE_RE.match(region) else None
        if found is None:
            raise HttpError(404, _("There is no region with this code."))
        stations = stations.filter(community__region__path__startswith=found.path)
    if free_only:
        stations = stations.filter(enrolled_count__lt=F("licensed_places"))
    stations = selectors.stations_with_free_sessions(stations)
    result = keyset_page(stations, key="pk", cursor=page.cursor, page_size=page.page_size)
    return {
        "results": [
            {
                "id": s.pk,
                "name": s.name,
                "kind": s.kind,
                "status": s.status,
                "community": s.community.name,
                "region_code": s.community.region.code,
                "address": s.address,
                "licensed_places": s.licensed_places,
                "free_places": s.free_places,
                "age_min_months": s.age_min_months,
                "age_max_months": s.age_max_months,
                "opens_at": s.opens_at.strftime("%H:%M"),
                "closes_at": s.closes_at.strftime("%H:%M"),
                "inclusive_monthly_price": s.inclusive_monthly_price,
                "upcoming_sessions": [
                    {
                        "id": x.pk,
                        "date": x.date,
                        "kind": x.kind,
                        "starts_at": x.starts_at.strftime("%H:%M"),
                        "ends_at": x.ends_at.strftime("%H:%M"),
                        "capacity": x.capacity,
                        "free": x.free,
                    }
                    for x in s.upcoming_sessions
                ],
            }
            for s in result.results
        ],
        "next": result.next,
    }


# --- regions and their figures (region tokens) ---------------------------------------------


def _region_out(region: Region) -> dict:
    return {
        "code": region.code,
        "name": region.name,
        "name_en": region.name_en,
        "level": region.level,
        "parent_code": region.parent.code if region.parent_id else None,
    }


@api.get(
    "/regions",
    auth=token_auth,
    response={200: schemas.RegionPage, 401: schemas.Problem, 422: schemas.Problem},
    tags=["figures"],
    summary="Regions whose figures this token may read",
)
def region_list(request: HttpRequest, page: Query[PageQuery]) -> dict:
    regions = Region.objects.overseen_by(_account(request)).select_related("parent")
    result = keyset_page(regions, key="path", cursor=page.cursor, page_size=page.page_size)
    return {"results": [_region_out(r) for r in result.results], "next": result.next}


@api.get(
    "/regions/{code}/figures",
    auth=token_auth,
    response={
        200: schemas.RegionFigures,
        401: schemas.Problem,
        404: schemas.Problem,
        422: schemas.Problem,
    },
    tags=["figures"],
    summary="A region's dashboard figures for one month (aggregates only)",
)
def region_figures(request: HttpRequest, code: str, month: str | None = None) -> dict:
    if not CODE_RE.match(code):
        raise HttpError(404, _("There is no region with this code."))
    region = get_object_or_404(
        Region.objects.overseen_by(_account(request)).select_related("parent"), code=code
    )
    try:
        first_day = parse_month(month)
    except BadMonth as exc:
        raise HttpError(422, str(exc)) from None
    rows = list(RegionIndicator.objects.filter(region=region, month=first_day).order_by("key"))
    known = {i.key: i for i in indicators.ALL}
    return {
        "region": _region_out(region),
        "month": first_day.strftime("%Y-%m"),
        "computed_at": max((r.computed_at for r in rows), default=None),
        "figures": [
            {
                "key": r.key,
                "label": str(known[r.key].label) if r.key in known else r.key,
                "kind": known[r.key].kind if r.key in known else indicators.Kind.COUNT,
                "value": r.value,
                "numerator": r.numerator,
                "denominator": r.denominator,
            }
            for r in rows
        ],
    }


# --- an organisation's own records (station and facility tokens) ---------------------------


@api.get(
    "/stations/{station_id}/enrolments",
    auth=token_auth,
    response={
        200: schemas.EnrolmentPage,
        401: schemas.Problem,
        404: schemas.Problem,
        422: schemas.Problem,
    },
    tags=["organisations"],
    summary="A station's enrolments (personal data: every read is logged)",
)
def station_enrolments(request: HttpRequest, station_id: int, page: Query[PageQuery]) -> dict:
    account = _account(request)
    station = get_object_or_404(Station.objects.managed_by(account), pk=station_id)
    enrolments = Enrolment.objects.visible_to(account).filter(station=station)
    result = keyset_page(
        enrolments.select_related("child__resident", "care_class"),
        key="pk",
        cursor=page.cursor,
        page_size=page.page_size,
    )
    child_access_record(
        child_ids=sorted({e.child_id for e in result.results}), by=account, path=request.path
    )
    return {
        "results": [
            {
                "id": e.pk,
                "child_id": e.child_id,
                "child_name": e.child.resident.name,
                "date_of_birth": e.child.resident.date_of_birth,
                "status": e.status,
                "care_class": e.care_class.name if e.care_class_id else None,
                "start_date": e.start_date,
                "applied_on": e.created,
            }
            for e in result.results
        ],
        "next": result.next,
    }


@api.get(
    "/facilities/{facility_id}/elders",
    auth=token_auth,
    response={
        200: schemas.ElderPage,
        401: schemas.Problem,
        404: schemas.Problem,
        422: schemas.Problem,
    },
    tags=["organisations"],
    summary="A care facility's elders (ID numbers masked)",
)
def facility_elders(request: HttpRequest, facility_id: int, page: Query[PageQuery]) -> dict:
    account = _account(request)
    facility = get_object_or_404(CareFacility.objects.editable_by(account), pk=facility_id)
    elders = Elder.objects.visible_to(account).filter(facility=facility)
    result = keyset_page(elders, key="pk", cursor=page.cursor, page_size=page.page_size)
    return {
        "results": [
            {
                "id": e.pk,
                "name": e.display_name,
                "sex": e.sex,
                "date_of_birth": e.date_of_birth,
                "id_number": e.masked_id_number,
                "support_category": e.support_category,
                "status": e.status,
            }
            for e in result.results
        ],
        "next": result.next,
    }


@api.post(
    "/facilities/{facility_id}/readings",
    auth=token_auth,
    response={
        201: schemas.ReadingOut,
        400: schemas.Problem,
        401: schemas.Problem,
        403: schemas.Problem,
        404: schemas.Problem,
        422: schemas.Problem,
    },
    tags=["organisations"],
    summary="Record a health reading (write tokens); out-of-range values raise alerts",
)
def facility_reading_create(
    request: HttpRequest, facility_id: int, reading: schemas.ReadingIn
) -> Status:
    token: ApiToken = request.auth
    account = token.account
    facility = get_object_or_404(CareFacility.objects.editable_by(account), pk=facility_id)
    if not token.can_write:
        raise HttpError(403, _("This token may only read."))
    elder = get_object_or_404(
        Elder.objects.managed_by(account).filter(facility=facility), pk=reading.elder_id
    )
    try:
        saved = reading_record(
            elder=elder,
            kind=reading.kind,
            value=reading.value,
            value2=reading.value2,
            measured_at=reading.measured_at,
            by=account,
        )
    except ValidationError as exc:
        raise HttpError(422, " ".join(exc.messages)) from None
    return Status(
        201,
        {
            "id": saved.pk,
            "elder_id": elder.pk,
            "kind": saved.kind,
            "value": saved.value,
            "value2": saved.value2,
            "measured_at": saved.measured_at,
        },
    )


@api.exception_handler(NinjaValidationError)
def _invalid_input(request: HttpRequest, exc: NinjaValidationError) -> object:
    return api.create_response(
        request,
        {"detail": _("Some of the input is not valid."), "errors": exc.errors},
        status=422,
    )


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> object:
    return api.create_response(request, {"detail": " ".join(exc.messages)}, status=422)
