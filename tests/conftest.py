"""Personas shared by every test module.

Two counties under one city, each with one community: "home" (where the personas work)
and "other" (where the outsider works). Every permission test includes the outsider.
A station and a care facility in each community, with their staff, complete the cast.
"""

import datetime
import os
import uuid
import zoneinfo
from pathlib import Path

import pytest
import redis
import time_machine
from django.core.cache import cache
from django.test import override_settings

from communities.models import Region
from portal import pagecache
from portal.accounts.models import Role
from tests.childcare.factories import StationFactory
from tests.eldercare.factories import CareFacilityFactory
from tests.factories import CommunityFactory, RegionFactory, UserFactory, assign

# `make test` runs the suite again at moments where the UTC and Beijing dates differ and across a
# month's and a year's end: PORTAL_TEST_MOMENT="2027-02-28T00:30" (Beijing wall time) moves the
# clock there. The whole session is moved (collection, session fixtures), and each test starts
# at the moment again: a clock that only ticked on from the session's start would leave 07:59
# after a minute, and the UTC date would catch up with the Beijing date for most of the run.
_moment = os.environ.get("PORTAL_TEST_MOMENT")
_traveller = None
# The Python subprocesses a test starts (a Celery worker, gunicorn, manage.py) read the same
# clock: see tests/clock/sitecustomize.py.
_SUBPROCESS_CLOCK = str(Path(__file__).resolve().parent / "clock")


def _moment_start() -> datetime.datetime:
    start = datetime.datetime.fromisoformat(_moment)
    if start.tzinfo is None:
        start = start.replace(tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
    return start


def pytest_configure(config: pytest.Config) -> None:
    global _traveller
    if _moment and _traveller is None:
        _traveller = time_machine.travel(_moment_start(), tick=True)
        _traveller.start()


def pytest_unconfigure(config: pytest.Config) -> None:
    global _traveller
    if _traveller is not None:
        _traveller.stop()
        _traveller = None


def pytest_report_header(config: pytest.Config) -> str | None:
    return (
        f"clock moved to {_moment} (Asia/Shanghai) at the start of each test" if _moment else None
    )


@pytest.fixture(autouse=True)
def _test_clock(monkeypatch):
    """In a clock run, the test starts at PORTAL_TEST_MOMENT and its subprocesses share it."""
    if not _moment:
        yield
        return
    start = _moment_start()
    with time_machine.travel(start, tick=True):
        offset = start.timestamp() - time_machine.escape_hatch.time.time()
        monkeypatch.setenv("PORTAL_TEST_CLOCK_OFFSET", repr(offset))
        path = os.environ.get("PYTHONPATH")
        monkeypatch.setenv("PYTHONPATH", _SUBPROCESS_CLOCK + (os.pathsep + path if path else ""))
        yield


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate-limit counters and cached figures live in the in-process cache: start clean."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def page_cache():
    """The production arrangement of portal/pagecache.py: the Redis cache (a key prefix of
    this test's own), Redis-backed sessions, the page cache on and this process's LISTEN
    connection up. Its changes arrive only from committed transactions: use it with
    transaction=True (or the live server)."""
    caches = {
        "default": {
            "BACKEND": "portal.pagecache.PortalRedisCache",
            "LOCATION": "redis://127.0.0.1:6379/14",
            "KEY_PREFIX": f"pagecache-test-{uuid.uuid4().hex}",
        }
    }
    with override_settings(
        CACHES=caches,
        PAGE_CACHE=True,
        SESSION_ENGINE="portal.accounts.sessions",
    ):
        assert pagecache.table_changes().ready.wait(10), "the LISTEN connection never came up"
        yield


@pytest.fixture
def round_trips(monkeypatch):
    """Every round trip this process makes to Redis (a pipeline is one), counted as it goes
    through redis-py to the real server."""
    sent = []
    real = redis.connection.AbstractConnection.send_packed_command

    def counted(self, command, check_health=True):
        sent.append(command)
        return real(self, command, check_health)

    monkeypatch.setattr(redis.connection.AbstractConnection, "send_packed_command", counted)
    return sent


@pytest.fixture
def city(db):
    return RegionFactory(code="test-city", name="测试市", level=Region.Level.CITY)


@pytest.fixture
def county(city):
    return RegionFactory(code="test-county", name="测试县", level=Region.Level.COUNTY, parent=city)


@pytest.fixture
def other_county(city):
    return RegionFactory(code="other-county", name="他县", level=Region.Level.COUNTY, parent=city)


@pytest.fixture
def community(county):
    region = RegionFactory(
        code="test-community", name="测试社区", level=Region.Level.COMMUNITY, parent=county
    )
    return CommunityFactory(region=region, population=20000)


@pytest.fixture
def other_community(other_county):
    region = RegionFactory(
        code="other-community", name="他社区", level=Region.Level.COMMUNITY, parent=other_county
    )
    return CommunityFactory(region=region, population=8000)


@pytest.fixture
def parent(db):
    user = UserFactory(name="家长")
    assign(user, Role.PARENT)
    return user


@pytest.fixture
def other_parent(db):
    user = UserFactory(name="别家家长")
    assign(user, Role.PARENT)
    return user


@pytest.fixture
def community_staff(community):
    user = UserFactory(name="社区工作人员")
    assign(user, Role.COMMUNITY_STAFF, region=community.region)
    return user


@pytest.fixture
def official(county, community):
    user = UserFactory(name="县干部")
    assign(user, Role.OFFICIAL, region=county)
    return user


@pytest.fixture
def volunteer(community):
    user = UserFactory(name="志愿者")
    assign(user, Role.VOLUNTEER, region=community.region)
    return user


@pytest.fixture
def outsider(other_community):
    """Community staff of another county: sees nothing of `community`."""
    user = UserFactory(name="外人")
    assign(user, Role.COMMUNITY_STAFF, region=other_community.region)
    return user


@pytest.fixture
def admin_user(db):
    user = UserFactory(name="管理员", is_staff=True, is_superuser=True)
    return user


# --- institutions and their staff (every app's tests meet them) ------------------------------


@pytest.fixture
def station(community):
    return StationFactory(name="几侎稚家", community=community, licensed_places=15)


@pytest.fixture
def other_station(other_community):
    return StationFactory(name="别的驿站", community=other_community)


@pytest.fixture
def station_staff(station):
    user = UserFactory(name="驿站老师")
    assign(user, Role.STATION_STAFF, station=station)
    return user


@pytest.fixture
def other_station_staff(other_station):
    user = UserFactory(name="别站老师")
    assign(user, Role.STATION_STAFF, station=other_station)
    return user


@pytest.fixture
def facility(community):
    return CareFacilityFactory(name="龙泉湖日间照料中心", community=community, day_places=30)


@pytest.fixture
def other_facility(other_community):
    return CareFacilityFactory(name="他社区敬老院", community=other_community)


@pytest.fixture
def facility_staff(facility):
    user = UserFactory(name="护理员")
    assign(user, Role.FACILITY_STAFF, facility=facility)
    return user


@pytest.fixture
def other_facility_staff(other_facility):
    user = UserFactory(name="他院护理员")
    assign(user, Role.FACILITY_STAFF, facility=other_facility)
    return user
