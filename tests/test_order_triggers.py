"""Behavioural letters of an order's documents case on the time-skipping server, against the
simulated Shopify, Exstream and Content Server over HTTP: the post-purchase follow-up some days
after the order's first shipment (not for an order refunded in full meanwhile, and by print or not
at all for a customer who refused e-mail), and a replenishment reminder per consumable the order
holds, unless the customer ordered it again meanwhile."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import JsonValue
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from activities.order_triggers import order_ended
from activities.preferences import PREFERENCES_FIELD
from activities.transaction_models import OrderTransactions, TransactionDocument
from casebridge.connections import Connections
from casebridge.settings import Settings
from casebridge.stores import load_registry
from connectors.shopify.fulfillments import TrackingInfo
from connectors.shopify.models import Order
from routing.communications import CommunicationsPolicy, LetterChannel
from routing.documents import DocumentKind
from routing.order_triggers import ReplenishmentReminder, WarrantyTerms, warranty_region
from routing.policy import OrderDocumentsPolicy, load_policy
from tests.support.histories import keep_history
from tests.support.letters import letter_sent
from tests.support.world import DOCS_SHOP, TENANT, TENANT_ID
from worker import build_worker
from workflows.messages import AuditEntry, CaseResult, CaseStatus
from workflows.order_documents import FOLLOW_UP_KEY, KIND, OrderChange, OrderDocuments, OrderDocumentsInput

EXSTREAM_ADMIN = f"/opentext/exstream/_admin/tenants/{TENANT_ID}/domains/casebridge"
FEEDBACK_URL = "https://shop.example/feedback/{order_id}"
Harness = tuple[WorkflowEnvironment, Connections, str]


@pytest.fixture
async def harness(time_skipping_env: WorkflowEnvironment, config_dir: Path) -> AsyncIterator[Harness]:
    queue = f"order-triggers-{uuid.uuid4().hex[:8]}"
    connections = Connections(load_registry(config_dir))
    async with build_worker(time_skipping_env.client, Settings(config_dir=config_dir, task_queue=queue), connections):
        yield time_skipping_env, connections, queue
    await connections.aclose()


def store_policies(config_dir: Path) -> tuple[OrderDocumentsPolicy, CommunicationsPolicy]:
    policy = load_policy(config_dir / "policies" / f"{DOCS_SHOP}.yaml")
    assert policy.order_documents is not None and policy.communications is not None
    return policy.order_documents, policy.communications


async def place_order(connections: Connections, lines: list[tuple[str, str]], email: str | None = None) -> Order:
    """An order of a (new or returning) customer, with one line per (sku, title)."""
    email = email or f"buyer-{uuid.uuid4().hex[:8]}@example.test"
    address = {"address1": "1 Test Way", "city": "Springfield", "zip": "62701", "countryCode": "US"}
    return await connections.shopify(DOCS_SHOP).create_order(
        {
            "email": email,
            "currency": "USD",
            "lineItems": [
                {
                    "title": title,
                    "sku": sku,
                    "quantity": 1,
                    "priceSet": {"shopMoney": {"amount": "30.00", "currencyCode": "USD"}},
                }
                for sku, title in lines
            ],
            "shippingAddress": address,
            "billingAddress": address,
            "financialStatus": "PAID",
            "transactions": [
                {
                    "kind": "SALE",
                    "status": "SUCCESS",
                    "gateway": "manual",
                    "amountSet": {"shopMoney": {"amount": str(30 * len(lines)), "currencyCode": "USD"}},
                }
            ],
            "customer": {"toUpsert": {"email": email}},
        }
    )


async def ship(connections: Connections, order: Order) -> None:
    shop = connections.shopify(DOCS_SHOP)
    fulfillment_order = (await shop.get_order(order.id)).fulfillment_orders[0]
    await shop.create_fulfillment(fulfillment_order.id, tracking=TrackingInfo(company="DHL", number="JD0146000"))


async def start_case(
    harness: Harness,
    order: Order,
    policy: OrderDocumentsPolicy,
    communications: CommunicationsPolicy,
    event: str = "shipped",
) -> WorkflowHandle[OrderDocuments, CaseResult]:
    env, _, queue = harness
    # A case id of its own per test run: the session's sandbox outlives the time-skipping server.
    case_id = f"{KIND.case_id('shopify', DOCS_SHOP, order.legacy_resource_id)}-{uuid.uuid4().hex[:6]}"
    return await env.client.start_workflow(
        OrderDocuments.run,
        OrderDocumentsInput(
            case_id=case_id,
            platform="shopify",
            store=DOCS_SHOP,
            opentext_tenant=TENANT,
            callback_url="http://127.0.0.1:9/unused",
            files_documents=True,
            communications=communications,
            order_id=order.legacy_resource_id,
            order_name=order.name,
            total=order.total_price.shop_money.amount,
            currency="USD",
            change=OrderChange(event=event, reference=f"test-{uuid.uuid4().hex[:8]}", at=datetime.now(UTC)),
            policy=policy,
        ),
        id=case_id,
        task_queue=queue,
    )


async def audit(handle: WorkflowHandle[OrderDocuments, CaseResult]) -> list[AuditEntry]:
    return await handle.query(OrderDocuments.audit)


async def recorded(handle: WorkflowHandle[OrderDocuments, CaseResult], event: str, count: int) -> list[AuditEntry]:
    """Wait in real time (queries skip no time) until the case has recorded `event` `count` times."""
    deadline = asyncio.get_running_loop().time() + 30
    while True:
        trail = [e for e in await audit(handle) if e.event == event]
        if len(trail) >= count:
            return trail
        assert asyncio.get_running_loop().time() < deadline, await audit(handle)
        await asyncio.sleep(0.05)


async def deliveries(sandbox_url: str, case_id: str) -> list[dict[str, Any]]:
    async with httpx.AsyncClient() as http:
        answer = await http.get(f"{sandbox_url}{EXSTREAM_ADMIN}/deliveries")
        answer.raise_for_status()
        return [d for d in answer.json() if (d["documentId"] or "").startswith(f"letter/{case_id}/")]


async def rendered_text(sandbox_url: str, delivery: dict[str, Any], marker: str) -> list[str]:
    """The rendered documents of the delivery's communication that contain `marker`."""
    async with httpx.AsyncClient() as http:
        listed = await http.get(
            f"{sandbox_url}/opentext/exstream/_admin/outputs", params={"communicationId": delivery["communicationId"]}
        )
        listed.raise_for_status()
        texts = [
            (await http.get(f"{sandbox_url}/opentext/exstream/_admin/outputs/{o['id']}")).text for o in listed.json()
        ]
    return [t for t in texts if marker in t]


