"""Response headers that tell the browser what the portal's pages may never do."""

from __future__ import annotations

from collections.abc import Callable

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.utils import build_policy
from django.conf import settings
from django.http import HttpRequest, HttpResponse


class SecureCookiesMiddleware:
    """Marks every cookie a response sets `Secure` when settings.COOKIES_SECURE is on.

    Django's own flags cover the session and CSRF cookies when they are set, but not the
    Set-Cookie lines that delete a cookie (the session at sign-out, the messages cookie once
    read) nor cookies set by third-party code; this is the one place that covers them all.
    First in MIDDLEWARE, so it sees the response last.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if settings.COOKIES_SECURE:
            for morsel in response.cookies.values():
                morsel["secure"] = True
        return response


class PermissionsPolicyMiddleware:
    """Sends `Permissions-Policy` (settings.PERMISSIONS_POLICY): no page of the portal uses the
    camera, microphone, location or payment, so no script that got in could use them either."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=({' '.join(allow)})"
            for feature, allow in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response


class ContentSecurityPolicyMiddleware:
    """Sends settings.CONTENT_SECURITY_POLICY (and a report-only policy if one is set), built
    once per process with django-csp's own builder.

    django-csp's middleware builds the header again for every response, about 2 ms of a
    10 ms page. The portal's policy uses no nonces and no per-view changes (no csp_update or
    csp_exempt anywhere), so the header is the same string every time. As django-csp does,
    Django's debug pages for 404 and 500 (DEBUG only) get no header: they use inline styles.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = build_policy()
        self.report_only = build_policy(report_only=True)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if settings.DEBUG and response.status_code in (404, 500):
            return response
        if self.policy:
            response.headers.setdefault(HEADER, self.policy)
        if self.report_only:
            response.headers.setdefault(HEADER_REPORT_ONLY, self.report_only)
        return response
