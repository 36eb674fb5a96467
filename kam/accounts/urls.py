from django.urls import path

from kam.accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.account_list, name="list"),
    path("new/", views.account_edit, name="create"),
    path("pyramid/", views.pyramid, name="pyramid"),
    path("matrix/", views.matrix, name="matrix"),
    path("qualification/", views.qualification_settings, name="qualification_settings"),
    path("<int:pk>/", views.account_detail, name="detail"),
    path("<int:pk>/edit/", views.account_edit, name="edit"),
    path("<int:pk>/team/", views.member_add, name="member_add"),
    path("<int:pk>/team/form/", views.member_form, name="member_form"),
    path("<int:pk>/team/<int:member_pk>/", views.member_change, name="member_change"),
    path("<int:pk>/items/<slug:kind>/", views.item_add, name="item_add"),
    path("<int:pk>/items/<slug:kind>/form/", views.item_form, name="item_form"),
    path("<int:pk>/items/<slug:kind>/<int:item_pk>/remove/", views.item_remove, name="item_remove"),
    path("<int:pk>/assess/", views.reassess, name="reassess"),
    path("<int:pk>/tier/", views.tier_override, name="tier_override"),
    path(
        "<int:pk>/needs/<int:need_pk>/opportunity/",
        views.need_to_opportunity,
        name="need_to_opportunity",
    ),
    path("<int:pk>/plans/", views.plan_create, name="plan_create"),
    path("<int:pk>/plans/<int:plan_pk>/", views.plan_detail, name="plan"),
    path("<int:pk>/plans/<int:plan_pk>/<slug:kind>/", views.plan_item, name="plan_item"),
]
