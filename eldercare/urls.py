from django.urls import path

from eldercare import device_views, views

app_name = "eldercare"

urlpatterns = [
    path("", views.staff_home, name="staff_home"),
    path("family/", views.family_home, name="family_home"),
    path("family/elders/<int:pk>/", views.family_elder, name="family_elder"),
    path("family/elders/<int:pk>/book/", views.family_book, name="family_book"),
    path("family/elders/<int:pk>/notice/", views.family_notice, name="family_notice"),
    path(
        "family/notices/<int:pk>/delete/", views.family_notice_delete, name="family_notice_delete"
    ),
    path(
        "family/bookings/<int:pk>/cancel/",
        views.family_booking_cancel,
        name="family_booking_cancel",
    ),
    path("facilities/<int:pk>/", views.facility_detail, name="facility_detail"),
    path("facilities/<int:pk>/edit/", views.facility_edit, name="facility_edit"),
    path("facilities/<int:pk>/day/", views.facility_day, name="facility_day"),
    path("facilities/<int:pk>/check-in/<int:elder_pk>/", views.check_in, name="check_in"),
    path("attendance/<int:pk>/check-out/", views.check_out, name="check_out"),
    path("facilities/<int:pk>/records/", views.facility_records, name="facility_records"),
    path("facilities/<int:pk>/elders/new/", views.elder_create, name="elder_create"),
    path("facilities/<int:pk>/meals/", views.meal_list, name="meal_list"),
    path("facilities/<int:pk>/kitchen/", views.kitchen_list, name="kitchen_list"),
    path("facilities/<int:pk>/readings/import/", views.readings_import, name="readings_import"),
    path("elders/<int:pk>/", views.elder_detail, name="elder_detail"),
    path("elders/<int:pk>/edit/", views.elder_edit, name="elder_edit"),
    path("elders/<int:pk>/contacts/new/", views.contact_add, name="contact_add"),
    path("elders/<int:pk>/assess/", views.assessment_create, name="assessment_create"),
    path("elders/<int:pk>/risks/", views.risk_assessment_create, name="risk_assessment_create"),
    path("elders/<int:pk>/events/new/", views.risk_event_create, name="risk_event_create"),
    path("elders/<int:pk>/thresholds/", views.threshold_set, name="threshold_set"),
    path("elders/<int:pk>/readings/new/", views.reading_create, name="reading_create"),
    path("meals/<int:pk>/", views.meal_detail, name="meal_detail"),
    path("bookings/<int:pk>/<slug:action>/", views.booking_action, name="booking_action"),
    path("alerts/", views.alert_list, name="alert_list"),
    path("alerts/<int:pk>/", views.alert_detail, name="alert_detail"),
    path("alerts/<int:pk>/acknowledge/", views.alert_acknowledge, name="alert_acknowledge"),
    path("devices/ingest/", device_views.ingest, name="device_ingest"),
    path("devices/", device_views.device_list, name="device_list"),
    path("devices/refused/", device_views.dead_letter_list, name="dead_letter_list"),
    path("elders/<int:pk>/devices/new/", device_views.device_create, name="device_create"),
    path("smart-care/", device_views.smart_care, name="smart_care"),
    path("alarms/", device_views.alarm_board, name="alarm_board"),
    path("alarms/board.json", device_views.alarm_board_json, name="alarm_board_json"),
    path("alarms/<int:pk>/", device_views.alarm_detail, name="alarm_detail"),
    path("alarms/<int:pk>/acknowledge/", device_views.alarm_acknowledge, name="alarm_acknowledge"),
]
