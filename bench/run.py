"""`make bench`: Casebridge measured side by side with bare Temporal, in one run on one machine.

Every component runs in its own process (bench/procs.py), so CPU is read per process: the Temporal
dev server, the sandbox, the shim and the worker, and a bare worker serving `bench.bare.BareCase`,
the same shape with none of Casebridge in it. Phases, in order:

1. shim ingest: signed `orders/create` deliveries posted to the shim at a fixed concurrency (the
   worker paused, so only the shim and Temporal work), against bare `start_workflow` calls from
   one process; the cases are terminated afterwards.
2. order review (Shopify), the load phase: N cases at concurrency C through the real path (order
   placed, webhook, holds, OpenText task, reviewer's decision, callback, release).
3. bare: N `BareCase`s of the order review's shape (activities before and after the decision, a
   validated Update raced with the SLA timer) at the same concurrency.
4. every case type on every platform: a few cases each, for history events, API calls per
   system, Shopify cost points and worker CPU per path, each with its bare shape's history.
5. open cases: M order reviews left waiting for their reviewer; the worker's RSS, and the time to
   find one case by `CaseRef` through Temporal's visibility.

The sandbox runs without platform limits (`--plan unlimited`): the run measures Casebridge and
Temporal. Figures go to bench/results/latest.json, a Markdown table (latest.md) and charts (PNG).

Usage: `.venv/bin/python -m bench.run [--cases 60] [--concurrency 10] [--per-path 4] [--open-cases 10000]
[--phases 1,2,...]`
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import httpx
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHandle
from temporalio.service import RPCError

from bench import report
from bench.bare import BareCase, BareInput
from bench.chaos import run_chaos
from bench.measure import HistoryShape, history_shape, measured, p50, percentile, typical
from bench.paths import PATHS, Ran, order_review_shopify, review_tasks, task_wait
from bench.procs import BIN, BenchError, Proc, free_port, http_ok, start_python, start_temporal, wait_until
from bench.profile import Profiler
from casebridge.connections import Connections
from casebridge.devstack import SEARCH_ATTRIBUTES
from casebridge.payload_codec import data_converter
from casebridge.settings import Settings
from casebridge.stores import load_registry
from connectors.shopify.webhooks import sign
from sandbox.meter import DRIVER_HEADER
from tests.support.stack import Stack, eventually
from tests.support.world import BC_FLOW_STORE, SECRETS, SHOP, SLA_SHOP, export_secrets, write_config
from workflows.order_review import KIND as ORDER_REVIEW

T = TypeVar("T")
RESULTS = Path(__file__).resolve().parent / "results"
# The shim ingest phase's second shop: its policy has no risk rules, so no delivery reads the store.
INGEST_SHOP = SLA_SHOP
WEBHOOK_SECRET = SECRETS["SHOPIFY_WEBHOOK_SECRET"]


def mark_driver_requests() -> None:
    """Everything this process sends to the sandbox plays the customer or the reviewer: the
    sandbox's meter leaves it out, so it counts what Casebridge (shim and worker) asked."""
    send = httpx.AsyncClient.send

    async def driver_send(self: httpx.AsyncClient, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        request.headers[DRIVER_HEADER] = "1"
        return await send(self, request, **kwargs)

    httpx.AsyncClient.send = driver_send  # type: ignore[method-assign]


async def bounded(count: int, concurrency: int, one: Callable[[int], Awaitable[Any]]) -> list[Any]:
    gate = asyncio.Semaphore(concurrency)

    async def run(n: int) -> Any:
        async with gate:
            return await one(n)

    return list(await asyncio.gather(*(run(n) for n in range(count))))


class Bench:
    def __init__(self, args: argparse.Namespace, work: Path) -> None:
        self.args = args
        self.work = work
        self.procs: dict[str, Proc] = {}
        self.results: dict[str, Any] = {}

    # --- the stack ---------------------------------------------------------------------------

    async def start(self) -> Stack:
        temporal, address = start_temporal(self.work, SEARCH_ATTRIBUTES)
        self.procs["temporal"] = temporal
        self.sandbox_port = free_port()
        sandbox_url = f"http://127.0.0.1:{self.sandbox_port}"
        self.start_sandbox("unlimited")
        config_dir = write_config(self.work / "config", sandbox_url)
        ingest_policy = config_dir / "policies" / f"{INGEST_SHOP}.yaml"
        ingest_policy.write_text(ingest_policy.read_text().replace("    risk_levels: [HIGH]\n", ""))
        shim_port = free_port()
        shim_url = f"http://127.0.0.1:{shim_port}"
        self.queue = f"bench-{uuid.uuid4().hex[:6]}"
        self.env = {
            **SECRETS,
            "TEMPORAL_ADDRESS": address,
            "TASK_QUEUE": self.queue,
            "CONFIG_DIR": str(config_dir),
            "SHIM_PORT": str(shim_port),
            "SHIM_PUBLIC_URL": shim_url,
            "LOG_LEVEL": "WARNING",
        }
        self.procs["shim"] = start_python("shim", ["-m", "shim"], self.work, self.env)
        self.procs["worker"] = start_python("worker", ["worker.py"], self.work, self.env)
        self.bare_queue = f"{self.queue}-bare"
        bare_args = ["-m", "bench.bare", "--address", address, "--queue", self.bare_queue]
        self.procs["bare_worker"] = start_python(
            "bare_worker",
            [*bare_args, "--max-cached-workflows", str(Settings().worker_max_cached_workflows)],
            self.work,
            {},
        )
        wait_until(self.procs["shim"], lambda: http_ok(f"{shim_url}/readyz"), 90, "readiness")
        # The workers and the shim seal payloads with the keys in SECRETS: so does this client.
        self.client = await Client.connect(address, data_converter=data_converter(Settings()))
        self.bare_client = await Client.connect(address)
        settings = Settings(config_dir=config_dir, task_queue=self.queue, shim_public_url=shim_url)
        self.connections = Connections(load_registry(config_dir))
        stack = Stack(
            self.client, settings, self.connections.registry, self.connections, sandbox_url, shim_url, config_dir
        )
        await self.wait_for_pollers([self.queue, self.bare_queue])
        return stack

    def start_sandbox(self, plan: str, generation: int = 0) -> None:
        argv = ["-m", "bench.sandbox_server", "--port", str(self.sandbox_port), "--plan", plan]
        self.procs["sandbox"] = start_python("sandbox", [*argv, "--generation", str(generation)], self.work, {})
        url = f"http://127.0.0.1:{self.sandbox_port}/healthz"
        wait_until(self.procs["sandbox"], lambda: http_ok(url), 60, "health")

    async def wait_for_pollers(self, queues: list[str]) -> None:
        from temporalio.api.taskqueue.v1 import TaskQueue
        from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest

        async def polled(queue: str) -> bool:
            request = DescribeTaskQueueRequest(namespace="default", task_queue=TaskQueue(name=queue))
            answer = await self.client.workflow_service.describe_task_queue(request)
            return bool(answer.pollers)

        for queue in queues:
            await eventually(lambda q=queue: polled(q), timeout=90, what=f"a worker polling {queue}")  # type: ignore[misc]

    def sync_webhooks(self) -> None:
        import subprocess

        done = subprocess.run(
            [str(BIN / "casebridge"), "webhooks", "sync"],
            env={**os.environ, **self.env},
            capture_output=True,
            text=True,
            timeout=300,
        )
        if done.returncode != 0:
            raise BenchError(f"webhooks sync failed:\n{done.stdout}\n{done.stderr}")

    async def stop(self) -> None:
        for proc in reversed(list(self.procs.values())):
            proc.stop()

    def cpu_procs(self, *names: str) -> dict[str, Proc]:
        return {name: self.procs[name] for name in names}

    async def meter(self, stack: Stack, reset: bool = False) -> dict[str, Any]:
        url = f"{stack.sandbox_url}/_sandbox/meter"
        if reset:
            (await stack.http.delete(url)).raise_for_status()
            return {}
        answer = await stack.http.get(url)
        answer.raise_for_status()
        reading: dict[str, Any] = answer.json()
        return reading

    # --- phase 1: shim ingest ----------------------------------------------------------------

    async def shim_ingest(self, stack: Stack) -> None:
        """Deliveries to the shim beside bare starts. Twice: for the shop whose policy has risk
        rules (the shim reads the order's risk analysis from Shopify: one API call per delivery,
        served here by the single-process simulator) and for one whose policy needs no read (what
        the shim itself costs over a start). The headline figures are the second."""
        count, concurrency = self.args.ingest, self.args.concurrency
        self.procs["worker"].pause()
        self.procs["bare_worker"].pause()
        try:
            with_read = await self.deliveries(stack, SHOP, count, concurrency)
            without_read = await self.deliveries(stack, INGEST_SHOP, count, concurrency)
            bare_ids = [f"bare-ingest-{uuid.uuid4().hex}" for _ in range(count)]

            async def start_bare(n: int) -> None:
                await self.bare_client.start_workflow(
                    BareCase.run, BareInput(before=0, after=0), id=bare_ids[n], task_queue=self.bare_queue
                )

            with measured(self.cpu_procs("temporal")) as bare_usage:
                await bounded(count, concurrency, start_bare)
            await self.terminate([*with_read.pop("case_ids"), *without_read.pop("case_ids"), *bare_ids])
        finally:
            self.procs["worker"].resume()
            self.procs["bare_worker"].resume()
        bare_rps = count / bare_usage.seconds
        self.results["shim"] = {
            "deliveries": count,
            "concurrency": concurrency,
            **without_read,
            "bare_start_rps": round(bare_rps, 1),
            "shim_ingest_ratio": round(without_read["shim_rps"] / bare_rps, 2),
            "with_risk_read": {**with_read, "shim_ingest_ratio": round(with_read["shim_rps"] / bare_rps, 2)},
        }

    async def deliveries(self, stack: Stack, shop: str, count: int, concurrency: int) -> dict[str, Any]:
        """`count` signed `orders/create` deliveries of orders needing review, at `concurrency`."""
        orders = await bounded(count, concurrency, lambda _: stack.create_order(shop, unit_price="1500.00"))
        bodies = []
        for order in orders:
            url = f"{stack.sandbox_url}/shopify/{shop}/_admin/orders/{order.legacy_resource_id}"
            answer = await stack.http.get(url)
            answer.raise_for_status()
            bodies.append(json.dumps(answer.json()["order"]).encode())  # as `orders/create` carries it
        latencies: list[float] = []
        refused: list[str] = []

        async def deliver(n: int) -> None:
            body = bodies[n]
            headers = {
                "Content-Type": "application/json",
                "X-Shopify-Topic": "orders/create",
                "X-Shopify-Hmac-Sha256": sign(WEBHOOK_SECRET.encode(), body),
                "X-Shopify-Shop-Domain": shop,
                "X-Shopify-API-Version": "2025-01",
                "X-Shopify-Webhook-Id": f"bench-{uuid.uuid4().hex}",
                "X-Shopify-Triggered-At": datetime.now(UTC).isoformat(),
            }
            t0 = time.perf_counter()
            answer = await stack.http.post(f"{stack.shim_url}/webhooks/shopify", content=body, headers=headers)
            latencies.append(time.perf_counter() - t0)
            if answer.status_code != 200 or answer.json().get("result") != "started":
                refused.append(f"{answer.status_code} {answer.text[:200]}")

        with measured(self.cpu_procs("shim", "sandbox")) as usage:
            await bounded(count, concurrency, deliver)
        if refused:
            raise BenchError(f"the shim started no case for {len(refused)} of {count} deliveries, e.g. {refused[0]}")
        return {
            "case_ids": [ORDER_REVIEW.case_id("shopify", shop, o.legacy_resource_id) for o in orders],
            "shim_p50_ms": p50(latencies),
            "shim_p99_ms": percentile(latencies, 99),
            "shim_rps": round(count / usage.seconds, 1),
            "shim_cpu_ms_per_delivery": usage.ms_per_case("shim", count),
            "sandbox_cpu_ms_per_delivery": usage.ms_per_case("sandbox", count),
        }

    async def terminate(self, workflow_ids: list[str]) -> None:
        async def end(n: int) -> None:
            try:
                await self.client.get_workflow_handle(workflow_ids[n]).terminate("benchmark phase over")
            except RPCError:
                pass  # already closed

        await bounded(len(workflow_ids), 20, end)

    # --- phase 2 and 3: load, side by side ---------------------------------------------------

    async def order_review_load(self, stack: Stack) -> HistoryShape:
        count, concurrency = self.args.cases, self.args.concurrency
        await bounded(min(3, count), 3, lambda _: order_review_shopify(stack))  # warm caches and connections
        await self.meter(stack, reset=True)
        profiler = Profiler(self.procs["worker"], self.args.out / "worker-profile.md")
        profiling = self.args.profile and profiler.start()
        with measured(self.cpu_procs("worker", "temporal", "shim", "sandbox")) as usage:
            runs: list[Ran] = await bounded(count, concurrency, lambda _: order_review_shopify(stack))
        if profiling:
            print(f"  worker profile: {profiler.stop()}", flush=True)
        reading = await self.meter(stack)
        # The same path one case at a time: what the decision takes when the two cores are not
        # shared with nine other cases (the gap to the loaded figure is CPU contention).
        alone: list[Ran] = [await order_review_shopify(stack) for _ in range(10)]
        retried = await callbacks_retried(stack, {run.case_id for run in runs})
        shapes = [await history_shape(self.client, run.case_id) for run in runs]
        shape = typical(shapes)
        decisions = [run.decision_s for run in runs]
        self.results["order_review_load"] = {
            "cases": count,
            "concurrency": concurrency,
            "seconds": round(usage.seconds, 1),
            "cases_per_s": round(count / usage.seconds, 2),
            "worker_cpu_ms_per_case": usage.ms_per_case("worker", count),
            "server_cpu_ms_per_case": usage.ms_per_case("temporal", count),
            "shim_cpu_ms_per_case": usage.ms_per_case("shim", count),
            "sandbox_cpu_ms_per_case": usage.ms_per_case("sandbox", count),
            "webhook_to_task_p50_ms": p50([run.to_task_s for run in runs]),
            "decision_p50_ms": p50(decisions),
            "decision_p99_ms": percentile(decisions, 99),
            "decision_alone_p50_ms": p50([run.decision_s for run in alone]),
            "decision_alone_max_ms": round(max(run.decision_s for run in alone) * 1000, 1),
            # callbacks OpenText had to send again (the shim answered 503: the reviewer was faster
            # than the case learning its task)
            "decision_callbacks_retried": retried,
            "history_events": shape.events,
            "shopify_cost_points_per_case": round(reading["shopify_cost_points"] / count, 1),
            "api_calls_per_case": {system: round(n / count, 1) for system, n in reading["requests"].items()},
            "throttled_calls": sum(reading["throttled"].values()),
        }
        return shape

    async def bare_load(self, shape: HistoryShape) -> None:
        count, concurrency = self.args.cases, self.args.concurrency
        case = BareInput(before=shape.before, after=shape.after, decisions=max(shape.decisions, 1))

        async def one(_: int) -> str:
            handle = await self.bare_client.start_workflow(
                BareCase.run, case, id=f"bare-{uuid.uuid4().hex}", task_queue=self.bare_queue
            )
            for _n in range(case.decisions):
                await handle.execute_update(BareCase.decide, "approved")
            await handle.result()
            return handle.id

        await bounded(3, 3, one)
        with measured(self.cpu_procs("bare_worker", "temporal")) as usage:
            ids = await bounded(count, concurrency, one)
        bare_shape = await history_shape(self.bare_client, ids[0])
        self.results["bare_load"] = {
            "cases": count,
            "shape": {"activities_before": case.before, "activities_after": case.after, "decisions": case.decisions},
            "seconds": round(usage.seconds, 1),
            "bare_per_s": round(count / usage.seconds, 2),
            "bare_worker_cpu_ms_per_case": usage.ms_per_case("bare_worker", count),
            "server_cpu_ms_per_case": usage.ms_per_case("temporal", count),
            "history_events": bare_shape.events,
        }

    async def bare_events(self, shape: HistoryShape) -> int:
        case = BareInput(before=shape.before, after=shape.after, decisions=max(shape.decisions, 1))
        handle: WorkflowHandle[Any, str] = await self.bare_client.start_workflow(
            BareCase.run, case, id=f"bare-{uuid.uuid4().hex}", task_queue=self.bare_queue
        )
        for _n in range(case.decisions):
            await handle.execute_update(BareCase.decide, "approved")
        await handle.result()
        return (await history_shape(self.bare_client, handle.id)).events

    # --- phase 4: every case type on every platform -----------------------------------------

    async def every_path(self, stack: Stack) -> None:
        per_path = self.args.per_path
        paths: dict[str, Any] = {}
        for (case_type, platform_name), drive in PATHS.items():
            await drive(stack)  # warm: first orders of a store, first tokens
            await self.meter(stack, reset=True)
            with measured(self.cpu_procs("worker", "temporal")) as usage:
                runs: list[Ran] = await bounded(per_path, per_path, lambda _, d=drive: d(stack))  # type: ignore[misc]
            reading = await self.meter(stack)
            shape = typical([await history_shape(self.client, run.case_id) for run in runs])
            bare = await self.bare_events(shape)
            paths[f"{case_type}/{platform_name}"] = {
                "case_type": case_type,
                "platform": platform_name,
                "cases": per_path,
                "history_events": shape.events,
                "bare_history_events": bare,
                "history_ratio": round(shape.events / bare, 2),
                "activities": shape.before + shape.after,
                "worker_cpu_ms_per_case": usage.ms_per_case("worker", per_path),
                "server_cpu_ms_per_case": usage.ms_per_case("temporal", per_path),
                "api_calls_per_case": {system: round(n / per_path, 1) for system, n in reading["requests"].items()},
                "shopify_cost_points_per_case": round(reading["shopify_cost_points"] / per_path, 1),
                "decision_p50_ms": p50([run.decision_s for run in runs]),
            }
            print(f"  {case_type}/{platform_name}: {shape.events} events (bare {bare})", flush=True)
        self.results["paths"] = paths

    # --- phase 5: many open cases ------------------------------------------------------------

    async def open_cases(self, stack: Stack) -> None:
        count = self.args.open_cases
        if count <= 0:
            return
        names: list[str] = []

        async def place(_: int) -> None:
            # Orders arrive as fast as cases open (each waits for its review task): a burst of
            # thousands of webhooks would measure the single-process simulator's delivery queue.
            order = await stack.create_order(SHOP, unit_price="1500.00")
            await review_tasks(stack, ORDER_REVIEW.case_id("shopify", SHOP, order.legacy_resource_id))
            names.append(order.name)

        worker = self.procs["worker"]
        rss_before = worker.rss_mib()
        samples: list[tuple[int, float]] = []

        async def place_and_sample(i: int) -> None:
            await place(i)
            if len(names) % max(1, count // 10) == 0:
                samples.append((len(names), round(worker.rss_mib(), 1)))

        started = time.perf_counter()
        await bounded(count, self.args.concurrency, place_and_sample)
        query = f"CaseType = 'order-review' AND CaseStore = '{SHOP}' AND CaseStatus = 'IN_REVIEW'"

        async def all_waiting() -> int | None:
            waiting = (await self.client.count_workflows(query)).count
            return waiting if waiting >= count else None

        await eventually(all_waiting, timeout=120, what=f"{count} cases in review")
        find_times = []
        for name in names[:: max(1, len(names) // 50)]:
            t0 = time.perf_counter()
            found = [w async for w in self.client.list_workflows(f"CaseRef = '{name}'")]
            find_times.append(time.perf_counter() - t0)
            if len(found) != 1:
                raise BenchError(f"CaseRef {name}: {len(found)} cases found")
        open_total = (await self.client.count_workflows("ExecutionStatus = 'Running'")).count
        self.results["open_cases"] = {
            "open_cases": open_total,
            "placed": count,
            "seconds_to_open": round(time.perf_counter() - started, 1),
            "worker_rss_mb": round(worker.rss_mib(), 1),
            "worker_rss_before_mb": round(rss_before, 1),
            # (cases open, worker RSS): the growth flattens once the sticky cache is full
            "worker_rss_samples": samples,
            "worker_max_cached_workflows": Settings().worker_max_cached_workflows,
            "shim_rss_mb": round(self.procs["shim"].rss_mib(), 1),
            "server_rss_mb": round(self.procs["temporal"].rss_mib(), 1),
            "find_case_ms": p50(find_times),
            "find_case_p99_ms": percentile(find_times, 99),
            **await self.bare_open_cases(count),
        }

    async def bare_open_cases(self, count: int) -> dict[str, Any]:
        """As many `BareCase`s left waiting for their decision: the bare worker's memory beside ours
        (its sticky cache has the SDK's default size, as ours)."""
        worker = self.procs["bare_worker"]
        rss_before = worker.rss_mib()
        case = BareInput(before=3, after=2)  # an order review: hold, tag, review task; release, tag
        ids = [f"bare-open-{uuid.uuid4().hex}" for _ in range(count)]

        async def start(n: int) -> None:
            await self.bare_client.start_workflow(BareCase.run, case, id=ids[n], task_queue=self.bare_queue)

        async def waiting(n: int) -> None:
            async def timer_started() -> bool:
                history = await self.bare_client.get_workflow_handle(ids[n]).fetch_history()
                return any(e.event_type == EventType.EVENT_TYPE_TIMER_STARTED for e in history.events)

            await eventually(timer_started, timeout=300, what=f"bare case {ids[n]} waiting")

        await bounded(count, self.args.concurrency, start)
        await bounded(count, 20, waiting)
        return {"bare_worker_rss_mb": round(worker.rss_mib(), 1), "bare_worker_rss_before_mb": round(rss_before, 1)}


# Store queue rates for the documented limits: Shopify's Standard plan restores 100 cost points a
# second (a store activity spends about 25), BigCommerce's default quota is 150 requests per 30 s.
STANDARD_PLAN_ACTIVITIES_PER_SECOND = {SHOP: 3.0, BC_FLOW_STORE: 2.0}
STANDARD_PLAN_PATHS = [("order-review", "shopify"), ("order-review", "bigcommerce"), ("order-review", "adobe-commerce")]


async def standard_plan(bench: Bench, stack: Stack) -> None:
    """The merchant's real limit: the sandbox restarted at the documented API limits (Shopify's
    Standard plan cost bucket, BigCommerce's request quota), four worker processes on the same
    stores, order reviews per platform as fast as the stores allow. Throttled calls are counted."""
    count = bench.args.standard_cases
    if count <= 0:
        return
    bench.procs["sandbox"].stop()
    bench.start_sandbox("standard", generation=50)
    bench.sync_webhooks()
    # The stores' queues as a deployment on these plans sets them: below the quota, with room for
    # the shim's reads and the storefront's own calls. Workers read it at start: start them anew.
    stores_file = Path(bench.env["CONFIG_DIR"]) / "stores.yaml"
    stores = stores_file.read_text()
    for store, rate in STANDARD_PLAN_ACTIVITIES_PER_SECOND.items():
        stores = re.sub(
            rf"(id: {re.escape(store)}\n(?:.*\n)*?\s*activities_per_second: )[0-9.]+", rf"\g<1>{rate}", stores, count=1
        )
    stores_file.write_text(stores)
    bench.procs.pop("worker").stop()
    for n in range(1, 5):
        bench.procs[f"worker{n}"] = start_python(f"worker{n}", ["worker.py"], bench.work, bench.env)
    await bench.wait_for_pollers([bench.queue])
    task_wait["seconds"] = 1800.0
    figures: dict[str, Any] = {"worker_processes": 4, "cases": count}
    for case_type, platform_name in STANDARD_PLAN_PATHS:
        drive = PATHS[(case_type, platform_name)]
        await bench.meter(stack, reset=True)
        with measured({}) as usage:
            await bounded(count, bench.args.concurrency, lambda _, d=drive: d(stack))  # type: ignore[misc]
        reading = await bench.meter(stack)
        figures[platform_name] = {
            "cases_per_s": round(count / usage.seconds, 2),
            "throttled_calls": sum(reading["throttled"].values()),
            "api_calls_per_case": {system: round(n / count, 1) for system, n in reading["requests"].items()},
        }
        print(f"  standard plan {platform_name}: {figures[platform_name]}", flush=True)
    bench.results["standard_plan"] = figures


async def callbacks_retried(stack: Stack, case_ids: set[str]) -> int:
    """How many of these cases' task-outcome callbacks the sandbox delivered more than once."""
    deliveries = await stack.deliveries(system="opentext-workflow", label="task-outcome")
    return sum(
        1
        for d in deliveries
        if len(d["attempts"]) > 1 and json.loads(d["body"]).get("businessKey", "").split("#")[0] in case_ids
    )


def load_figures(load: dict[str, Any], bare: dict[str, Any]) -> dict[str, Any]:
    """The load phase beside the bare one: CPU, history and throughput, with their ratios."""
    return {
        "worker_cpu_ms_per_case": load["worker_cpu_ms_per_case"],
        "bare_worker_cpu_ms_per_case": bare["bare_worker_cpu_ms_per_case"],
        "worker_cpu_ratio": round(load["worker_cpu_ms_per_case"] / max(bare["bare_worker_cpu_ms_per_case"], 0.1), 2),
        "server_cpu_ratio": round(load["server_cpu_ms_per_case"] / max(bare["server_cpu_ms_per_case"], 0.1), 2),
        "history_events": load["history_events"],
        "bare_history_events": bare["history_events"],
        "history_ratio": round(load["history_events"] / bare["history_events"], 2),
        "cases_per_s": load["cases_per_s"],
        "bare_per_s": bare["bare_per_s"],
        "shopify_cost_points_per_case": load["shopify_cost_points_per_case"],
        "decision_p50_ms": load["decision_p50_ms"],
        "decision_p99_ms": load["decision_p99_ms"],
        "decision_alone_p50_ms": load["decision_alone_p50_ms"],
        "decision_alone_max_ms": load["decision_alone_max_ms"],
        "throttled_calls": load["throttled_calls"],
    }


def headline(results: dict[str, Any]) -> dict[str, Any]:
    """The figures the issue names, flat, with their ratios."""
    figures: dict[str, Any] = {}
    if "order_review_load" in results and "bare_load" in results:
        figures |= load_figures(results["order_review_load"], results["bare_load"])
    if "shim" in results:
        shim = results["shim"]
        figures |= {key: shim[key] for key in ("shim_p50_ms", "shim_p99_ms", "shim_rps", "shim_ingest_ratio")}
    if "standard_plan" in results:
        plan = results["standard_plan"]
        for name in ("shopify", "bigcommerce", "adobe-commerce"):
            figures[f"cases_per_s_standard_plan_{name}"] = plan[name]["cases_per_s"]
        figures["throttled_calls_standard_plan"] = sum(
            plan[name]["throttled_calls"] for name in plan if name in ("shopify", "bigcommerce", "adobe-commerce")
        )
    if "chaos" in results:
        chaos = results["chaos"]
        figures |= {f"chaos_{key}": chaos[key] for key in ("cases", "completed", "kills", "lost", "duplicated")}
    if "open_cases" in results:
        opened = results["open_cases"]
        figures |= {key: opened[key] for key in ("open_cases", "worker_rss_mb", "bare_worker_rss_mb", "find_case_ms")}
    return figures


async def phase(step: Awaitable[T], timeout: float) -> T:
    """A phase that hangs fails the run with the components' logs instead of waiting forever."""
    try:
        return await asyncio.wait_for(step, timeout)
    except TimeoutError:
        raise BenchError(f"a phase took longer than {timeout:.0f} s") from None


async def run_bench(args: argparse.Namespace) -> dict[str, Any]:
    mark_driver_requests()
    export_secrets()  # the bench plays the store's staff and the reviewer with the same credentials
    with tempfile.TemporaryDirectory(prefix="casebridge-bench-") as tmp:
        bench = Bench(args, Path(tmp))
        try:
            stack = await bench.start()
            want = set(args.phases)
            if 1 in want:
                print("stack up; phase 1: shim ingest", flush=True)
                await phase(bench.shim_ingest(stack), args.phase_timeout)
            bench.sync_webhooks()
            if 2 in want:
                print("phase 2: order review load", flush=True)
                shape = await phase(bench.order_review_load(stack), args.phase_timeout)
                if 3 in want:
                    print("phase 3: bare Temporal, same shape", flush=True)
                    await phase(bench.bare_load(shape), args.phase_timeout)
            if 4 in want:
                print("phase 4: every case type on every platform", flush=True)
                await phase(bench.every_path(stack), args.phase_timeout)
            if 5 in want:
                print(f"phase 5: {args.open_cases} open cases", flush=True)
                await phase(bench.open_cases(stack), args.phase_timeout)
            if 6 in want:
                print("phase 6: documented API limits, four worker processes", flush=True)
                await phase(standard_plan(bench, stack), args.phase_timeout)
        except BaseException:
            for proc in bench.procs.values():
                print(f"--- {proc.name} log tail ---\n{proc.log_tail()}", file=sys.stderr)
            raise
        finally:
            await bench.stop()
    results = bench.results
    if args.chaos_cases > 0 and 7 in args.phases:
        print(
            f"phase 7: chaos, {args.chaos_cases} cases of every type with worker kills, a server restart, faults",
            flush=True,
        )
        results["chaos"] = await run_chaos(cases=args.chaos_cases, kills=4, restarts=1, fault_rate=0.2, seed=7)
    return {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "system": platform.platform()},
        "settings": {key: value for key, value in vars(args).items() if key != "out"},
        "figures": headline(results),
        **results,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=60, help="order reviews in the load phase (and bare cases)")
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--ingest", type=int, default=200, help="signed deliveries in the shim ingest phase")
    parser.add_argument("--per-path", type=int, default=4, help="cases per case type and platform")
    parser.add_argument("--standard-cases", type=int, default=60, help="order reviews per platform at API limits")
    parser.add_argument("--chaos-cases", type=int, default=18, help="cases in the chaos run (0: none)")
    parser.add_argument("--open-cases", type=int, default=10_000, help="cases left open for the memory figure")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--phase-timeout", type=float, default=3600.0, help="seconds before a phase counts as hung")
    parser.add_argument("--profile", action="store_true", help="sample the worker with py-spy in the load phase")
    parser.add_argument(
        "--phases",
        type=lambda text: sorted({int(n) for n in text.split(",")}),
        default=[1, 2, 3, 4, 5, 6, 7],
        help="which phases to run, e.g. 5 or 2,3 (phase 3 needs 2); a partial run writes to --out, "
        "by default bench/results/phases-<list>/",
    )
    args = parser.parse_args()
    if 3 in args.phases and 2 not in args.phases:
        parser.error("phase 3 (bare) runs the shape phase 2 measured: --phases 2,3")
    if args.out == RESULTS and args.phases != [1, 2, 3, 4, 5, 6, 7]:
        args.out = RESULTS / ("phases-" + "-".join(map(str, args.phases)))
    args.out.mkdir(parents=True, exist_ok=True)
    results = asyncio.run(run_bench(args))
    report.write(results, args.out)
    print(report.table(results))
    sys.stdout.flush()
    os._exit(0)  # see starter.exit_now: skip finalization (temporalio/sdk-python#300)


if __name__ == "__main__":
    main()
