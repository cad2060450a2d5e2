"""One main path of each case type on each platform, driven as the store, the customer and the
reviewer would drive it (the same helpers as the flow tests). Each returns the case id once the
case has closed, and how long the reviewer's decision took to reach the store (`decision_s`).

The reviewer finds the task in OpenText (the sandbox), as a person would: the bench never queries
the case while it runs, so the worker's and the server's CPU are the case's own.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from routing.abandoned_carts import AbandonedCartPolicy
from routing.communications import CommunicationsPolicy
from tests.support.carts import cart_case_input, open_checkout, shopify_customer
from tests.support.stack import Stack, eventually
from tests.support.world import ADOBE_STORE, BC_FLOW_STORE, DOCS_SHOP, SHOP, TENANT_ID
from tests.test_fulfillment_exception import post, report
from tests.test_order_review_adobe import case_of as adobe_order_case
from tests.test_order_review_adobe import place_order
from tests.test_order_review_bigcommerce import case_of as bigcommerce_order_case
from tests.test_order_review_bigcommerce import seed_order
from tests.test_return_case import case_of as shopify_return_case
from tests.test_return_case import request_return, shipped_order
from tests.test_return_case_adobe import case_of as adobe_return_case
from tests.test_return_case_adobe import invoiced_order, request_rma
from tests.test_return_case_bigcommerce import paid_order, product_id, return_request, started
from workflows.abandoned_cart import KIND as ABANDONED_CART
from workflows.abandoned_cart import AbandonedCart
from workflows.messages import CaseStatus, team_business_key
from workflows.order_documents import KIND as ORDER_DOCUMENTS
from workflows.order_review import KIND as ORDER_REVIEW


@dataclass(frozen=True)
class Ran:
    case_id: str
    to_task_s: float  # store event -> review task(s) open in OpenText
    decision_s: float  # reviewer completes the task -> case closed with the outcome applied


Path = Callable[[Stack], Awaitable[Ran]]

CART_REMINDER_AFTER = timedelta(seconds=2)

# How long a reviewer waits for a task; the documented-limits phase raises it (cases queue there).
task_wait = {"seconds": 120.0}


async def review_tasks(stack: Stack, *business_keys: str) -> list[str]:
    """The open OpenText task of each business key, once each has one."""

    async def all_open() -> list[str] | None:
        found = []
        for key in business_keys:
            tasks = await stack.opentext.list_tasks(business_key=key, include_variables=False)
            if not tasks:
                return None
            found.append(tasks[0].id)
        return found

    return await eventually(all_open, timeout=task_wait["seconds"], what=f"review tasks for {business_keys}")


async def decided(stack: Stack, case_id: str, tasks: list[str], outcome: str, opened: float, started: float) -> Ran:
    """Complete the tasks as the reviewer; the case must close APPROVED."""
    decision = time.perf_counter()
    await asyncio.gather(*(stack.opentext.complete_task(t, outcome, {"reviewer": "bench"}) for t in tasks))
    result = await stack.client.get_workflow_handle(case_id).result()
    closed = time.perf_counter()
    if result["status"] != CaseStatus.APPROVED.value:
        raise RuntimeError(f"{case_id} closed {result['status']}: {result.get('detail')}")
    return Ran(case_id, opened - started, closed - decision)


async def order_review_shopify(stack: Stack) -> Ran:
    t0 = time.perf_counter()
    order = await stack.create_order(SHOP, unit_price="1500.00")
    case_id = ORDER_REVIEW.case_id("shopify", SHOP, order.legacy_resource_id)
    tasks = await review_tasks(stack, case_id)
    return await decided(stack, case_id, tasks, "approved", time.perf_counter(), t0)


async def order_review_bigcommerce(stack: Stack) -> Ran:
    t0 = time.perf_counter()
    case_id = bigcommerce_order_case((await seed_order(stack, "1200.00"))["id"])
    tasks = await review_tasks(stack, case_id)
    return await decided(stack, case_id, tasks, "approved", time.perf_counter(), t0)


async def order_review_adobe(stack: Stack) -> Ran:
    t0 = time.perf_counter()
    case_id = adobe_order_case((await place_order(stack, "1200.00"))["entity_id"])
    tasks = await review_tasks(stack, case_id)
    return await decided(stack, case_id, tasks, "approved", time.perf_counter(), t0)


async def return_shopify(stack: Stack) -> Ran:
    order = await shipped_order(stack, unit_price="140.00")
    t0 = time.perf_counter()
    case_id = shopify_return_case(await request_return(stack, order, "DEFECTIVE"))
    tasks = await review_tasks(stack, case_id)
    return await decided(stack, case_id, tasks, "refund", time.perf_counter(), t0)


async def return_bigcommerce(stack: Stack) -> Ran:
    order = await paid_order(stack)
    tent = product_id(order, "Tent")
    t0 = time.perf_counter()
    line = {"order_product_id": tent, "quantity": 1, "reason": "There was a problem with the product"}
    case_id = await started(stack, return_request(order, [line]))
    tasks = await review_tasks(stack, case_id)
    return await decided(stack, case_id, tasks, "refund", time.perf_counter(), t0)


async def return_adobe(stack: Stack) -> Ran:
    order = await invoiced_order(stack)
    t0 = time.perf_counter()
    case_id = adobe_return_case(await request_rma(stack, order, "TENT-1", 1, "Out of Service"))
    tasks = await review_tasks(stack, case_id)
    return await decided(stack, case_id, tasks, "refund", time.perf_counter(), t0)


async def _exception(stack: Stack, platform: str, store: str, order_id: str) -> Ran:
    t0 = time.perf_counter()
    answer = await post(stack, report(order_id, "inventory_shortage", platform=platform, store=store, lines=[]))
    if answer.status_code != 200:
        raise RuntimeError(f"fulfillment exception refused: {answer.status_code} {answer.text}")
    case_id: str = answer.json()["case_id"]
    keys = [team_business_key(case_id, team) for team in ("warehouse", "customer-service")]
    tasks = await review_tasks(stack, *keys)
    return await decided(stack, case_id, tasks, "ship-as-is", time.perf_counter(), t0)


async def exception_shopify(stack: Stack) -> Ran:
    order = await stack.create_order(SHOP, unit_price="90.00")
    return await _exception(stack, "shopify", SHOP, order.legacy_resource_id)


async def exception_bigcommerce(stack: Stack) -> Ran:
    order = await seed_order(stack, "90.00")
    return await _exception(stack, "bigcommerce", BC_FLOW_STORE, str(order["id"]))


async def exception_adobe(stack: Stack) -> Ran:
    order = await place_order(stack, "90.00")
    return await _exception(stack, "adobe-commerce", ADOBE_STORE, str(order["entity_id"]))


async def letters_delivered(stack: Stack, case_id: str, count: int) -> None:
    """Until Exstream has delivered `count` of the case's letters (read from the sandbox's admin, as
    the customer's inbox would show them; the case itself is not asked)."""
    path = f"{stack.sandbox_url}/opentext/exstream/_admin/tenants/{TENANT_ID}/domains/casebridge/deliveries"

    async def delivered() -> bool | None:
        answer = await stack.http.get(path)
        answer.raise_for_status()
        mine = [d for d in answer.json() if (d["documentId"] or "").startswith(f"letter/{case_id}/")]
        return True if len(mine) >= count else None

    await eventually(delivered, timeout=task_wait["seconds"], what=f"{count} letters of {case_id}")


