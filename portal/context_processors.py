from django.conf import settings
from django.http import HttpRequest

ELDER_MODE_COOKIE = "elder_mode"


def portal(request: HttpRequest) -> dict:
    """Elder mode and the unread count for the header, on every page."""
    user = request.user
    elder_mode = request.COOKIES.get(ELDER_MODE_COOKIE) == "1"
    unread = 0
    if user.is_authenticated:
        elder_mode = elder_mode or user.elder_mode
        unread = user.notifications.filter(read_at__isnull=True).count()
    return {
        "elder_mode": elder_mode,
        "unread_count": unread,
        "portal_name": settings.PORTAL_NAME,
    }
