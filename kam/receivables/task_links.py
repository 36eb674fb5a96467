"""Contracts and invoices as records a task may be about (:mod:`kam.activities.todos.links`).

The activities sit below receivables and may not import it; receivables registers its
two kinds from its ``AppConfig.ready``, with the page each is shown on.
"""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kam.activities.todos.links import LinkKind, register
from kam.receivables.models import Contract, Invoice


def _contract_page(record: models.Model) -> str:
    return reverse("receivables:contract", args=[record.pk])


def _invoice_page(record: models.Model) -> str:
    assert isinstance(record, Invoice)
    return reverse("receivables:contract", args=[record.contract_id]) + f"#invoice-{record.pk}"


def register_task_links() -> None:
    register(LinkKind("contract", Contract, _("Contract"), _contract_page))
    register(LinkKind("invoice", Invoice, _("Invoice"), _invoice_page))
