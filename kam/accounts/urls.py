from django.urls import path

from kam.accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.account_list, name="list"),
    path("new/", views.account_edit, name="create"),
    path("pyramid/", views.pyramid, name="pyramid"),
    path("matrix/", views.matrix, name="matrix"),
    path("qualification/", views.qualification_settings, name="qualification_settings"),
    path("plans/settings/", views.plan_settings, name="plan_settings"),
    path("<id:pk>/", views.account_detail, name="detail"),
    path("<id:pk>/edit/", views.account_edit, name="edit"),
    path("<id:pk>/team/", views.member_add, name="member_add"),
    path("<id:pk>/team/form/", views.member_form, name="member_form"),
    path("<id:pk>/team/<id:member_pk>/", views.member_change, name="member_change"),
    path("<id:pk>/items/<slug:kind>/", views.item_add, name="item_add"),
    path("<id:pk>/items/<slug:kind>/form/", views.item_form, name="item_form"),
    path("<id:pk>/items/<slug:kind>/<id:item_pk>/remove/", views.item_remove, name="item_remove"),
    path("<id:pk>/assess/", views.reassess, name="reassess"),
    path("<id:pk>/tier/", views.tier_override, name="tier_override"),
    path(
        "<id:pk>/needs/<id:need_pk>/opportunity/",
        views.need_to_opportunity,
        name="need_to_opportunity",
    ),
    path("<id:pk>/plans/", views.plan_create, name="plan_create"),
    path("<id:pk>/plans/<id:plan_pk>/", views.plan_detail, name="plan"),
    path("<id:pk>/plans/<id:plan_pk>/<slug:kind>/", views.plan_item, name="plan_item"),
    path(
        "<id:pk>/plans/<id:plan_pk>/review/<slug:step>/",
        views.plan_review,
        name="plan_review",
    ),
]
