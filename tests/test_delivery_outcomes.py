"""Customers' communication preferences from Exstream written back to the store: the delivery
outcome feed job on Temporal reads the simulated Exstream's event feed over HTTP and sets the
Shopify customer's marketing consent and Casebridge's customer fields."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from tests.support.stack import Stack, eventually
from tests.support.world import SLA_SHOP, TENANT, TENANT_ID
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
    finally:
        await feed.terminate(reason="test over")
