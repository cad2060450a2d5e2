"""Every order's documents, end to end on Adobe Commerce: an order placed, invoiced, shipped and
refunded against its invoice in the simulated store reaches the shim as signed Adobe I/O Events
(`sales_order_place_after`, `sales_order_invoice_save_after`, `sales_order_creditmemo_save_after`
and the order's saves, a shipment's among them), the order's `OrderDocuments` case files the order
record, its packing slip, the invoice, the shipment and the credit memo into the order's ECM workspace
and sends the order confirmation, the invoice, the shipment notice and the refund letter through
Exstream, each once, also when an event is delivered again or the order is saved with nothing new.
The shipment leaves the filter to come, but this store's policy lists no partial shipment letter:
it gets the shipment notice."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal
from typing import Any

from activities.packing_slips import packing_slip_name
from activities.transaction_records import record_name
from connectors.adobe_commerce.models import RefundItem
from tests.support.order_documents import all_events_applied, letters_to, letters_with, workspace_documents
from tests.support.stack import Stack, eventually
from tests.support.world import ADOBE_DOCS_IO_PROVIDER, ADOBE_DOCS_STORE
from tests.test_case_file import ecm
from workflows.messages import AuditEntry, CaseStatus, CaseView
from workflows.order_documents import KIND as ORDER_DOCUMENTS

PLATFORM = "adobe-commerce"
LETTERS = ["Invoice", "Order Confirmation", "Refund Letter", "Shipment Notice"]
INVOICE_SAVED = "com.adobe.commerce.observer.sales_order_invoice_save_after"
CREDIT_MEMO_SAVED = "com.adobe.commerce.observer.sales_order_creditmemo_save_after"
# The order's own events (placed, saved, invoice, credit memo); a quote's or product's `entity_id` is
# no order id.
ORDER_EVENT_PREFIX = "com.adobe.commerce.observer.sales_order_"


async def admin(stack: Stack, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await stack.http.post(
        f"{stack.sandbox_url}/adobe-commerce/_admin/stores/{ADOBE_DOCS_STORE}{path}", json=body
    )
    response.raise_for_status()
    answer: dict[str, Any] = response.json()
    return answer


async def place_order(stack: Stack) -> dict[str, Any]:
    """An order of a registered customer with a billing address, as the storefront places it (the
    simulator publishes `sales_order_place_after`): two kettles and a filter, no review needed."""
    email = f"buyer-{uuid.uuid4().hex[:8]}@example.test"
    customer = await admin(stack, "/customers", {"email": email, "firstname": "Ada", "lastname": "Buyer"})
    return await admin(
        stack,
        "/orders",
        {
            "items": [
                {"sku": "KETTLE-1", "name": "Kettle", "price": "40.00", "qty": 2},
                {"sku": "FILTER-1", "name": "Filter", "price": "20.00", "qty": 1},
            ],
            "customer_id": customer["id"],
            "customer_email": email,
            "customer_firstname": "Ada",
            "customer_lastname": "Buyer",
            "billing_address": {
                "street": ["1 Test Way"],
                "city": "Austin",
                "postcode": "78751",
                "country_id": "US",
                "telephone": "5550100",
            },
        },
    )


def about(order_id: int) -> Any:
    """Whether an I/O Events body is about this order of the documents store."""

    def check(body: dict[str, Any]) -> bool:
        if not body["type"].startswith(ORDER_EVENT_PREFIX):
            return False
        value = body["data"]["value"]
        mentioned = value.get("order_id") if body["type"] in (INVOICE_SAVED, CREDIT_MEMO_SAVED) else value["entity_id"]
        return bool(body["source"] == f"urn:uuid:{ADOBE_DOCS_IO_PROVIDER}" and mentioned == order_id)

    return check


async def test_an_orders_documents_are_filed_and_its_letters_sent_once(stack: Stack) -> None:
    adobe = stack.connections.adobe_commerce(ADOBE_DOCS_STORE)
    order = await place_order(stack)
    order_id = int(order["entity_id"])
    case_id = ORDER_DOCUMENTS.case_id(PLATFORM, ADOBE_DOCS_STORE, str(order_id))
    await stack.case_started(case_id)
    await letters_with(stack, case_id, ["Order Confirmation"])

    kettle, filter_ = (int(item["item_id"]) for item in order["items"])
    invoice_id = await adobe.sales.create_invoice(order_id)
    ship = {
        "items": [{"order_item_id": kettle, "qty": 2}],
        "tracks": [{"track_number": "1Z999AA10123456784", "title": "United Parcel Service", "carrier_code": "ups"}],
    }
    shipment_id = await adobe.client.call_as(int, "ship", "POST", f"/V1/order/{order_id}/ship", json=ship)
    memo_id = await adobe.sales.refund_invoice(
        invoice_id, items=[RefundItem(order_item_id=filter_, qty=Decimal(1))], shipping_amount=Decimal(0)
    )

    await letters_with(stack, case_id, LETTERS)
    events = await all_events_applied(stack, case_id, PLATFORM, about(order_id))
    letters = await letters_to(stack, case_id)
    assert sorted(d["communication"] for d in letters) == LETTERS  # each once
    assert {d["channel"] for d in letters} == {"email"}
    assert {d["documentId"].rsplit("/", 1)[-1] for d in letters} == {
        "order-confirmation",
        f"invoice-{invoice_id}",
        f"shipping-document-{shipment_id}",
        f"credit-memo-{memo_id}",
    }

    async def filed() -> dict[str, Any] | None:
        folders = await workspace_documents(stack, PLATFORM, ADOBE_DOCS_STORE, str(order_id))
        ready = len(folders.get("Correspondence", [])) == 4 and len(folders.get("Invoices", [])) == 2
        return folders if ready and len(folders.get("Shipping", [])) == 2 else None

    folders = await eventually(filed, what="the order's documents and letters in its workspace", timeout=30.0)
    assert sorted(d.name for d in folders["Shipping"]) == sorted(
        [packing_slip_name(order["increment_id"]), record_name("shipping-document", str(shipment_id))]
    )
    assert sorted(d.name for d in folders["Invoices"]) == sorted(
        [record_name("invoice", str(invoice_id)), record_name("credit-memo", str(memo_id))]
    )
    assert len(folders[""]) == 1  # the order record, at the top
    assert sorted(d.name.split(" ")[0] for d in folders["Correspondence"]) == ["Invoice", "Order", "Refund", "Shipment"]
    by_letter = {d.name.split(" ")[0]: d for d in folders["Correspondence"]}
    notice = (await ecm(stack).download_version(by_letter["Shipment"].id, 1)).content
    assert b"United Parcel Service" in notice and b"1Z999AA10123456784" in notice  # from the shipment's track
    assert order["increment_id"].encode() in notice
    assert b"20.00" in (await ecm(stack).download_version(by_letter["Refund"].id, 1)).content  # the filter
    assert f"Invoice {invoice_id} ".encode() in (await ecm(stack).download_version(by_letter["Invoice"].id, 1)).content

    view: CaseView = await stack.handle(case_id).query("status", result_type=CaseView)
    assert view.status is CaseStatus.OPEN  # it listens on: a late credit memo still gets its letter
    assert [e.event for e in await stack.audit(case_id)].count("letter started") == 4

    # The invoice event delivered again, exactly as Adobe sent it: answered from memory, not applied.
    [invoiced] = [
        d
        for d in await stack.deliveries(system=PLATFORM, label=INVOICE_SAVED)
        if about(order_id)(json.loads(d["body"]))
    ]
    again = await stack.http.post(invoiced["url"], content=invoiced["body"].encode(), headers=invoiced["headers"])
    assert again.status_code == 200, again.text
    assert (again.json()["result"], again.json()["case_id"]) == ("duplicate", case_id)
    # The order saved once more with nothing new (a comment): applied, but nothing filed or sent.
    await adobe.sales.add_order_comment(order_id, "Customer called about delivery")

    async def applied() -> list[AuditEntry] | None:
        trail = await stack.audit(case_id)
        return trail if [e.event for e in trail].count("documents filed") == events + 1 else None

    trail = await eventually(applied, what="the order's new save applied")
    assert [e.event for e in trail].count("store event") == events + 1
    assert [e.event for e in trail].count("letter started") == 4
    assert [e.detail for e in trail if e.event == "documents filed"][-1].startswith("0 new or changed")
    assert len(await letters_to(stack, case_id)) == 4
    filed_again = await workspace_documents(stack, PLATFORM, ADOBE_DOCS_STORE, str(order_id))
    assert {name: len(nodes) for name, nodes in filed_again.items()} == {
        name: len(nodes) for name, nodes in folders.items()
    }
