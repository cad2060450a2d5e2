"""Conditions that will never clear get a 4xx, so the platform stops redelivering: an order the
platform does not have, a callback whose business key Temporal can never take. Over HTTP against
the running stack; transient trouble (a platform 5xx, Temporal away) stays 503 elsewhere."""

from __future__ import annotations

import json

from fastapi import FastAPI

from connectors.opentext.callback_signing import signed_headers as callback_headers
from tests.support.stack import Stack
from tests.support.world import ADOBE_STORE, BC_FLOW_STORE, SECRETS, SHOP
from tests.test_order_review_bigcommerce import payload as bigcommerce_payload
from tests.test_order_review_bigcommerce import signed as bigcommerce_signed
from tests.test_shim import sample_order
from tests.test_shim_input_bounds import post_shopify, refused_naming
from tests.test_shim_security import adobe_event, adobe_headers
from workflows.order_review import KIND as ORDER_REVIEW


async def test_orders_that_do_not_exist_are_4xx(stack: Stack, sandbox_app: FastAPI) -> None:
    # Shopify: the shop's policy reads the order's risk, and there is no such order.
    shopify = await post_shopify(stack, sample_order(990200000030, "50.00"))
    assert shopify.status_code == 404 and "990200000030" in shopify.text, shopify.text

    bigcommerce_body = bigcommerce_payload("store/order/created", 990231)
    bigcommerce = await stack.http.post(
        f"{stack.shim_url}/webhooks/bigcommerce", content=bigcommerce_body, headers=bigcommerce_signed(bigcommerce_body)
    )
    assert bigcommerce.status_code == 404 and "990231" in bigcommerce.text, bigcommerce.text
    # A transient failure of the same read stays "retry later".
    await stack.fault(system="bigcommerce", operation="GET /v2/orders/{order_id}", effect="http_503")
    again = bigcommerce_payload("store/order/created", 990231)
    flaky = await stack.http.post(
        f"{stack.shim_url}/webhooks/bigcommerce", content=again, headers=bigcommerce_signed(again)
    )
    assert flaky.status_code == 503, flaky.text

    adobe_body = adobe_event(990232)
    adobe = await stack.http.post(
        f"{stack.shim_url}/webhooks/adobe-commerce", content=adobe_body, headers=adobe_headers(sandbox_app, adobe_body)
    )
    assert adobe.status_code == 404 and "990232" in adobe.text, adobe.text

    hold = {
        "fulfillment_order": {"id": "gid://shopify/FulfillmentOrder/990200000033"},
        "created_fulfillment_hold": {"id": "gid://shopify/FulfillmentHold/1", "reason": "inventory_out_of_stock"},
    }
    held = await post_shopify(stack, json.dumps(hold).encode(), "fulfillment_orders/placed_on_hold")
    assert held.status_code == 404, held.text

    await stack.assert_no_case(ORDER_REVIEW.case_id("shopify", SHOP, "990200000030"))
    await stack.assert_no_case(ORDER_REVIEW.case_id("bigcommerce", BC_FLOW_STORE, "990231"))
    await stack.assert_no_case(ORDER_REVIEW.case_id("adobe-commerce", ADOBE_STORE, "990232"))


async def test_callback_for_a_business_key_beyond_temporals_limit_is_4xx(stack: Stack) -> None:
    body = json.dumps(
        {
            "tenantId": "casebridge-test",
            "processInstanceId": "p-1",
            "businessKey": "order-review/shopify/" + "x" * 1200,
            "taskId": "t-1",
            "outcome": "approved",
        }
    ).encode()
    answer = await stack.http.post(
        f"{stack.shim_url}/callbacks/opentext/workflow?tenant=test",
        content=body,
        headers=callback_headers(SECRETS["OPENTEXT_CALLBACK_SECRET"], body),
    )
    assert refused_naming(answer, "businessKey"), answer.text
