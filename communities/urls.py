from django.urls import path

from communities import views

app_name = "communities"

urlpatterns = [
    path("", views.staff_home, name="staff_home"),
    path("all/", views.community_list, name="community_list"),
    path("<int:pk>/", views.community_detail, name="community_detail"),
    path("<int:pk>/edit/", views.community_edit, name="community_edit"),
    path("households/", views.household_list, name="household_list"),
    path("households/new/", views.household_create, name="household_create"),
    path("households/<int:pk>/", views.household_detail, name="household_detail"),
    path("households/<int:pk>/edit/", views.household_edit, name="household_edit"),
    path("residents/", views.resident_list, name="resident_list"),
    path("residents/new/", views.resident_create, name="resident_create"),
    path("residents/<int:pk>/", views.resident_detail, name="resident_detail"),
    path("residents/<int:pk>/edit/", views.resident_edit, name="resident_edit"),
    path("residents/<int:pk>/invite/", views.resident_invite, name="resident_invite"),
    path("residents/<int:pk>/merge/", views.resident_merge, name="resident_merge"),
    path(
        "residents/<int:pk>/not-a-duplicate/",
        views.resident_dismiss_duplicate,
        name="resident_dismiss_duplicate",
    ),
    path("declarations/", views.declaration_list, name="declaration_list"),
    path("declarations/<int:pk>/verify/", views.declaration_verify, name="declaration_verify"),
    path("declarations/<int:pk>/refuse/", views.declaration_refuse, name="declaration_refuse"),
    path("declarations/<int:pk>/merge/", views.declaration_merge, name="declaration_merge"),
    path("premises/", views.premises_list, name="premises_list"),
    path("premises/new/", views.premises_create, name="premises_create"),
    path("premises/<int:pk>/", views.premises_detail, name="premises_detail"),
    path("premises/<int:pk>/edit/", views.premises_edit, name="premises_edit"),
]
