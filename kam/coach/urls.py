from django.urls import path

from kam.coach import views

app_name = "coach"

urlpatterns = [
    path("playbook/", views.playbook, name="playbook"),
    path("playbook/<id:pk>/edit/", views.playbook_edit, name="playbook_edit"),
    path("activities/<id:pk>/", views.call_plan, name="plan"),
    path("activities/<id:pk>/objective-met/", views.objective_met, name="objective_met"),
    path(
        "activities/<id:pk>/objections/<id:objection>/response/",
        views.response_used,
        name="response_used",
    ),
]
