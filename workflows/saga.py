"""Compensation: every step that changes an external system registers its undo; when a case is
aborted after a partial change, the undos run in reverse order.

Undos are registered and discarded under typed keys (`Undo`, optionally scoped to a team), so a
misspelt name is a type error rather than an undo that is silently never discarded.

An undo that fails (a refusal, or its retries exhausted) parks the case like any failed step: the
operator sends `retry` (run the undo again), `skip` (leave that change in place and go on with the
next undo) or `abort` (stop compensating: that change and every one not yet undone stay in place).
The result says what was really undone and what was not.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum

from temporalio.exceptions import ActivityError

from workflows.failures import describe_failure
from workflows.messages import OperatorAction

UndoCall = Callable[[], Awaitable[object]]
# Parks the case on a failed undo (its step name, the reason) until an operator answers.
Park = Callable[[str, str], Awaitable[OperatorAction]]

COMPENSATION_STEP_PREFIX = "compensation: "


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


def compensation_step(name: str) -> str:
    """The step a failed undo parks the case on, e.g. 'compensation: release hold'."""
    return f"{COMPENSATION_STEP_PREFIX}{name}"


def is_compensation_step(step: str) -> bool:
    return step.startswith(COMPENSATION_STEP_PREFIX)


@dataclass
class _Compensation:
    key: UndoKey
    undo: UndoCall

    @property
    def name(self) -> str:
        return str(self.key)


@dataclass
class Compensated:
    """What a compensation did, each list in the order the undos ran (newest change first)."""

    undone: list[str] = field(default_factory=list)
    not_undone: list[str] = field(default_factory=list)  # skipped, or left when an operator aborted

    def describe(self) -> str:
        """'compensated: a, b', then what is still in place."""
        text = f"compensated: {', '.join(self.undone) or 'nothing to undo'}"
        if self.not_undone:
            if not self.undone:
                text = "compensated: nothing"
            text += f"; not compensated: {', '.join(self.not_undone)}"
        return text


class Saga:
    def __init__(self, record: Callable[[str, str], None], park: Park) -> None:
        self._steps: list[_Compensation] = []
        self._record = record
        self._park = park

    def add(self, key: Undo | UndoKey, undo: UndoCall) -> None:
        self._steps.append(_Compensation(_key(key), undo))

    def discard(self, key: Undo | UndoKey) -> None:
        """Forget an undo once the normal flow made it unnecessary (e.g. holds already released)."""
        wanted = _key(key)
        self._steps = [s for s in self._steps if s.key != wanted]

    @property
    def pending(self) -> list[str]:
        return [s.name for s in self._steps]

    async def compensate(self) -> Compensated:
        """Run every undo, newest first. A failing undo parks the case for an operator (see the
        module's docstring); the result lists what was undone and what was not."""
        result = Compensated()
        while self._steps:
            step = self._steps.pop()
            action = await self._run(step)
            if action is None:
                result.undone.append(step.name)
                continue
            result.not_undone.append(step.name)
            if action is OperatorAction.ABORT:
                result.not_undone += [s.name for s in reversed(self._steps)]
                self._steps.clear()
                self._record("compensation stopped", f"not compensated: {', '.join(result.not_undone)}")
        return result

    async def _run(self, step: _Compensation) -> OperatorAction | None:
        """Run one undo until it is done (None) or an operator skips or aborts it."""
        while True:
            try:
                await step.undo()
            except ActivityError as err:
                reason = describe_failure(err)
                self._record("compensation failed", f"{step.name}: {reason}")
                action = await self._park(step.name, reason)
                if action is OperatorAction.RETRY:
                    continue
                if action is OperatorAction.SKIP:
                    self._record("not compensated", f"{step.name}: skipped by an operator")
                return action
            self._record("compensated", step.name)
            return None
