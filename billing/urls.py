from django.urls import path

from billing import views

app_name = "billing"

urlpatterns = [
    path("", views.statement_list, name="statement_list"),
    path("statements/<int:pk>/", views.statement_detail, name="statement_detail"),
    path("statements/<int:pk>/pdf/", views.statement_pdf_download, name="statement_pdf"),
    path("statements/<int:pk>/payment/", views.payment_new, name="payment_new"),
    path("stations/", views.staff_home, name="staff_home"),
    path("stations/<int:pk>/", views.station_fees, name="station_fees"),
    path("stations/<int:pk>/issue/", views.statements_issue, name="statements_issue"),
    path("stations/<int:pk>/prices/", views.price_list_new, name="price_list_new"),
    path("stations/<int:pk>/corrections/", views.adjustment_new, name="adjustment_new"),
    path("stations/<int:pk>/grants/", views.grant_new, name="grant_new"),
]
