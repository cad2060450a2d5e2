"""Every order's documents, end to end on BigCommerce: an order placed, shipped and refunded in the
simulated store reaches the shim as signed webhooks (`store/order/created`, `store/shipment/created`,
`store/order/refund/created` and the status changes in between), the order's `OrderDocuments` case
files the order record, its packing slip, the shipment and the refund (a credit memo) into the order's
ECM workspace and sends the order confirmation, the partial shipment letter (the grinders shipped,
the descaler to come) and the refund letter through Exstream, each once, also when the store
announces the shipment again."""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from activities.letters import document_fields
from activities.packing_slips import packing_slip_name
from activities.transaction_models import OrderTransactions, TransactionDocument
from activities.transaction_records import record_name
from connectors.bigcommerce.models import NewShipment, RefundItemRequest, ShipmentItemRequest
from routing.communications import LetterPurpose
from routing.documents import DocumentKind
from tests.support.order_documents import (
    all_events_applied,
    grinder_order,
    letters_to,
    letters_with,
    workspace_documents,
)
from tests.support.stack import Stack, eventually
from tests.support.world import BC_DOCS_STORE
from tests.test_case_file import ecm
from tests.test_order_review_bigcommerce import post_webhook, signed
from workflows.messages import CaseStatus, CaseView
from workflows.order_documents import KIND as ORDER_DOCUMENTS

PLATFORM = "bigcommerce"
LETTERS = ["Order Confirmation", "Partial Shipment Letter", "Refund Letter"]


def admin_url(stack: Stack, path: str) -> str:
    return f"{stack.sandbox_url}/bigcommerce/_admin/stores/{BC_DOCS_STORE}{path}"


async def place_order(stack: Stack) -> dict[str, Any]:
    """A paid storefront order of a registered customer (the simulator sends `store/order/created`):
    two grinders and a descaler, well below the review threshold."""
    email = f"buyer-{uuid.uuid4().hex[:8]}@example.test"
    customer = await stack.http.post(admin_url(stack, "/customers"), json={"email": email})
    customer.raise_for_status()
    response = await stack.http.post(admin_url(stack, "/orders"), json=grinder_order(int(customer.json()["id"]), email))
    response.raise_for_status()
    order: dict[str, Any] = response.json()
    return order


def about(order_id: int) -> Any:
    """Whether a BigCommerce webhook body is about this order of the documents store."""

    def check(body: dict[str, Any]) -> bool:
        data = body["data"]
        if data["type"] not in ("order", "shipment"):
            return False  # a product or cart of the same number is not the order
        mentioned = data.get("orderId") if data["type"] == "shipment" else data["id"]
        return bool(body["producer"] == f"stores/{BC_DOCS_STORE}" and mentioned == order_id)

    return check


