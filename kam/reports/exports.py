"""Excel workbooks of the reports: the same figures as the page, one sheet per table."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _

from kam.core.models import User
from kam.forecasting.exports import respond
from kam.reports.calculations import OutcomeTally, WinLossLine
from kam.reports.selectors import ActivityReport, WinLossReport
from kam.ui import spreadsheets
from kam.ui.exports import add_sheet
from kam.ui.spreadsheets import Workbook


def _lines(wb: Workbook, title: str, first: str, lines: Sequence[WinLossLine]) -> None:
    add_sheet(
        wb,
        title,
        [first, _("Deals"), _("Amount")],
        [[line.label, line.count, line.amount] for line in lines],
        money=(3,),
    )


def win_loss_workbook(user: User, report: WinLossReport, scope_label: str) -> HttpResponse:
    wb = spreadsheets.new_workbook()
    rates = report.rates
    add_sheet(
        wb,
        _("Win/loss"),
        [
            _("Scope"),
            _("Period"),
            _("Won"),
            _("Lost"),
            _("Win rate (deals)"),
            _("Win rate (amount)"),
        ],
        [
            [
                scope_label,
                report.period.key,
                rates.won,
                rates.lost,
                rates.by_count,
                rates.by_amount,
            ]
        ],
        percent=(5, 6),
    )
    _lines(wb, _("By result"), _("Result"), report.statuses)
    _lines(wb, _("Reasons lost"), _("Reason"), report.reasons_lost)
    _lines(wb, _("Reasons won"), _("Reason"), report.reasons_won)
    _lines(wb, _("Competitors who won"), _("Competitor"), report.competitors)
    _lines(wb, _("Stage lost"), _("Stage"), report.stages_lost)
    return respond(wb, f"win-loss-{report.period.key}.xlsx", user=user, what=user)


def _tally_rows(tallies: Sequence[OutcomeTally], outcomes: Sequence[str]) -> list[list[Any]]:
    return [
        [t.label, *(t.counts.get(o, 0) for o in outcomes), t.total, t.advance_rate] for t in tallies
    ]


def activity_workbook(user: User, report: ActivityReport, period_key: str) -> HttpResponse:
    wb = spreadsheets.new_workbook()
    keys = [value for value, _label in report.outcomes]
    header_tail = [label for _value, label in report.outcomes] + [_("Judged"), _("Advance rate")]
    rate_col = len(keys) + 3
    add_sheet(
        wb,
        _("By rep"),
        [_("Rep"), *header_tail],
        _tally_rows([*report.by_rep, report.total], keys),
        percent=(rate_col,),
    )
    add_sheet(
        wb,
        _("By kind"),
        [_("Kind"), *header_tail],
        _tally_rows(report.by_kind, keys),
        percent=(rate_col,),
    )
    return respond(wb, f"activity-effectiveness-{period_key}.xlsx", user=user, what=user)
