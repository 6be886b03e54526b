from django.urls import path

from billing import views

app_name = "billing"

urlpatterns = [
    path("", views.statement_list, name="statement_list"),
    path("statements/<int:pk>/", views.statement_detail, name="statement_detail"),
]
