"""Casebridge's own replacement and exchange orders are never reviewed: the order a return case
creates (through the real replacement activity, against the sandbox's store APIs) announces itself
with the platform's "created" webhook like any order, and the shim answers it 2xx, saying why no
case started. A customer's order with the same facts is reviewed, so the rule is what spared ours."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

from activities.bigcommerce import BigCommerceActivities
from activities.models import ReplacementLine
from activities.shopify_replacement import FREE
from connectors.shopify.draft_orders import DraftOrderInput, DraftOrderLine
from routing.own_orders import NOT_REVIEWED, REPLACEMENT_TAG
from tests.support.activity_calls import run_activity
from tests.support.stack import Stack, eventually
from tests.support.world import BC_FLOW_STORE, SHOP
from tests.test_order_review_bigcommerce import case_of as bigcommerce_case_of
from tests.test_order_review_bigcommerce import post_webhook, seed_order, signed
from tests.test_order_review_flow import case_of
from tests.test_replacement_catalog_lines import (
    replacement_request,
    shopify_order,
    shopify_replacement,
    shopify_variant,
)


async def delivered(stack: Stack, system: str, label: str, about: Callable[[Any], bool]) -> dict[str, Any]:
    """The sandbox's webhook about one order, once the shim answered it."""

    async def answered() -> dict[str, Any] | None:
        for delivery in await stack.deliveries(system=system, label=label):
            if about(json.loads(delivery["body"])) and delivery["delivered"]:
                return delivery
        return None

    return await eventually(answered, what=f"{label} delivery")


async def redeliver(stack: Stack, delivery: dict[str, Any]) -> dict[str, Any]:
    """Send the recorded delivery again, as the platform's retry would: the shim's answer."""
    response = await stack.http.post(delivery["url"], content=delivery["body"], headers=delivery["headers"])
    assert response.is_success, response.text
    answer: dict[str, Any] = response.json()
    return answer


def legacy_id(order_gid: str) -> int:
    return int(order_gid.rsplit("/", 1)[1])


async def test_shopify_replacement_order_is_not_reviewed(stack: Stack) -> None:
    tag = uuid.uuid4().hex[:6].upper()
    lamp_sku = f"LAMP-{tag}"
    lamp = await shopify_variant(stack, lamp_sku, "40.00", stock=10)
    original_gid, line_gids = await shopify_order(stack, lamp, lamp_sku, f"SHADE-{tag}")
    request = replacement_request(
        original_gid, SHOP, ReplacementLine(title="Lamp", quantity=2, order_line_ref=line_gids[lamp_sku])
    )

    result, _ = await shopify_replacement(stack, request)  # the catalog's lamp, discounted 100%

    order_id = legacy_id(result.order_id)
    delivery = await delivered(stack, "shopify", "orders/create", lambda body: body["id"] == order_id)
    body = json.loads(delivery["body"])
    assert REPLACEMENT_TAG in body["tags"] and float(body["total_price"]) == 0 and float(body["total_discounts"]) > 0
    assert delivery["attempts"][-1]["status_code"] == 200
    await stack.assert_no_case(case_of(SHOP, str(order_id)))
    answer = await redeliver(stack, delivery)
    assert (answer["result"], answer["case_id"], answer["reasons"]) == ("not-needed", None, [NOT_REVIEWED])
    await stack.assert_no_case(case_of(SHOP, str(order_id)))

    # The same free lamp, ordered without Casebridge's mark, is reviewed for its discount.
    shop = stack.shop(SHOP)
    draft = await shop.create_draft_order(
        DraftOrderInput(
            line_items=[DraftOrderLine(variant_id=lamp, quantity=2, applied_discount=FREE)],
            email=f"buyer-{tag.lower()}@example.test",
        )
    )
    completed = await shop.complete_draft_order(draft.id)
    assert completed.order is not None
    control = legacy_id(completed.order.id)
    await stack.case_started(case_of(SHOP, str(control)))
    opened = next(e for e in await stack.audit(case_of(SHOP, str(control))) if e.event == "case opened")
    assert "discount 100" in opened.detail


async def test_bigcommerce_replacement_order_is_not_reviewed(stack: Stack) -> None:
    # A customer's order shipping to a restricted country is reviewed ...
    original = await seed_order(stack, "80.00", country="KP")
    await stack.case_started(bigcommerce_case_of(original["id"]))

    # ... its free replacement, to the same address, is not.
    request = replacement_request(
        str(original["id"]), BC_FLOW_STORE, ReplacementLine(title="Replacement espresso machine", quantity=1)
    )
    result = await run_activity(BigCommerceActivities(stack.connections).create_replacement_order, request)

    order_id = int(result.order_id)
    delivery = await delivered(stack, "bigcommerce", "store/order/created", lambda body: body["data"]["id"] == order_id)
    assert delivery["attempts"][-1]["status_code"] == 200
    await stack.assert_no_case(bigcommerce_case_of(order_id))
    # Sent again under a new webhook-id (the shim answers a known one from memory, as "duplicate").
    response = await post_webhook(stack, delivery["body"].encode(), signed(delivery["body"].encode()))
    assert response.status_code == 200, response.text
    assert (response.json()["result"], response.json()["reasons"]) == ("not-needed", [NOT_REVIEWED])
    await stack.assert_no_case(bigcommerce_case_of(order_id))
