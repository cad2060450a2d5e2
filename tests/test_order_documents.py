"""Every order's documents, end to end on Shopify: the order placed, shipped and refunded in the
simulated shop reaches the shim as webhooks, the order's `OrderDocuments` case files each
transaction document into the order's ECM workspace as it appears and sends the customer the
order confirmation, the shipment notice and the refund letter through Exstream, each once."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from activities.packing_slips import packing_slip_name
from activities.transaction_records import record_name
from connectors.opentext.content_server_models import BusinessObject, Node
from connectors.shopify.fulfillments import TrackingInfo
from connectors.shopify.refunds import RefundLine
from connectors.shopify.webhooks import sign
from routing.order_triggers import ProductDocument
from routing.policy import OrderDocumentsPolicy
from tests.support.order_documents import letters_to, shopify_documents_order, workspace_documents
from tests.support.stack import Stack, eventually
from tests.support.world import DOCS_SHOP, SECRETS, ecm_system
from tests.test_case_file import ecm
from tests.test_fulfillment_exception import emails_with
from workflows.messages import CaseStatus, CaseView
from workflows.order_documents import KIND as ORDER_DOCUMENTS


async def test_an_orders_documents_are_filed_and_its_letters_sent_once(stack: Stack) -> None:
    shop = stack.shop(DOCS_SHOP)
    order = await stack.create_order(DOCS_SHOP, unit_price="60.00", quantity=2, customer_tags=["regular"])
    case_id = ORDER_DOCUMENTS.case_id("shopify", DOCS_SHOP, order.legacy_resource_id)
    await stack.case_started(case_id)

    async def confirmed() -> list[dict[str, Any]] | None:
        letters = await letters_to(stack, case_id)
        return letters if any(d["communication"] == "Order Confirmation" for d in letters) else None

    await eventually(confirmed, what="the order confirmation")

    fulfillment_order = (await shop.get_order(order.id)).fulfillment_orders[0]
    fulfillment = await shop.create_fulfillment(
        fulfillment_order.id, tracking=TrackingInfo(company="DHL", number="JD014600003SE")
    )
    suggestion = await shop.suggest_refund(order.id, full=True)
    [line] = suggestion.refund_line_items
    refund = await shop.refund_once(
        order.id, "docs-test", lines=[RefundLine(line_item_id=line.line_item.id, quantity=1)]
    )

    async def all_letters() -> list[dict[str, Any]] | None:
        letters = await letters_to(stack, case_id)
        return letters if len({d["communication"] for d in letters}) == 3 else None

    letters = await eventually(all_letters, what="the shipment notice and the refund letter", timeout=30.0)
    assert sorted(d["communication"] for d in letters) == ["Order Confirmation", "Refund Letter", "Shipment Notice"]
    assert {d["channel"] for d in letters} == {"email"}
    shipment_number = fulfillment.id.rsplit("/", 1)[-1]
    refund_number = refund.refund.id.rsplit("/", 1)[-1]
    assert {d["documentId"].rsplit("/", 1)[-1] for d in letters} == {
        "order-confirmation",
        f"shipping-document-{shipment_number}",
        f"credit-memo-{refund_number}",
    }

    async def filed() -> dict[str, list[Node]] | None:
        folders = await workspace_documents(stack, "shopify", DOCS_SHOP, order.legacy_resource_id)
        letters_filed = folders.get("Correspondence", [])
        shipping = folders.get("Shipping", [])
        return folders if len(letters_filed) == 3 and folders.get("Invoices") and len(shipping) == 2 else None

    folders = await eventually(filed, what="the order's documents and letters in its workspace", timeout=30.0)
    assert sorted(d.name for d in folders["Shipping"]) == sorted(
        [packing_slip_name(order.name), record_name("shipping-document", shipment_number)]
    )
    assert [d.name for d in folders["Invoices"]] == [record_name("credit-memo", refund_number)]
    assert len(folders[""]) == 1  # the order record, at the top
    assert sorted(d.name.split(" ")[0] for d in folders["Correspondence"]) == ["Order", "Refund", "Shipment"]
    [notice] = [d for d in folders["Correspondence"] if d.name.startswith("Shipment Notice")]
    pdf = (await ecm(stack).download_version(notice.id, 1)).content
    assert b"DHL" in pdf and b"JD014600003SE" in pdf and order.name.encode() in pdf  # from the fulfillment

    # The customer's account workspace and the order's point at each other: the order's workspace is
    # linked under the account's, and the Shopify customer record names the account's workspace.
    assert order.customer is not None
    account = await ecm(stack).find_business_workspace(
        BusinessObject(
            ext_system_id=ecm_system("shopify", DOCS_SHOP),
            bo_type="customer",
            bo_id=order.customer.id.rsplit("/", 1)[-1],
        )
    )
    assert account is not None
    order_workspace = await ecm(stack).find_business_workspace(
        BusinessObject(ext_system_id=ecm_system("shopify", DOCS_SHOP), bo_type="order", bo_id=order.legacy_resource_id)
    )
    assert order_workspace is not None
    children = await ecm(stack).list_related_workspaces(account.id, rel_type="child")
    assert [c.id for c in children] == [order_workspace.id]
    record = await shop.customer_record(order.customer.id)
    assert record.fields["ecm_workspace"] == {"workspaceId": account.id, "name": account.name}

    view: CaseView = await stack.handle(case_id).query("status", result_type=CaseView)
    assert view.status is CaseStatus.OPEN  # it listens on: a late refund still gets its letter
    events = [e.event for e in await stack.audit(case_id)]
    assert events.count("letter started") == 3 and events.count("store event") == 3

    # The shipment announced once more (another notification of the same fulfillment): the case
    # files nothing new and writes no second letter; the same delivery again is not even applied.
    body = json.dumps({"id": int(shipment_number), "order_id": int(order.legacy_resource_id)}).encode()
    for webhook_id in ("again-1", "again-1"):
        answer = await stack.http.post(
            f"{stack.shim_url}/webhooks/shopify",
            content=body,
            headers={
                "Content-Type": "application/json",
                "X-Shopify-Topic": "fulfillments/create",
                "X-Shopify-Shop-Domain": DOCS_SHOP,
                "X-Shopify-Webhook-Id": webhook_id,
                "X-Shopify-Hmac-Sha256": sign(SECRETS["SHOPIFY_WEBHOOK_SECRET"].encode(), body),
            },
        )
        assert answer.status_code == 200 and answer.json()["case_id"] == case_id, answer.text

    async def applied() -> list[str] | None:
        trail = [e.event for e in await stack.audit(case_id)]
        return trail if trail.count("store event") == 4 else None

    trail = await eventually(applied, what="the repeated shipment applied once")
    assert trail.count("letter started") == 3
    assert len(await letters_to(stack, case_id)) == 3


async def test_warranty_terms_and_product_information_in_the_customers_regions_words(stack: Stack) -> None:
    order = await shopify_documents_order(
        stack,
        "warranty",
        {"address1": "Hauptstr. 1", "city": "Berlin", "zip": "10115", "countryCode": "DE"},
        "EUR",
        [
            ("Trail tent", "WARRANTY-TENT", 1, "249.00"),
            ("Tent pegs", "PEGS-10", 1, "9.00"),
            ("Camping stove", "STOVE-1", 1, "59.00"),
        ],
    )
    case_id = ORDER_DOCUMENTS.case_id("shopify", DOCS_SHOP, order.legacy_resource_id)
    await stack.case_started(case_id)

    [letter] = await emails_with(stack, order.name, "months in region")
    assert "Trail tent (WARRANTY-TENT)" in letter
    assert "24 months in region EU: Two years under EU consumer law" in letter  # Germany: the EU's words

    async def one_warranty_letter() -> list[dict[str, Any]] | None:
        sent = [d for d in await letters_to(stack, case_id) if d["communication"] == "Warranty Terms"]
        return sent or None

    [sent] = await eventually(one_warranty_letter, what="the warranty letter")
    assert sent["documentId"].endswith("/warranty-WARRANTY-TENT")  # once per product, ever

    # The stove's compliance document, in the EU's words; the pegs have none.
    [declaration] = await emails_with(stack, order.name, "Declaration of conformity")
    assert "Declaration of conformity for Camping stove (STOVE-1)" in declaration
    assert "In region EU: Conforms to Regulation (EU) 2016/426" in declaration
    information = [d for d in await letters_to(stack, case_id) if d["communication"] == "Product Information"]
    assert [d["documentId"].rsplit("/", 1)[-1] for d in information] == ["compliance-STOVE-1-declaration-of-conformity"]


def test_a_product_document_is_keyed_by_kind_product_and_title_and_checked_at_load() -> None:
    document = ProductDocument(sku="STOVE-1", kind="policy", title="Returns policy: gas & fuel", text="Unopened only.")
    assert document.key == "policy-STOVE-1-returns-policy-gas-fuel"
    with pytest.raises(ValidationError, match="Europe is no country code"):
        ProductDocument(sku="STOVE-1", kind="compliance", title="CE", text="x", regions={"Europe": "y"})
    twice = [{"sku": "STOVE-1", "kind": "compliance", "title": "CE", "text": "x"}] * 2
    with pytest.raises(ValidationError, match="each product's document once"):
        OrderDocumentsPolicy.model_validate({"product_documents": twice})
