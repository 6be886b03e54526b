from django.urls import path

from portal.dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("", views.home, name="home"),
    path("<slug:code>/", views.region_dashboard, name="region"),
    path("<slug:code>/refresh/", views.region_refresh, name="region_refresh"),
    path(
        "<slug:code>/export/<slug:table>.<slug:fmt>",
        views.region_export,
        name="region_export",
    ),
]
