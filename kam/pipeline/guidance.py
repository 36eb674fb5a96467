"""Guidance the sources give beside a stage model, which is not configuration: the share of
a rep's time each step of consultative selling takes (COACHING.md §9.1)."""

from __future__ import annotations

from kam.pipeline.models import Stage, StageModel

# Stage model key → stage key → share of the selling time, in per cent (source 001).
TIME_SPLIT: dict[str, dict[str, int]] = {
    "consultative": {"entrance": 20, "demand": 30, "consulting": 30, "business": 10, "action": 10},
}


def time_split(model: StageModel, stages: list[Stage]) -> list[tuple[Stage, int]]:
    """Each stage of ``model`` the source gives a share of time for, in stage order."""
    shares = TIME_SPLIT.get(model.key, {})
    return [(stage, shares[stage.key]) for stage in stages if stage.key in shares]
