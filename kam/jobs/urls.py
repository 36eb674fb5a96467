from django.urls import path

from kam.jobs import views

app_name = "jobs"

urlpatterns = [
    path("", views.job_list, name="job_list"),
    path("<id:pk>/retry/", views.job_retry, name="job_retry"),
]
