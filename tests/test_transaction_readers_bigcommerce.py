"""The transaction archive's BigCommerce reader against the BigCommerce simulator over HTTP: orders
imported with historical creation dates (BigCommerce lets `POST /v2/orders` set `date_created`) in
a range of their own, paged oldest first with a small page size, and one order read with its refund
(credit memo) and shipment (shipping document)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from activities.transaction_models import OrderKey
from activities.transaction_readers import list_orders_created, read_order_transactions
from casebridge.connections import Connections
from casebridge.stores import load_registry
from connectors.bigcommerce.models import NewShipment, RefundItemRequest, ShipmentItemRequest
from connectors.errors import NotFoundError
from routing.documents import DocumentKind
from tests.support.order_documents import grinder_order
from tests.support.world import BC_FLOW_STORE

PLATFORM = "bigcommerce"


@pytest.fixture
async def connections(config_dir: Path, sandbox_url: str) -> AsyncIterator[Connections]:
    connections = Connections(load_registry(config_dir))
    yield connections
    await connections.aclose()


@pytest.fixture
async def admin(sandbox_url: str) -> AsyncIterator[httpx.AsyncClient]:
    base = f"{sandbox_url}/bigcommerce/_admin/stores/{BC_FLOW_STORE}"
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        yield client


def _range_start() -> datetime:
    """A minute of its own, years back, that no other test's orders fall in."""
    return datetime(2003, 1, 1, tzinfo=UTC) + timedelta(minutes=uuid.uuid4().int % 5_000_000)


async def _seed_customer(admin: httpx.AsyncClient) -> int:
    response = await admin.post("/customers", json={"email": f"buyer-{uuid.uuid4().hex[:8]}@example.test"})
    response.raise_for_status()
    return int(response.json()["id"])


async def _seed_order(admin: httpx.AsyncClient, created: datetime, customer_id: int = 0) -> dict[str, Any]:
    """A paid order (card payment) created at `created`: two grinders and a descaler."""
    email = f"buyer-{uuid.uuid4().hex[:8]}@example.test"
    response = await admin.post("/orders", json=grinder_order(customer_id, email, created=format_datetime(created)))
    response.raise_for_status()
    order: dict[str, Any] = response.json()
    return order


async def _all_pages(connections: Connections, start: datetime, end: datetime, limit: int) -> list[list[OrderKey]]:
    pages: list[list[OrderKey]] = []
    cursor: str | None = None
    while True:
        page = await list_orders_created(connections, PLATFORM, BC_FLOW_STORE, start, end, cursor, limit)
        assert len(page.orders) <= limit
        pages.append(page.orders)
        if page.cursor is None:
            return pages
        again = await list_orders_created(connections, PLATFORM, BC_FLOW_STORE, start, end, cursor, limit)
        assert again == page  # a rerun from the same cursor gives the same page
        cursor = page.cursor


async def test_orders_in_a_range_are_paged_by_creation_date_each_once(
    connections: Connections, admin: httpx.AsyncClient
) -> None:
    start = _range_start()
    # Imported out of order: ids ascend, creation dates do not.
    minutes = [3, 1, 4, 0, 2]
    seeded = [await _seed_order(admin, start + timedelta(minutes=m)) for m in minutes]
    by_date = [str(order["id"]) for _, order in sorted(zip(minutes, seeded, strict=True), key=lambda pair: pair[0])]
    await _seed_order(admin, start - timedelta(seconds=1))  # just before the range
    await _seed_order(admin, start + timedelta(minutes=5))  # at its (excluded) end

    pages = await _all_pages(connections, start, start + timedelta(minutes=5), limit=2)

    assert [[k.order_id for k in page] for page in pages] == [by_date[0:2], by_date[2:4], by_date[4:]]
    assert [k.created_at for page in pages for k in page] == [start + timedelta(minutes=m) for m in range(5)]
    assert all(k.order_name == k.order_id for page in pages for k in page)


async def test_an_order_with_its_refund_and_shipment(connections: Connections, admin: httpx.AsyncClient) -> None:
    client = connections.bigcommerce(BC_FLOW_STORE)
    customer_id = await _seed_customer(admin)
    seeded = await _seed_order(admin, _range_start(), customer_id)
    order_id = int(seeded["id"])
    grinder, descaler = await client.list_order_products(order_id)
    refund = await client.refund_once(
        order_id,
        [RefundItemRequest(item_type="PRODUCT", item_id=descaler.id, quantity=1)],
        key=f"archive-{uuid.uuid4().hex[:8]}",
        reason="damaged",
    )
    [address] = await client.list_shipping_addresses(order_id)
    shipment = await client.create_shipment(
        order_id,
        NewShipment(
            order_address_id=address.id,
            items=[ShipmentItemRequest(order_product_id=grinder.id, quantity=2)],
            tracking_number="1Z999AA10123456784",
            shipping_provider="ups",
            tracking_carrier="ups",
        ),
    )

    record = await read_order_transactions(connections, PLATFORM, BC_FLOW_STORE, str(order_id))

    assert (record.order_id, record.order_name, record.currency) == (str(order_id), str(order_id), "USD")
    assert record.customer_ref == str(customer_id)
    assert [(line.sku, line.title, line.quantity, line.unit_price, line.total) for line in record.lines] == [
        ("GRIND-1", "Grinder", 2, Decimal("60.00"), Decimal("120.00")),
        ("DESC-1", "Descaler", 1, Decimal("12.00"), Decimal("12.00")),
    ]
    assert record.total == Decimal("132.00") and record.tax_total == Decimal("22.00")
    memo, shipping = record.documents
    assert memo.kind is DocumentKind.CREDIT_MEMO and memo.number == str(refund.refund.id)
    assert memo.amount == Decimal("12.00")
    assert [(line.sku, line.quantity, line.total) for line in memo.lines] == [("DESC-1", 1, Decimal("12.00"))]
    assert shipping.kind is DocumentKind.SHIPPING_DOCUMENT and shipping.number == str(shipment.id)
    assert shipping.details == {"carrier": "ups", "tracking_number": "1Z999AA10123456784"}
    assert [(line.sku, line.quantity) for line in shipping.lines] == [("GRIND-1", 2)]
    assert shipping.issued_at >= record.created_at
    dumped = record.model_dump_json()
    assert "@example.test" not in dumped and "Buyer" not in dumped and "Test Way" not in dumped


async def test_an_unknown_order_is_not_found(connections: Connections) -> None:
    with pytest.raises(NotFoundError):
        await read_order_transactions(connections, PLATFORM, BC_FLOW_STORE, "99999999")
