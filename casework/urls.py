from django.urls import path

from casework import views

app_name = "casework"

urlpatterns = [
    # The family's page of who read their child's records (childcare's and the case record).
    path("family/children/<int:pk>/reads/", views.child_record_reads, name="child_record_reads"),
    path("", views.volunteer_home, name="volunteer_home"),
    path("children/", views.child_list, name="child_list"),
    path("children/summary/", views.summary, name="summary"),
    path("children/register/", views.child_register, name="child_register"),
    path("children/<int:pk>/", views.child_detail, name="child_detail"),
    path("children/<int:pk>/approve/", views.child_approve, name="child_approve"),
    path("children/<int:pk>/close/request/", views.child_close_request, name="child_close_request"),
    path("children/<int:pk>/close/approve/", views.child_close_approve, name="child_close_approve"),
    path("children/<int:pk>/risk/", views.child_risk, name="child_risk"),
    path("children/<int:pk>/pair/", views.pairing_create, name="pairing_create"),
    path("children/<int:pk>/visit/", views.visit_create, name="visit_create"),
    path("pairings/<int:pk>/end/", views.pairing_end, name="pairing_end"),
    path("concerns/", views.concern_list, name="concern_list"),
    path("concerns/<int:pk>/report/", views.concern_report, name="concern_report"),
    path("access-log/", views.access_log, name="access_log"),
    path("outreach/", views.outreach_list, name="outreach_list"),
    path("outreach/new/", views.outreach_create, name="outreach_create"),
    path("households/<int:pk>/", views.household_detail, name="household_detail"),
    path("hours/", views.hours_staff, name="hours_staff"),
    path("hours/mine/", views.hours_mine, name="hours_mine"),
    path("hours/export.csv", views.hours_export, name="hours_export"),
    path("hours/certificate/<int:year>/", views.hours_certificate, name="hours_certificate"),
]
