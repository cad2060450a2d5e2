"""Customers' communication preferences from Exstream written back to the store: the delivery
outcome feed job on Temporal reads the simulated Exstream's event feed over HTTP and sets the
Shopify customer's marketing consent and Casebridge's customer fields."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import JsonValue

from activities.preferences import (
    HISTORY_KEPT,
    DeliveryOutcome,
    PreferenceActivities,
    RecordOutcomeRequest,
    history_with,
)
from tests.support.stack import Stack, eventually
from tests.support.world import BC_FLOW_STORE, SLA_SHOP, TENANT, TENANT_ID
from workflows.delivery_outcomes import DeliveryOutcomeFeed, FeedInput, feed_id, feed_search_attributes


def _money(amount: str) -> dict[str, Any]:
    return {"shopMoney": {"amount": amount, "currencyCode": "USD"}}


async def _customer(stack: Stack) -> str:
    email = f"letters-{uuid.uuid4().hex[:8]}@example.test"
    order = await stack.shop(SLA_SHOP).create_order(
        {
            "currency": "USD",
            "email": email,
            "customer": {"toUpsert": {"email": email}},
            "lineItems": [{"title": "Mug", "quantity": 1, "priceSet": _money("12.00")}],
        }
    )
    assert order.customer is not None
    return order.customer.id


async def _click(stack: Stack, customer: str, channel: str, opt_in: bool) -> None:
    """What the customer does on Exstream's preference page (the sandbox's admin stands in)."""
    answer = await stack.http.post(
        f"{stack.sandbox_url}/opentext/exstream/_admin/tenants/{TENANT_ID}/domains/casebridge/preferences",
        json={"store": SLA_SHOP, "customerRef": customer, "channel": channel, "optIn": opt_in},
    )
    assert answer.status_code == 200, answer.text


async def test_opt_outs_reach_the_shopify_customer_record(stack: Stack) -> None:
    customer = await _customer(stack)
    shop = stack.shop(SLA_SHOP)
    await shop.set_customer_consent(customer, "email", subscribed=True)
    await _click(stack, customer, "email", False)
    await _click(stack, customer, "print", False)

    feed = await stack.client.start_workflow(
        DeliveryOutcomeFeed.run,
        FeedInput(tenant=TENANT, poll_every=timedelta(seconds=1)),
        id=f"{feed_id(TENANT)}-{uuid.uuid4().hex[:6]}",
        task_queue=stack.settings.task_queue,
        search_attributes=feed_search_attributes(),
    )
    try:

        async def written() -> dict[str, Any] | None:
            record = await shop.customer_record(customer)
            preferences = record.fields.get("communication_preferences")
            consent = record.consent("email")
            if not isinstance(preferences, dict) or consent is None or consent.marketing_state != "UNSUBSCRIBED":
                return None
            return preferences if "print" in preferences else None

        preferences = await eventually(written, what="the opt-outs on the customer record")
        assert preferences["email"]["accepts"] is False and preferences["email"]["reason"] == "preference_changed"
        assert preferences["print"]["accepts"] is False

        # The customer opts in again: consent and preference follow; nothing read twice undoes it.
        await _click(stack, customer, "email", True)

        async def subscribed() -> bool | None:
            record = await shop.customer_record(customer)
            consent = record.consent("email")
            return True if consent is not None and consent.marketing_state == "SUBSCRIBED" else None

        await eventually(subscribed, what="the opt-in on the customer record")
        record = await shop.customer_record(customer)
        after: Any = record.fields["communication_preferences"]
        assert after["email"]["accepts"] is True and after["print"]["accepts"] is False
        status = await feed.query(DeliveryOutcomeFeed.status)
        assert status.progress.recorded >= 3
        # The customer's communication history: each of the three outcomes once, oldest first.
        history: Any = record.fields["communication_history"]
        assert [(h["channel"], h["outcome"]) for h in history] == [
            ("email", "preference_changed"),
            ("print", "preference_changed"),
            ("email", "preference_changed"),
        ]
        assert len({h["id"] for h in history}) == 3
    finally:
        await feed.terminate(reason="test over")


def test_the_history_keeps_each_outcome_once_and_what_the_platforms_field_holds() -> None:
    def entry(n: int) -> dict[str, JsonValue]:
        return {"communication": "Invoice", "channel": "email", "outcome": "delivered", "at": f"2026-12-0{n}T10:00:00"}

    history = history_with(None, "e1", entry(1), None)
    history = history_with(history, "e2", entry(2), None)
    assert history_with(history, "e2", entry(2), None) == history  # read again: no second entry
    assert [h["id"] for h in history if isinstance(h, dict)] == ["e1", "e2"]
    many: list[JsonValue] = []
    for n in range(1, HISTORY_KEPT + 6):
        many = history_with(many, f"e{n:02}", {**entry(1), "at": f"2026-12-01T10:{n:02}:00"}, None)
    assert len(many) == HISTORY_KEPT
    assert [h["id"] for h in many if isinstance(h, dict)][-1] == f"e{HISTORY_KEPT + 5:02}"  # the latest kept
    fitted = history_with(many, "last", entry(9), 255)  # BigCommerce: an attribute holds 255 characters
    assert len(json.dumps(fitted, separators=(",", ":"))) <= 255
    assert [h["id"] for h in fitted if isinstance(h, dict)][-1] == "last"


async def test_a_bigcommerce_customers_history_fits_the_attribute(stack: Stack) -> None:
    """BigCommerce keeps 255 characters per customer attribute: the history keeps the latest
    outcomes that fit, and every write is accepted."""
    created = await stack.http.post(
        f"{stack.sandbox_url}/bigcommerce/_admin/stores/{BC_FLOW_STORE}/customers",
        json={"email": f"history-{uuid.uuid4().hex[:8]}@example.test"},
    )
    created.raise_for_status()
    customer = str(created.json()["id"])
    preferences = PreferenceActivities(stack.connections)
    for n in range(1, 6):
        outcome = DeliveryOutcome(
            id=f"ev-{uuid.uuid4().hex[:6]}-{n}",
            type="delivered",
            channel="email",
            customer_ref=customer,
            store=BC_FLOW_STORE,
            occurred_at=datetime(2026, 12, n, 9, tzinfo=UTC),
            communication="Shipment Notice",
        )
        recorded = await preferences.record_outcome(RecordOutcomeRequest(outcome=outcome))
        assert "communication_history" in recorded.written

    record = await stack.connections.bigcommerce(BC_FLOW_STORE).customer_record(int(customer))
    history: Any = record.fields["communication_history"]
    assert 1 <= len(history) < 5  # five do not fit in 255 characters
    assert history[-1]["at"].startswith("2026-12-05")  # the latest is kept
    assert len(json.dumps(history, separators=(",", ":"))) <= 255
