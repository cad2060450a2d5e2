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

from activities.adobe_commerce import AdobeCommerceActivities
from activities.bigcommerce import BigCommerceActivities
from activities.exstream import ExstreamActivities
from activities.opentext import OpenTextWorkflowActivities
from activities.shopify import ShopifyActivities
from casebridge.connections import Connections
from casebridge.logs import configure_logging
from casebridge.settings import Settings, get_settings
from casebridge.store_check import StoresNotReady, require_stores_ready
from casebridge.stores import Platform, load_registry, store_task_queue
from casebridge.temporal import connect
from workflows.fulfillment_exception import FulfillmentException
from workflows.order_review import OrderReview
from workflows.return_case import ReturnCase

WORKFLOWS = [OrderReview, ReturnCase, FulfillmentException]


def bigcommerce_activities(bigcommerce: BigCommerceActivities) -> list[Callable[..., Any]]:
    return [
        bigcommerce.get_order,
        bigcommerce.set_status,
        bigcommerce.append_staff_note,
        bigcommerce.refund_order,
        bigcommerce.refund_return_items,
        bigcommerce.match_order_lines,
        bigcommerce.create_replacement_order,
        bigcommerce.substitute_items,
        bigcommerce.item_prices,
        bigcommerce.refund_amount,
    ]


def build_worker(client: Client, settings: Settings, connections: Connections) -> Worker:
    shopify = ShopifyActivities(connections)
    opentext = OpenTextWorkflowActivities(connections)
    # A BigCommerce store without `activities_per_second` has no queue of its own: its cases run
    # the store's activities on this queue (`OrderReviewInput.store_task_queue` is None then).
    bigcommerce = BigCommerceActivities(connections)
    adobe = AdobeCommerceActivities(connections)
    exstream = ExstreamActivities(connections)
    return Worker(
        client,
        task_queue=settings.task_queue,
        workflows=WORKFLOWS,
        activities=[
            shopify.hold_order,
            shopify.create_replacement_order,
            shopify.release_holds,
            shopify.tag_order,
            shopify.cancel_order,
            shopify.await_cancellation,
            shopify.approve_return,
            shopify.decline_return,
            shopify.refund_return,
            shopify.plan_line_cancellation,
            shopify.cancel_lines,
            shopify.substitute_items,
            shopify.split_shipment,
            shopify.item_prices,
            shopify.refund_amount,
            opentext.start_review,
            opentext.await_review_outcome,
            opentext.comment,
            opentext.escalate_review,
            opentext.withdraw_review,
            exstream.send_customer_notice,
            *bigcommerce_activities(bigcommerce),
            adobe.get_order,
            adobe.hold_order,
            adobe.unhold_order,
            adobe.cancel_order,
            adobe.add_comment_once,
            adobe.refund_once,
            adobe.authorize_return,
            adobe.deny_return,
            adobe.refund_return_items,
            adobe.match_order_items,
            adobe.create_replacement_order,
            adobe.item_prices,
            adobe.refund_amount,
        ],
        # Below the pod's terminationGracePeriodSeconds (120 s in deploy/).
        graceful_shutdown_timeout=timedelta(seconds=60),
    )


def build_store_workers(
    client: Client, settings: Settings, connections: Connections, *, store_ids: Collection[str] | None = None
) -> list[Worker]:
    """One worker per rate-limited store queue. `max_task_queue_activities_per_second` is enforced
    by the Temporal server for the whole queue, so the store's quota holds across all processes.

    `store_ids` limits the process to some stores (None: all). A Worker registers its queue with
    the client as soon as it is built, so stores served elsewhere must not even be built here.
    """
    bigcommerce = BigCommerceActivities(connections)
    workers = []
    for store in connections.registry.stores:
        if store.activities_per_second is None or store.platform is not Platform.BIGCOMMERCE:
            continue
        if store_ids is not None and store.id not in store_ids:
            continue
        workers.append(
            Worker(
                client,
                task_queue=store_task_queue(settings.task_queue, store),
                activities=bigcommerce_activities(bigcommerce),
                max_task_queue_activities_per_second=store.activities_per_second,
                graceful_shutdown_timeout=timedelta(seconds=60),
            )
        )
    return workers


async def main() -> None:
    configure_logging(logging.INFO)  # masks credential headers and known secret values
    settings = get_settings()
    try:
        # Every store and tenant answers with its credentials, or the worker does not start.
        await require_stores_ready(settings)
    except StoresNotReady as err:
        raise SystemExit(f"casebridge worker not started: stores check failed: {err}") from None
    connections = Connections(load_registry(settings.config_dir))
    client = await connect(settings)
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
