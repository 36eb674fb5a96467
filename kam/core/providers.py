"""Facts a lower area needs and only a higher area knows (CONTRIBUTING.md, "Layers").

The apps import only downwards. Where a lower area must show or weigh a fact that a
higher one owns — the pipeline warning about the account's credit limit (receivables),
the red flags reading loyalty surveys (performance) — the lower area declares a
:class:`Provider` with the function's signature and a neutral answer, and the higher area
plugs its function in from its ``AppConfig.ready``. The lower area then calls the
provider like the function, without importing the area that answers.

Hand-written rather than Django signals: a signal broadcasts and ignores answers; here
exactly one area answers a question and the caller uses the answer, typed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


class Provider(Generic[P, R]):
    """One question a lower area asks; one higher area answers it once it is installed."""

    def __init__(self, name: str, default: Callable[P, R]) -> None:
        self.name = name
        self._default = default
        self._answer: Callable[P, R] | None = None

    def provide(self, answer: Callable[P, R]) -> None:
        """Plug in the higher area's function (from its ``AppConfig.ready``)."""
        if self._answer is not None and self._answer is not answer:
            raise RuntimeError(f"{self.name} is already provided by {self._answer!r}")
        self._answer = answer

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        answer = self._answer or self._default
        return answer(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<Provider {self.name}>"
