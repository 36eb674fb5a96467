"""Pages that belong to no single area: the reports index."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def reports(request: HttpRequest) -> HttpResponse:
    return render(request, "ui/reports.html")
