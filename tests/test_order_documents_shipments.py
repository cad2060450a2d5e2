"""An order shipped in two shipments, end to end on Shopify and BigCommerce: the first shipment leaves
a line to come, so the customer gets the "Partial Shipment Letter" naming what shipped and what is
still to come; the second completes the order and gets the "Shipment Notice". Each letter is keyed
by its shipment. The order's packing slip, rendered by Exstream when the order was placed and sent to
nobody, is in the workspace's shipping documents exactly once, also after the order's placement is
announced again and after the filing activity runs once more."""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from temporalio.api.history.v1 import History

from activities.packing_slips import PackingSlipActivities, PackingSlipRequest, packing_slip_name
from activities.shipments import units_to_come
from activities.transaction_models import OrderTransactions, TransactionDocument, TransactionLine
from activities.transaction_records import record_name
from casebridge.stores import Platform
from connectors.bigcommerce.models import NewShipment, ShipmentItemRequest
from connectors.opentext.content_server_models import Node
from connectors.shopify.fulfillments import FulfillmentOrderLine, TrackingInfo
from routing.documents import DocumentKind
from shim.topics import EVENTS_NEEDED, TOPICS, CaseType
from tests.support.histories import decode_payloads
from tests.support.order_documents import (
    all_events_applied,
    letters_to,
    letters_with,
    shopify_documents_order,
    workspace_documents,
)
from tests.support.stack import Stack, eventually
from tests.support.world import BC_DOCS_STORE, DOCS_SHOP
from tests.test_case_file import ecm
from tests.test_fulfillment_exception import emails_with
from tests.test_order_documents_bigcommerce import about as about_bc_order
from tests.test_order_documents_bigcommerce import place_order as place_bc_order
from tests.test_order_review_bigcommerce import post_webhook, signed
from workflows.order_documents import KIND as ORDER_DOCUMENTS

# The Shopify topics an order's documents case follows (the documents shop's others, such as
# checkouts and products, number their objects on their own).
SHOPIFY_TOPICS = TOPICS[Platform.SHOPIFY]
ORDER_TOPICS = frozenset(SHOPIFY_TOPICS[e] for e in EVENTS_NEEDED[CaseType.ORDER_DOCUMENTS] if e in SHOPIFY_TOPICS)

# References and ids only: an event of the case or a letter stays well under one rendered document.
MAX_EVENT_BYTES = 8 * 1024

CONFIRMED_AND_PARTIAL = ["Order Confirmation", "Partial Shipment Letter"]
ALL_LETTERS = [*CONFIRMED_AND_PARTIAL, "Shipment Notice"]
SLIP = "Packing Slip"

FULFILLMENT_ORDER_LINES = """
query($id: ID!) {
  order(id: $id) {
    fulfillmentOrders(first: 5) {
      nodes { id lineItems(first: 10) { nodes { id remainingQuantity lineItem { sku } } } }
    }
  }
}
"""


def tracking_numbers() -> tuple[str, str]:
    """The two shipments' tracking numbers, unique so each letter is found by its own."""
    tag = uuid.uuid4().hex[:10].upper()
    return f"1ZPART{tag}", f"1ZREST{tag}"


async def shipping_documents(stack: Stack, platform: str, store: str, order_id: str, count: int) -> list[Node]:
    """The workspace's shipping documents once there are `count`."""

    async def filed() -> list[Node] | None:
        shipping = (await workspace_documents(stack, platform, store, order_id)).get("Shipping", [])
        return shipping if len(shipping) == count else None

    return await eventually(filed, what=f"{count} shipping documents in the order's workspace", timeout=30.0)


def assert_partial_letter(email: str, shipped: str, to_come: str) -> None:
    """The letter names the shipped line before "Still to come:" and the remaining line after it."""
    shipped_at, divider, to_come_at = email.find(shipped), email.find("Still to come:"), email.find(to_come)
    assert -1 < shipped_at < divider < to_come_at, email
    assert shipped not in email[divider:]  # what shipped is not still to come


