from django.urls import path

from kam.core import views

app_name = "core"

urlpatterns = [
    path("settings/users/", views.user_list, name="user_list"),
    path("settings/users/new/", views.user_edit, name="user_create"),
    path("settings/users/<id:pk>/", views.user_edit, name="user_edit"),
    path("settings/teams/", views.team_list, name="team_list"),
    path("settings/audit/", views.audit_log, name="audit_log"),
    path("settings/teams/new/", views.team_edit, name="team_create"),
    path("settings/teams/<id:pk>/", views.team_edit, name="team_edit"),
]
