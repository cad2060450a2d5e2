"""The transaction archive's Shopify reader against the Shopify simulator over HTTP: a date range
paged oldest first with a small page size, and one order read with its refund (credit memo) and
fulfillment (shipping document). Runs on the shop no flow subscribes to, so no case starts."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from activities.transaction_models import OrderKey
from activities.transaction_readers import list_orders_created, read_order_transactions
from casebridge.connections import Connections
from casebridge.stores import load_registry
from connectors.errors import NotFoundError
from connectors.shopify.fulfillments import TrackingInfo
from connectors.shopify.models import Order
from connectors.shopify.refunds import RefundLine
from routing.documents import DocumentKind
from tests.support.world import SLA_SHOP

PLATFORM = "shopify"


@pytest.fixture
async def connections(config_dir: Path, sandbox_url: str) -> AsyncIterator[Connections]:
    connections = Connections(load_registry(config_dir))
    yield connections
    await connections.aclose()


def _money(amount: str) -> dict[str, Any]:
    return {"shopMoney": {"amount": amount, "currencyCode": "USD"}}


async def _paid_order(connections: Connections) -> Order:
    """A kettle (2 x 40.00) and a filter (1 x 20.00), paid 100.00, by a customer of the shop."""
    email = f"buyer-{uuid.uuid4().hex[:8]}@example.test"
    return await connections.shopify(SLA_SHOP).create_order(
        {
            "currency": "USD",
            "email": email,
            "customer": {"toUpsert": {"email": email}},
            "lineItems": [
                {"title": "Kettle", "sku": "KETTLE-1", "quantity": 2, "priceSet": _money("40.00")},
                {"title": "Filter", "sku": "FILTER-1", "quantity": 1, "priceSet": _money("20.00")},
            ],
            "transactions": [{"kind": "SALE", "status": "SUCCESS", "gateway": "manual", "amountSet": _money("100.00")}],
        }
    )


async def _all_pages(connections: Connections, start: datetime, end: datetime, limit: int) -> list[list[OrderKey]]:
    pages: list[list[OrderKey]] = []
    cursor: str | None = None
    while True:
        page = await list_orders_created(connections, PLATFORM, SLA_SHOP, start, end, cursor, limit)
        assert len(page.orders) <= limit
        pages.append(page.orders)
        if page.cursor is None:
            return pages
        again = await list_orders_created(connections, PLATFORM, SLA_SHOP, start, end, cursor, limit)
        assert again == page  # a rerun from the same cursor gives the same page
        cursor = page.cursor


async def test_orders_in_a_range_are_paged_oldest_first_each_once(connections: Connections) -> None:
    # Shopify reports creation times in whole seconds, and the range is compared with those.
    start = datetime.now(UTC).replace(microsecond=0)
    created = [await _paid_order(connections) for _ in range(5)]
    end = datetime.now(UTC) + timedelta(seconds=1)

    pages = await _all_pages(connections, start, end, limit=2)
    listed = [key for page in pages for key in page]
    ours = {order.legacy_resource_id for order in created}
    assert [k.order_id for k in listed if k.order_id in ours] == [o.legacy_resource_id for o in created]
    assert len({k.order_id for k in listed}) == len(listed)  # no order twice
    assert [k.created_at for k in listed] == sorted(k.created_at for k in listed)
    assert all(start <= k.created_at < end for k in listed)
    assert len(pages) >= 3
    names = {k.order_id: k.order_name for k in listed}
    assert all(names[o.legacy_resource_id] == o.name for o in created)

    # The range is half-open: an order created at its end is not in it.
    boundary = listed[len(listed) // 2].created_at
    before = [k for page in await _all_pages(connections, start, boundary, limit=10) for k in page]
    assert before == [k for k in listed if k.created_at < boundary]


async def test_an_order_with_its_refund_and_fulfillment(connections: Connections) -> None:
    shop = connections.shopify(SLA_SHOP)
    order = await _paid_order(connections)
    suggestion = await shop.suggest_refund(order.id, full=True)
    kettle, filter_ = (item.line_item.id for item in suggestion.refund_line_items)
    refund = await shop.refund_once(
        order.id, f"archive-{uuid.uuid4().hex[:8]}", lines=[RefundLine(line_item_id=filter_, quantity=1)]
    )
    [fulfillment_order] = (await shop.get_order(order.id)).fulfillment_orders
    fulfillment = await shop.create_fulfillment(
        fulfillment_order.id, tracking=TrackingInfo(company="UPS", number="1Z999AA10123456784")
    )
    assert kettle

    record = await read_order_transactions(connections, PLATFORM, SLA_SHOP, order.legacy_resource_id)

    assert (record.order_id, record.order_name, record.currency) == (order.legacy_resource_id, order.name, "USD")
    assert record.total == Decimal("100.00") and record.subtotal == Decimal("100.00")
    assert record.tax_total == Decimal("0.00")
    assert record.status == "PARTIALLY_REFUNDED/FULFILLED"
    assert order.customer is not None and record.customer_ref == order.customer.id.rsplit("/", 1)[-1]
    assert [(line.sku, line.title, line.quantity, line.unit_price, line.total) for line in record.lines] == [
        ("KETTLE-1", "Kettle", 2, Decimal("40.00"), Decimal("80.00")),
        ("FILTER-1", "Filter", 1, Decimal("20.00"), Decimal("20.00")),
    ]
    memo, shipping = record.documents
    assert memo.kind is DocumentKind.CREDIT_MEMO and memo.number == refund.refund.id.rsplit("/", 1)[-1]
    assert memo.amount == Decimal("20.00")
    assert [(line.sku, line.quantity, line.total) for line in memo.lines] == [("FILTER-1", 1, Decimal("20.00"))]
    assert memo.issued_at >= record.created_at
    assert shipping.kind is DocumentKind.SHIPPING_DOCUMENT and shipping.number == fulfillment.id.rsplit("/", 1)[-1]
    assert shipping.details["carrier"] == "UPS" and shipping.details["tracking_number"] == "1Z999AA10123456784"
    assert [(line.sku, line.quantity) for line in shipping.lines] == [("KETTLE-1", 2)]
    # Nothing personal travels with the record: the buyer's e-mail is nowhere in it.
    assert "@example.test" not in record.model_dump_json()


async def test_an_unknown_order_is_not_found(connections: Connections) -> None:
    with pytest.raises(NotFoundError):
        await read_order_transactions(connections, PLATFORM, SLA_SHOP, "987654321")


async def test_an_order_with_more_lines_than_one_page(connections: Connections) -> None:
    lines = [{"title": f"Part {n}", "sku": f"PART-{n}", "quantity": 1, "priceSet": _money("1.00")} for n in range(53)]
    order = await connections.shopify(SLA_SHOP).create_order({"currency": "USD", "lineItems": lines})

    record = await read_order_transactions(connections, PLATFORM, SLA_SHOP, order.legacy_resource_id)

    assert [line.sku for line in record.lines] == [f"PART-{n}" for n in range(53)]
    assert record.customer_ref is None and record.documents == []
