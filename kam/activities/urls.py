from django.urls import path

from kam.activities import views

app_name = "activities"

urlpatterns = [
    path("", views.activity_list, name="list"),
    path("new/", views.activity_plan, name="plan"),
    path("stalled/", views.stalled, name="stalled"),
    path("calendar/", views.calendar_view, name="calendar"),
    path("calendar/link/", views.calendar_feed, name="calendar_feed"),
    path("feed/<str:token>.ics", views.ics_feed, name="ics"),
    path("<id:pk>/", views.activity_detail, name="detail"),
    path("<id:pk>/edit/", views.activity_edit, name="edit"),
    path("<id:pk>/outcome/", views.activity_outcome, name="outcome"),
    path("<id:pk>/cancel/", views.activity_cancel, name="cancel"),
]
