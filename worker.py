"""The Casebridge worker: runs the case workflows and their activities on one task queue.

Run one per pod (Python workflow tasks are CPU-bound under the GIL; scale out with replicas).
SIGTERM stops polling, lets running activities finish within the grace period, then exits.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable, Collection
from datetime import timedelta
from typing import Any

from temporalio.client import Client
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from activities.registration import activity_methods
from casebridge.connections import Connections
from casebridge.logs import configure_logging
from casebridge.payload_codec import PayloadKeysError, require_payload_keys
from casebridge.settings import Settings, get_settings
from casebridge.store_check import StoresNotReady, require_stores_ready
from casebridge.stores import load_registry, store_task_queue
from casebridge.temporal import TemporalUnreachable, connect
from workflows.registry import CASE_KINDS
from workflows.store import ADAPTERS

WORKFLOWS = [kind.workflow for kind in CASE_KINDS]

# Casebridge's workflow modules are deterministic (time, randomness and I/O only through Temporal's
# APIs), so the worker passes them through the sandbox instead of re-importing them, and rebuilding
# every pydantic model and dataclass, for each case: that was half the worker's CPU per case
# (`make bench BENCH_ARGS=--profile`). The replay tests run every recorded history under the full
# sandbox, which re-imports all of it and refuses non-deterministic calls: a violation shows there.
WORKFLOW_RUNNER = SandboxedWorkflowRunner(
    restrictions=SandboxRestrictions.default.with_passthrough_modules("workflows")
)


def store_activities(platform: str, connections: Connections) -> list[Callable[..., Any]]:
    """The activities of one platform's store adapter."""
    return activity_methods(ADAPTERS[platform].activities, connections)


def all_activities(connections: Connections) -> list[Callable[..., Any]]:
    """Every store platform's activities, and those the case kinds call beyond them."""
    classes = {activities for kind in CASE_KINDS for activities in kind.activities}
    case_activities = [
        a for cls in sorted(classes, key=lambda c: c.__qualname__) for a in activity_methods(cls, connections)
    ]
    return [*(a for platform in sorted(ADAPTERS) for a in store_activities(platform, connections)), *case_activities]


def build_worker(client: Client, settings: Settings, connections: Connections) -> Worker:
    """The case workflows and all activities on the shared queue. A store without
    `activities_per_second` has no queue of its own: its cases run its activities here."""
    return Worker(
        client,
        task_queue=settings.task_queue,
        workflows=WORKFLOWS,
        workflow_runner=WORKFLOW_RUNNER,
        max_cached_workflows=settings.worker_max_cached_workflows,
        activities=all_activities(connections),
        # Below the pod's terminationGracePeriodSeconds (120 s in deploy/).
        graceful_shutdown_timeout=timedelta(seconds=60),
    )


def build_store_workers(
    client: Client, settings: Settings, connections: Connections, *, store_ids: Collection[str] | None = None
) -> list[Worker]:
    """One worker per rate-limited store queue, on every platform, with that platform's store
    activities. `max_task_queue_activities_per_second` is enforced by the Temporal server for the
    whole queue, so the store's quota holds across all processes.

    `store_ids` limits the process to some stores (None: all). A Worker registers its queue with
    the client as soon as it is built, so stores served elsewhere must not even be built here.
    """
    workers = []
    for store in connections.registry.stores:
        if store.activities_per_second is None:
            continue
        if store_ids is not None and store.id not in store_ids:
            continue
        workers.append(
            Worker(
                client,
                task_queue=store_task_queue(settings.task_queue, store),
                activities=store_activities(store.platform.value, connections),
                max_task_queue_activities_per_second=store.activities_per_second,
                graceful_shutdown_timeout=timedelta(seconds=60),
            )
        )
    return workers


async def main() -> None:
    configure_logging(logging.INFO)  # masks credential headers and known secret values
    settings = get_settings()
    try:
        require_payload_keys(settings)  # histories are encrypted, or plain payloads explicitly allowed
    except PayloadKeysError as err:
        raise SystemExit(f"casebridge worker not started: {err}") from None
    try:
        # Every store and tenant answers with its credentials, or the worker does not start.
        await require_stores_ready(settings)
    except StoresNotReady as err:
        raise SystemExit(f"casebridge worker not started: stores check failed: {err}") from None
    connections = Connections(load_registry(settings.config_dir))
    try:
        client = await connect(settings)  # waits for a server that is not up yet, within a deadline
    except TemporalUnreachable as err:
        raise SystemExit(f"casebridge worker not started: {err}") from None
    workers = [build_worker(client, settings, connections), *build_store_workers(client, settings, connections)]

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)

    async with contextlib.AsyncExitStack() as running:
        for worker in workers:
            await running.enter_async_context(worker)
            logging.info("polling task queue %s on %s", worker.task_queue, settings.temporal_address)
        await stop.wait()
        logging.info("shutting down")
    await connections.aclose()


if __name__ == "__main__":
    asyncio.run(main())
