"""The funnel board: one column per stage, cards dragged between them (§3.1)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from kam.core.concurrency import ConflictError
from kam.core.http import AuthenticatedHttpRequest
from kam.core.params import query_int
from kam.core.visibility import visible_teams, visible_users
from kam.pipeline import selectors, services
from kam.pipeline.cards import cards
from kam.pipeline.models import Opportunity, Stage, StageModel
from kam.pipeline.views.common import editing, visible_deal


def _board_scope(request: AuthenticatedHttpRequest) -> dict[str, int | None]:
    return {"owner": query_int(request.GET, "owner"), "team": query_int(request.GET, "team")}


@login_required
def board(request: AuthenticatedHttpRequest) -> HttpResponse:
    """One column per stage of a model; the first page of cards in each, the rest on demand."""
    user = request.user
    model = selectors.stage_model(request.GET.get("model", ""))
    scope = _board_scope(request)
    columns = selectors.board(user, model, **scope)
    params = request.GET.copy()
    params.pop("offset", None)
    return render(
        request,
        "pipeline/board.html",
        {
            "model": model,
            "models": StageModel.objects.order_by("-is_default", "pk"),
            "columns": columns,
            "scope": scope,
            "querystring": params.urlencode(),
            "owners": visible_users(user).order_by("username"),
            "teams": visible_teams(user),
        },
    )


@login_required
def board_column(request: AuthenticatedHttpRequest, stage: int) -> HttpResponse:
    """The next page of one column's cards (htmx "more")."""
    column_stage = get_object_or_404(Stage, pk=stage)
    offset = query_int(request.GET, "offset") or 0
    opportunities = selectors.board_opportunities(request.user, **_board_scope(request))
    deals, next_offset = selectors.column_cards(
        opportunities,
        column_stage,
        offset=offset,
        user=request.user,
    )
    params = request.GET.copy()
    params.pop("offset", None)
    return render(
        request,
        "pipeline/_column_cards.html",
        {
            "cards": cards(deals),
            "stage": column_stage,
            "next_offset": next_offset,
            "querystring": params.urlencode(),
        },
    )


def _card(
    request: AuthenticatedHttpRequest, pk: int, *, message: str = "", level: str = "info"
) -> HttpResponse:
    (card,) = cards([visible_deal(request, pk)])
    return render(
        request,
        "pipeline/_card.html",
        {"card": card, "card_message": message, "card_level": level},
    )


@editing
def board_move(request: AuthenticatedHttpRequest, opportunity: Opportunity) -> HttpResponse:
    """A card dropped on another column (htmx); answers the card as it now stands.

    A refusal or a conflict answers the card from the database with the reason, so
    the board never shows a move that did not happen.
    """
    from_stage = opportunity.stage
    to_stage_pk = query_int(request.POST, "to_stage")
    to_stage = Stage.objects.filter(pk=to_stage_pk).first() if to_stage_pk is not None else None
    if to_stage is None:
        return _card(request, opportunity.pk, message=_("Choose a stage."), level="danger")
    version = query_int(request.POST, "version")
    if version is None:
        return _card(request, opportunity.pk, message=_("Reload the board."), level="warning")
    confirmed = [
        int(pk)
        for value in request.POST.getlist("confirmed_exit_stages")
        for pk in value.split(",")
        if pk.strip().isdigit()
    ]
    try:
        moved = services.move_opportunity(
            opportunity,
            to_stage,
            by=request.user,
            expected_version=version,
            confirmed_exit_stages=confirmed,
        )
    except ConflictError as error:
        return _card(request, opportunity.pk, message=str(error), level="warning")
    except ValidationError as error:
        return _card(request, opportunity.pk, message=" ".join(error.messages), level="danger")
    message = getattr(moved, "credit_warning", "") or _("Moved to %(stage)s.") % {
        "stage": moved.stage.name
    }
    response = _card(request, moved.pk, message=message, level="success")
    # The heads of the two columns, swapped in out of band so their counts follow the card.
    scope = {"owner": query_int(request.POST, "owner"), "team": query_int(request.POST, "team")}
    for stage, count, amount in selectors.column_totals(
        request.user,
        [from_stage, moved.stage],
        **scope,
    ):
        response.content += render_to_string(
            "pipeline/_column_total.html",
            {"stage": stage, "count": count, "amount": amount, "oob": True},
            request=request,
        ).encode()
    return response
