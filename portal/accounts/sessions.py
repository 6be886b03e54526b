"""The session engine: Django's cached_db (sessions read from the cache, written through to
the database), able to read the session in the same cache round trip as the signed-in user's
entries (portal.accounts.signed_in)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.sessions.backends import cached_db
from django.core.cache import DEFAULT_CACHE_ALIAS, cache


class SessionStore(cached_db.SessionStore):
    def load_with(self, keys: list[str]) -> dict[str, Any]:
        """The cache entries `keys` (those found), read in one round trip with this session
        when it is not loaded yet. A session missing from the cache is loaded later as
        Django loads it (from the database, then cached again)."""
        if self.session_key is None:
            return {}  # no session, nobody signed in
        if hasattr(self, "_session_cache") or settings.SESSION_CACHE_ALIAS != DEFAULT_CACHE_ALIAS:
            return cache.get_many(keys)
        try:
            found = cache.get_many([self.cache_key, *keys])
        except Exception:
            # As cached_db.load does: the session is read from the database instead.
            return cache.get_many(keys)
        data = found.pop(self.cache_key, None)
        if data is not None:
            self._session_cache = data
        return found
