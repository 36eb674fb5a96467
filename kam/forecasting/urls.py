from django.urls import path

from kam.forecasting import views
from kam.forecasting.review import views as review

app_name = "forecasting"

urlpatterns = [
    path("", views.index, name="index"),
    path("funnel/", views.funnel, name="funnel"),
    path("opportunities/", views.opportunities, name="opportunities"),
    path("progress/", views.progress, name="progress"),
    path("progress/changes/", views.changes, name="changes"),
    path("accuracy/", views.accuracy, name="accuracy"),
    path("targets/", views.targets, name="targets"),
    path("targets/set/", views.set_target, name="set_target"),
    path("adjust/", views.adjust, name="adjust"),
    path("export.xlsx", views.export, name="export"),
    path("review/", review.review, name="review"),
    path("review/decide/", review.decide, name="review_decide"),
    path("review/export.xlsx", review.export_agenda, name="review_export"),
]
