"""The signed-in user, kept in the cache between requests instead of read on every page.

`AuthenticationMiddleware` (portal.accounts.middleware) asks `user_for(request)`: when the
session names a user whose cached copy still matches the session's auth hash (so a changed
password signs the session out as before), that copy is used; otherwise Django's own
`get_user` runs (database, backend checks, session verification) and its result is cached.
Saving or deleting a user forgets their copy, at once and when the transaction commits;
code that changes users with `QuerySet.update()` calls `forget` itself.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare

from portal.accounts import scope

TIMEOUT = 3600


def _key(user_id: object) -> str:
    return f"accounts:user:{user_id}"


def unread_key(user_id: object) -> str:
    """Where the user's unread-notification count is cached (portal.notifications.unread
    keeps it; it is named here so that the count comes in the same round trip as the user,
    without accounts importing notifications)."""
    return f"notifications:unread:{user_id}"


def user_for(request: HttpRequest) -> object:
    """The request's user (Django's AnonymousUser when nobody is signed in)."""
    session = request.session
    user_id = session.get(SESSION_KEY)
    session_hash = session.get(HASH_SESSION_KEY)
    if (
        user_id is not None
        and session_hash
        and session.get(BACKEND_SESSION_KEY) in settings.AUTHENTICATION_BACKENDS
    ):
        # One round trip for what every page reads about the user: the account, their
        # roles (portal.accounts.scope) and their unread count (portal.notifications.unread).
        found = cache.get_many(
            [_key(user_id), scope.key(user_id), scope.VERSION_KEY, unread_key(user_id)]
        )
        cached = found.get(_key(user_id))
        if cached is not None and constant_time_compare(
            session_hash, cached.get_session_auth_hash()
        ):
            cached.cache_prefetch = found
            return cached
    user = auth.get_user(request)
    if user.is_authenticated:
        # A fresh copy: nothing the request computes on `user` later goes into the cache.
        cache.set(_key(user.pk), user, TIMEOUT)
    return user


def forget(user_ids: Iterable[object]) -> None:
    keys = [_key(user_id) for user_id in set(user_ids)]
    if keys:
        cache.delete_many(keys)
        transaction.on_commit(lambda: cache.delete_many(keys))


def on_user_changed(sender: type, instance: object, **kwargs: object) -> None:
    forget([instance.pk])
