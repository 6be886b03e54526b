"""The signed-in user, kept in the cache between requests instead of read on every page.

`AuthenticationMiddleware` (portal.accounts.middleware) asks `user_for(request)`: when the
session names a user whose cached copy still matches the session's auth hash (so a changed
password signs the session out as before), that copy is used; otherwise Django's own
`get_user` runs (database, backend checks, session verification) and its result is cached.
Saving or deleting a user forgets their copy, at once and when the transaction commits;
code that changes users with `QuerySet.update()` calls `forget` itself.

The session, the user's copy, roles, unread count and authenticator mark come in one cache
round trip: the browser keeps the signed-in user's id in a cookie (HINT_COOKIE), so their
keys are known before the session is read. The cookie is only a hint: its entries are used
only when the session names the same user, and otherwise read again for the session's user.
It carries no right of its own; `remember` sets it after a sign-in and clears it after a
sign-out.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
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


def totp_key(user_id: object) -> str:
    """Where "this user has an authenticator app" is cached (portal.accounts.middleware)."""
    return f"accounts:totp:{user_id}"


HINT_COOKIE = "portal_uid"


def _keys(user_id: object) -> list[str]:
    """What every page reads about the user: the account, their roles (portal.accounts.scope),
    their unread count (portal.notifications.unread) and, for staff, whether they have an
    authenticator app."""
    return [
        _key(user_id),
        scope.key(user_id),
        scope.VERSION_KEY,
        unread_key(user_id),
        totp_key(user_id),
    ]


def user_for(request: HttpRequest) -> object:
    """The request's user (Django's AnonymousUser when nobody is signed in)."""
    session = request.session
    hint = request.COOKIES.get(HINT_COOKIE, "")
    found = None
    if hint.isascii() and hint.isdigit() and len(hint) <= 20 and hasattr(session, "load_with"):
        # The session and the hinted user's entries in one round trip.
        found = session.load_with(_keys(hint))
    user_id = session.get(SESSION_KEY)
    session_hash = session.get(HASH_SESSION_KEY)
    if (
        user_id is not None
        and session_hash
        and session.get(BACKEND_SESSION_KEY) in settings.AUTHENTICATION_BACKENDS
    ):
        if found is None or str(user_id) != hint:
            found = cache.get_many(_keys(user_id))
        cached = found.get(_key(user_id))
        if cached is not None and constant_time_compare(
            session_hash, cached.get_session_auth_hash()
        ):
            cached.cache_prefetch = found
            request.signed_in_id = str(cached.pk)
            return cached
    user = auth.get_user(request)
    if user.is_authenticated:
        # A fresh copy: nothing the request computes on `user` later goes into the cache.
        cache.set(_key(user.pk), user, TIMEOUT)
    request.signed_in_id = str(user.pk) if user.is_authenticated else ""
    return user


def prefetched(user: object, key: str) -> object:
    """The cache entry `key` as read with the user in user_for's round trip, or read now if
    the user did not come from there."""
    prefetch = getattr(user, "cache_prefetch", None)
    return prefetch.get(key) if prefetch is not None else cache.get(key)


def on_signed_in(sender: type, request: HttpRequest, user: object, **kwargs: object) -> None:
    if request is not None:
        request.signed_in_id = str(user.pk)


def on_signed_out(sender: type, request: HttpRequest, **kwargs: object) -> None:
    if request is not None:
        request.signed_in_id = ""


def remember(request: HttpRequest, response: HttpResponse) -> None:
    """Keep the hint cookie in step with who the request found signed in (nothing when the
    request never looked)."""
    signed_in_id = getattr(request, "signed_in_id", None)
    if signed_in_id is None or signed_in_id == request.COOKIES.get(HINT_COOKIE, ""):
        return
    if signed_in_id:
        response.set_cookie(
            HINT_COOKIE,
            signed_in_id,
            max_age=settings.SESSION_COOKIE_AGE,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
    else:
        response.delete_cookie(HINT_COOKIE, samesite="Lax")


def forget(user_ids: Iterable[object]) -> None:
    keys = [_key(user_id) for user_id in set(user_ids)]
    if keys:
        cache.delete_many(keys)
        transaction.on_commit(lambda: cache.delete_many(keys))


def on_user_changed(sender: type, instance: object, **kwargs: object) -> None:
    forget([instance.pk])