async def order_documents_shopify(stack: Stack) -> Ran:
    """An order placed, then shipped: the order confirmation, then the shipment notice. `to_task_s`
    is placement -> confirmation delivered, `decision_s` shipment -> shipment notice delivered."""
    t0 = time.perf_counter()
    order = await stack.create_order(DOCS_SHOP, unit_price="75.00", customer_tags=["regular"])
    case_id = ORDER_DOCUMENTS.case_id("shopify", DOCS_SHOP, order.legacy_resource_id)
    await letters_delivered(stack, case_id, 1)
    confirmed = time.perf_counter()
    shop = stack.shop(DOCS_SHOP)
    fulfillment_order = (await shop.get_order(order.id)).fulfillment_orders[0]
    shipped = time.perf_counter()
    await shop.create_fulfillment(fulfillment_order.id)
    await letters_delivered(stack, case_id, 2)
    return Ran(case_id, confirmed - t0, time.perf_counter() - shipped)


async def abandoned_cart_shopify(stack: Stack) -> Ran:
    """A checkout left in the documents shop, its case started with the reminder due after
    `CART_REMINDER_AFTER` (the shop's policy waits hours). `to_task_s` is checkout -> case started,
    `decision_s` reminder due -> reminder delivered."""
    email, _ = await shopify_customer(stack.sandbox_url)
    t0 = time.perf_counter()
    checkout = await open_checkout(stack.sandbox_url, email)
    cart_id = str(checkout["id"])
    case_id = f"{ABANDONED_CART.case_id('shopify', DOCS_SHOP, cart_id)}-bench"
    letters = CommunicationsPolicy(brand="casebridge-outdoor")
    due_soon = AbandonedCartPolicy(remind_after=CART_REMINDER_AFTER)
    await stack.client.start_workflow(
        AbandonedCart.run,
        cart_case_input(case_id, "shopify", DOCS_SHOP, cart_id, letters, "bench", due_soon, files_documents=True),
        id=case_id,
        task_queue=stack.settings.task_queue,
    )
    started = time.perf_counter()
    await letters_delivered(stack, case_id, 1)
    due = started + CART_REMINDER_AFTER.total_seconds()
    return Ran(case_id, started - t0, time.perf_counter() - due)


# (case type, platform) -> its main path: approved / refunded / shipped as is; the order's documents.
PATHS: dict[tuple[str, str], Path] = {
    ("order-review", "shopify"): order_review_shopify,
    ("order-review", "bigcommerce"): order_review_bigcommerce,
    ("order-review", "adobe-commerce"): order_review_adobe,
    ("return", "shopify"): return_shopify,
    ("return", "bigcommerce"): return_bigcommerce,
    ("return", "adobe-commerce"): return_adobe,
    ("fulfillment-exception", "shopify"): exception_shopify,
    ("fulfillment-exception", "bigcommerce"): exception_bigcommerce,
    ("fulfillment-exception", "adobe-commerce"): exception_adobe,
    ("order-documents", "shopify"): order_documents_shopify,
    ("abandoned-cart", "shopify"): abandoned_cart_shopify,
}
