"""Opportunities, found by account + opportunity name."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kam.accounts.models import Account
from kam.core.models import User
from kam.core.phrases import in_every_language, joined, phrase
from kam.imports.cells import header_key, parse_bool, parse_date, parse_decimal
from kam.imports.columns import Column, choice, code, text, text_of
from kam.imports.kinds.base import (
    CREATE,
    UNCHANGED,
    UPDATE,
    Importer,
    Outcome,
    RowRefused,
    account_column,
    non_negative,
    owner_column,
    refuse,
)
from kam.imports.models import Kind
from kam.pipeline import services as pipeline_services
from kam.pipeline.models import ForecastCategory, Opportunity, Stage, Status


class OpportunityImporter(Importer):
    kind = Kind.OPPORTUNITIES
    columns = [
        account_column(),
        Column(
            "name",
            gettext_lazy("Opportunity name"),
            text(200),
            required=True,
            example="数据中心扩容",
        ),
        Column("amount", gettext_lazy("Amount"), non_negative, required=True, example=1200000),
        Column(
            "expected_close_date",
            gettext_lazy("Expected close date"),
            parse_date,
            required=True,
            example="2026-12-31",
        ),
        Column("stage", gettext_lazy("Stage"), text(100), example="需求确认"),
        Column(
            "exit_criteria_met",
            gettext_lazy("Exit criteria met"),
            parse_bool,
            help=gettext_lazy(
                "是 when the exit criteria of every stage an existing deal leaves are met; "
                "moving forward needs it, as on the deal's page."
            ),
            example="是",
        ),
        Column(
            "override_reason",
            gettext_lazy("Qualification override reason"),
            text(500),
            help=gettext_lazy(
                "A manager's reason to move an unqualified deal past the second stage."
            ),
        ),
        owner_column(),
        Column("currency", gettext_lazy("Currency"), code, example="CNY"),
        Column("exchange_rate", gettext_lazy("Rate to CNY"), parse_decimal),
        Column(
            "forecast_category",
            gettext_lazy("Forecast category"),
            choice(lambda: ForecastCategory.choices),
        ),
        Column("source", gettext_lazy("Source"), text(100)),
        Column("products", gettext_lazy("Products"), text(300)),
        Column("description", gettext_lazy("Description"), text_of(Opportunity, "description")),
    ]
    FIELDS = [
        "name",
        "amount",
        "expected_close_date",
        "currency",
        "exchange_rate",
        "forecast_category",
        "source",
        "products",
        "description",
    ]

    def __init__(self, by: User | None, via: str) -> None:
        super().__init__(by, via)
        self._deals: dict[int, dict[str, Opportunity]] = {}
        self._stages: dict[int, Stage] = {}
        self._default_model: int | None = None
        self._new: list[Opportunity] = []
        self._stage_names: dict[tuple[int | None, str], Stage] = {}

    def key(self, values: dict[str, Any]) -> tuple[Any, ...]:
        return (self.account_key(values["account"]), values["name"].lower())

    def prepare(self, rows: list[dict[str, Any]]) -> None:
        super().prepare(rows)
        ids = [a.pk for a in self._accounts.values() if a is not None]
        for account_id in ids:
            self._deals.setdefault(account_id, {})
        for deal in Opportunity.objects.filter(account_id__in=ids).order_by("pk"):
            self._deals[deal.account_id][deal.name.lower()] = deal

    def stage(self, name: str, model_id: int | None = None) -> Stage:
        """A stage by its Chinese or English name, or its key: of the default funnel, or of
        ``model_id``'s (an existing deal moves within its own stage model)."""
        if not self._stages:
            self._load_stages()
        model_id = self._default_model if model_id is None else model_id
        wanted = header_key(name)
        if (model_id, wanted) in self._stage_names:
            return self._stage_names[model_id, wanted]
        stages = sorted(
            (s for s in self._stages.values() if s.model_id == model_id), key=lambda s: s.order
        )
        raise refuse(
            "stage",
            _("“%(value)s” is not a stage of the funnel: %(options)s.")
            % {"value": name, "options": "、".join(s.name for s in stages)},
        )

    def first_stage(self) -> Stage:
        if not self._stages:
            self._load_stages()
        return min(
            (s for s in self._stages.values() if s.model_id == self._default_model),
            key=lambda s: s.order,
        )

    def _load_stages(self) -> None:
        self._stages = {s.pk: s for s in Stage.objects.select_related("model")}
        for stage in self._stages.values():
            if stage.model.is_default:
                self._default_model = stage.model_id
            for written in (stage.name_en, stage.name_zh, stage.key):
                self._stage_names.setdefault((stage.model_id, header_key(written)), stage)
        if self._default_model is None:
            raise refuse("stage", _("No default stage model is configured."))

    def flush(self) -> None:
        if self._new:
            pipeline_services.create_opportunities(self._new, by=self.by, via=self.via)
            self._new = []

    def deals(self, account: Account) -> dict[str, Opportunity]:
        """The account's opportunities by name, read once per account."""
        if account.pk not in self._deals:
            self._deals[account.pk] = {
                o.name.lower(): o
                for o in Opportunity.objects.filter(account=account).order_by("-pk")
            }
        return self._deals[account.pk]

    def apply(self, values: dict[str, Any]) -> Outcome:
        account = self.account(values["account"])
        fields = {f: values[f] for f in self.FIELDS if f in values}
        if "owner" in values:
            fields["owner"] = self.user(values["owner"])
        label = f"{account.name} · {values['name']}"
        existing = self.deals(account).get(values["name"].lower())
        if existing is None:
            stage = self.stage(values["stage"]) if "stage" in values else None
            fields.setdefault("owner", self.default_owner(account))
            opportunity = pipeline_services.new_opportunity(
                account=account, by=self.by, stage=stage or self.first_stage(), **fields
            )
            self._new.append(opportunity)
            return Outcome(CREATE, label)
        if not self._stages:
            self._load_stages()
        current = self._stages[existing.stage_id]
        stage = self.stage(values["stage"], current.model_id) if "stage" in values else None
        moves = stage is not None and stage.pk != current.pk
        changed = self.changes(existing, fields, [*self.FIELDS, "owner"])
        if not changed and not moves:
            return Outcome(UNCHANGED, label)
        parts = [self.describe(existing, changed)] if changed else []
        # Two service calls: a move refused after the edit must not leave the edit behind.
        with transaction.atomic():
            if changed:
                pipeline_services.update_opportunity(
                    existing, by=self.by, expected_version=None, via=self.via, **changed
                )
            if moves:
                assert stage is not None
                self.move(existing, current, stage, values)
                parts.append(
                    phrase(
                        gettext_lazy("%(field)s: %(before)s → %(after)s"),
                        field=gettext_lazy("Stage"),
                        before=in_every_language(lambda: current.name),
                        after=in_every_language(lambda: stage.name),
                    )
                )
        return Outcome(UPDATE, label, joined(parts, "; "))

    def move(
        self, opportunity: Opportunity, current: Stage, stage: Stage, values: dict[str, Any]
    ) -> None:
        """Move the deal as its page does: the row confirms the exit criteria of the stages
        it leaves (§3.1) and may carry a manager's qualification override (§3.2)."""
        forward = stage.order > current.order
        confirmed = bool(values.get("exit_criteria_met"))
        left = []
        if forward and confirmed:
            left = [
                s.pk
                for s in self._stages.values()
                if s.model_id == current.model_id and current.order <= s.order < stage.order
            ]
        try:
            pipeline_services.move_opportunity(
                opportunity,
                stage,
                by=self.by,
                expected_version=None,
                via=self.via,
                confirmed_exit_stages=left,
                override_reason=values.get("override_reason", ""),
            )
        except pipeline_services.MoveRefused as error:
            unconfirmed = forward and not confirmed and opportunity.status == Status.OPEN
            column = "exit_criteria_met" if unconfirmed else "stage"
            raise RowRefused([(column, message) for message in error.messages]) from None