async def assert_slip_filed_once(stack: Stack, platform: str, store: str, order_id: str, order_name: str) -> None:
    """One packing slip, version 1, and the filing once more files nothing new."""
    [slip] = [d for d in await shipping_documents(stack, platform, store, order_id, 3) if d.name.startswith(SLIP)]
    assert slip.name == packing_slip_name(order_name)
    assert [v.version_number for v in await ecm(stack).list_versions(slip.id)] == [1]
    pdf = (await ecm(stack).download_version(slip.id, 1)).content
    assert pdf.startswith(b"%PDF-") and f"Packing slip {order_name}".encode() in pdf
    registered = stack.connections.registry.store(Platform(platform), store)
    assert registered is not None
    request = PackingSlipRequest(
        tenant=registered.opentext_tenant, platform=platform, store=store, order_id=order_id, communication=SLIP
    )
    again = await PackingSlipActivities(stack.connections).file_packing_slip(request)
    assert (again.node_id, again.version, again.unchanged) == (slip.id, 1, True)


async def test_shopify_partial_shipment_letter_then_shipment_notice_and_one_packing_slip(stack: Stack) -> None:
    shop = stack.shop(DOCS_SHOP)
    order = await shopify_documents_order(
        stack,
        "two-parcels",
        {"address1": "1 Test Way", "city": "Springfield", "zip": "62701", "countryCode": "US"},
        "USD",
        [("Trail tent", "TENT-2P", 1, "149.00"), ("Tent pegs", "PEGS-10", 3, "3.00")],
    )
    order_id = order.legacy_resource_id
    case_id = ORDER_DOCUMENTS.case_id("shopify", DOCS_SHOP, order_id)
    await stack.case_started(case_id)
    await letters_with(stack, case_id, ["Order Confirmation"])
    [slip] = await shipping_documents(stack, "shopify", DOCS_SHOP, order_id, 1)  # filed when placed
    assert slip.name == packing_slip_name(order.name)

    found = await shop.client.execute(FULFILLMENT_ORDER_LINES, {"id": order.id}, operation="order")
    [fulfillment_order] = found["order"]["fulfillmentOrders"]["nodes"]
    part, rest = tracking_numbers()
    tent_line = next(li for li in fulfillment_order["lineItems"]["nodes"] if li["lineItem"]["sku"] == "TENT-2P")
    first = await shop.create_fulfillment(
        fulfillment_order["id"],
        [FulfillmentOrderLine(id=tent_line["id"], quantity=1)],
        tracking=TrackingInfo(company="DHL", number=part),
    )
    await letters_with(stack, case_id, CONFIRMED_AND_PARTIAL)
    [partial] = await emails_with(stack, order.name, part, "Still to come:")
    assert_partial_letter(partial, "1 x Trail tent (TENT-2P)", "3 x Tent pegs (PEGS-10)")

    second = await shop.create_fulfillment(fulfillment_order["id"], tracking=TrackingInfo(company="DHL", number=rest))
    letters = await letters_with(stack, case_id, ALL_LETTERS)
    [notice] = await emails_with(stack, order.name, rest)
    assert "3 x Tent pegs (PEGS-10)" in notice and "Still to come" not in notice
    first_number, second_number = first.id.rsplit("/", 1)[-1], second.id.rsplit("/", 1)[-1]
    assert {(d["communication"], d["documentId"].rsplit("/", 1)[-1]) for d in letters} == {
        ("Order Confirmation", "order-confirmation"),
        ("Partial Shipment Letter", f"shipping-document-{first_number}"),
        ("Shipment Notice", f"shipping-document-{second_number}"),
    }

    # The order's placement announced again (another notification of it, delivered twice): the
    # case applies it once, files no second packing slip and writes no letter.
    def about(body: dict[str, Any]) -> bool:
        # The order's own topics: a checkout or a product of the same number is about something else.
        if "order_id" in body:
            return str(body["order_id"]) == order_id
        return "order_number" in body and str(body.get("id")) == order_id

    events = await all_events_applied(stack, case_id, "shopify", about, ORDER_TOPICS, DOCS_SHOP)
    created = await stack.deliveries(system="shopify", label="orders/create")
    [placed] = [d for d in created if in_docs_shop(d) and about(json.loads(d["body"]))]
    headers = {k: v for k, v in placed["headers"].items() if k.lower() != "x-shopify-webhook-id"}
    headers["X-Shopify-Webhook-Id"] = f"again-{uuid.uuid4().hex[:8]}"
    for _ in range(2):
        answer = await stack.http.post(placed["url"], content=placed["body"].encode(), headers=headers)
        assert answer.status_code == 200, answer.text

    async def applied() -> list[str] | None:
        trail = [e.event for e in await stack.audit(case_id)]
        return trail if trail.count("store event") == events + 1 else None

    trail = await eventually(applied, what="the repeated placement applied once")
    assert trail.count("packing slip filed") == 1 and trail.count("letter started") == 3
    assert len(await letters_to(stack, case_id)) == 3
    shipping = await shipping_documents(stack, "shopify", DOCS_SHOP, order_id, 3)
    assert sorted(d.name for d in shipping) == sorted(
        [
            packing_slip_name(order.name),
            record_name("shipping-document", first_number),
            record_name("shipping-document", second_number),
        ]
    )
    await assert_slip_filed_once(stack, "shopify", DOCS_SHOP, order_id, order.name)
    await assert_documents_stay_out_of_history(stack, case_id, [d["documentId"] for d in letters])


