"""Contract tests: `ShopifyAdmin` refunds, fulfillments, returns, disputes and notes against the
Shopify simulator, over real HTTP.

Every request the connector sends passes through `SpecCheckingTransport` with the official 2025-01
schema (`ShopifyGraphQLContract`); each test ends by asserting that nothing was refused. Effects are
read back through the connector or the simulator's admin routes. Self-contained: no fixture of
`tests/conftest.py` is used.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
import pytest
import pytest_asyncio
from pydantic import SecretStr

from connectors.errors import ConflictError, NotFoundError, RejectedError, TransientError
from connectors.shopify.admin import ShopifyAdmin
from connectors.shopify.assumptions import refund_note
from connectors.shopify.client import ShopifyClient
from connectors.shopify.disputes import DisputeEvidenceInput
from connectors.shopify.models import Order
from connectors.shopify.refunds import RefundLine, RefundTransaction
from connectors.shopify.returns import ReturnLine
from sandbox.config import ShopConfig
from sandbox.faults import FaultEffect, FaultRule
from sandbox.shopify.graphql_contract import ShopifyGraphQLContract
from sandbox.shopify.standalone import RunningShopify, WebhookRecorder, serve_recorder, serve_simulator
from sandbox.specs import specs_dir
from tests.support.spec_transport import SpecCheckingTransport

SHOP = "aftersales.myshopify.com"
TOKEN = "shpat_aftersales_token"
CONFIG = ShopConfig(
    domain=SHOP, access_token=SecretStr(TOKEN), app_client_secret=SecretStr("shpss_aftersales"), cancel_job_seconds=0.1
)
SAMPLES = specs_dir() / "shopify" / "webhooks"


@dataclass
class Stack:
    running: RunningShopify
    hooks: WebhookRecorder


@pytest_asyncio.fixture(scope="module")
async def stack() -> AsyncIterator[Stack]:
    async with serve_simulator([CONFIG]) as running, serve_recorder() as hooks:
        yield Stack(running, hooks)


@pytest.fixture(autouse=True)
def _fresh_shop(stack: Stack) -> Iterator[None]:
    stack.running.simulator.reset(SHOP)
    stack.running.world.faults.clear()
    stack.hooks.received.clear()
    yield
    stack.running.world.faults.clear()


@dataclass
class Connected:
    admin: ShopifyAdmin
    transport: SpecCheckingTransport
    stack: Stack

    def assert_conforms(self) -> None:
        assert self.transport.checked > 0
        assert self.transport.violations == []

    def fault(self, operation: str, effect: FaultEffect, **extra: Any) -> None:
        self.stack.running.world.faults.add(FaultRule(system="shopify", operation=operation, effect=effect, **extra))

    async def admin_get(self, path: str) -> dict[str, Any]:
        async with httpx.AsyncClient() as http:
            response = await http.get(f"{self.stack.running.admin(SHOP)}{path}")
        response.raise_for_status()
        body: dict[str, Any] = response.json()
        return body

    async def admin_post(self, path: str, body: dict[str, Any]) -> httpx.Response:
        async with httpx.AsyncClient() as http:
            return await http.post(f"{self.stack.running.admin(SHOP)}{path}", json=body)


def connect(stack: Stack, *, timeout: float = 10.0) -> Connected:
    transport = SpecCheckingTransport([(stack.running.origin, ShopifyGraphQLContract())])
    client = ShopifyClient(stack.running.base_url(SHOP), SecretStr(TOKEN), timeout=timeout, transport=transport)
    return Connected(ShopifyAdmin(client), transport, stack)


@pytest_asyncio.fixture
async def shop(stack: Stack) -> AsyncIterator[Connected]:
    connected = connect(stack)
    yield connected
    await connected.admin.aclose()


def _money(amount: str) -> dict[str, Any]:
    return {"shopMoney": {"amount": amount, "currencyCode": "USD"}}


async def _seed_mug(shop: Connected, inventory: int = 10) -> str:
    response = await shop.admin_post(
        "/products",
        {
            "title": "Camp Mug",
            "variants": [{"title": "White", "price": "30.00", "sku": "MUG", "inventory_quantity": inventory}],
        },
    )
    assert response.status_code == 201, response.text
    return str(response.json()["product"]["variants"][0]["admin_graphql_api_id"])


async def _paid_order(shop: Connected, variant_id: str) -> Order:
    """2 mugs (30.00) + 1 tee (20.00) + 10.00 shipping, paid 90.00 in one SALE."""
    return await shop.admin.create_order(
        {
            "currency": "USD",
            "email": "ada@example.test",
            "lineItems": [
                {"variantId": variant_id, "title": "Camp Mug", "quantity": 2, "priceSet": _money("30.00")},
                {"title": "Field Tee", "quantity": 1, "priceSet": _money("20.00")},
            ],
            "shippingLines": [{"title": "Standard", "priceSet": _money("10.00")}],
            "transactions": [
                {"kind": "SALE", "status": "SUCCESS", "gateway": "shopify_payments", "amountSet": _money("90.00")}
            ],
        }
    )


async def _line_ids(shop: Connected, order_gid: str) -> tuple[str, str]:
    suggestion = await shop.admin.suggest_refund(order_gid, full=True)
    mug, tee = (item.line_item.id for item in suggestion.refund_line_items)
    return mug, tee


async def _inventory(shop: Connected, sku: str) -> int:
    state = await shop.admin_get("/commerce")
    return next(int(v["inventory_quantity"]) for p in state["products"] for v in p["variants"] if v["sku"] == sku)


# ------------------------------------------------------------------------------ refunds


async def test_suggested_refund_then_refund_create(shop: Connected) -> None:
    await shop.admin.subscribe_webhook("REFUNDS_CREATE", shop.stack.hooks.url)
    order = await _paid_order(shop, await _seed_mug(shop, inventory=10))
    mug, _tee = await _line_ids(shop, order.id)

    one_mug = [RefundLine(line_item_id=mug, quantity=1, restock_type="CANCEL")]
    suggestion = await shop.admin.suggest_refund(order.id, one_mug, refund_shipping=True)
    assert suggestion.amount == Decimal("40.00")  # one mug and the shipping
    assert suggestion.maximum_refundable_set.shop_money.amount == Decimal("90.00")
    [suggested] = suggestion.suggested_transactions
    assert suggested.parent_transaction is not None and suggested.parent_transaction.kind == "SALE"

    transaction = RefundTransaction(
        order_id=order.id,
        parent_id=suggested.parent_transaction.id,
        amount=suggested.amount_set.shop_money.amount,
        gateway=suggested.gateway or "",
    )
    refund = await shop.admin.create_refund(
        order.id, lines=one_mug, transactions=[transaction], refund_shipping=True, note="chipped"
    )
    assert refund.amount == Decimal("40.00")
    assert [(i.quantity, i.restock_type, i.restocked) for i in refund.refund_line_items.nodes] == [(1, "CANCEL", True)]
    assert (await shop.admin.get_order(order.id)).display_financial_status == "PARTIALLY_REFUNDED"
    assert await _inventory(shop, "MUG") == 11  # the cancelled unit went back into stock

    rest = await shop.admin.refund_once(order.id, "rest-1", full=True)
    assert rest.created and rest.refund.amount == Decimal("50.00")
    after = await shop.admin.order_refunds(order.id)
    assert after.display_financial_status == "REFUNDED"
    assert after.total_refunded_set.shop_money.amount == Decimal("90.00")
    assert len(after.refunds) == 2

    with pytest.raises(RejectedError) as refused:  # nothing was paid that is not refunded already
        await shop.admin.create_refund(order.id, transactions=[transaction])
    assert refused.value.retryable is False and "exceeds" in refused.value.message

    deliveries = await shop.stack.hooks.wait_for("refunds/create", count=2)
    [payload] = [d.json() for d in deliveries if d.json()["admin_graphql_api_id"] == refund.id]
    assert set(payload) == set(json.loads((SAMPLES / "refunds_create.json").read_text()))
    assert payload["note"] == "chipped" and payload["restock"] is True
    assert payload["refund_line_items"][0]["restock_type"] == "cancel"
    assert payload["transactions"][0]["kind"] == "refund" and payload["transactions"][0]["amount"] == "40.00"
    assert payload["order_adjustments"][0]["kind"] == "shipping_refund"
    shop.assert_conforms()


async def test_refund_once_twice_and_after_a_raw_refund(shop: Connected) -> None:
    order = await _paid_order(shop, await _seed_mug(shop))
    mug, tee = await _line_ids(shop, order.id)

    first = await shop.admin.refund_once(order.id, "case-7", lines=[RefundLine(line_item_id=tee, quantity=1)])
    again = await shop.admin.refund_once(order.id, "case-7", lines=[RefundLine(line_item_id=tee, quantity=1)])
    assert first.created and not again.created
    assert again.refund.id == first.refund.id and first.refund.amount == Decimal("20.00")

    # An earlier attempt whose reply was lost: the refund exists, carrying the key in its note.
    suggestion = await shop.admin.suggest_refund(order.id, [RefundLine(line_item_id=mug, quantity=1)])
    [tx] = suggestion.suggested_transactions
    assert tx.parent_transaction is not None
    raw = await shop.admin.create_refund(
        order.id,
        lines=[RefundLine(line_item_id=mug, quantity=1)],
        transactions=[
            RefundTransaction(
                order_id=order.id,
                parent_id=tx.parent_transaction.id,
                amount=tx.amount_set.shop_money.amount,
                gateway=tx.gateway or "",
            )
        ],
        note=refund_note("mug", "case-8"),
    )
    helper = await shop.admin.refund_once(order.id, "case-8", lines=[RefundLine(line_item_id=mug, quantity=1)])
    assert not helper.created and helper.refund.id == raw.id

    refunds = (await shop.admin.order_refunds(order.id)).refunds
    assert len(refunds) == 2
    assert sum((r.amount for r in refunds), Decimal(0)) == Decimal("50.00")
    shop.assert_conforms()


async def test_refund_once_after_a_timeout_that_lost_the_reply(stack: Stack) -> None:
    """The server completes the refund after the client gave up: the retry must not refund again."""
    setup = connect(stack)
    order = await _paid_order(setup, await _seed_mug(setup))
    _mug, tee = await _line_ids(setup, order.id)
    impatient = connect(stack, timeout=0.3)
    impatient.fault("refundCreate", FaultEffect.LATENCY, seconds=0.6)
    with pytest.raises(TransientError) as lost:
        await impatient.admin.refund_once(order.id, "case-9", lines=[RefundLine(line_item_id=tee, quantity=1)])
    assert lost.value.retryable
    async with asyncio.timeout(5):  # the simulator finishes the request it was still holding
        while not (await setup.admin_get("/commerce"))["refunds"]:
            await asyncio.sleep(0.05)

    retried = await setup.admin.refund_once(order.id, "case-9", lines=[RefundLine(line_item_id=tee, quantity=1)])
    assert not retried.created
    assert len((await setup.admin.order_refunds(order.id)).refunds) == 1
    setup.assert_conforms()
    impatient.assert_conforms()
    await setup.admin.aclose()
    await impatient.admin.aclose()


async def test_refund_refusals_and_faults(shop: Connected) -> None:
    order = await _paid_order(shop, await _seed_mug(shop))
    mug, _tee = await _line_ids(shop, order.id)
    with pytest.raises(NotFoundError):
        await shop.admin.refund_once("gid://shopify/Order/1", "k", full=True)
    with pytest.raises(RejectedError, match="more items than were purchased"):
        await shop.admin.create_refund(order.id, lines=[RefundLine(line_item_id=mug, quantity=3)])
    with pytest.raises(RejectedError, match="RETURN"):  # nothing shipped yet, so nothing to return
        await shop.admin.create_refund(
            order.id, lines=[RefundLine(line_item_id=mug, quantity=1, restock_type="RETURN")]
        )

    shop.fault("refundCreate", FaultEffect.USER_ERROR, message="Refunds are paused")
    with pytest.raises(RejectedError, match="Refunds are paused"):
        await shop.admin.refund_once(order.id, "k1", full=True)
    shop.fault("refundCreate", FaultEffect.HTTP_503)
    with pytest.raises(TransientError) as unavailable:
        await shop.admin.refund_once(order.id, "k1", full=True)
    assert unavailable.value.status_code == 503 and unavailable.value.retryable
    shop.fault("order", FaultEffect.HTTP_500)
    with pytest.raises(TransientError) as broken:
        await shop.admin.order_refunds(order.id)
    assert broken.value.status_code == 500
    assert (await shop.admin.order_refunds(order.id)).refunds == []  # none of that changed anything

    shop.fault("refundCreate", FaultEffect.THROTTLE)  # one THROTTLED reply: waited out inside the client
    done = await shop.admin.refund_once(order.id, "k2", lines=[RefundLine(line_item_id=mug, quantity=1)])
    assert done.created and done.refund.amount == Decimal("30.00")
    shop.assert_conforms()


async def test_cancelling_with_refund_makes_a_real_refund(shop: Connected) -> None:
    order = await _paid_order(shop, await _seed_mug(shop, inventory=10))
    job = await shop.admin.cancel_order(
        order.id, reason="CUSTOMER", refund=True, restock=True, notify_customer=False, staff_note="buyer asked"
    )
    async with asyncio.timeout(5):
        while not (await shop.admin.get_job(job.id)).done:
            await asyncio.sleep(0.05)
    refunds = await shop.admin.order_refunds(order.id)
    [refund] = refunds.refunds
    assert refunds.display_financial_status == "REFUNDED" and refund.amount == Decimal("90.00")
    assert refund.note == "buyer asked"
    assert {(i.restock_type, i.quantity) for i in refund.refund_line_items.nodes} == {("CANCEL", 2), ("CANCEL", 1)}
    assert await _inventory(shop, "MUG") == 12
    with pytest.raises(ConflictError, match="nothing left to refund"):
        await shop.admin.refund_once(order.id, "late", full=True)
    shop.assert_conforms()


# ------------------------------------------------------------------------------ returns


async def test_fulfil_then_request_approve_and_decline_returns(shop: Connected) -> None:
    for topic in ("RETURNS_REQUEST", "RETURNS_APPROVE", "RETURNS_DECLINE"):
        await shop.admin.subscribe_webhook(topic, shop.stack.hooks.url)
    order = await _paid_order(shop, await _seed_mug(shop))
    assert await shop.admin.returnable_fulfillments(order.id) == []  # nothing shipped: nothing to return

    fulfillment = await shop.admin.create_fulfillment(order.fulfillment_orders[0].id)
    assert fulfillment.total_quantity == 3 and fulfillment.name == f"{order.name}.1"
    assert (await shop.admin.get_order(order.id)).display_fulfillment_status == "FULFILLED"

    [returnable] = await shop.admin.returnable_fulfillments(order.id)
    assert returnable.fulfillment.id == fulfillment.id
    mugs, tee = returnable.items
    assert (mugs.quantity, tee.quantity) == (2, 1)

    requested = await shop.admin.request_return(
        order.id,
        [ReturnLine(fulfillment_line_item_id=mugs.fulfillment_line_item.id, quantity=1, return_reason="DEFECTIVE")],
    )
    assert (requested.status, requested.total_quantity, requested.name) == ("REQUESTED", 1, f"{order.name}-R1")
    approved = await shop.admin.approve_return(requested.id)
    assert approved.status == "OPEN"
    assert (await shop.admin.get_return(requested.id)).status == "OPEN"
    with pytest.raises(ConflictError):
        await shop.admin.decline_return(requested.id, "FINAL_SALE")

    with pytest.raises(RejectedError, match="returnable quantity"):
        await shop.admin.request_return(
            order.id,
            [ReturnLine(fulfillment_line_item_id=mugs.fulfillment_line_item.id, quantity=2, return_reason="UNWANTED")],
        )
    second = await shop.admin.request_return(
        order.id, [ReturnLine(fulfillment_line_item_id=tee.fulfillment_line_item.id, quantity=1, return_reason="STYLE")]
    )
    declined = await shop.admin.decline_return(second.id, "FINAL_SALE", note="Clearance item")
    assert declined.status == "DECLINED"
    assert declined.decline is not None and (declined.decline.reason, declined.decline.note) == (
        "FINAL_SALE",
        "Clearance item",
    )
    with pytest.raises(NotFoundError):
        await shop.admin.get_return("gid://shopify/Return/1")

    [approve] = await shop.stack.hooks.wait_for("returns/approve")
    assert approve.json()["admin_graphql_api_id"] == requested.id and approve.json()["status"] == "open"
    [decline] = await shop.stack.hooks.wait_for("returns/decline")
    assert decline.json()["decline"] == {"reason": "final_sale", "note": "Clearance item"}
    assert len(await shop.stack.hooks.wait_for("returns/request", count=2)) == 2
    shop.assert_conforms()


# ------------------------------------------------------------------------------ disputes


async def test_dispute_evidence_is_stored_then_submitted(shop: Connected) -> None:
    await shop.admin.subscribe_webhook("DISPUTES_CREATE", shop.stack.hooks.url)
    order = await _paid_order(shop, await _seed_mug(shop))
    opened = await shop.admin_post(
        "/disputes", {"order_id": order.id, "reason": "PRODUCT_NOT_RECEIVED", "network_reason_code": "13.1"}
    )
    assert opened.status_code == 201, opened.text
    dispute_id = opened.json()["dispute"]["admin_graphql_api_id"]

    [listed] = await shop.admin.list_disputes("status:needs_response")
    assert listed.id == dispute_id and listed.type == "CHARGEBACK"
    assert listed.amount.amount == Decimal("90.00") and listed.order is not None and listed.order.id == order.id
    dispute = await shop.admin.get_dispute(dispute_id)
    assert (
        dispute.reason_details.reason == "PRODUCT_NOT_RECEIVED" and dispute.reason_details.network_reason_code == "13.1"
    )

    draft = DisputeEvidenceInput(
        uncategorized_text="Delivered on 3 March, signed by A. Buyer", customer_email_address="ada@example.test"
    )
    stored = await shop.admin.update_dispute_evidence(dispute_id, draft)
    assert not stored.submitted and stored.dispute.status == "NEEDS_RESPONSE"
    assert (await shop.admin.get_dispute_evidence(dispute_id)).uncategorized_text == draft.uncategorized_text

    submitted = await shop.admin.update_dispute_evidence(
        dispute_id, DisputeEvidenceInput(refund_refusal_explanation="Goods were delivered"), submit=True
    )
    assert submitted.submitted and submitted.dispute.status == "UNDER_REVIEW"
    assert submitted.dispute.evidence_sent_on is not None
    assert submitted.uncategorized_text == draft.uncategorized_text  # earlier text kept
    with pytest.raises(ConflictError):
        await shop.admin.update_dispute_evidence(dispute_id, draft)
    assert await shop.admin.list_disputes("status:needs_response") == []

    [created] = await shop.stack.hooks.wait_for("disputes/create")
    sample = json.loads((SAMPLES / "disputes_create.json").read_text())
    assert set(created.json()) == set(sample)
    assert created.json()["status"] == "needs_response" and created.json()["reason"] == "product_not_received"
    shop.assert_conforms()


async def test_evidence_after_the_due_date_is_refused(shop: Connected) -> None:
    order = await _paid_order(shop, await _seed_mug(shop))
    opened = await shop.admin_post("/disputes", {"order_id": order.id, "evidence_due_in_days": -1})
    dispute_id = opened.json()["dispute"]["admin_graphql_api_id"]
    with pytest.raises(ConflictError, match="EVIDENCE_PAST_DUE_DATE"):
        await shop.admin.update_dispute_evidence(dispute_id, DisputeEvidenceInput(uncategorized_text="late"))
    with pytest.raises(NotFoundError):
        await shop.admin.get_dispute("gid://shopify/ShopifyPaymentsDispute/1")
    shop.assert_conforms()


# ------------------------------------------------------------------------------ notes


async def test_order_note_replaces_the_note(shop: Connected) -> None:
    order = await _paid_order(shop, await _seed_mug(shop))
    assert await shop.admin.update_note(order.id, "Refund approved by case 42") == "Refund approved by case 42"
    assert await shop.admin.update_note(order.id, "Closed") == "Closed"
    assert (await shop.admin.get_order(order.id)).note == "Closed"
    with pytest.raises(RejectedError):
        await shop.admin.update_note("gid://shopify/Order/1", "x")
    shop.assert_conforms()