async def test_the_follow_up_is_sent_once_some_days_after_the_first_shipment(
    harness: Harness, config_dir: Path, sandbox_url: str
) -> None:
    env, connections, _ = harness
    documents, communications = store_policies(config_dir)
    policy = documents.model_copy(
        update={"follow_up_after": timedelta(days=14), "feedback_url": FEEDBACK_URL, "follow_for": timedelta(days=1)}
    )
    order = await place_order(connections, [("TENT-2P", "Tent for two")])
    await ship(connections, order)
    handle = await start_case(harness, order, policy, communications)
    [due] = await recorded(handle, "letter due", 1)
    # The same shipment announced again (another store event): still one follow-up to come.
    await handle.signal(OrderDocuments.order_changed, OrderChange(event="saved", reference="test-again"))
    await recorded(handle, "store event", 2)

    result = await asyncio.wait_for(handle.result(), timeout=120)
    await keep_history(handle, "order_documents_shopify_follow-up")

    assert result.status is CaseStatus.APPROVED, result.detail
    trail = await audit(handle)
    assert [e.detail for e in trail if e.event == "letter due"] == [due.detail]
    [started] = [e for e in trail if e.event == "letter started" and FOLLOW_UP_KEY in e.detail]
    assert started.at - due.at >= timedelta(days=14)  # the case waited, durably, for its time
    letter = await letter_sent(env, handle.id, FOLLOW_UP_KEY)
    assert letter.status == "awaiting outcome", letter
    assert [s.channel for s in letter.sends] == [LetterChannel.EMAIL]
    [delivery] = [
        d for d in await deliveries(sandbox_url, handle.id) if d["communication"] == "Post-purchase Follow-up"
    ]
    assert delivery["channel"] == "email"
    feedback = FEEDBACK_URL.format(order_id=order.legacy_resource_id)
    texts = await rendered_text(sandbox_url, delivery, feedback)
    assert texts and all(f"How is your order {order.name}?" in t for t in texts)


