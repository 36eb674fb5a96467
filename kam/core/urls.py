from django.urls import path

from kam.core import views

app_name = "core"

urlpatterns = [
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("settings/users/", views.user_list, name="user_list"),
    path("settings/users/new/", views.user_edit, name="user_create"),
    path("settings/users/<id:pk>/", views.user_edit, name="user_edit"),
    path("settings/users/<id:pk>/api-tokens/", views.api_tokens, name="user_api_tokens"),
    path(
        "settings/users/<id:pk>/api-tokens/revoke-all/",
        views.api_tokens_revoke_all,
        name="user_api_tokens_revoke_all",
    ),
    path("api-tokens/", views.api_tokens, name="api_tokens"),
    path("api-tokens/revoke-all/", views.api_tokens_revoke_all, name="api_tokens_revoke_all"),
    path("api-tokens/<id:token_id>/revoke/", views.api_token_revoke, name="api_token_revoke"),
    path("settings/teams/", views.team_list, name="team_list"),
    path("settings/audit/", views.audit_log, name="audit_log"),
    path("settings/teams/new/", views.team_edit, name="team_create"),
    path("settings/teams/<id:pk>/", views.team_edit, name="team_edit"),
]
