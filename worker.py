"""The Casebridge worker: runs the case workflows and their activities on one task queue.

Run one per pod (Python workflow tasks are CPU-bound under the GIL; scale out with replicas).
SIGTERM stops every worker of the process polling at once and lets running activities finish within
`WORKER_GRACEFUL_SHUTDOWN_SECONDS`, then exits. `WORKER_HEALTH_PORT` serves the kubelet's probes.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable, Collection, Sequence
from datetime import timedelta
from typing import Any

from temporalio.client import Client
from temporalio.common import VersioningBehavior, WorkerDeploymentVersion
from temporalio.worker import Worker, WorkerDeploymentConfig
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from activities.registration import activity_methods
from casebridge.connections import Connections
from casebridge.health import HealthServer
from casebridge.logs import configure_logging
from casebridge.payload_codec import PayloadKeysError, require_payload_keys
from casebridge.settings import Settings, get_settings
from casebridge.store_check import StoresNotReady, require_stores_ready
from casebridge.stores import load_registry, store_task_queue
from casebridge.telemetry import configure_tracing
from casebridge.temporal import TemporalConfigError, TemporalUnreachable, connect
from casebridge.worker_metrics import worker_runtime
from workflows.registry import CASE_KINDS, JOB_ACTIVITIES, JOB_WORKFLOWS, STORE_BOUND_ACTIVITIES
from workflows.store import ADAPTERS

WORKFLOWS = [*(kind.workflow for kind in CASE_KINDS), *JOB_WORKFLOWS]

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


def store_queue_activities(platform: str, connections: Connections) -> list[Callable[..., Any]]:
    """What runs on a store's own rate-limited queue: its adapter's activities and the others that
    call the store."""
    bound = [a for cls in STORE_BOUND_ACTIVITIES for a in activity_methods(cls, connections)]
    return [*store_activities(platform, connections), *bound]


def all_activities(connections: Connections) -> list[Callable[..., Any]]:
    """Every store platform's activities, and those the case kinds and jobs call beyond them."""
    classes = {a for kind in CASE_KINDS for a in kind.activity_classes} | {*STORE_BOUND_ACTIVITIES, *JOB_ACTIVITIES}
    case_activities = [
        a for cls in sorted(classes, key=lambda c: c.__qualname__) for a in activity_methods(cls, connections)
    ]
    return [*(a for platform in sorted(ADAPTERS) for a in store_activities(platform, connections)), *case_activities]


def deployment_config(settings: Settings) -> WorkerDeploymentConfig | None:
    """The Worker Versioning deployment version (`WORKER_DEPLOYMENT_NAME`.`WORKER_BUILD_ID`, the build
    id being the image tag), or None without a build id. With routing on, cases move to a new version
    at their next task (auto-upgrade): they wait for days, and `workflow.patched` keeps them
    replay-safe (README, "Changing a workflow"); pinning would keep every old version's pods for days."""
    if not settings.worker_build_id:
        return None
    return WorkerDeploymentConfig(
        version=WorkerDeploymentVersion(settings.worker_deployment_name, settings.worker_build_id),
        use_worker_versioning=settings.worker_versioning,
        default_versioning_behavior=(
            VersioningBehavior.AUTO_UPGRADE if settings.worker_versioning else VersioningBehavior.UNSPECIFIED
        ),
    )


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
        graceful_shutdown_timeout=timedelta(seconds=settings.worker_graceful_shutdown_seconds),
        deployment_config=deployment_config(settings),
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
                activities=store_queue_activities(store.platform.value, connections),
                max_task_queue_activities_per_second=store.activities_per_second,
                graceful_shutdown_timeout=timedelta(seconds=settings.worker_graceful_shutdown_seconds),
                deployment_config=deployment_config(settings),
            )
        )
    return workers


async def run_workers(workers: Sequence[Worker], stop: asyncio.Event) -> None:
    """Run every worker until `stop` is set or one of them fails, then shut them all down at once:
    each drains its running activities in parallel with the others, so the process is gone within
    one graceful-shutdown timeout, not one per worker. A worker that failed is re-raised."""
    running = [asyncio.create_task(worker.run(), name=f"worker {worker.task_queue}") for worker in workers]
    stopping = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait([*running, stopping], return_when=asyncio.FIRST_COMPLETED)
    finally:
        stop.set()  # readiness goes at once: the pod stops being counted while it drains
        stopping.cancel()
        await asyncio.gather(*(worker.shutdown() for worker in workers if not worker.is_shutdown))
        results = await asyncio.gather(*running, return_exceptions=True)
    failures = [r for r in results if isinstance(r, BaseException) and not isinstance(r, asyncio.CancelledError)]
    if failures:
        raise failures[0]


async def main() -> None:
    settings = get_settings()
    configure_logging(logging.INFO, settings.log_format)  # masks credential headers and known secret values
    configure_tracing("casebridge-worker")  # only when OTEL_* variables ask for it
    workers: list[Worker] = []
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    health = None
    if settings.worker_health_port is not None:
        # Live from the start (a worker waiting for Temporal is not stuck), ready while it polls.
        health = HealthServer(
            settings.worker_health_host,
            settings.worker_health_port,
            ready=lambda: bool(workers) and not stop.is_set() and all(w.is_running for w in workers),
        )
        await health.start()
    try:
        await serve(settings, workers, stop)
    finally:
        if health is not None:
            await health.stop()


async def serve(settings: Settings, workers: list[Worker], stop: asyncio.Event) -> None:
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
        # Waits for a server that is not up yet, within a deadline; the runtime serves the metrics.
        client = await connect(settings, runtime=worker_runtime(settings))
    except (TemporalUnreachable, TemporalConfigError) as err:
        raise SystemExit(f"casebridge worker not started: {err}") from None
    workers += [build_worker(client, settings, connections), *build_store_workers(client, settings, connections)]
    target = client.service_client.config.target_host
    for worker in workers:
        logging.info("polling task queue %s on %s", worker.task_queue, target)
    try:
        await run_workers(workers, stop)
    finally:
        logging.info("stopped")
        await connections.aclose()


if __name__ == "__main__":
    asyncio.run(main())
