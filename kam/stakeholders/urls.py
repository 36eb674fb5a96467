from django.urls import path

from kam.stakeholders import views

app_name = "stakeholders"

urlpatterns = [
    path("", views.contact_list, name="list"),
    path("new/", views.contact_create, name="create"),
    path("<int:pk>/", views.contact_detail, name="detail"),
    path("<int:pk>/edit/", views.contact_edit, name="edit"),
    path("<int:pk>/personal/", views.personal_info, name="personal"),
    path("<int:pk>/personal/export.<str:fmt>", views.personal_export, name="personal_export"),
    path("<int:pk>/personal/erase/", views.personal_erase, name="personal_erase"),
    path("opportunities/<int:pk>/", views.opportunity_chain, name="opportunity"),
    path(
        "opportunities/<int:pk>/decision-chain/",
        views.opportunity_panel,
        name="opportunity_panel",
    ),
    path("opportunities/<int:pk>/members/", views.stakeholder_add, name="member_add"),
    path("opportunities/<int:pk>/map/role/", views.map_set_role, name="map_role"),
    path("members/<int:pk>/assess/", views.stakeholder_assess, name="member_assess"),
    path("members/<int:pk>/remove/", views.stakeholder_remove, name="member_remove"),
    path("accounts/<int:pk>/", views.account_chain, name="account"),
    path("accounts/<int:pk>/panel/", views.account_panel, name="account_panel"),
    path("accounts/<int:pk>/payment-chain/", views.payment_chain_edit, name="payment_chain"),
    path("accounts/<int:pk>/map/", views.account_map_partial, name="map"),
    path("accounts/<int:pk>/map/lines/", views.map_add_line, name="map_line_add"),
    path(
        "accounts/<int:pk>/map/lines/<int:line>/remove/",
        views.map_remove_line,
        name="map_line_remove",
    ),
    path("red-flags/", views.pipeline_flags, name="red_flags"),
    path("settings/red-flags/", views.red_flag_settings, name="settings"),
]
