"""The transaction archive's Adobe Commerce reader against the Adobe Commerce simulator over HTTP:
orders placed in the past (the simulator's seeding sets `created_at`) in a range of their own, paged
oldest first with a small page size, and one order read with its invoice, credit memo and shipment
(with its track)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from activities.transaction_models import OrderKey
from activities.transaction_readers import list_orders_created, read_order_transactions
from casebridge.connections import Connections
from casebridge.stores import load_registry
from connectors.adobe_commerce.models import RefundItem
from connectors.errors import NotFoundError, RejectedError
from routing.documents import DocumentKind
from tests.support.world import ADOBE_STORE

PLATFORM = "adobe-commerce"


@pytest.fixture
async def connections(config_dir: Path, sandbox_url: str) -> AsyncIterator[Connections]:
    connections = Connections(load_registry(config_dir))
    yield connections
    await connections.aclose()


@pytest.fixture
async def admin(sandbox_url: str) -> AsyncIterator[httpx.AsyncClient]:
    base = f"{sandbox_url}/adobe-commerce/_admin/stores/{ADOBE_STORE}"
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        yield client


def _range_start() -> datetime:
    """A minute of its own, years back, that no other test's orders fall in."""
    return datetime(2004, 1, 1, tzinfo=UTC) + timedelta(minutes=uuid.uuid4().int % 5_000_000)


async def _seed_order(admin: httpx.AsyncClient, created: datetime, **spec: Any) -> dict[str, Any]:
    """Two kettles (40.00) and a filter (20.00), placed at `created`."""
    response = await admin.post(
        "/orders",
        json={
            "items": [
                {"sku": "KETTLE-1", "name": "Kettle", "price": "40.00", "qty": 2},
                {"sku": "FILTER-1", "name": "Filter", "price": "20.00", "qty": 1},
            ],
            "customer_email": f"buyer-{uuid.uuid4().hex[:8]}@example.test",
            "created_at": created.strftime("%Y-%m-%d %H:%M:%S"),
            **spec,
        },
    )
    response.raise_for_status()
    order: dict[str, Any] = response.json()
    return order


async def _all_pages(connections: Connections, start: datetime, end: datetime, limit: int) -> list[list[OrderKey]]:
    pages: list[list[OrderKey]] = []
    cursor: str | None = None
    while True:
        page = await list_orders_created(connections, PLATFORM, ADOBE_STORE, start, end, cursor, limit)
        assert len(page.orders) <= limit
        pages.append(page.orders)
        if page.cursor is None:
            return pages
        again = await list_orders_created(connections, PLATFORM, ADOBE_STORE, start, end, cursor, limit)
        assert again == page  # a rerun from the same cursor gives the same page
        cursor = page.cursor


async def test_orders_in_a_range_are_paged_by_creation_time_each_once(
    connections: Connections, admin: httpx.AsyncClient
) -> None:
    start = _range_start()
    minutes = [3, 1, 4, 0, 2]  # placed out of order: entity ids ascend, creation times do not
    seeded = [await _seed_order(admin, start + timedelta(minutes=m)) for m in minutes]
    by_time = [order for _, order in sorted(zip(minutes, seeded, strict=True), key=lambda pair: pair[0])]
    await _seed_order(admin, start - timedelta(seconds=1))  # just before the range
    await _seed_order(admin, start + timedelta(minutes=5))  # at its (excluded) end

    pages = await _all_pages(connections, start, start + timedelta(minutes=5), limit=2)

    expected = [(str(o["entity_id"]), o["increment_id"]) for o in by_time]
    assert [[(k.order_id, k.order_name) for k in page] for page in pages] == [
        expected[0:2],
        expected[2:4],
        expected[4:],
    ]
    assert [k.created_at for page in pages for k in page] == [start + timedelta(minutes=m) for m in range(5)]


async def test_an_empty_range_is_one_empty_page(connections: Connections) -> None:
    start = _range_start()
    page = await list_orders_created(connections, PLATFORM, ADOBE_STORE, start, start + timedelta(seconds=1), None, 5)
    assert page.orders == [] and page.cursor is None


async def test_an_order_with_its_invoice_credit_memo_and_shipment(
    connections: Connections, admin: httpx.AsyncClient
) -> None:
    adobe = connections.adobe_commerce(ADOBE_STORE)
    seeded = await _seed_order(admin, _range_start(), customer_id=4242, invoiced=True)
    order_id = int(seeded["entity_id"])
    kettle, filter_ = (int(item["item_id"]) for item in seeded["items"])
    one_filter = [RefundItem(order_item_id=filter_, qty=Decimal(1))]
    refund = await adobe.sales.refund_items_once(
        order_id, one_filter, key=f"archive-{uuid.uuid4().hex[:8]}", comment="x"
    )
    assert refund.credit_memo is not None
    ship = {
        "items": [{"order_item_id": kettle, "qty": 2}],
        "tracks": [{"track_number": "1Z999AA10123456784", "title": "United Parcel Service", "carrier_code": "ups"}],
    }
    shipment_id = await adobe.client.call_as(int, "ship", "POST", f"/V1/order/{order_id}/ship", json=ship)
    with pytest.raises(RejectedError) as refused:  # nothing is left to ship
        await adobe.client.call_as(int, "ship", "POST", f"/V1/order/{order_id}/ship", json=ship)
    assert "Shipment Document Validation Error(s)" in refused.value.message

    record = await read_order_transactions(connections, PLATFORM, ADOBE_STORE, str(order_id))

    assert (record.order_id, record.order_name, record.currency) == (str(order_id), seeded["increment_id"], "USD")
    assert record.customer_ref == "4242"
    assert record.total == Decimal("100.00") and record.subtotal == Decimal("100.00")
    assert [(line.sku, line.title, line.quantity, line.unit_price, line.total) for line in record.lines] == [
        ("KETTLE-1", "Kettle", 2, Decimal("40.00"), Decimal("80.00")),
        ("FILTER-1", "Filter", 1, Decimal("20.00"), Decimal("20.00")),
    ]
    invoice, memo, shipping = record.documents
    assert invoice.kind is DocumentKind.INVOICE and invoice.amount == Decimal("100.00")
    assert [(line.sku, line.quantity) for line in invoice.lines] == [("KETTLE-1", 2), ("FILTER-1", 1)]
    assert memo.kind is DocumentKind.CREDIT_MEMO and memo.number == str(refund.credit_memo.entity_id)
    assert memo.amount == Decimal("20.00")
    assert [(line.sku, line.quantity, line.total) for line in memo.lines] == [("FILTER-1", 1, Decimal("20.00"))]
    assert shipping.kind is DocumentKind.SHIPPING_DOCUMENT and shipping.number == str(shipment_id)
    assert shipping.details["carrier"] == "United Parcel Service"
    assert shipping.details["tracking_number"] == "1Z999AA10123456784"
    assert [(line.sku, line.title, line.quantity) for line in shipping.lines] == [("KETTLE-1", "Kettle", 2)]
    # Invoiced, refunded what was not shipped, shipped the rest: Magento completes the order.
    assert record.status == "complete"
    assert "@example.test" not in record.model_dump_json()


async def test_an_unknown_order_is_not_found(connections: Connections) -> None:
    with pytest.raises(NotFoundError):
        await read_order_transactions(connections, PLATFORM, ADOBE_STORE, "99999999")
