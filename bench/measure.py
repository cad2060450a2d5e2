"""What the bench reads off a run: CPU per process over a phase, latency percentiles, and the shape
of a case's history (events, activities before and after the decision)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client

from bench.procs import Proc

DECISION_EVENTS = {
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
}


@dataclass
class Usage:
    """CPU seconds each process spent during a phase, and the phase's wall time."""

    seconds: float = 0.0
    cpu: dict[str, float] = field(default_factory=dict)

    def ms_per_case(self, name: str, cases: int) -> float:
        return round(self.cpu.get(name, 0.0) * 1000 / max(cases, 1), 1)


@contextmanager
def measured(procs: Mapping[str, Proc]) -> Iterator[Usage]:
    usage = Usage()
    before = {name: proc.cpu_seconds() for name, proc in procs.items()}
    start = time.perf_counter()
    try:
        yield usage
    finally:
        usage.seconds = time.perf_counter() - start
        usage.cpu = {name: proc.cpu_seconds() - before[name] for name, proc in procs.items()}


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile in milliseconds (values in seconds)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return round(ordered[rank] * 1000, 1)


def p50(values: list[float]) -> float:
    return round(statistics.median(values) * 1000, 1) if values else 0.0


@dataclass(frozen=True)
class HistoryShape:
    events: int
    before: int  # activities scheduled before the case starts waiting
    after: int  # activities scheduled after (the watcher, the outcome applied)
    decisions: int  # Updates accepted and signals received


async def history_shape(client: Client, workflow_id: str) -> HistoryShape:
    """Activities before the case starts waiting (its first timer: the review's SLA) and after,
    and the decisions that reached it (at least one: a decision can also come through the
    activity that watches the OpenText process, which is one of the activities)."""
    history = await client.get_workflow_handle(workflow_id).fetch_history()
    before = after = decisions = 0
    waiting = False
    for event in history.events:
        if event.event_type == EventType.EVENT_TYPE_TIMER_STARTED:
            waiting = True
        elif event.event_type in DECISION_EVENTS:
            decisions += 1
        elif event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            if waiting:
                after += 1
            else:
                before += 1
    return HistoryShape(len(history.events), before, after, max(decisions, 1))


def typical(shapes: list[HistoryShape]) -> HistoryShape:
    """The median case: paths repeat, so the median is one real history's shape."""
    ordered = sorted(shapes, key=lambda s: s.events)
    return ordered[len(ordered) // 2]
