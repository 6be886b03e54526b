from django.contrib import admin
from django.urls import include, path

from portal import views
from portal.api.api import api

urlpatterns = [
    path("", views.home, name="home"),
    path("preferences/elder-mode/", views.elder_mode_toggle, name="elder_mode_toggle"),
    path("preferences/language/", views.language_set, name="language_set"),
    path("healthz/", views.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("notifications/", include("portal.notifications.urls")),
    path("communities/", include("communities.urls")),
    path("childcare/", include("childcare.urls")),
    path("fees/", include("billing.urls")),
    path("eldercare/", include("eldercare.urls")),
    path("care/", include("casework.urls")),
    path("dashboards/", include("portal.dashboards.urls")),
    path("reports/", include("portal.reports.urls")),
    path("api/v1/", api.urls),
    path("api-tokens/", include("portal.api.urls")),
    path("admin/login/", views.admin_login, name="admin_login"),
    path("admin/", admin.site.urls),
]
