from django.urls import path

from kam.receivables import views

app_name = "receivables"

urlpatterns = [
    path("", views.index, name="index"),
    path("panels/<slug:name>/", views.panel, name="panel"),
    path("aging/invoices/", views.aging_invoices, name="aging_invoices"),
    path("accounts/<int:pk>/panel/", views.account_panel, name="account_panel"),
    path("aging/export/", views.export_aging, name="export_aging"),
    path("overdue/", views.overdue, name="overdue"),
    path("overdue/export/", views.export_overdue, name="export_overdue"),
    path("contracts/", views.contract_list, name="contracts"),
    path(
        "contracts/new/<int:opportunity_pk>/",
        views.contract_create,
        name="contract_create",
    ),
    path("contracts/<int:pk>/", views.contract_detail, name="contract"),
    path("contracts/<int:pk>/release/", views.release_hold, name="release_hold"),
    path("contracts/<int:pk>/<slug:action>/", views.contract_action, name="contract_action"),
    path("payments/<int:pk>/allocate/", views.allocate, name="allocate"),
    path("write-offs/<int:pk>/decide/", views.decide_write_off, name="decide_write_off"),
    path("alerts/<int:pk>/resolve/", views.resolve_alert, name="resolve_alert"),
    path("excuses/response/", views.excuse_response, name="excuse_response"),
    path("calculators/", views.calculators, name="calculators"),
    path("cash-forecast/", views.cash_forecast, name="cash_forecast"),
    path("cash-forecast/export/", views.export_cash_forecast, name="export_cash_forecast"),
]