async def test_no_follow_up_for_an_order_refunded_in_full_meanwhile(
    harness: Harness, config_dir: Path, sandbox_url: str
) -> None:
    documents, communications = store_policies(config_dir)
    policy = documents.model_copy(
        update={"follow_up_after": timedelta(days=14), "feedback_url": FEEDBACK_URL, "follow_for": timedelta(days=1)}
    )
    _, connections, _ = harness
    order = await place_order(connections, [("STOVE-1", "Camping stove")])
    await ship(connections, order)
    handle = await start_case(harness, order, policy, communications)
    await recorded(handle, "letter due", 1)
    await connections.shopify(DOCS_SHOP).refund_once(order.id, "triggers-test", full=True)

    result = await asyncio.wait_for(handle.result(), timeout=120)

    assert result.status is CaseStatus.APPROVED, result.detail
    trail = await audit(handle)
    [not_sent] = [e for e in trail if e.event == "letter not sent"]
    assert not_sent.detail.startswith(f"{FOLLOW_UP_KEY}: ") and "refunded" in not_sent.detail
    communications_sent = {d["communication"] for d in await deliveries(sandbox_url, handle.id)}
    assert "Post-purchase Follow-up" not in communications_sent


@pytest.mark.parametrize(
    ("channels", "expected"),
    [([LetterChannel.EMAIL, LetterChannel.PRINT], [LetterChannel.PRINT]), ([LetterChannel.EMAIL], [])],
    ids=["print-instead", "not-at-all"],
)
async def test_a_customer_who_refused_email_gets_the_follow_up_by_the_next_channel_or_not_at_all(
    harness: Harness, config_dir: Path, channels: list[LetterChannel], expected: list[LetterChannel]
) -> None:
    env, connections, _ = harness
    documents, communications = store_policies(config_dir)
    policy = documents.model_copy(
        update={"follow_up_after": timedelta(days=7), "feedback_url": FEEDBACK_URL, "follow_for": timedelta(days=1)}
    )
    order = await place_order(connections, [("LAMP-1", "Head lamp")])
    assert order.customer is not None
    refusal: dict[str, JsonValue] = {
        "email": {"accepts": False, "reason": "opted_out", "at": datetime.now(UTC).isoformat()}
    }
    await connections.shopify(DOCS_SHOP).set_customer_fields(order.customer.id, {PREFERENCES_FIELD: refusal})
    await ship(connections, order)
    handle = await start_case(
        harness, order, policy, communications.model_copy(update={"channels": channels}), event="placed"
    )

    result = await asyncio.wait_for(handle.result(), timeout=120)

    assert result.status is CaseStatus.APPROVED, result.detail
    letter = await letter_sent(env, handle.id, FOLLOW_UP_KEY)
    assert [s.channel for s in letter.sends if s.channel is not None] == expected
    assert letter.sends[-1].refused == [LetterChannel.EMAIL]
    assert letter.status == ("awaiting outcome" if expected else "not sent"), letter


async def test_a_replenishment_reminder_unless_the_customer_ordered_the_product_again(
    harness: Harness, config_dir: Path, sandbox_url: str
) -> None:
    env, connections, _ = harness
    documents, communications = store_policies(config_dir)
    reorder = "https://shop.example/reorder/{sku}?from={order_id}"
    policy = documents.model_copy(
        update={
            "follow_for": timedelta(days=1),
            "replenishment": [
                ReplenishmentReminder(sku="GAS-230", after=timedelta(days=60), reorder_url=reorder),
                ReplenishmentReminder(sku="FILTER-9", after=timedelta(days=30), reorder_url=reorder),
                ReplenishmentReminder(sku="NOT-ORDERED", after=timedelta(days=10), reorder_url=reorder),
            ],
        }
    )
    email = f"camper-{uuid.uuid4().hex[:8]}@example.test"
    order = await place_order(
        connections, [("GAS-230", "Gas cartridge 230 g"), ("FILTER-9", "Water filter"), ("TENT-2P", "Tent")], email
    )
    handle = await start_case(harness, order, policy, communications, event="placed")
    await recorded(handle, "letter due", 2)
    # The same customer buys filters again (before the filter reminder is due), not gas.
    again = await place_order(connections, [("FILTER-9", "Water filter")], email)

    result = await asyncio.wait_for(handle.result(), timeout=120)

    assert result.status is CaseStatus.APPROVED, result.detail
    trail = await audit(handle)
    assert sorted(e.detail.split(" at ")[0] for e in trail if e.event == "letter due") == [
        "replenishment-FILTER-9",
        "replenishment-GAS-230",
    ]
    [not_sent] = [e.detail for e in trail if e.event == "letter not sent"]
    assert not_sent == f"replenishment-FILTER-9: ordered again with {again.name}"
    letter = await letter_sent(env, handle.id, "replenishment-GAS-230")
    assert letter.status == "awaiting outcome", letter
    [delivery] = [d for d in await deliveries(sandbox_url, handle.id) if d["communication"] == "Replenishment Reminder"]
    url = reorder.format(sku="GAS-230", order_id=order.legacy_resource_id)
    texts = await rendered_text(sandbox_url, delivery, url)
    assert texts and all(
        f"Time to restock Gas cartridge 230 g? You last ordered it with {order.name}" in t for t in texts
    )


