from django.urls import path

from kam.imports import views

app_name = "imports"

urlpatterns = [
    path("", views.index, name="index"),
    path("template/<slug:kind>.xlsx", views.template, name="template"),
    path("<id:pk>/", views.detail, name="detail"),
    path("<id:pk>/progress/", views.progress, name="progress"),
    path("<id:pk>/commit/", views.commit, name="commit"),
]