async def test_an_orders_documents_are_filed_and_its_letters_sent_once(stack: Stack) -> None:
    store = stack.connections.bigcommerce(BC_DOCS_STORE)
    order = await place_order(stack)
    order_id = int(order["id"])
    case_id = ORDER_DOCUMENTS.case_id(PLATFORM, BC_DOCS_STORE, str(order_id))
    await stack.case_started(case_id)
    await letters_with(stack, case_id, ["Order Confirmation"])

    grinder, descaler = await store.list_order_products(order_id)
    [address] = await store.list_shipping_addresses(order_id)
    shipment = await store.create_shipment(
        order_id,
        NewShipment(
            order_address_id=address.id,
            items=[ShipmentItemRequest(order_product_id=grinder.id, quantity=2)],
            tracking_number="1Z999AA10123456784",
            shipping_provider="ups",
            tracking_carrier="ups",
        ),
    )
    refund = await store.refund_once(
        order_id,
        [RefundItemRequest(item_type="PRODUCT", item_id=descaler.id, quantity=1)],
        key=f"docs-{uuid.uuid4().hex[:8]}",
        reason="damaged",
    )

    letters = await letters_with(stack, case_id, LETTERS)
    events = await all_events_applied(stack, case_id, PLATFORM, about(order_id))
    letters = await letters_to(stack, case_id)
    assert sorted(d["communication"] for d in letters) == LETTERS  # each once
    assert {d["channel"] for d in letters} == {"email"}
    assert {d["documentId"].rsplit("/", 1)[-1] for d in letters} == {
        "order-confirmation",
        f"shipping-document-{shipment.id}",
        f"credit-memo-{refund.refund.id}",
    }

    async def filed() -> dict[str, Any] | None:
        folders = await workspace_documents(stack, PLATFORM, BC_DOCS_STORE, str(order_id))
        ready = len(folders.get("Correspondence", [])) == 3 and folders.get("Invoices")
        return folders if ready and len(folders.get("Shipping", [])) == 2 else None

    folders = await eventually(filed, what="the order's documents and letters in its workspace", timeout=30.0)
    assert sorted(d.name for d in folders["Shipping"]) == sorted(
        [packing_slip_name(str(order_id)), record_name("shipping-document", str(shipment.id))]
    )
    assert [d.name for d in folders["Invoices"]] == [record_name("credit-memo", str(refund.refund.id))]
    assert len(folders[""]) == 1  # the order record, at the top
    assert sorted(d.name.split(" ")[0] for d in folders["Correspondence"]) == ["Order", "Partial", "Refund"]
    [notice] = [d for d in folders["Correspondence"] if d.name.startswith("Partial Shipment Letter")]
    pdf = (await ecm(stack).download_version(notice.id, 1)).content
    assert b"ups" in pdf.lower() and b"1Z999AA10123456784" in pdf  # from the shipment
    # The descaler was refunded after the grinders left: when they did, it was still to come.
    assert pdf.index(rb"2 x Grinder \(GRIND-1\)") < pdf.index(b"Still to come:") < pdf.index(rb"1 x Descaler")
    [refund_letter] = [d for d in folders["Correspondence"] if d.name.startswith("Refund Letter")]
    assert b"12.00" in (await ecm(stack).download_version(refund_letter.id, 1)).content  # the descaler

    view: CaseView = await stack.handle(case_id).query("status", result_type=CaseView)
    assert view.status is CaseStatus.OPEN  # it listens on: a late refund still gets its letter
    assert [e.event for e in await stack.audit(case_id)].count("letter started") == 3

    # The shipment announced once more (another event about the same shipment): the case files
    # nothing new and writes no second letter; the same delivery again is not even applied.
    again = {
        "created_at": int(time.time()),
        "store_id": "1001234567",
        "producer": f"stores/{BC_DOCS_STORE}",
        "scope": "store/shipment/created",
        "hash": uuid.uuid4().hex,
        "data": {"type": "shipment", "id": shipment.id, "orderId": order_id},
    }
    body = json.dumps(again, separators=(",", ":")).encode()
    headers = signed(body)
    answers = [await post_webhook(stack, body, headers) for _ in range(2)]
    assert [a.status_code for a in answers] == [200, 200], answers[-1].text
    assert [a.json()["case_id"] for a in answers] == [case_id, case_id]
    assert answers[1].json()["result"] == "duplicate"

    async def applied() -> list[str] | None:
        trail = [e.event for e in await stack.audit(case_id)]
        return trail if trail.count("store event") == events + 1 else None

    trail = await eventually(applied, what="the repeated shipment applied once")
    assert trail.count("letter started") == 3 and trail.count("store event") == events + 1
    assert len(await letters_to(stack, case_id)) == 3
    filed_again = await workspace_documents(stack, PLATFORM, BC_DOCS_STORE, str(order_id))
    assert {name: len(nodes) for name, nodes in filed_again.items()} == {
        name: len(nodes) for name, nodes in folders.items()
    }


def test_a_letter_takes_the_fields_of_its_own_kind_of_document() -> None:
    """BigCommerce numbers shipments and refunds each from 1: shipment 1 and refund 1 of one order
    are different documents, and each letter reads its own."""
    at = datetime(2026, 12, 4, tzinfo=UTC)
    order = OrderTransactions(
        order_id="100",
        order_name="100",
        created_at=at,
        currency="USD",
        total=Decimal("132.00"),
        status="Shipped",
        documents=[
            TransactionDocument(kind=DocumentKind.CREDIT_MEMO, number="1", issued_at=at, amount=Decimal("12.00")),
            TransactionDocument(
                kind=DocumentKind.SHIPPING_DOCUMENT,
                number="1",
                issued_at=at,
                details={"carrier": "ups", "tracking_number": "1Z999AA10123456784"},
            ),
        ],
    )
    shipment = document_fields(LetterPurpose.SHIPMENT_NOTICE, order, "1")["shipment"]
    assert isinstance(shipment, dict) and shipment["trackingNumber"] == "1Z999AA10123456784"
    assert document_fields(LetterPurpose.REFUND, order, "1")["refund"] == {
        "amount": "12.00",
        "method": "original payment method",
        "reference": "1",
    }
