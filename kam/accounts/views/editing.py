"""How the account pages find the account of a request and guard its changes."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from kam.accounts import selectors
from kam.accounts.models import Account
from kam.accounts.visibility import require_edit
from kam.core.http import AuthenticatedHttpRequest


def flash_errors(request: AuthenticatedHttpRequest, error: ValidationError | Any) -> None:
    """Show a service's refusal or an invalid form as messages on the next page."""
    if isinstance(error, ValidationError):
        for message in error.messages:
            messages.error(request, message)
    else:
        for field_errors in error.errors.values():
            for message in field_errors:
                messages.error(request, message)


def account_or_404(request: AuthenticatedHttpRequest, pk: int) -> Account:
    """The visible account ``pk``; 404 when the user may not see it."""
    try:
        return selectors.editable_account(request.user, pk)
    except Account.DoesNotExist:
        raise Http404 from None


def editing(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A POST that changes an account: 404 if unseen, 403 if read-only (finance)."""

    @wraps(view)
    @login_required
    @require_POST
    def wrapper(
        request: AuthenticatedHttpRequest, pk: int, *args: Any, **kwargs: Any
    ) -> HttpResponse:
        account = account_or_404(request, pk)
        require_edit(request.user, account)
        return view(request, account, *args, **kwargs)

    return wrapper


def back_to(account: Account, anchor: str = "") -> HttpResponse:
    """Back to the account's 360 page, at the panel ``anchor``."""
    url = reverse("accounts:detail", args=[account.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)
