"""The data feed: public stations, region figures by token, organisations' records, writes."""

import datetime
import json

import pytest
from django.test import override_settings
from django.utils import timezone

from childcare.models import ChildAccessLog
from eldercare.models import HealthReading
from portal.api.models import ApiToken
from portal.api.services import token_revoke
from portal.dashboards.models import RegionIndicator
from portal.months import current_month
from tests.childcare.factories import EnrolmentFactory, SessionFactory, child_of
from tests.eldercare.factories import ElderFactory

pytestmark = pytest.mark.django_db


def auth(secret: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def figure(region, key: str, value: float) -> RegionIndicator:
    return RegionIndicator.objects.create(
        region=region, month=current_month(), key=key, value=value, computed_at=timezone.now()
    )


def named_child(parent, community, name: str):
    child = child_of(parent, community)
    child.resident.name = name
    child.resident.save()
    return child


# --- public ---------------------------------------------------------------------------------


def test_public_station_list_needs_no_sign_in_and_holds_nothing_personal(
    client, station, other_station, parent, community
):
    SessionFactory(station=station, capacity=6)
    child = named_child(parent, community, "小明")
    EnrolmentFactory(child=child, station=station)

    response = client.get("/api/v1/stations")

    assert response.status_code == 200
    body = response.json()
    names = {s["name"] for s in body["results"]}
    assert names == {"几侎稚家", "别的驿站"}
    ours = next(s for s in body["results"] if s["name"] == "几侎稚家")
    assert ours["upcoming_sessions"][0]["free"] == 6
    assert ours["free_places"] == 15 - station.enrolled_count
    assert "小明" not in response.content.decode()
    assert parent.name not in response.content.decode()


def test_public_station_list_filters_free_places_and_region(client, station, other_station):
    other_station.licensed_places = 2
    other_station.enrolled_count = 2
    other_station.save()

    free = client.get("/api/v1/stations?free_only=true").json()["results"]
    in_region = client.get(f"/api/v1/stations?region={station.community.region.code}").json()

    assert [s["name"] for s in free] == ["几侎稚家"]
    assert [s["name"] for s in in_region["results"]] == ["几侎稚家"]
    assert client.get("/api/v1/stations?region=nowhere").status_code == 404


def test_cursor_walks_every_station_once(client, community):
    from tests.childcare.factories import StationFactory

    made = {StationFactory(community=community).pk for _ in range(5)}

    seen, cursor = [], None
    while True:
        url = "/api/v1/stations?page_size=2" + (f"&cursor={cursor}" if cursor else "")
        body = client.get(url).json()
        seen += [s["id"] for s in body["results"]]
        cursor = body["next"]
        if not cursor:
            break

    assert sorted(seen) == sorted(made)
    assert len(seen) == len(set(seen))


@pytest.mark.parametrize(
    "cursor", ["%%%", "bm9wZQ==", "az1hYmM=", "az05OTk5OTk5OTk5OTk5OTk5OTk5OTk5"]
)
def test_a_cursor_the_api_did_not_give_is_a_422(client, station, cursor):
    response = client.get(f"/api/v1/stations?cursor={cursor}")

    assert response.status_code == 422


# --- tokens and region figures ------------------------------------------------------------


def test_region_token_reads_its_region_and_404_for_another(
    client, make_token, county, other_county, community
):
    figure(county, "childcare_places", 120)
    figure(other_county, "childcare_places", 80)
    _, secret = make_token(region=county)

    ours = client.get(f"/api/v1/regions/{county.code}/figures", **auth(secret))
    theirs = client.get(f"/api/v1/regions/{other_county.code}/figures", **auth(secret))

    assert ours.status_code == 200
    assert {f["key"]: f["value"] for f in ours.json()["figures"]}["childcare_places"] == 120
    assert theirs.status_code == 404
    listed = client.get("/api/v1/regions", **auth(secret)).json()["results"]
    assert {r["code"] for r in listed} == {county.code, community.region.code}


def test_figures_without_or_with_a_wrong_token_answer_401(client, county):
    assert client.get(f"/api/v1/regions/{county.code}/figures").status_code == 401
    wrong = client.get(f"/api/v1/regions/{county.code}/figures", **auth("yl_not-a-token"))
    assert wrong.status_code == 401


def test_revoked_token_answers_401(client, make_token, county, admin_user):
    token, secret = make_token(region=county)
    assert client.get("/api/v1/regions", **auth(secret)).status_code == 200

    token_revoke(token=token, by=admin_user)

    assert client.get("/api/v1/regions", **auth(secret)).status_code == 401


def test_a_bad_month_is_a_message_not_a_500(client, make_token, county):
    _, secret = make_token(region=county)

    response = client.get(f"/api/v1/regions/{county.code}/figures?month=2024-13", **auth(secret))

    assert response.status_code == 422
    assert "13" in response.json()["detail"]


def test_only_a_digest_of_the_secret_is_stored(make_token, county):
    token, secret = make_token(region=county)

    stored = ApiToken.objects.values_list("digest", "prefix").get(pk=token.pk)
    assert secret not in stored[0]
    assert secret.startswith(stored[1])
    assert not token.account.has_usable_password()
    assert not token.account.is_active


@override_settings(API_RATE_PER_TOKEN="3/m")
def test_each_token_has_its_own_rate_limit(client, make_token, county):
    _, first = make_token(region=county)
    _, second = make_token(region=county)

    answers = [client.get("/api/v1/regions", **auth(first)).status_code for _ in range(4)]

    assert answers == [200, 200, 200, 429]
    assert client.get("/api/v1/regions", **auth(second)).status_code == 200


# --- an organisation's own records ----------------------------------------------------------


def test_station_token_reads_its_enrolments_and_each_read_is_logged(
    client, make_token, station, other_station, parent, community
):
    child = named_child(parent, community, "小明")
    EnrolmentFactory(child=child, station=station)
    token, secret = make_token(station=station)

    response = client.get(f"/api/v1/stations/{station.pk}/enrolments", **auth(secret))
    other = client.get(f"/api/v1/stations/{other_station.pk}/enrolments", **auth(secret))

    assert response.status_code == 200
    assert [e["child_id"] for e in response.json()["results"]] == [child.pk]
    assert other.status_code == 404
    log = ChildAccessLog.objects.get(child=child)
    assert log.user == token.account
    assert log.path == f"/api/v1/stations/{station.pk}/enrolments"


def test_region_token_cannot_read_a_stations_children(client, make_token, station, county):
    _, secret = make_token(region=county)

    response = client.get(f"/api/v1/stations/{station.pk}/enrolments", **auth(secret))

    assert response.status_code == 404


def test_facility_token_reads_its_elders_with_masked_id_numbers(
    client, make_token, facility, other_facility
):
    ElderFactory(name="张奶奶", facility=facility, id_number="53082819450101002X")
    _, secret = make_token(facility=facility)

    response = client.get(f"/api/v1/facilities/{facility.pk}/elders", **auth(secret))
    other = client.get(f"/api/v1/facilities/{other_facility.pk}/elders", **auth(secret))

    assert response.status_code == 200
    assert "53082819450101002X" not in response.content.decode()
    assert response.json()["results"][0]["name"] == "张奶奶"
    assert other.status_code == 404


def _reading(elder_id: int, **extra: object) -> str:
    body = {
        "elder_id": elder_id,
        "kind": "heart_rate",
        "value": "72.0",
        "measured_at": (timezone.now() - datetime.timedelta(minutes=5)).isoformat(),
    }
    body.update(extra)
    return json.dumps(body)


def test_write_token_records_a_reading(client, make_token, facility):
    elder = ElderFactory(facility=facility)
    _, secret = make_token(facility=facility, access="write")

    response = client.post(
        f"/api/v1/facilities/{facility.pk}/readings",
        _reading(elder.pk),
        content_type="application/json",
        **auth(secret),
    )

    assert response.status_code == 201
    assert HealthReading.objects.get(elder=elder).value == 72


def test_read_token_may_not_write(client, make_token, facility):
    elder = ElderFactory(facility=facility)
    _, secret = make_token(facility=facility, access="read")

    response = client.post(
        f"/api/v1/facilities/{facility.pk}/readings",
        _reading(elder.pk),
        content_type="application/json",
        **auth(secret),
    )

    assert response.status_code == 403
    assert not HealthReading.objects.exists()


def test_a_reading_the_rules_refuse_is_a_422_and_stores_nothing(client, make_token, facility):
    elder = ElderFactory(facility=facility)
    _, secret = make_token(facility=facility, access="write")

    response = client.post(
        f"/api/v1/facilities/{facility.pk}/readings",
        _reading(elder.pk, value="900.0"),
        content_type="application/json",
        **auth(secret),
    )

    assert response.status_code == 422
    assert response.json()["detail"]
    assert not HealthReading.objects.exists()


def test_write_token_cannot_write_for_another_facilitys_elder(
    client, make_token, facility, other_facility
):
    stranger = ElderFactory(facility=other_facility)
    _, secret = make_token(facility=facility, access="write")

    response = client.post(
        f"/api/v1/facilities/{facility.pk}/readings",
        _reading(stranger.pk),
        content_type="application/json",
        **auth(secret),
    )

    assert response.status_code == 404
    assert not HealthReading.objects.exists()


# --- the documentation ----------------------------------------------------------------------


def test_docs_and_schema_are_served(client):
    schema = client.get("/api/v1/openapi.json")
    docs = client.get("/api/v1/docs")

    assert schema.status_code == 200
    assert schema.json()["openapi"].startswith("3.")
    assert "/api/v1/stations" in schema.json()["paths"]
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower()


# --- every token against every resource: only its own scope answers ----------------------

RESOURCES = {
    "county_figures": lambda s: f"/api/v1/regions/{s['county'].code}/figures",
    "other_county_figures": lambda s: f"/api/v1/regions/{s['other_county'].code}/figures",
    "station_enrolments": lambda s: f"/api/v1/stations/{s['station'].pk}/enrolments",
    "other_station_enrolments": lambda s: f"/api/v1/stations/{s['other_station'].pk}/enrolments",
    "facility_elders": lambda s: f"/api/v1/facilities/{s['facility'].pk}/elders",
    "other_facility_elders": lambda s: f"/api/v1/facilities/{s['other_facility'].pk}/elders",
}
# Which resources each token may read; everything else must answer 404.
ALLOWED = {
    "county": {"county_figures"},
    "station": {"station_enrolments"},
    "facility": {"facility_elders"},
}


@pytest.mark.parametrize("scope", sorted(ALLOWED))
def test_each_token_reads_its_own_scope_and_nothing_else(
    client,
    make_token,
    scope,
    county,
    other_county,
    station,
    other_station,
    facility,
    other_facility,
):
    objects = {
        "county": county,
        "other_county": other_county,
        "station": station,
        "other_station": other_station,
        "facility": facility,
        "other_facility": other_facility,
    }
    kind = {"county": "region"}.get(scope, scope)
    _, secret = make_token(**{kind: objects[scope]})

    answers = {
        name: client.get(url(objects), **auth(secret)).status_code
        for name, url in RESOURCES.items()
    }

    assert answers == {name: 200 if name in ALLOWED[scope] else 404 for name in RESOURCES}
