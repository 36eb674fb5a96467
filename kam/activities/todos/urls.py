from django.urls import path

from kam.activities.todos import views

app_name = "tasks"

urlpatterns = [
    path("", views.task_list, name="list"),
    path("new/", views.task_create, name="create"),
    path("panel/", views.task_panel, name="panel"),
    path("<id:pk>/edit/", views.task_edit, name="edit"),
    path("<id:pk>/toggle/", views.task_toggle, name="toggle"),
]
