from collections.abc import Callable

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import middleware as auth_middleware
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from portal.accounts.models import Role, User
from portal.accounts.signed_in import prefetched, remember, totp_key, user_for


class UserLanguageMiddleware:
    """A signed-in user's saved language wins over the browser's, on every device."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)


# The roles that see the most sensitive records: whole communities' children, elders and
# households (community staff), every record (administrators), a region's figures
# (officials). Django staff accounts (the admin site) count as administrators.
TWO_FACTOR_ROLES = (Role.ADMIN, Role.OFFICIAL, Role.COMMUNITY_STAFF)
# What such a user may still open before the second factor is set up: the sign-in and
# account pages (where it is set up, and sign-out), the language and elder-mode switches.
TWO_FACTOR_SETUP_PREFIXES = ("/accounts/", "/preferences/", "/static/", "/healthz/")


def needs_two_factor(user: User) -> bool:
    return user.is_staff or user.is_superuser or user.has_role(*TWO_FACTOR_ROLES)


class RequireTwoFactorMiddleware:
    """With settings.PORTAL_REQUIRE_TOTP on, a user in a two-factor role who has no
    authenticator app yet is sent to set one up, from every page but the account pages."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.PORTAL_REQUIRE_TOTP and self._must_set_up(request):
            messages.warning(
                request,
                _(
                    "Your role lets you see sensitive records, so your account needs a second "
                    "sign-in step. Set up an authenticator app to continue."
                ),
            )
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)

    def _must_set_up(self, request: HttpRequest) -> bool:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        if request.path.startswith(TWO_FACTOR_SETUP_PREFIXES):
            return False
        if not needs_two_factor(user):
            return False
        return not has_authenticator_app(user)


def has_authenticator_app(user: User) -> bool:
    """Whether `user` has set up an authenticator app. Once they have, the answer is kept in
    the cache (so staff pages do not ask the database every request) until an authenticator
    of theirs is saved or deleted."""
    key = totp_key(user.pk)
    if prefetched(user, key):
        return True
    found = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    if found:
        cache.set(key, True, 3600)
    return found


def on_authenticator_changed(sender: type, instance: Authenticator, **kwargs: object) -> None:
    key = totp_key(instance.user_id)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


class AuthenticationMiddleware(auth_middleware.AuthenticationMiddleware):
    """Django's, with the signed-in user read from the cache (portal.accounts.signed_in)."""

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: user_for(request))

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        remember(request, response)
        return response
