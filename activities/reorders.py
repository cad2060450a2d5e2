"""Whether a customer ordered a SKU again after an order, read from the platform's orders: the
customer's orders created between the order and the moment the reminder is due, other than the
order itself and not cancelled, that hold the SKU.

Each platform is read page by page, at most `MAX_LATER_PAGES` pages: a buyer with more later orders
than that gets no reminder (a customer that busy needs none, and the check stays cheap). The answer
names the later order as the platform's readers name orders (Shopify's `#1001`, BigCommerce's id,
Adobe Commerce's increment id), never its contents or the customer.
"""

from __future__ import annotations

from datetime import datetime

from temporalio import activity

from activities.transaction_models import OrderTransactions
from casebridge.connections import Connections
from casebridge.stores import Platform

MAX_LATER_PAGES = 10
PAGE_SIZE = 50  # BigCommerce's and Adobe Commerce's later orders per page
# BigCommerce statuses of an order that never was one: Incomplete (0), Cancelled (5), Declined (6).
BIGCOMMERCE_NOT_ORDERED = frozenset({0, 5, 6})
ADOBE_CANCELED = "canceled"


class TooManyLaterOrders(Exception):
    """More later orders than `MAX_LATER_PAGES` pages: the check gives up."""


async def ordered_again(
    connections: Connections, platform: str, store: str, order: OrderTransactions, sku: str, until: datetime
) -> str | None:
    """The name of a later order of the same customer holding `sku`, or None. The order must have
    a customer (`customer_ref`). Raises `TooManyLaterOrders`."""
    if order.customer_ref is None:
        raise ValueError("a guest's order has no later orders to read")
    match Platform(platform):
        case Platform.SHOPIFY:
            return await _shopify(connections, store, order, order.customer_ref, sku, until)
        case Platform.BIGCOMMERCE:
            return await _bigcommerce(connections, store, order, int(order.customer_ref), sku, until)
        case Platform.ADOBE_COMMERCE:
            return await _adobe_commerce(connections, store, order, int(order.customer_ref), sku, until)
    raise AssertionError(f"unhandled platform {platform}")


async def _shopify(
    connections: Connections, store: str, order: OrderTransactions, customer_ref: str, sku: str, until: datetime
) -> str | None:
    shop = connections.shopify(store)
    customer, cursor = f"gid://shopify/Customer/{customer_ref}", None
    for _ in range(MAX_LATER_PAGES):
        page = await shop.customer_orders_between(customer, order.created_at, until, after=cursor)
        later = [o for o in page.nodes if o.legacy_resource_id != order.order_id and o.cancelled_at is None]
        again = next((o for o in later if sku in o.skus), None)
        if again is not None:
            return again.name
        cursor = page.next_cursor
        if cursor is None:
            return None
        activity.heartbeat()
    raise TooManyLaterOrders


async def _bigcommerce(
    connections: Connections, store: str, order: OrderTransactions, customer_id: int, sku: str, until: datetime
) -> str | None:
    """v2 orders by `customer_id` and creation time; each later order's products are read on
    their own (a v2 order lists them behind a link)."""
    client = connections.bigcommerce(store)
    for number in range(1, MAX_LATER_PAGES + 1):
        page = await client.orders_created_page(
            order.created_at, until, page=number, limit=PAGE_SIZE, customer_id=customer_id
        )
        for later in page.orders:
            if str(later.id) == order.order_id or later.status_id in BIGCOMMERCE_NOT_ORDERED:
                continue
            if any(p.sku == sku for p in await client.list_order_products(later.id)):
                return str(later.id)
            activity.heartbeat()
        if not page.more:
            return None
    raise TooManyLaterOrders


async def _adobe_commerce(
    connections: Connections, store: str, order: OrderTransactions, customer_id: int, sku: str, until: datetime
) -> str | None:
    """`/V1/orders` by `customer_id` and `created_at`; the orders carry their items."""
    archive = connections.adobe_commerce(store).archive
    for number in range(1, MAX_LATER_PAGES + 1):
        page = await archive.orders_created_page(
            order.created_at, until, page=number, page_size=PAGE_SIZE, customer_id=customer_id
        )
        later = [o for o in page.orders if str(o.entity_id) != order.order_id and o.state != ADOBE_CANCELED]
        again = next((o for o in later if any(i.sku == sku for i in o.items)), None)
        if again is not None:
            return again.increment_id
        if not page.more:
            return None
        activity.heartbeat()
    raise TooManyLaterOrders