def in_docs_shop(delivery: dict[str, Any]) -> bool:
    """A delivery of the documents shop's (the test shops number their orders alike)."""
    return {k.lower(): v for k, v in delivery["headers"].items()}.get("x-shopify-shop-domain") == DOCS_SHOP


async def assert_documents_stay_out_of_history(stack: Stack, case_id: str, letter_ids: list[str]) -> None:
    """The payload-size check: the PDFs rendered and filed (packing slip, letters) are in the ECM, not
    in the histories of the case or its letters, whose every event stays small (references only)."""
    filed_pdf_bytes = 0
    workspace = await workspace_documents(stack, "shopify", DOCS_SHOP, case_id.rsplit("/", 1)[-1])
    for document in (d for documents in workspace.values() for d in documents if d.name.endswith(".pdf")):
        [version, *_] = await ecm(stack).list_versions(document.id)
        filed_pdf_bytes += len((await ecm(stack).download_version(document.id, version.version_number)).content)
    assert filed_pdf_bytes > 0
    for workflow_id in [case_id, *letter_ids]:
        history = History(events=(await stack.client.get_workflow_handle(workflow_id).fetch_history()).events)
        await decode_payloads(history, stack.client.data_converter.payload_codec)  # type: ignore[arg-type]
        largest = max(event.ByteSize() for event in history.events)
        assert b"%PDF" not in history.SerializeToString(), workflow_id
        assert largest < MAX_EVENT_BYTES, (workflow_id, largest, filed_pdf_bytes)


