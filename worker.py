"""The Casebridge worker: runs the case workflows and their activities on one task queue.

Run one per pod (Python workflow tasks are CPU-bound under the GIL; scale out with replicas).
SIGTERM stops polling, lets running activities finish within the grace period, then exits.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from datetime import timedelta

from temporalio.client import Client
from temporalio.worker import Worker

from activities.opentext import OpenTextWorkflowActivities
from activities.shopify import ShopifyActivities
from casebridge.connections import Connections
from casebridge.settings import Settings, get_settings
from casebridge.stores import load_registry
from casebridge.temporal import connect
from workflows.order_review import OrderReview

WORKFLOWS = [OrderReview]


def build_worker(client: Client, settings: Settings, connections: Connections) -> Worker:
    shopify = ShopifyActivities(connections)
    opentext = OpenTextWorkflowActivities(connections)
    return Worker(
        client,
        task_queue=settings.task_queue,
        workflows=WORKFLOWS,
        activities=[
            shopify.hold_order,
            shopify.release_holds,
            shopify.tag_order,
            shopify.cancel_order,
            shopify.await_cancellation,
            opentext.start_review,
            opentext.await_review_outcome,
            opentext.comment,
            opentext.escalate_review,
            opentext.withdraw_review,
        ],
        # Below the pod's terminationGracePeriodSeconds (120 s in deploy/).
        graceful_shutdown_timeout=timedelta(seconds=60),
    )


async def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = get_settings()
    connections = Connections(load_registry(settings.config_dir))
    client = await connect(settings)
    worker = build_worker(client, settings, connections)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)

    async with worker:
        logging.info("worker polling task queue %s on %s", settings.task_queue, settings.temporal_address)
        await stop.wait()
        logging.info("shutting down")
    await connections.aclose()


if __name__ == "__main__":
    asyncio.run(main())
