"""A store's request quota holds across worker processes: its API activities run on the store's own
task queue, whose activity rate the Temporal server enforces for every poller together.

Two workers (as two pods would) poll the BigCommerce store's queue. The sandbox store allows 4
requests per 2 s. Without the queue's limit the same burst draws 429s from the store (the client
waits them out, spending its attempts' time); with it, the store never has to refuse a request.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

from pydantic import BaseModel
from temporalio import workflow
from temporalio.client import Client
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError
from temporalio.worker import Worker

from activities.bigcommerce import BigCommerceActivities
from activities.models import BigCommerceOrderRequest
from casebridge.stores import Platform, store_task_queue
from tests.support.stack import Stack
from tests.support.world import BC_STORE
from worker import build_store_workers


class Burst(BaseModel):
    queue: str
    order_id: int
    calls: int


class BurstResult(BaseModel):
    succeeded: int
    refused: list[str]


@workflow.defn(sandboxed=False)
class ReadBurst:
    """Reads one order `calls` times at once on the given queue; reports who got through."""

    @workflow.run
    async def run(self, burst: Burst) -> BurstResult:
        async def read() -> str | None:
            try:
                await workflow.execute_activity_method(
                    BigCommerceActivities.get_order,
                    BigCommerceOrderRequest(store=BC_STORE, order_id=burst.order_id),
                    task_queue=burst.queue,
                    start_to_close_timeout=timedelta(seconds=30),
                    retry_policy=RetryPolicy(maximum_attempts=1),  # a 429 must show, not be retried away
                )
                return None
            except ActivityError as err:
                return str(err.cause)

        outcomes = await asyncio.gather(*(read() for _ in range(burst.calls)))
        refused = [o for o in outcomes if o is not None]
        return BurstResult(succeeded=burst.calls - len(refused), refused=refused)


async def seed_order(stack: Stack) -> int:
    response = await stack.http.post(
        f"{stack.sandbox_url}/bigcommerce/_admin/stores/{BC_STORE}/orders",
        json={
            "billing_address": {"first_name": "Rate", "last_name": "Limit", "zip": "78751", "email": "r@example.test"},
            "products": [{"name": "Mug", "quantity": 1, "price_inc_tax": "10.00", "price_ex_tax": "10.00"}],
        },
    )
    response.raise_for_status()
    return int(response.json()["id"])


async def refusals(stack: Stack) -> int:
    response = await stack.http.get(f"{stack.sandbox_url}/bigcommerce/_admin/stores/{BC_STORE}/state")
    response.raise_for_status()
    return int(response.json()["rate_limit"]["refused"])


async def burst(stack: Stack, queue: str, order_id: int, calls: int) -> BurstResult:
    return await stack.client.execute_workflow(
        ReadBurst.run,
        Burst(queue=queue, order_id=order_id, calls=calls),
        id=f"burst-{uuid.uuid4().hex[:8]}",
        task_queue=stack.settings.task_queue + ".bursts",
    )


async def test_store_queue_rate_limit_holds_across_workers(stack: Stack) -> None:
    store = stack.registry.store(Platform.BIGCOMMERCE, BC_STORE)
    assert store is not None and store.activities_per_second is not None
    order_id = await seed_order(stack)

    def bursts() -> Worker:
        return Worker(stack.client, task_queue=stack.settings.task_queue + ".bursts", workflows=[ReadBurst])

    # Control: the same burst on an unlimited queue overruns the store's quota.
    unlimited_queue = f"unlimited-{uuid.uuid4().hex[:6]}"
    reader = BigCommerceActivities(stack.connections)
    unlimited = Worker(stack.client, task_queue=unlimited_queue, activities=[reader.get_order])
    before = await refusals(stack)
    async with bursts(), unlimited:
        await burst(stack, unlimited_queue, order_id, calls=10)
    assert await refusals(stack) > before, "without the queue limit the burst should exceed the store quota"

    # Two workers on the store's queue, as two pods: the server spaces the calls for both.
    await asyncio.sleep(2.2)  # let the sandbox's quota window pass after the control burst
    # A second connection stands for a second worker process (one SDK client refuses two pollers).
    other_client = await Client.connect(
        stack.client.service_client.config.target_host,
        namespace=stack.client.namespace,
        data_converter=stack.client.data_converter,
    )
    # This store only: the session's stack already runs the other BigCommerce store's queue worker.
    first, second = (
        build_store_workers(stack.client, stack.settings, stack.connections, store_ids=[BC_STORE]),
        build_store_workers(other_client, stack.settings, stack.connections, store_ids=[BC_STORE]),
    )
    assert [w.task_queue for w in first] == [store_task_queue(stack.settings.task_queue, store)]
    before = await refusals(stack)
    async with bursts(), first[0], second[0]:
        limited = await burst(stack, first[0].task_queue, order_id, calls=6)
    assert limited.refused == []
    assert limited.succeeded == 6
    assert await refusals(stack) == before