async def test_bigcommerce_partial_shipment_letter_then_shipment_notice_and_one_packing_slip(stack: Stack) -> None:
    store = stack.connections.bigcommerce(BC_DOCS_STORE)
    order = await place_bc_order(stack)  # two grinders and a descaler
    order_id = int(order["id"])
    case_id = ORDER_DOCUMENTS.case_id("bigcommerce", BC_DOCS_STORE, str(order_id))
    await stack.case_started(case_id)
    await letters_with(stack, case_id, ["Order Confirmation"])
    await shipping_documents(stack, "bigcommerce", BC_DOCS_STORE, str(order_id), 1)  # the packing slip

    grinder, descaler = await store.list_order_products(order_id)
    [address] = await store.list_shipping_addresses(order_id)

    async def ship(product_id: int, quantity: int, tracking: str) -> int:
        shipment = await store.create_shipment(
            order_id,
            NewShipment(
                order_address_id=address.id,
                items=[ShipmentItemRequest(order_product_id=product_id, quantity=quantity)],
                tracking_number=tracking,
                shipping_provider="ups",
                tracking_carrier="ups",
            ),
        )
        return shipment.id

    part, rest = tracking_numbers()
    first = await ship(descaler.id, 1, part)
    await letters_with(stack, case_id, CONFIRMED_AND_PARTIAL)
    [partial] = await emails_with(stack, part, "Still to come:")
    assert_partial_letter(partial, "1 x Descaler (DESC-1)", "2 x Grinder (GRIND-1)")

    second = await ship(grinder.id, 2, rest)
    letters = await letters_with(stack, case_id, ALL_LETTERS)
    assert {(d["communication"], d["documentId"].rsplit("/", 1)[-1]) for d in letters} == {
        ("Order Confirmation", "order-confirmation"),
        ("Partial Shipment Letter", f"shipping-document-{first}"),
        ("Shipment Notice", f"shipping-document-{second}"),
    }
    [notice] = await emails_with(stack, rest)
    assert "2 x Grinder (GRIND-1)" in notice and "Still to come" not in notice

    # The order's creation announced again (a new event, delivered twice): applied once, nothing new.
    events = await all_events_applied(stack, case_id, "bigcommerce", about_bc_order(order_id))
    again = {
        "created_at": int(time.time()),
        "store_id": "1001234567",
        "producer": f"stores/{BC_DOCS_STORE}",
        "scope": "store/order/created",
        "hash": uuid.uuid4().hex,
        "data": {"type": "order", "id": order_id},
    }
    body = json.dumps(again, separators=(",", ":")).encode()
    headers = signed(body)
    answers = [await post_webhook(stack, body, headers) for _ in range(2)]
    assert [a.status_code for a in answers] == [200, 200], answers[-1].text

    async def applied() -> list[str] | None:
        trail = [e.event for e in await stack.audit(case_id)]
        return trail if trail.count("store event") == events + 1 else None

    trail = await eventually(applied, what="the repeated creation applied once")
    assert trail.count("packing slip filed") == 1 and trail.count("letter started") == 3
    assert len(await letters_to(stack, case_id)) == 3
    await assert_slip_filed_once(stack, "bigcommerce", BC_DOCS_STORE, str(order_id), str(order_id))


def test_what_a_shipment_leaves_to_come_depends_only_on_the_documents_up_to_it() -> None:
    day = datetime(2026, 12, 1, tzinfo=UTC)

    def document(kind: DocumentKind, number: str, days: int, *lines: tuple[str, int]) -> TransactionDocument:
        return TransactionDocument(
            kind=kind,
            number=number,
            issued_at=day + timedelta(days=days),
            lines=[TransactionLine(sku=sku, title=sku.lower(), quantity=quantity) for sku, quantity in lines],
        )

    order = OrderTransactions(
        order_id="7",
        order_name="#7",
        created_at=day,
        currency="USD",
        total=Decimal("100"),
        status="partially_fulfilled",
        lines=[TransactionLine(sku="A", title="a", quantity=2), TransactionLine(sku="B", title="b", quantity=3)],
        documents=[
            document(DocumentKind.SHIPPING_DOCUMENT, "10", 1, ("A", 1)),
            document(DocumentKind.CREDIT_MEMO, "1", 2, ("B", 1)),  # B cancelled before shipment 11
            document(DocumentKind.SHIPPING_DOCUMENT, "11", 3, ("A", 1), ("B", 1)),
            document(DocumentKind.SHIPPING_DOCUMENT, "12", 4, ("B", 1)),
            document(DocumentKind.CREDIT_MEMO, "2", 5, ("A", 2)),  # a return: shipments before it stand
            document(DocumentKind.SHIPPING_DOCUMENT, "13", 6),  # names no lines: carried the rest
        ],
    )

    def to_come(number: str) -> list[tuple[str | None, int]]:
        return [(line.sku, line.quantity) for line in units_to_come(order, number)]

    assert to_come("10") == [("A", 1), ("B", 3)]
    assert to_come("11") == [("B", 1)]
    assert to_come("12") == []
    assert to_come("13") == []
    with pytest.raises(LookupError):
        units_to_come(order, "1")  # a refund, not a shipment
