from django.urls import path

from kam.stakeholders import views

app_name = "stakeholders"

urlpatterns = [
    path("", views.contact_list, name="list"),
    path("new/", views.contact_create, name="create"),
    path("<id:pk>/", views.contact_detail, name="detail"),
    path("<id:pk>/edit/", views.contact_edit, name="edit"),
    path("<id:pk>/personal/", views.personal_info, name="personal"),
    path("<id:pk>/personal/export.<str:fmt>", views.personal_export, name="personal_export"),
    path("<id:pk>/personal/erase/", views.personal_erase, name="personal_erase"),
    path("opportunities/<id:pk>/", views.opportunity_chain, name="opportunity"),
    path(
        "opportunities/<id:pk>/decision-chain/",
        views.opportunity_panel,
        name="opportunity_panel",
    ),
    path("opportunities/<id:pk>/members/", views.stakeholder_add, name="member_add"),
    path("opportunities/<id:pk>/map/role/", views.map_set_role, name="map_role"),
    path("members/<id:pk>/assess/", views.stakeholder_assess, name="member_assess"),
    path("members/<id:pk>/interests/", views.stakeholder_interests, name="member_interests"),
    path("members/<id:pk>/remove/", views.stakeholder_remove, name="member_remove"),
    path("accounts/<id:pk>/", views.account_chain, name="account"),
    path("accounts/<id:pk>/panel/", views.account_panel, name="account_panel"),
    path("accounts/<id:pk>/payment-chain/", views.payment_chain_edit, name="payment_chain"),
    path("accounts/<id:pk>/map/", views.account_map_partial, name="map"),
    path("accounts/<id:pk>/map/lines/", views.map_add_line, name="map_line_add"),
    path(
        "accounts/<id:pk>/map/lines/<id:line>/remove/",
        views.map_remove_line,
        name="map_line_remove",
    ),
    path("red-flags/", views.pipeline_flags, name="red_flags"),
    path("settings/red-flags/", views.red_flag_settings, name="settings"),
]
