"""Guest-cart checkout of the Adobe Commerce simulator over raw HTTP: as strict as Magento's?

Requests are built by hand to reach the refusals a careful client never provokes: `free` payment
with something to pay, a second order from the same quote, an unknown or disabled SKU, an unknown
coupon, a shipping method the address does not get, a body outside the 2.4.9 schema.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest_asyncio
from pydantic import SecretStr

from sandbox.adobe_commerce.api import AdobeCommerceSimulator
from sandbox.adobe_commerce.app import create_adobe_app
from sandbox.adobe_commerce.catalog import NO_PRODUCT
from sandbox.adobe_commerce.config import REPLACEMENT_COUPON, AdobeStoreConfig, CartPriceRuleConfig
from sandbox.config import SandboxConfig
from sandbox.world import SandboxWorld
from tests.support.servers import serve

STORE = AdobeStoreConfig(
    store_code="carts",
    admin_username="carts-admin",
    admin_password=SecretStr("carts-password"),
    consumer_key="ck-carts",
    consumer_secret=SecretStr("cs-carts"),
    access_token="at-carts",
    access_token_secret=SecretStr("ats-carts"),
    ims_client_id="ims-carts",
    ims_client_secret=SecretStr("ims-secret-carts"),
    io_events_client_id="io-carts",
)
ADDRESS = {
    "firstname": "Ada",
    "lastname": "Buyer",
    "street": ["1 Market Street"],
    "city": "Austin",
    "postcode": "78701",
    "country_id": "US",
    "region": "Texas",
    "region_id": 57,
    "region_code": "TX",
    "telephone": "+1 512 555 0100",
    "email": "ada@example.test",
}


@dataclass
class Sim:
    simulator: AdobeCommerceSimulator
    origin: str
    http: httpx.AsyncClient
    token: str

    async def call(self, method: str, path: str, **kw: Any) -> httpx.Response:
        url = f"{self.origin}/adobe-commerce/rest/{STORE.store_code}{path}"
        return await self.http.request(method, url, headers={"Authorization": f"Bearer {self.token}"}, **kw)

    async def ok(self, method: str, path: str, **kw: Any) -> Any:
        response = await self.call(method, path, **kw)
        assert response.status_code == 200, response.text
        return response.json()

    async def cart_with(self, sku: str, qty: int = 1) -> int:
        cart_id = int(await self.ok("POST", "/V1/carts/"))
        await self.ok(
            "POST", f"/V1/carts/{cart_id}/items", json={"cartItem": {"sku": sku, "qty": qty, "quote_id": str(cart_id)}}
        )
        return cart_id

    async def ship(self, cart_id: int, carrier: str = "flatrate") -> dict[str, Any]:
        info = {
            "shipping_address": ADDRESS,
            "billing_address": ADDRESS,
            "shipping_carrier_code": carrier,
            "shipping_method_code": carrier,
        }
        details: dict[str, Any] = await self.ok(
            "POST", f"/V1/carts/{cart_id}/shipping-information", json={"addressInformation": info}
        )
        return details


@pytest_asyncio.fixture(scope="module")
async def sim() -> AsyncIterator[Sim]:
    world = SandboxWorld(config=SandboxConfig(shops=[], tenants=[]))
    app, simulator = create_adobe_app(world, [STORE])
    simulator.seed_product(STORE.store_code, {"sku": "LAMP", "name": "Desk Lamp", "price": "40.00"})
    simulator.seed_product(STORE.store_code, {"sku": "OLD", "name": "Retired", "price": "9.00", "status": 2})
    async with serve(app) as origin, httpx.AsyncClient() as http:
        response = await http.post(
            f"{origin}/adobe-commerce/rest/{STORE.store_code}/V1/integration/admin/token",
            json={"username": STORE.admin_username, "password": "carts-password"},
        )
        assert response.status_code == 200
        yield Sim(simulator, origin, http, response.json())


async def test_free_order_from_a_guest_cart_with_the_replacement_coupon(sim: Sim) -> None:
    cart_id = await sim.cart_with("LAMP", 2)
    assert await sim.ok("PUT", f"/V1/carts/{cart_id}/coupons/{REPLACEMENT_COUPON}") is True
    details = await sim.ship(cart_id)
    assert [m["code"] for m in details["payment_methods"]] == ["free"]
    assert details["totals"]["subtotal"] == 80.0 and details["totals"]["shipping_amount"] == 10.0
    assert details["totals"]["grand_total"] == 0.0

    order_id = await sim.ok("PUT", f"/V1/carts/{cart_id}/order", json={"paymentMethod": {"method": "free"}})

    order = await sim.ok("GET", f"/V1/orders/{order_id}")
    assert order["quote_id"] == cart_id and order["coupon_code"] == REPLACEMENT_COUPON
    assert order["customer_email"] == "ada@example.test" and order["customer_is_guest"] == 1
    assert order["grand_total"] == 0.0 and order["discount_amount"] == -90.0
    assert [(i["sku"], i["qty_ordered"], i["price"], i["discount_amount"]) for i in order["items"]] == [
        ("LAMP", 2.0, 40.0, 80.0)
    ]
    assert order["payment"]["method"] == "free"
    found = await sim.ok(
        "GET",
        "/V1/orders",
        params={
            "searchCriteria[filter_groups][0][filters][0][field]": "quote_id",
            "searchCriteria[filter_groups][0][filters][0][value]": str(cart_id),
        },
    )
    assert [o["entity_id"] for o in found["items"]] == [order_id]
    cart = await sim.ok("GET", f"/V1/carts/{cart_id}")
    assert cart["is_active"] is False and cart["customer_is_guest"] is True


async def test_a_placed_cart_cannot_be_ordered_again(sim: Sim) -> None:
    cart_id = await sim.cart_with("LAMP")
    await sim.ok("PUT", f"/V1/carts/{cart_id}/coupons/{REPLACEMENT_COUPON}")
    await sim.ship(cart_id)
    await sim.ok("PUT", f"/V1/carts/{cart_id}/order", json={"paymentMethod": {"method": "free"}})
    orders_before = len(sim.simulator.store(STORE.store_code).state.orders)

    again = await sim.call("PUT", f"/V1/carts/{cart_id}/order", json={"paymentMethod": {"method": "free"}})

    assert again.status_code == 404
    assert again.json() == {
        "message": "No such entity with %fieldName = %fieldValue",
        "parameters": {"fieldName": "cartId", "fieldValue": cart_id},
    }
    assert len(sim.simulator.store(STORE.store_code).state.orders) == orders_before
    added = await sim.call(
        "POST", f"/V1/carts/{cart_id}/items", json={"cartItem": {"sku": "LAMP", "qty": 1, "quote_id": str(cart_id)}}
    )
    assert added.status_code == 404


async def test_free_payment_is_refused_while_there_is_something_to_pay(sim: Sim) -> None:
    cart_id = await sim.cart_with("LAMP")
    details = await sim.ship(cart_id)  # no coupon
    assert [m["code"] for m in details["payment_methods"]] == ["checkmo"]

    refused = await sim.call("PUT", f"/V1/carts/{cart_id}/order", json={"paymentMethod": {"method": "free"}})

    assert refused.status_code == 400
    assert refused.json() == {"message": "The requested Payment Method is not available."}
    assert (await sim.ok("GET", f"/V1/carts/{cart_id}"))["is_active"] is True


async def test_a_coupon_that_leaves_shipping_to_pay_does_not_make_the_order_free(sim: Sim) -> None:
    sim.simulator.seed_cart_price_rule(
        STORE.store_code, CartPriceRuleConfig(name="Items only", coupon_code="ITEMS-ONLY", discount_percent=100)
    )
    cart_id = await sim.cart_with("LAMP")
    await sim.ok("PUT", f"/V1/carts/{cart_id}/coupons/ITEMS-ONLY")
    details = await sim.ship(cart_id)
    assert details["totals"]["grand_total"] == 5.0

    refused = await sim.call("PUT", f"/V1/carts/{cart_id}/order", json={"paymentMethod": {"method": "free"}})

    assert refused.status_code == 400
    assert refused.json()["message"] == "The requested Payment Method is not available."


async def test_unknown_and_disabled_products_and_unknown_coupons_are_refused(sim: Sim) -> None:
    cart_id = int(await sim.ok("POST", "/V1/carts/"))

    unknown = await sim.call(
        "POST", f"/V1/carts/{cart_id}/items", json={"cartItem": {"sku": "NOPE", "qty": 1, "quote_id": str(cart_id)}}
    )
    disabled = await sim.call(
        "POST", f"/V1/carts/{cart_id}/items", json={"cartItem": {"sku": "OLD", "qty": 1, "quote_id": str(cart_id)}}
    )
    empty_coupon = await sim.call("PUT", f"/V1/carts/{cart_id}/coupons/{REPLACEMENT_COUPON}")
    await sim.ok(
        "POST", f"/V1/carts/{cart_id}/items", json={"cartItem": {"sku": "LAMP", "qty": 1, "quote_id": str(cart_id)}}
    )
    bad_coupon = await sim.call("PUT", f"/V1/carts/{cart_id}/coupons/NO-SUCH-CODE")

    assert unknown.status_code == 404
    assert unknown.json()["message"] == NO_PRODUCT
    assert disabled.status_code == 400
    assert disabled.json()["message"] == "Product that you are trying to add is not available."
    assert empty_coupon.status_code == 404
    assert bad_coupon.status_code == 404
    assert bad_coupon.json()["message"] == "The coupon code isn't valid. Verify the code and try again."
    assert [i["sku"] for i in await sim.ok("GET", f"/V1/carts/{cart_id}/items")] == ["LAMP"]


async def test_shipping_is_refused_for_an_unoffered_method_and_a_body_outside_the_schema(sim: Sim) -> None:
    cart_id = await sim.cart_with("LAMP")
    methods = await sim.ok("POST", f"/V1/carts/{cart_id}/estimate-shipping-methods", json={"address": ADDRESS})
    assert [m["carrier_code"] for m in methods] == ["flatrate"]  # 40.00 is below free shipping's 100.00

    unoffered = await sim.call(
        "POST",
        f"/V1/carts/{cart_id}/shipping-information",
        json={
            "addressInformation": {
                "shipping_address": ADDRESS,
                "shipping_carrier_code": "freeshipping",
                "shipping_method_code": "freeshipping",
            }
        },
    )
    no_email = {k: v for k, v in ADDRESS.items() if k != "email"}
    outside = await sim.call(
        "POST",
        f"/V1/carts/{cart_id}/shipping-information",
        json={
            "addressInformation": {
                "shipping_address": no_email,
                "shipping_carrier_code": "flatrate",
                "shipping_method_code": "flatrate",
            }
        },
    )

    assert unoffered.status_code == 404
    assert unoffered.json() == {
        "message": "Carrier with such method not found: %1, %2",
        "parameters": ["freeshipping", "freeshipping"],
    }
    assert outside.status_code == 400
    assert "schema" in outside.json()["message"]
    not_shipped = await sim.call("PUT", f"/V1/carts/{cart_id}/order", json={"paymentMethod": {"method": "checkmo"}})
    assert not_shipped.status_code == 400


async def test_the_replacement_rule_is_installed_and_rules_can_be_added_by_the_admin_route(sim: Sim) -> None:
    url = f"{sim.origin}/adobe-commerce/_admin/stores/{STORE.store_code}"
    created = await sim.http.post(
        f"{url}/cart-price-rules",
        json={"name": "Half off", "coupon_code": "HALF", "discount_percent": "50", "apply_to_shipping": False},
    )
    duplicate = await sim.http.post(
        f"{url}/cart-price-rules", json={"name": "Again", "coupon_code": "half", "discount_percent": "10"}
    )
    state = (await sim.http.get(f"{url}/state")).json()

    assert created.status_code == 201 and created.json()["coupon_code"] == "HALF"
    assert duplicate.status_code == 400
    rules = {r["coupon_code"]: r for r in state["cart_price_rules"]}
    assert rules[REPLACEMENT_COUPON]["discount_amount"] == 100.0 and rules[REPLACEMENT_COUPON]["apply_to_shipping"]
    assert "HALF" in rules
