from django.urls import path

from kam.pipeline import views

app_name = "pipeline"

urlpatterns = [
    path("", views.opportunity_list, name="list"),
    path("new/", views.opportunity_edit, name="create"),
    path("board/", views.board, name="board"),
    path("board/stages/<id:stage>/", views.board_column, name="board_column"),
    path("board/<id:pk>/move/", views.board_move, name="board_move"),
    path("settings/", views.stage_settings, name="settings"),
    path("accounts/<id:pk>/panel/", views.account_panel, name="account_panel"),
    path("<id:pk>/", views.opportunity_detail, name="detail"),
    path("<id:pk>/edit/", views.opportunity_edit, name="edit"),
    path("<id:pk>/move/", views.opportunity_move, name="move"),
    path("<id:pk>/close/", views.opportunity_close, name="close"),
    path("<id:pk>/reopen/", views.opportunity_reopen, name="reopen"),
    path("<id:pk>/evaluations/", views.evaluation_add, name="evaluate"),
    path("<id:pk>/competitors/", views.competitor_add, name="competitor_add"),
    path(
        "<id:pk>/competitors/<id:item>/remove/",
        views.competitor_remove,
        name="competitor_remove",
    ),
    path("<id:pk>/factors/", views.factor_add, name="factor_add"),
    path("<id:pk>/factors/<id:item>/", views.factor_update, name="factor_update"),
    path("<id:pk>/factors/<id:item>/remove/", views.factor_remove, name="factor_remove"),
    path("<id:pk>/objections/", views.objection_add, name="objection_add"),
    path("<id:pk>/objections/<id:item>/", views.objection_update, name="objection_update"),
]
