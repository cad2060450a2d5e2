"""Signed but absurd input, over HTTP against the running stack, as a platform or an attacker
holding a secret would send it: 422 naming the field (never 500), and no case in Temporal."""

from __future__ import annotations

import json
from typing import Any

import httpx
from fastapi import FastAPI

from tests.support.stack import Stack
from tests.support.world import SHOP
from tests.test_fulfillment_exception import post as post_report
from tests.test_fulfillment_exception import report as exception_report
from tests.test_shim import sample_order, shopify_headers
from tests.test_shim_security import adobe_event, adobe_headers
from workflows.fulfillment_exception import KIND as FULFILLMENT_EXCEPTION
from workflows.order_review import KIND as ORDER_REVIEW
from workflows.return_case import KIND as RETURN_CASE


def refused_naming(response: httpx.Response, field: str) -> bool:
    return response.status_code == 422 and field in response.json()["detail"]


async def post_shopify(stack: Stack, body: bytes, topic: str = "orders/create") -> httpx.Response:
    return await stack.http.post(
        f"{stack.shim_url}/webhooks/shopify", content=body, headers=shopify_headers(body, topic=topic)
    )


def return_request(return_id: int | str, *, gid_id: int = 990200000001, price: str = "20.00", **line: Any) -> bytes:
    """A `returns/request` body as Shopify sends it, with one returned line."""
    item = {"quantity": 1, "return_reason": "UNWANTED", "customer_note": None} | line
    body = {
        "id": "RETURN_ID",
        "admin_graphql_api_id": f"gid://shopify/Return/{gid_id}",
        "name": "#9001-R1",
        "status": "requested",
        "order": {"id": 990200000002, "admin_graphql_api_id": "gid://shopify/Order/990200000002"},
        "return_line_items": [
            item
            | {
                "fulfillment_line_item": {
                    "admin_graphql_api_id": "gid://shopify/FulfillmentLineItem/990200000003",
                    "line_item": {
                        "admin_graphql_api_id": "gid://shopify/LineItem/990200000004",
                        "title": "Jacket",
                        "quantity": 1,
                        "price_set": {"shop_money": {"amount": price, "currency_code": "USD"}},
                        "discount_allocations": [],
                    },
                }
            }
        ],
    }
    return json.dumps(body).encode().replace(b'"RETURN_ID"', str(return_id).encode())


# --- signed but absurd values ------------------------------------------------------------------------


async def test_shopify_absurd_amounts_and_ids_are_refused_by_field(stack: Stack) -> None:
    order = json.loads(sample_order(990200000010, "100.00"))
    infinite_total = json.dumps(order | {"total_price": "1E+400"}).encode()
    assert refused_naming(await post_shopify(stack, infinite_total), "total_price")
    discount = json.dumps(order | {"total_discounts": "1E+999999"}).encode()
    assert refused_naming(await post_shopify(stack, discount), "total_discounts")
    other_id = json.dumps(order | {"id": 990200000011}).encode()  # its gid still names ...010
    assert refused_naming(await post_shopify(stack, other_id), "admin_graphql_api_id")
    await stack.assert_no_case(ORDER_REVIEW.case_id("shopify", SHOP, "990200000010"))
    await stack.assert_no_case(ORDER_REVIEW.case_id("shopify", SHOP, "990200000011"))

    topic = "returns/request"
    price = await post_shopify(stack, return_request(990200000001, price="1E+400"), topic)
    assert refused_naming(price, "amount")
    quantity = await post_shopify(stack, return_request(990200000001, quantity=10**30), topic)
    assert refused_naming(quantity, "quantity")
    for wrong_id in (-1, 10**30, 990200000099):
        answer = await post_shopify(stack, return_request(wrong_id), topic)
        assert refused_naming(answer, "id"), (wrong_id, answer.text)
    for return_id in ("990200000001", "990200000099"):
        await stack.assert_no_case(RETURN_CASE.case_id("shopify", SHOP, return_id))


async def test_adobe_absurd_entity_id_is_refused(stack: Stack, sandbox_app: FastAPI) -> None:
    for entity_id in ("1e400", "-1", '"many"', str(10**30)):
        body = adobe_event(entity_id)
        answer = await stack.http.post(
            f"{stack.shim_url}/webhooks/adobe-commerce", content=body, headers=adobe_headers(sandbox_app, body)
        )
        assert refused_naming(answer, "entity_id"), (entity_id, answer.text)


async def test_warehouse_absurd_reports_are_refused_by_field(stack: Stack) -> None:
    order_id = "990200000020"
    absurd: dict[str, tuple[dict[str, Any], str]] = {
        "5,000-digit order id": ({"order_id": "9" * 5000}, "order_id"),
        "order id beyond 64 bits": ({"order_id": str(2**64)}, "order_id"),
        "empty sku": ({"lines": [{"sku": "", "quantity": 1}]}, "sku"),
        "blank sku": ({"lines": [{"sku": "   ", "quantity": 1}]}, "sku"),
        "100,000-character sku": ({"lines": [{"sku": "X" * 100_000, "quantity": 1}]}, "sku"),
        "quantity 10^30": ({"lines": [{"sku": "ITEM-0", "quantity": 10**30}]}, "quantity"),
        "quantity 0": ({"lines": [{"sku": "ITEM-0", "quantity": 0}]}, "quantity"),
    }
    for what, (change, field) in absurd.items():
        answer = await post_report(stack, exception_report(order_id, "inventory_shortage") | change)
        assert refused_naming(answer, field), (what, answer.status_code, answer.text[:300])
    await stack.assert_no_case(FULFILLMENT_EXCEPTION.case_id("shopify", SHOP, order_id))
