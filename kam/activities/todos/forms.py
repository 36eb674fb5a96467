"""The task form: it parses input, the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kam.accounts.models import Account
from kam.accounts.visibility import visible_accounts
from kam.activities.models import Task
from kam.activities.todos.selectors import task_owners
from kam.core.models import User
from kam.ui.forms import KamForm, offer


class TaskForm(KamForm):
    """Create or change a task; the owner is offered among the colleagues one sees."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(label=pgettext_lazy("task", "What is to be done"), max_length=200)
    due_on = forms.DateField(
        label=_("Due on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none())
    account = forms.ModelChoiceField(
        label=_("Account"),
        queryset=Account.objects.none(),
        required=False,
        help_text=_("Leave empty for a to-do about no customer."),
    )
    notes = forms.CharField(
        label=pgettext_lazy("task", "Notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self,
        *args: Any,
        user: User,
        instance: Task | None = None,
        pick_account: bool,
        **kwargs: Any,
    ) -> None:
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {
                    "version": instance.version,
                    "title": instance.title,
                    "due_on": instance.due_on,
                    "owner": instance.owner_id,
                    "notes": instance.notes,
                },
            )
        else:
            kwargs.setdefault("initial", {}).setdefault("owner", user.pk)
        super().__init__(*args, **kwargs)
        owners = task_owners(user)
        if instance is not None:
            owners = owners | User.objects.filter(pk=instance.owner_id)
        offer(self.fields["owner"], owners.distinct())
        if pick_account:
            offer(self.fields["account"], visible_accounts(user).order_by("name"))
        else:
            del self.fields["account"]

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {name: data.get(name) for name in ("title", "due_on", "owner")} | {
            "notes": data.get("notes") or ""
        }