@pytest.mark.parametrize(
    ("settings", "complaint"),
    [
        ({"follow_up_after": "P14D"}, "needs a feedback_url"),
        ({"follow_up_after": "P14D", "feedback_url": "https://shop.example/f/{order}"}, "names order"),
        ({"follow_up_after": "-P1D", "feedback_url": FEEDBACK_URL}, "must be positive"),
        (
            {"replenishment": [{"sku": "GAS-230", "after": "P60D", "reorder_url": "shop.example/{sku}"}]},
            r"not an http\(s\) URL",
        ),
        (
            {
                "replenishment": [
                    {"sku": "GAS-230", "after": "P60D", "reorder_url": "https://shop.example/{sku}"},
                    {"sku": "GAS-230", "after": "P30D", "reorder_url": "https://shop.example/{sku}"},
                ]
            },
            "each SKU once",
        ),
    ],
    ids=["no-feedback-url", "unknown-placeholder", "negative-delay", "not-a-url", "sku-twice"],
)
def test_a_trigger_policy_that_could_not_write_its_letter_is_refused_at_load(
    settings: dict[str, Any], complaint: str
) -> None:
    with pytest.raises(ValueError, match=complaint):
        OrderDocumentsPolicy.model_validate(settings)


@pytest.mark.parametrize(
    ("status", "refunded", "ended"),
    [
        ("PAID/FULFILLED", "0", None),
        ("PARTIALLY_REFUNDED/FULFILLED", "10", None),
        ("Partially Refunded/captured", "10", None),
        ("REFUNDED/FULFILLED", "30", "the order is refunded"),
        ("Cancelled/void", "0", "the order is cancelled"),
        ("canceled", "0", "the order is canceled"),
        ("PAID/FULFILLED", "30", "the order was fully refunded"),  # the money back, status not yet
    ],
)
def test_an_order_is_over_when_cancelled_or_refunded_in_full(status: str, refunded: str, ended: str | None) -> None:
    now = datetime.now(UTC)
    memo = TransactionDocument(kind=DocumentKind.CREDIT_MEMO, number="1", issued_at=now, amount=Decimal(refunded))
    order = OrderTransactions(
        order_id="1",
        order_name="#1",
        created_at=now,
        currency="USD",
        total=Decimal(30),
        status=status,
        documents=[memo],
    )
    assert order_ended(order) == ended


def test_warranty_terms_follow_the_customers_region() -> None:
    regions = {"EU": "EU terms", "GB": "UK terms"}
    assert warranty_region("de", regions) == ("EU", "EU terms")  # a member state: the EU's words
    assert warranty_region("GB", regions) == ("GB", "UK terms")
    assert warranty_region("US", regions) == ("US", None)  # the general terms apply
    assert warranty_region(None, regions) == ("", None)
    with pytest.raises(ValueError, match="no country code"):
        WarrantyTerms(sku="TENT", months=24, terms="x", regions={"Europe": "y"})
    with pytest.raises(ValueError, match="warranty: each SKU once"):
        OrderDocumentsPolicy.model_validate(
            {"warranty": [{"sku": "TENT", "months": 12, "terms": "a"}, {"sku": "TENT", "months": 24, "terms": "b"}]}
        )
