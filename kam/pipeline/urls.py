from django.urls import path

from kam.pipeline import views

app_name = "pipeline"

urlpatterns = [
    path("", views.opportunity_list, name="list"),
    path("new/", views.opportunity_edit, name="create"),
    path("board/", views.board, name="board"),
    path("board/stages/<int:stage>/", views.board_column, name="board_column"),
    path("board/<int:pk>/move/", views.board_move, name="board_move"),
    path("settings/", views.stage_settings, name="settings"),
    path("accounts/<int:pk>/panel/", views.account_panel, name="account_panel"),
    path("<int:pk>/", views.opportunity_detail, name="detail"),
    path("<int:pk>/edit/", views.opportunity_edit, name="edit"),
    path("<int:pk>/move/", views.opportunity_move, name="move"),
    path("<int:pk>/close/", views.opportunity_close, name="close"),
    path("<int:pk>/reopen/", views.opportunity_reopen, name="reopen"),
    path("<int:pk>/evaluations/", views.evaluation_add, name="evaluate"),
    path("<int:pk>/competitors/", views.competitor_add, name="competitor_add"),
    path(
        "<int:pk>/competitors/<int:item>/remove/",
        views.competitor_remove,
        name="competitor_remove",
    ),
    path("<int:pk>/factors/", views.factor_add, name="factor_add"),
    path("<int:pk>/factors/<int:item>/remove/", views.factor_remove, name="factor_remove"),
    path("<int:pk>/objections/", views.objection_add, name="objection_add"),
    path("<int:pk>/objections/<int:item>/", views.objection_update, name="objection_update"),
]
