from django.urls import path

from childcare import family_views, start_views, views

app_name = "childcare"

urlpatterns = [
    path("stations/", views.station_finder, name="station_finder"),
    path("stations/<int:pk>/", views.station_detail, name="station_detail"),
    path("stations/<int:pk>/apply/", views.enrolment_apply, name="enrolment_apply"),
    path("sessions/<int:pk>/book/", views.booking_create, name="booking_create"),
    path("bookings/<int:pk>/cancel/", views.booking_cancel, name="booking_cancel"),
    path("my/", views.parent_home, name="parent_home"),
    path("my/children/new/", start_views.child_register, name="child_register"),
    path("start/", start_views.start, name="start"),
    path("start/household/", start_views.start_household, name="start_household"),
    path("start/child/", start_views.start_child, name="start_child"),
    path("children/<int:pk>/consent/", start_views.consent_page, name="consent"),
    path(
        "children/<int:pk>/consent/withdraw/",
        start_views.consent_withdraw,
        name="consent_withdraw",
    ),
    path("children/<int:pk>/consent/give/", start_views.consent_give, name="consent_give"),
    path("children/<int:pk>/", views.child_detail, name="child_detail"),
    path("children/<int:pk>/guardians/new/", views.guardian_add, name="guardian_add"),
    path("staff/", views.staff_home, name="staff_home"),
    path("staff/stations/<int:pk>/day/", views.station_day, name="station_day"),
    path("staff/stations/<int:pk>/edit/", views.station_edit, name="station_edit"),
    path("staff/stations/<int:pk>/sessions/", views.session_list, name="session_list"),
    path("staff/stations/<int:pk>/curriculum/", views.curriculum_edit, name="curriculum_edit"),
    path("staff/enrolments/", views.enrolment_list, name="enrolment_list"),
    path("staff/enrolments/<int:pk>/", views.enrolment_detail, name="enrolment_detail"),
    path("staff/children/<int:pk>/", views.child_care, name="child_care"),
    path("children/<int:pk>/live/", family_views.child_live, name="child_live"),
    path("children/<int:pk>/messages/", family_views.child_messages, name="child_messages"),
    path("messages/<int:pk>/photo/", family_views.message_photo, name="message_photo"),
    path("children/<int:pk>/absences/new/", family_views.absence_report, name="absence_report"),
    path("children/<int:pk>/photo-consent/", family_views.photo_consent, name="photo_consent"),
    path("children/<int:pk>/portfolio/", family_views.portfolio, name="portfolio"),
    path("children/<int:pk>/portfolio.pdf", family_views.portfolio_pdf, name="portfolio_pdf"),
    path("photos/<int:pk>/", family_views.photo_file, name="photo_file"),
    path("incidents/<int:pk>/ack/", family_views.incident_acknowledge, name="incident_ack"),
    path("staff/stations/<int:pk>/photos/", family_views.photo_upload, name="photo_upload"),
    path(
        "staff/stations/<int:pk>/messages/", family_views.station_messages, name="station_messages"
    ),
    path(
        "staff/stations/<int:pk>/incidents/",
        family_views.station_incidents,
        name="station_incidents",
    ),
    path("staff/children/<int:pk>/incident/", family_views.incident_record, name="incident_record"),
    path("staff/incidents/", family_views.incident_overview, name="incident_overview"),
]
