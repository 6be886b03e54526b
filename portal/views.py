from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from portal.accounts.models import Role, User
from portal.context_processors import ELDER_MODE_COOKIE
from portal.health import health_response

# Each role's start page, in order of precedence for users who hold several roles.
ROLE_START_PAGES = [
    (Role.ADMIN, "communities:community_list"),
    (Role.OFFICIAL, "dashboards:home"),
    (Role.COMMUNITY_STAFF, "communities:staff_home"),
    (Role.STATION_STAFF, "childcare:staff_home"),
    (Role.FACILITY_STAFF, "eldercare:staff_home"),
    (Role.VOLUNTEER, "casework:volunteer_home"),
    (Role.PARENT, "childcare:parent_home"),
    (Role.ELDER_FAMILY, "eldercare:family_home"),
]


def start_page_for(user: User) -> str | None:
    for role, url_name in ROLE_START_PAGES:
        if user.has_role(role) or (role == Role.ADMIN and user.is_superuser):
            return reverse(url_name)
    return None


def home(request: HttpRequest) -> HttpResponse:
    """Signed-in users go to their role's start page; visitors see the public front page."""
    if request.user.is_authenticated:
        target = start_page_for(request.user)
        if target:
            return redirect(target)
        # No role yet: a family new to the portal registers household and child.
        return redirect("childcare:start")
    station_finder_url = reverse("childcare:station_finder")
    return render(request, "home.html", {"station_finder_url": station_finder_url})


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.META.get("HTTP_REFERER") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return "/"
    return target


@require_POST
def elder_mode_toggle(request: HttpRequest) -> HttpResponse:
    """Switch elder mode; remembered in a cookie for this browser and on the account."""
    enabled = request.POST.get("enabled") == "1"
    response = redirect(_safe_next(request))
    response.set_cookie(
        ELDER_MODE_COOKIE,
        "1" if enabled else "0",
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=settings.ELDER_MODE_COOKIE_SECURE,
    )
    if request.user.is_authenticated and request.user.elder_mode != enabled:
        request.user.elder_mode = enabled
        request.user.save(update_fields=["elder_mode"])
    return response


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """Switch language; remembered in a cookie and, when signed in, on the account."""
    code = request.POST.get("language", "")
    if code not in dict(settings.LANGUAGES):
        return redirect(_safe_next(request))
    response = redirect(_safe_next(request))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
    )
    translation.activate(code)
    if request.user.is_authenticated and request.user.language != code:
        request.user.language = code
        request.user.save(update_fields=["language"])
    return response


def admin_login(request: HttpRequest) -> HttpResponse:
    """The admin site signs in through the portal's own sign-in page.

    Django's admin login form would be a second way in without the failed-sign-in limits and
    without the second factor; every sign-in goes through allauth instead.
    """
    target = request.GET.get("next") or reverse("admin:index")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("admin:index")
    if request.user.is_authenticated:
        if request.user.is_staff:
            return redirect(target)
        # Signed in, but not an administrator: the sign-in page would send them straight back.
        raise PermissionDenied
    return redirect(f"{reverse('account_login')}?{urlencode({'next': target})}")


def healthz(request: HttpRequest) -> JsonResponse:
    """Normally answered by portal.health.HealthCheckMiddleware; kept for the URL's name."""
    return health_response()
