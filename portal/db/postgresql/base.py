"""Django's PostgreSQL backend with a connection check that costs no round trip when the
connection is evidently sound (settings: ENGINE "portal.db.postgresql").

With CONN_HEALTH_CHECKS, Django checks a kept connection before each request's first query by
sending SELECT 1 and waiting for the answer: one more round trip for every request that uses
the database, which on a busy machine costs about as much as a query. A connection the server
has ended (a restart, pg_terminate_backend, an idle timeout) has the server's goodbye, or the
end of the stream, waiting to be read on its socket; a sound idle connection has nothing. So
the socket is looked at first (without waiting), and only a connection with something to read,
or one psycopg already knows to be closed or broken, gets Django's own check: replaced if it
fails, kept if not.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def close_if_health_check_failed(self) -> None:
        if (
            self.connection is not None
            and self.health_check_enabled
            and not self.health_check_done
            and not self.pool
            and self._quiet()
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    def _quiet(self) -> bool:
        """Nothing is waiting to be read: the server has not ended this connection."""
        connection = self.connection
        if connection.closed or connection.broken:
            return False
        try:
            readable, _writable, _failed = select.select([connection.fileno()], [], [], 0)
        except (OSError, ValueError):
            return False
        return not readable
