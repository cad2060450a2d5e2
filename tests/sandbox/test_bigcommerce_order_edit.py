"""Order edits in the BigCommerce simulator over raw HTTP: `products` in `PUT /v2/orders/{id}` (lines
lowered, removed, added from the catalog or as custom products), the totals that follow, the
refusals in v2's error shape, the `store/order/updated` webhook, and the catalog lookup by SKU."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import httpx
import pytest_asyncio
from pydantic import SecretStr

from sandbox.bigcommerce.config import BigCommerceStoreConfig
from sandbox.bigcommerce.standalone import RunningSimulator, serve_simulator

STORE = BigCommerceStoreConfig(
    store_hash="editstore", access_token=SecretStr("edit-token"), client_secret=SecretStr("edit-app-secret")
)
HEADERS = {"X-Auth-Token": "edit-token", "Accept": "application/json", "Content-Type": "application/json"}


@pytest_asyncio.fixture(scope="module")
async def bc() -> AsyncIterator[RunningSimulator]:
    async with serve_simulator([STORE]) as running:
        yield running


@pytest_asyncio.fixture
async def http(bc: RunningSimulator) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"{bc.rest_url}/stores/{STORE.store_hash}", headers=HEADERS) as client:
        yield client


async def admin(bc: RunningSimulator, method: str, path: str, body: object = None) -> Any:
    async with httpx.AsyncClient() as client:
        response = await client.request(method, f"{bc.admin(STORE.store_hash)}{path}", json=body)
    assert response.is_success, response.text
    return response.json() if response.content else None


async def catalog_product(bc: RunningSimulator, price: str) -> dict[str, Any]:
    product: dict[str, Any] = await admin(
        bc, "POST", "/products", {"name": f"Lamp {price}", "sku": f"LAMP-{uuid.uuid4().hex[:8]}", "price": price}
    )
    return product


async def paid_order(bc: RunningSimulator, product: dict[str, Any], quantity: int) -> dict[str, Any]:
    """Paid (status 11) with one catalog line and 10.00 shipping."""
    body = {
        "billing_address": {"zip": "78751"},
        "products": [{"product_id": product["id"], "quantity": quantity}],
        "shipping_cost_inc_tax": 10,
        "shipping_cost_ex_tax": 10,
    }
    order: dict[str, Any] = await admin(bc, "POST", "/orders", body)
    return order


def money(value: str) -> Decimal:
    return Decimal(value)


async def test_a_line_lowered_and_a_catalog_product_added_in_one_update(
    bc: RunningSimulator, http: httpx.AsyncClient
) -> None:
    ordered, substitute = await catalog_product(bc, "30.00"), await catalog_product(bc, "45.00")
    order = await paid_order(bc, ordered, quantity=3)
    (line,) = order["products"]

    answer = await http.put(
        f"/v2/orders/{order['id']}",
        json={
            "products": [
                {"id": line["id"], "quantity": 1},
                {
                    "product_id": substitute["id"],
                    "variant_id": substitute["base_variant_id"],
                    "quantity": 2,
                    "price_inc_tax": 30,
                    "price_ex_tax": 30,
                },
            ]
        },
    )

    assert answer.status_code == 200, answer.text
    assert money(answer.json()["subtotal_inc_tax"]) == Decimal("90.00")  # 1 x 30 + 2 x 30
    assert money(answer.json()["total_inc_tax"]) == Decimal("100.00")  # plus shipping
    assert answer.json()["items_total"] == 3
    products = (await http.get(f"/v2/orders/{order['id']}/products")).json()
    assert (products[0]["id"], products[0]["quantity"]) == (line["id"], 1)
    added = products[1]
    assert (added["product_id"], added["sku"], added["name"]) == (substitute["id"], substitute["sku"], "Lamp 45.00")
    assert (added["quantity"], money(added["price_inc_tax"]), added["variant_id"]) == (
        2,
        Decimal("30.00"),
        substitute["base_variant_id"],
    )


async def test_quantity_zero_removes_the_line_but_keeps_the_row(bc: RunningSimulator, http: httpx.AsyncClient) -> None:
    ordered, other = await catalog_product(bc, "30.00"), await catalog_product(bc, "12.50")
    order = await paid_order(bc, ordered, quantity=2)
    (line,) = order["products"]

    answer = await http.put(
        f"/v2/orders/{order['id']}",
        json={"products": [{"id": line["id"], "quantity": 0}, {"product_id": other["id"], "quantity": 1}]},
    )

    assert answer.status_code == 200, answer.text
    assert money(answer.json()["total_inc_tax"]) == Decimal("22.50")  # 12.50 at the catalog price + shipping
    products = (await http.get(f"/v2/orders/{order['id']}/products")).json()
    # As BigCommerce shows it afterwards: the removed line is still listed, with quantity 0.
    removed = products[0]
    assert (removed["id"], removed["quantity"], removed["is_refunded"]) == (line["id"], 0, False)
    assert money(products[1]["price_inc_tax"]) == Decimal("12.50")


async def test_refusals_leave_the_order_as_it_was(bc: RunningSimulator, http: httpx.AsyncClient) -> None:
    ordered = await catalog_product(bc, "30.00")
    order = await paid_order(bc, ordered, quantity=3)
    (line,) = order["products"]
    address_id = order["shipping_addresses"][0]["id"]
    shipped = await http.post(
        f"/v2/orders/{order['id']}/shipments",
        json={"order_address_id": address_id, "items": [{"order_product_id": line["id"], "quantity": 2}]},
    )
    assert shipped.status_code == 201
    url = f"/v2/orders/{order['id']}"

    below_shipped = await http.put(url, json={"products": [{"id": line["id"], "quantity": 1}]})
    not_on_order = await http.put(url, json={"products": [{"id": 987654, "quantity": 1}]})
    unknown_product = await http.put(
        # A valid lowering next to an unknown product: nothing of it may be applied.
        url,
        json={"products": [{"id": line["id"], "quantity": 2}, {"product_id": 987654, "quantity": 1}]},
    )
    wrong_variant = await http.put(
        url, json={"products": [{"product_id": ordered["id"], "variant_id": 1, "quantity": 1}]}
    )
    off_spec = await http.put(url, json={"products": [{"id": "first", "quantity": 1}]})

    for refused, words in [
        (below_shipped, "2 units already shipped"),
        (not_on_order, "987654 does not belong to order"),
        (unknown_product, "product ID 987654 does not exist"),
        (wrong_variant, "variant ID 1 does not belong"),
        (off_spec, "JSON data is missing or invalid"),
    ]:
        assert refused.status_code == 400, refused.text
        (problem,) = refused.json()  # v2's error shape: an array of {status, message}
        assert problem["status"] == 400 and words in problem["message"], problem
    after = await admin(bc, "GET", f"/orders/{order['id']}")
    assert [(p["id"], p["quantity"]) for p in after["products"]] == [(line["id"], 3)]
    assert money(after["total_inc_tax"]) == Decimal("100.00")


async def test_an_edit_sends_store_order_updated(bc: RunningSimulator, http: httpx.AsyncClient) -> None:
    hook = await http.post(
        "/v3/hooks",
        json={"scope": "store/order/updated", "destination": "http://127.0.0.1:9/nowhere", "is_active": True},
    )
    assert hook.status_code == 200
    order = await paid_order(bc, await catalog_product(bc, "30.00"), quantity=2)
    (line,) = order["products"]

    await http.put(f"/v2/orders/{order['id']}", json={"products": [{"id": line["id"], "quantity": 1}]})
    await http.put(f"/v2/orders/{order['id']}", json={"products": [{"id": line["id"], "quantity": 1}]})  # no change

    sent = [
        json.loads(d.body)["data"]
        for d in bc.world.deliverer.log
        if d.label == "store/order/updated" and json.loads(d.body)["data"]["id"] == order["id"]
    ]
    assert sent == [{"type": "order", "id": order["id"]}]
    await http.delete(f"/v3/hooks/{hook.json()['data']['id']}")


async def test_a_lowered_total_leaves_the_difference_refundable(bc: RunningSimulator, http: httpx.AsyncClient) -> None:
    """What was paid stays refundable after an edit (the difference of a cheaper substitute), not
    only the new total: 100 paid, 10 left on the order, 90 can go back."""
    ordered, cheaper = await catalog_product(bc, "90.00"), await catalog_product(bc, "0.00")
    order = await paid_order(bc, ordered, quantity=1)
    (line,) = order["products"]
    edit = {"products": [{"id": line["id"], "quantity": 0}, {"product_id": cheaper["id"], "quantity": 1}]}
    assert (await http.put(f"/v2/orders/{order['id']}", json=edit)).status_code == 200
    items = [{"item_type": "ORDER", "item_id": order["id"], "amount": 90}]
    payments = [{"provider_id": "braintree", "amount": 90, "offline": False}]

    quote = await http.post(f"/v3/orders/{order['id']}/payment_actions/refund_quotes", json={"items": items})
    refund = await http.post(
        f"/v3/orders/{order['id']}/payment_actions/refunds", json={"items": items, "payments": payments}
    )
    more = [{"item_type": "ORDER", "item_id": order["id"], "amount": 10.01}]
    too_much = await http.post(f"/v3/orders/{order['id']}/payment_actions/refund_quotes", json={"items": more})

    assert quote.status_code == 201 and quote.json()["data"]["total_refund_amount"] == 90.0
    assert refund.status_code == 201, refund.text
    assert too_much.status_code == 422 and "remaining to refund (10.00)" in too_much.json()["title"]
    after = await admin(bc, "GET", f"/orders/{order['id']}")
    assert (money(after["total_inc_tax"]), money(after["refunded_amount"])) == (Decimal("10.00"), Decimal("90.00"))
    assert after["status_id"] == 14


async def test_catalog_products_are_found_by_sku(bc: RunningSimulator, http: httpx.AsyncClient) -> None:
    lamp = await catalog_product(bc, "45.00")
    await catalog_product(bc, "46.00")

    found = await http.get("/v3/catalog/products", params={"sku": lamp["sku"]})
    several = await http.get("/v3/catalog/products", params={"sku:in": f"{lamp['sku']},NO-SUCH-SKU"})
    none = await http.get("/v3/catalog/products", params={"sku": "NO-SUCH-SKU"})
    unsimulated = await http.get("/v3/catalog/products", params={"keyword": "lamp"})

    assert found.status_code == 200
    assert [(p["id"], p["sku"], p["price"]) for p in found.json()["data"]] == [(lamp["id"], lamp["sku"], 45.0)]
    assert found.json()["meta"]["pagination"]["total"] == 1
    assert [p["id"] for p in several.json()["data"]] == [lamp["id"]]
    assert none.status_code == 200 and none.json()["data"] == []
    assert unsimulated.status_code == 400 and "keyword" in unsimulated.json()["title"]
