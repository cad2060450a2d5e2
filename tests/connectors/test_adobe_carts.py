"""The Adobe Commerce cart connector (`AdobeCarts`) against the simulator over real HTTP: a guest cart
checked out into a free order, and Magento's refusals mapped to non-retryable errors. Every request
goes through `SpecCheckingTransport` (the official 2.4.9 schema)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from decimal import Decimal

import pytest
import pytest_asyncio
from pydantic import SecretStr

from connectors.adobe_commerce import AdminTokenCredentials, AdobeCommerce
from connectors.adobe_commerce.cart_models import CartAddress
from connectors.errors import NotFoundError, RejectedError, TransientError
from sandbox.adobe_commerce.api import AdobeCommerceSimulator
from sandbox.adobe_commerce.app import create_adobe_app
from sandbox.adobe_commerce.cart_routes import PLACE_ORDER
from sandbox.adobe_commerce.config import REPLACEMENT_COUPON, AdobeStoreConfig
from sandbox.adobe_commerce.contract import spec_contract
from sandbox.config import SandboxConfig
from sandbox.faults import FaultEffect, FaultRule
from sandbox.world import SandboxWorld
from tests.support.servers import serve
from tests.support.spec_transport import SpecCheckingTransport

STORE = AdobeStoreConfig(
    store_code="cartshop",
    admin_username="cart-api",
    admin_password=SecretStr("cart-password"),
    consumer_key="ck-cart",
    consumer_secret=SecretStr("cs-cart"),
    access_token="at-cart",
    access_token_secret=SecretStr("ats-cart"),
    ims_client_id="ims-cart",
    ims_client_secret=SecretStr("ims-secret-cart"),
    io_events_client_id="io-cart",
)
ADDRESS = CartAddress(
    firstname="Ada",
    lastname="Buyer",
    street=["1 Market Street"],
    city="Austin",
    postcode="78701",
    country_id="US",
    telephone="+1 512 555 0100",
    email="ada@example.test",
    region="Texas",
    region_id=57,
    region_code="TX",
)


@dataclass
class Shop:
    world: SandboxWorld
    simulator: AdobeCommerceSimulator
    commerce: AdobeCommerce
    transport: SpecCheckingTransport

    def order_count(self) -> int:
        return len(self.simulator.store(STORE.store_code).state.orders)


@pytest_asyncio.fixture
async def shop() -> AsyncIterator[Shop]:
    world = SandboxWorld(config=SandboxConfig(shops=[], tenants=[]))
    app, simulator = create_adobe_app(world, [STORE])
    simulator.seed_product(STORE.store_code, {"sku": "LAMP", "name": "Desk Lamp", "price": "40.00"})
    async with serve(app) as origin, contextlib.AsyncExitStack() as stack:
        transport = SpecCheckingTransport([(f"{origin}/adobe-commerce/rest/", spec_contract())])
        credentials = AdminTokenCredentials(username=STORE.admin_username, password=STORE.admin_password)
        base_url = f"{origin}/adobe-commerce/rest/{STORE.store_code}"
        commerce = await stack.enter_async_context(AdobeCommerce(base_url, credentials, transport=transport))
        yield Shop(world, simulator, commerce, transport)
        assert shop_conforms(transport)


def shop_conforms(transport: SpecCheckingTransport) -> bool:
    return transport.violations == [] and transport.checked > 0


async def shipped_cart(shop: Shop, *, coupon: str | None) -> int:
    carts = shop.commerce.carts
    cart_id = await carts.create_guest_cart()
    await carts.add_item(cart_id, "LAMP", 2)
    if coupon is not None:
        await carts.apply_coupon(cart_id, coupon)
    [method] = await carts.estimate_shipping_methods(cart_id, ADDRESS)
    assert (method.carrier_code, method.amount) == ("flatrate", Decimal(10))
    await carts.set_shipping_information(
        cart_id, shipping=ADDRESS, billing=ADDRESS, carrier_code=method.carrier_code, method_code=method.method_code
    )
    return cart_id


async def test_a_guest_cart_with_the_replacement_coupon_becomes_a_free_order(shop: Shop) -> None:
    carts = shop.commerce.carts
    cart_id = await shipped_cart(shop, coupon=REPLACEMENT_COUPON)

    order_id = await carts.place_order(cart_id, "free")

    order = await shop.commerce.sales.get_order(order_id)
    assert order.quote_id == cart_id and order.coupon_code == REPLACEMENT_COUPON
    assert order.customer_is_guest == 1 and order.customer_email == "ada@example.test"
    assert order.grand_total == 0 and [(i.sku, i.qty_ordered) for i in order.items] == [("LAMP", Decimal(2))]
    assert [o.entity_id for o in await carts.orders_of_cart(cart_id)] == [order_id]
    assert (await carts.get_cart(cart_id)).is_active is False
    with pytest.raises(NotFoundError):
        await carts.place_order(cart_id, "free")  # one quote, one order
    assert shop.order_count() == 1


async def test_free_payment_with_something_to_pay_is_a_rejection(shop: Shop) -> None:
    cart_id = await shipped_cart(shop, coupon=None)

    with pytest.raises(RejectedError) as refused:
        await shop.commerce.carts.place_order(cart_id, "free")

    assert refused.value.status_code == 400 and not refused.value.retryable
    assert "Payment Method is not available" in refused.value.message
    assert shop.order_count() == 0


async def test_unknown_sku_and_unknown_coupon_are_not_found(shop: Shop) -> None:
    carts = shop.commerce.carts
    cart_id = await carts.create_guest_cart()

    with pytest.raises(NotFoundError) as unknown_sku:
        await carts.add_item(cart_id, "NO-SUCH-SKU", 1)
    await carts.add_item(cart_id, "LAMP", 1)
    with pytest.raises(NotFoundError) as unknown_coupon:
        await carts.apply_coupon(cart_id, "NOT-A-COUPON")

    assert not unknown_sku.value.retryable and "product that was requested" in unknown_sku.value.message
    assert "coupon code isn't valid" in unknown_coupon.value.message
    assert [(i.sku, i.qty) for i in await carts.cart_items(cart_id)] == [("LAMP", Decimal(1))]


async def test_a_lost_place_order_answer_is_transient_and_the_order_is_found_by_its_quote(shop: Shop) -> None:
    cart_id = await shipped_cart(shop, coupon=REPLACEMENT_COUPON)
    shop.world.faults.add(FaultRule(system="adobe-commerce", operation=PLACE_ORDER, effect=FaultEffect.DROP_CONNECTION))

    with pytest.raises(TransientError):
        await shop.commerce.carts.place_order(cart_id, "free")

    [order] = await shop.commerce.carts.orders_of_cart(cart_id)
    assert order.quote_id == cart_id and shop.order_count() == 1
