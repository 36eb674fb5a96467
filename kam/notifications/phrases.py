"""Phrases live in :mod:`kam.core.phrases`; this name is kept for migration 0003, which
imports :func:`render` from here (a committed migration is never edited)."""

from kam.core.phrases import render

__all__ = ["render"]
