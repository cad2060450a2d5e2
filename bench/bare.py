"""The bare Temporal counterpart of a case: the same shape with none of Casebridge in it.

`BareCase` runs `before` no-op activities one after another, waits for a validated Update
(`decide`) raced with an SLA timer, then runs `after` no-op activities, as a case runs its store
steps, waits for the reviewer and applies the outcome. The bench gives it the activity counts read
from the Casebridge histories it compares with, so the ratio tells what Casebridge adds to what
Temporal itself charges for that shape.

`python -m bench.bare --address HOST:PORT --queue Q [--max-cached-workflows N]`: a worker process for it.
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import dataclass
from datetime import timedelta

from temporalio import activity, workflow
from temporalio.client import Client
from temporalio.worker import Worker

SLA = timedelta(hours=1)


@dataclass
class BareInput:
    before: int
    after: int
    decisions: int = 1  # a review panel waits for one decision per team


@activity.defn
async def step(n: int) -> int:
    return n


@workflow.defn
class BareCase:
    def __init__(self) -> None:
        self.decided: list[str] = []

    @workflow.run
    async def run(self, case: BareInput) -> str:
        for n in range(case.before):
            await workflow.execute_activity(step, n, start_to_close_timeout=timedelta(seconds=30))
        try:
            await workflow.wait_condition(lambda: len(self.decided) >= case.decisions, timeout=SLA)
        except TimeoutError:
            return "timed-out"
        for n in range(case.after):
            await workflow.execute_activity(step, n, start_to_close_timeout=timedelta(seconds=30))
        return self.decided[-1]

    @workflow.update
    def decide(self, outcome: str) -> str:
        self.decided.append(outcome)
        return outcome

    @decide.validator
    def check_decision(self, outcome: str) -> None:
        if outcome not in ("approved", "rejected"):
            raise ValueError(f"unknown outcome {outcome!r}")


async def serve(address: str, queue: str, max_cached_workflows: int) -> None:
    client = await Client.connect(address)
    async with Worker(
        client,
        task_queue=queue,
        workflows=[BareCase],
        activities=[step],
        max_cached_workflows=max_cached_workflows,
    ):
        await asyncio.Event().wait()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--address", required=True)
    parser.add_argument("--queue", required=True)
    parser.add_argument("--max-cached-workflows", type=int, default=1000, help="the sticky cache, as Casebridge's")
    args = parser.parse_args()
    asyncio.run(serve(args.address, args.queue, args.max_cached_workflows))


if __name__ == "__main__":
    main()
