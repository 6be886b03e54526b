"""A kept database connection is checked before a request's first query (CONN_HEALTH_CHECKS)
without a round trip when nothing waits on its socket; one the server ended is replaced
(portal/db/postgresql/base.py)."""

import select
import time

import psycopg
import pytest
from django.db import close_old_connections, connection, connections

from portal.db.postgresql.base import QUIET_SECONDS, DatabaseWrapper

pytestmark = pytest.mark.django_db(transaction=True)


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def wait_readable(fileno: int) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if select.select([fileno], [], [], 0.1)[0]:
            return
    raise AssertionError("the server's goodbye never arrived")


@pytest.fixture
def kept_connection():
    """The connection kept from request to request, as deployed (CONN_MAX_AGE 60)."""
    before = connection.settings_dict["CONN_MAX_AGE"]
    connection.close()
    connection.settings_dict["CONN_MAX_AGE"] = 60
    connection.ensure_connection()
    yield
    connection.settings_dict["CONN_MAX_AGE"] = before
    connection.close()


def test_a_sound_connection_is_kept_without_a_query_and_an_ended_one_replaced(
    kept_connection, monkeypatch
):
    checks = []  # Django's own check (SELECT 1), each time it runs
    django_check = DatabaseWrapper.is_usable

    def counted(self):
        usable = django_check(self)
        checks.append(usable)
        return usable

    monkeypatch.setattr(DatabaseWrapper, "is_usable", counted)
    assert isinstance(connections["default"], DatabaseWrapper)  # the portal's backend
    first = backend_pid()

    close_old_connections()  # what Django does as each request starts
    assert backend_pid() == first
    assert checks == []

    # Idle for longer than a few seconds: Django's own check, which finds it sound.
    connection._looked_at -= QUIET_SECONDS + 1
    close_old_connections()
    assert backend_pid() == first
    assert checks == [True]

    with psycopg.connect(
        **{k: v for k, v in connection.get_connection_params().items() if k != "context"},
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [first])
    wait_readable(connection.connection.fileno())

    close_old_connections()
    assert backend_pid() != first
    assert checks == [True, False]  # checked because it had something to read; found dead
