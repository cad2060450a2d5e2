"""Compensation: every step that changes an external system registers its undo; when a case is
aborted after a partial change, the undos run in reverse order.

Undos are registered and discarded under typed keys (`Undo`, optionally scoped to a team), so a
misspelt name is a type error rather than an undo that is silently never discarded.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum

from temporalio.exceptions import ActivityError

from workflows.failures import describe_failure

UndoCall = Callable[[], Awaitable[object]]


class Undo(StrEnum):
    RELEASE_HOLD = "release hold"
    REMOVE_TAGS = "remove tags"
    WITHDRAW_REVIEW = "withdraw OpenText review"


@dataclass(frozen=True)
class UndoKey:
    undo: Undo
    scope: str | None = None  # e.g. the team of one of a panel's reviews

    def __str__(self) -> str:
        return f"{self.undo.value} ({self.scope})" if self.scope else self.undo.value


def _key(key: Undo | UndoKey) -> UndoKey:
    if isinstance(key, Undo):
        return UndoKey(key)
    if isinstance(key, UndoKey):
        return key
    raise TypeError(f"saga keys are Undo or UndoKey, not {key!r}")


@dataclass
class _Compensation:
    key: UndoKey
    undo: UndoCall


class Saga:
    def __init__(self, record: Callable[[str, str], None]) -> None:
        self._steps: list[_Compensation] = []
        self._record = record

    def add(self, key: Undo | UndoKey, undo: UndoCall) -> None:
        self._steps.append(_Compensation(_key(key), undo))

    def discard(self, key: Undo | UndoKey) -> None:
        """Forget an undo once the normal flow made it unnecessary (e.g. holds already released)."""
        wanted = _key(key)
        self._steps = [s for s in self._steps if s.key != wanted]

    @property
    def pending(self) -> list[str]:
        return [str(s.key) for s in self._steps]

    async def compensate(self) -> None:
        """Run every undo, newest first. A failing undo is recorded and the rest still run."""
        while self._steps:
            step = self._steps.pop()
            try:
                await step.undo()
                self._record("compensated", str(step.key))
            except ActivityError as err:
                self._record("compensation failed", f"{step.key}: {describe_failure(err)}")
