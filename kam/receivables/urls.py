from django.urls import path

from kam.receivables import views

app_name = "receivables"

urlpatterns = [
    path("", views.index, name="index"),
]
