"""Django's PostgreSQL backend with a connection check that costs no round trip while the
connection is evidently sound (settings: ENGINE "portal.db.postgresql").

With CONN_HEALTH_CHECKS, Django checks a kept connection before each request's first query by
sending SELECT 1 and waiting for the answer: one more round trip for every request that uses
the database, which on a busy machine costs about as much as a query. A connection the server
has ended (a restart, pg_terminate_backend, an idle timeout) has the server's goodbye, or the
end of the stream, waiting to be read on its socket; a sound idle connection has nothing. So
a connection used within the last QUIET_SECONDS is checked by looking at its socket, without
waiting; Django's own check runs when something waits to be read there, when psycopg already
knows the connection closed or broken, and for a connection that was idle longer.

The backend also offers server_bound_cursor(), for one statement on a hot path (see there).

What the socket cannot show is a server that vanished without a word (a host crash, a network
cut) in the last few seconds: then the request's first query fails, as it would without
health checks, and Django replaces the connection for the next request.
"""

from __future__ import annotations

import select
import time

from django.db.backends.postgresql import base
from django.db.backends.utils import CursorWrapper

QUIET_SECONDS = 5.0


class DatabaseWrapper(base.DatabaseWrapper):
    _looked_at = 0.0  # when the connection was opened or last checked (time.monotonic())

    def connect(self) -> None:
        super().connect()
        self._looked_at = time.monotonic()

    def close_if_health_check_failed(self) -> None:
        if (
            self.connection is not None
            and self.health_check_enabled
            and not self.health_check_done
            and not self.pool
        ):
            now = time.monotonic()
            recent = now - self._looked_at < QUIET_SECONDS
            self._looked_at = now
            if recent and self._quiet():
                self.health_check_done = True
                return
        super().close_if_health_check_failed()

    def _quiet(self) -> bool:
        """Nothing is waiting to be read: the server has not ended this connection."""
        connection = self.connection
        try:
            if connection.closed or connection.broken:
                return False
            poller = select.poll()
            poller.register(connection.fileno(), select.POLLIN)
            return not poller.poll(0)
        except (OSError, ValueError, base.Database.Error):
            return False

    def server_bound_cursor(self) -> CursorWrapper:
        """A cursor that sends its parameters apart from the statement (server-side binding):
        psycopg writes no SQL literals for them, which for a call with many parameters, arrays
        among them, costs the web process less. It runs through Django's cursor wrapper like
        any other (query logging, error translation, execute wrappers). Nothing is kept
        prepared (Django turns psycopg's prepared statements off, for connection poolers), so
        it works behind a PgBouncer in transaction mode as the other cursors do.

        Django's own cursors bind parameters on the client (the default), which pghistory's
        context injection relies on: it prepends a statement to each write. It leaves a
        SELECT alone, so a SELECT, and only one, belongs here.
        """
        self.close_if_health_check_failed()
        self.ensure_connection()
        with self.wrap_database_errors:
            return self._prepare_cursor(base.Database.Cursor(self.connection))
