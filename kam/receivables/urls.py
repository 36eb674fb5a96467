from django.urls import path

from kam.receivables import views

app_name = "receivables"

urlpatterns = [
    path("", views.index, name="index"),
    path("panels/<slug:name>/", views.panel, name="panel"),
    path("aging/invoices/", views.aging_invoices, name="aging_invoices"),
    path("accounts/<id:pk>/panel/", views.account_panel, name="account_panel"),
    path("aging/export/", views.export_aging, name="export_aging"),
    path("overdue/", views.overdue, name="overdue"),
    path("overdue/export/", views.export_overdue, name="export_overdue"),
    path("contracts/", views.contract_list, name="contracts"),
    path(
        "contracts/new/<id:opportunity_pk>/",
        views.contract_create,
        name="contract_create",
    ),
    path("contracts/<id:pk>/", views.contract_detail, name="contract"),
    path("contracts/<id:pk>/release/", views.release_hold, name="release_hold"),
    path("contracts/<id:pk>/<slug:action>/", views.contract_action, name="contract_action"),
    path("payments/<id:pk>/allocate/", views.allocate, name="allocate"),
    path("write-offs/<id:pk>/decide/", views.decide_write_off, name="decide_write_off"),
    path("alerts/<id:pk>/resolve/", views.resolve_alert, name="resolve_alert"),
    path("excuses/response/", views.excuse_response, name="excuse_response"),
    path("invoices/<id:pk>/script/", views.collection_script, name="collection_script"),
    path("calculators/", views.calculators, name="calculators"),
    path("cash-forecast/", views.cash_forecast, name="cash_forecast"),
    path("cash-forecast/export/", views.export_cash_forecast, name="export_cash_forecast"),
]
