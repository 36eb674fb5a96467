"""Things recorded about an account: installed base, departments, competitors, notes,
SWOT, latent needs and value periods (DOMAIN.md §1.1, §1.3, §1.6)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from kam.accounts.models import Account, LatentNeed
from kam.accounts.visibility import require_edit
from kam.core import changes
from kam.core.models import Interface, User
from kam.core.providers import Provider


def _year_taken(model: type[models.Model], account_id: int, year: int, pk: Any = None) -> bool:
    """Whether the account has a record of ``model`` for ``year`` already (value periods)."""
    records = model._default_manager.filter(account_id=account_id, year=year)
    if pk is not None:
        records = records.exclude(pk=pk)
    return records.exists()


@transaction.atomic
def add_item(
    account: Account,
    model: type[models.Model],
    *,
    by: User | None,
    via: str = Interface.WEB,
    **fields: Any,
) -> Any:
    """Record one item about ``account`` (e.g. a competitor present there)."""
    require_edit(by, account)
    item: Any = model(account=account, **fields)
    if hasattr(item, "author_id") and by is not None and item.author_id is None:
        item.author = by
    changes.full_clean(item)
    if hasattr(item, "year") and _year_taken(model, account.pk, item.year):
        raise ValidationError({"year": _("This year is recorded already; change that one.")})
    return changes.create(item, by=by, via=via, clean=None)


@transaction.atomic
def update_item(item: Any, *, by: User | None, via: str = Interface.WEB, **fields: Any) -> Any:
    """Change an item recorded about an account (every save is recorded)."""
    require_edit(by, item.account)

    def clean(instance: models.Model) -> None:
        changes.full_clean(instance)
        if "year" in fields and _year_taken(type(item), item.account_id, item.year, item.pk):
            raise ValidationError({"year": _("This year is recorded already; change that one.")})

    try:
        changes.update(item, fields, by=by, via=via, clean=clean, always=True)
    except ValidationError:
        item.refresh_from_db()
        raise
    return item


@transaction.atomic
def remove_item(item: Any, *, by: User | None, via: str = Interface.WEB) -> None:
    """Delete an item recorded about an account."""
    require_edit(by, item.account)
    changes.delete(item, by=by, via=via)


# --- latent needs into opportunities (§1.6) --------------------------------------


def _no_pipeline(**fields: Any) -> Any:
    raise ValidationError(_("Opportunities cannot be created here yet."))


#: Opening a deal at an account (keyword arguments of
#: ``kam.pipeline.services.create_opportunity``); the pipeline answers (``kam.pipeline.apps``).
open_opportunity: Provider[..., Any] = Provider("opening an opportunity", _no_pipeline)


@transaction.atomic
def turn_need_into_opportunity(
    need: LatentNeed,
    *,
    name: str,
    amount: Decimal,
    expected_close_date: date,
    by: User,
    via: str = Interface.WEB,
) -> Any:
    """Open an opportunity for a latent need in one step, and link the two.

    The need's audit row names the opportunity under ``opportunity_id``.
    """
    require_edit(by, need.account)
    if need.opportunity_id is not None:
        raise ValidationError(_("This need has an opportunity already."))
    if amount is None or amount < 0:
        raise ValidationError({"amount": _("The amount cannot be negative.")})
    opportunity = open_opportunity(
        account=need.account,
        name=name,
        amount=amount,
        owner=need.account.owner,
        expected_close_date=expected_close_date,
        by=by,
        via=via,
    )
    changes.update(need, {"opportunity": opportunity}, by=by, via=via, clean=None)
    return opportunity
