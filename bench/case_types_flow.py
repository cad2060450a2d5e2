"""Returns and fulfillment exceptions: latency and throughput on one machine, through real parts.

The same stack as `bench.order_review_flow` (bench/harness.py). Two kinds of case, interleaved:

- return (Shopify): a shipped order, the customer's `returnRequest` -> signed `returns/request`
  webhook -> case -> OpenText task; the reviewer refunds -> callback -> approve + refund -> closed.
- fulfillment exception (Shopify): a signed warehouse report on `/events/fulfillment-exception` ->
  case -> holds -> one task per team (warehouse, customer service: a review panel); both decide
  `ship-as-is` -> holds released -> closed.

Printed: event-to-task(s) and decision-to-close per kind, throughput, peak RSS.

Usage: `.venv/bin/python -m bench.case_types_flow --cases 100 --concurrency 10`
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
from tests.test_fulfillment_exception import open_tasks, post, report
from tests.test_return_case import case_of, request_return, shipped_order
from workflows.fulfillment_exception import FulfillmentException
from workflows.messages import CaseStatus
from workflows.return_case import ReturnCase

Marks = dict[str, list[float]]


async def one_return(stack: Stack, marks: Marks) -> None:
    order = await shipped_order(stack, unit_price="140.00")
    t0 = time.perf_counter()
    ret = await request_return(stack, order, "DEFECTIVE")
    case_id = case_of(ret)
    await stack.case_started(case_id, timeout=120)
    task_id = await stack.open_task_id(case_id, timeout=120)
    t1 = time.perf_counter()
    await stack.opentext.complete_task(task_id, "refund", {"reviewer": "bench"})
    result = await stack.client.get_workflow_handle_for(ReturnCase.run, case_id).result()
    t2 = time.perf_counter()
    assert result.status is CaseStatus.APPROVED, result
    marks["return_to_task"].append(t1 - t0)
    marks["return_decision"].append(t2 - t1)


async def one_exception(stack: Stack, marks: Marks) -> None:
    order = await stack.create_order(SHOP, unit_price="90.00")
    t0 = time.perf_counter()
    answer = await post(stack, report(order.legacy_resource_id, "inventory_shortage", lines=[]))
    assert answer.status_code == 200, answer.text
    case_id = answer.json()["case_id"]
    tasks = await open_tasks(stack, case_id, {"warehouse", "customer-service"})
    t1 = time.perf_counter()
    await asyncio.gather(
        *(stack.opentext.complete_task(task, "ship-as-is", {"reviewer": "bench"}) for task in tasks.values())
    )
    result = await stack.client.get_workflow_handle_for(FulfillmentException.run, case_id).result()
    t2 = time.perf_counter()
    assert result.status is CaseStatus.APPROVED, result
    marks["exception_to_tasks"].append(t1 - t0)
    marks["exception_decision"].append(t2 - t1)


async def main(cases: int, concurrency: int) -> None:
    marks: Marks = {"return_to_task": [], "return_decision": [], "exception_to_tasks": [], "exception_decision": []}
    async with bench_stack(["RETURNS_REQUEST", "ORDERS_CANCELLED"]) as stack:
        gate = asyncio.Semaphore(concurrency)

        async def bounded(n: int) -> None:
            async with gate:
                await (one_return(stack, marks) if n % 2 == 0 else one_exception(stack, marks))

        start = time.perf_counter()
        await asyncio.gather(*(bounded(n) for n in range(cases)))
        elapsed = time.perf_counter() - start
    print(f"case-types bench: {cases} cases (returns and exceptions alternating), concurrency {concurrency}, ", end="")
    print(f"{os.cpu_count()} CPUs")
    for name, values in marks.items():
        print(summary(name, values))
    print(f"throughput         {cases / elapsed:7.1f} cases/s ({elapsed:.1f} s total)")
    print(f"peak RSS           {peak_rss_mib():7.1f} MiB (sandbox + shim + worker in one process)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=10)
    args = parser.parse_args()
    asyncio.run(main(args.cases, args.concurrency))
    sys.stdout.flush()
    os._exit(0)  # see starter.exit_now: skip finalization (temporalio/sdk-python#300)
