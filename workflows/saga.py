"""Compensation: every step that changes an external system registers its undo; when a case is
aborted after a partial change, the undos run in reverse order."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from temporalio.exceptions import ActivityError

from workflows.failures import describe_failure

Undo = Callable[[], Awaitable[object]]


@dataclass
class _Compensation:
    name: str
    undo: Undo


class Saga:
    def __init__(self, record: Callable[[str, str], None]) -> None:
        self._steps: list[_Compensation] = []
        self._record = record

    def add(self, name: str, undo: Undo) -> None:
        self._steps.append(_Compensation(name, undo))

    def discard(self, name: str) -> None:
        """Forget an undo once the normal flow made it unnecessary (e.g. holds already released)."""
        self._steps = [s for s in self._steps if s.name != name]

    @property
    def pending(self) -> list[str]:
        return [s.name for s in self._steps]

    async def compensate(self) -> None:
        """Run every undo, newest first. A failing undo is recorded and the rest still run."""
        while self._steps:
            step = self._steps.pop()
            try:
                await step.undo()
                self._record("compensated", step.name)
            except ActivityError as err:
                self._record("compensation failed", f"{step.name}: {describe_failure(err)}")
