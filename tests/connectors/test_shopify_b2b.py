"""Contract tests: `ShopifyAdmin` companies, draft orders, once-only order import, products and
price lists against the Shopify simulator, over real HTTP.

Every request the connector sends passes through `SpecCheckingTransport` with the official 2025-01
schema; each test ends by asserting that nothing was refused. Effects are read back through the
connector or the simulator's admin routes. Self-contained: no fixture of `tests/conftest.py`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
import pytest_asyncio
from pydantic import SecretStr

from connectors.errors import ConflictError, NotFoundError, RejectedError
from connectors.shopify.admin import ShopifyAdmin
from connectors.shopify.assumptions import marker
from connectors.shopify.client import ShopifyClient
from connectors.shopify.companies import Company, CompanyAddressInput, CompanyContactInput, CompanyLocationInput
from connectors.shopify.draft_orders import (
    DraftOrderInput,
    DraftOrderLine,
    PurchasingCompanyInput,
    PurchasingEntityInput,
)
from connectors.shopify.models import MoneyInput
from connectors.shopify.price_lists import FixedPriceInput
from connectors.shopify.products import ProductUpdate
from sandbox.config import ShopConfig
from sandbox.shopify.graphql_contract import ShopifyGraphQLContract
from sandbox.shopify.standalone import RunningShopify, WebhookRecorder, serve_recorder, serve_simulator
from tests.support.spec_transport import SpecCheckingTransport

SHOP = "wholesale.myshopify.com"
TOKEN = "shpat_wholesale_token"
CONFIG = ShopConfig(domain=SHOP, access_token=SecretStr(TOKEN), app_client_secret=SecretStr("shpss_wholesale"))


@dataclass
class Connected:
    admin: ShopifyAdmin
    transport: SpecCheckingTransport
    running: RunningShopify
    hooks: WebhookRecorder

    def assert_conforms(self) -> None:
        assert self.transport.checked > 0
        assert self.transport.violations == []

    async def admin_get(self, path: str) -> dict[str, Any]:
        async with httpx.AsyncClient() as http:
            response = await http.get(f"{self.running.admin(SHOP)}{path}")
        response.raise_for_status()
        body: dict[str, Any] = response.json()
        return body

    async def seed_product(self, title: str, price: str, **extra: Any) -> dict[str, Any]:
        async with httpx.AsyncClient() as http:
            response = await http.post(
                f"{self.running.admin(SHOP)}/products",
                json={"title": title, "variants": [{"price": price, "sku": title.upper()}], **extra},
            )
        assert response.status_code == 201, response.text
        product: dict[str, Any] = response.json()["product"]
        return product


@pytest_asyncio.fixture(scope="module")
async def stack() -> AsyncIterator[tuple[RunningShopify, WebhookRecorder]]:
    async with serve_simulator([CONFIG]) as running, serve_recorder() as hooks:
        yield running, hooks


@pytest.fixture(autouse=True)
def _fresh_shop(stack: tuple[RunningShopify, WebhookRecorder]) -> Iterator[None]:
    running, hooks = stack
    running.simulator.reset(SHOP)
    running.world.faults.clear()
    hooks.received.clear()
    yield


@pytest_asyncio.fixture
async def shop(stack: tuple[RunningShopify, WebhookRecorder]) -> AsyncIterator[Connected]:
    running, hooks = stack
    transport = SpecCheckingTransport([(running.origin, ShopifyGraphQLContract())])
    admin = ShopifyAdmin(ShopifyClient(running.base_url(SHOP), SecretStr(TOKEN), transport=transport))
    yield Connected(admin, transport, running, hooks)
    await admin.aclose()


ACME_CONTACT = CompanyContactInput(email="buyer@acme.test", first_name="Bea", last_name="Buyer", title="Purchasing")
ACME_HQ = CompanyLocationInput(
    name="Acme HQ",
    external_id="acme-hq",
    shipping_address=CompanyAddressInput(address1="1 Main St", city="Ottawa", zone_code="ON", country_code="CA"),
    billing_same_as_shipping=True,
)


async def _acme(shop: Connected) -> Company:
    return (
        await shop.admin.create_company_once("erp-acme", "Acme Ltd", contact=ACME_CONTACT, location=ACME_HQ)
    ).company


# ------------------------------------------------------------------------------ companies


async def test_company_with_contact_and_locations(shop: Connected) -> None:
    await shop.admin.subscribe_webhook("COMPANIES_CREATE", shop.hooks.url)
    company = await _acme(shop)
    assert (company.name, company.external_id) == ("Acme Ltd", "erp-acme")
    assert company.main_contact is not None and company.main_contact.customer.email == "buyer@acme.test"
    assert [loc.name for loc in company.locations.nodes] == ["Acme HQ"]

    found = await shop.admin.find_company_by_external_id("erp-acme")
    assert found is not None and found.id == company.id
    assert await shop.admin.find_company_by_external_id("erp-nobody") is None

    branch = await shop.admin.create_company_location(
        company.id, CompanyLocationInput(name="Acme West", external_id="acme-w")
    )
    other = await shop.admin.create_company("Globex", contact=CompanyContactInput(email="hank@globex.test"))
    assert other.main_contact is not None
    with pytest.raises(RejectedError, match="does not belong"):
        await shop.admin.assign_main_contact(company.id, other.main_contact.id)
    with pytest.raises(ConflictError, match="TAKEN"):
        await shop.admin.create_company_location(company.id, CompanyLocationInput(name="Dup", external_id="acme-w"))
    with pytest.raises(NotFoundError):
        await shop.admin.create_company_location("gid://shopify/Company/1", CompanyLocationInput(name="x"))

    again = await shop.admin.get_company(company.id)
    assert [loc.id for loc in again.locations.nodes][-1] == branch.id
    deliveries = await shop.hooks.wait_for("companies/create", count=2)
    [delivery] = [d for d in deliveries if d.json()["external_id"] == "erp-acme"]
    assert delivery.json()["admin_graphql_api_id"] == company.id
    assert delivery.json()["main_contact_admin_graphql_api_id"] == company.main_contact.id
    shop.assert_conforms()


async def test_create_company_once(shop: Connected) -> None:
    first = await shop.admin.create_company_once("erp-1", "Initech")
    again = await shop.admin.create_company_once("erp-1", "Initech")
    assert first.created and not again.created and again.company.id == first.company.id

    # A lost reply: the company exists (made by the raw mutation); the helper finds it.
    raw = await shop.admin.create_company("Umbrella", external_id="erp-2")
    helper = await shop.admin.create_company_once("erp-2", "Umbrella")
    assert not helper.created and helper.company.id == raw.id
    with pytest.raises(ConflictError):  # Shopify keeps external ids unique
        await shop.admin.create_company("Umbrella again", external_id="erp-2")

    companies = (await shop.admin_get("/commerce"))["companies"]
    assert sorted(c["external_id"] for c in companies) == ["erp-1", "erp-2"]
    shop.assert_conforms()


# ------------------------------------------------------------------------------ draft orders


async def _quote(shop: Connected, company: Company, variant_id: str) -> DraftOrderInput:
    assert company.main_contact is not None
    return DraftOrderInput(
        line_items=[
            DraftOrderLine(variant_id=variant_id, quantity=10),
            DraftOrderLine(
                title="Engraving",
                quantity=1,
                original_unit_price_with_currency=MoneyInput(amount=Decimal("25"), currency_code="USD"),
            ),
        ],
        purchasing_entity=PurchasingEntityInput(
            purchasing_company=PurchasingCompanyInput(
                company_id=company.id,
                company_location_id=company.locations.nodes[0].id,
                company_contact_id=company.main_contact.id,
            )
        ),
        note="Quote for case 17",
        tags=["b2b-quote"],
    )


async def test_quote_as_draft_order_invoice_and_completion(shop: Connected) -> None:
    await shop.admin.subscribe_webhook("DRAFT_ORDERS_CREATE", shop.hooks.url)
    company = await _acme(shop)
    mug = await shop.seed_product("Mug", "12.50")
    quote = await _quote(shop, company, mug["variants"][0]["admin_graphql_api_id"])

    created = await shop.admin.create_draft_order_once("quote-17", quote)
    again = await shop.admin.create_draft_order_once("quote-17", quote)
    draft = created.draft_order
    assert created.created and not again.created and again.draft_order.id == draft.id
    assert draft.status == "OPEN" and set(draft.tags) == {"b2b-quote", marker("quote-17")}
    assert draft.total.amount == Decimal("150.00")  # 10 x 12.50 + 25.00
    assert draft.purchasing_entity is not None and draft.purchasing_entity.typename == "PurchasingCompany"
    assert draft.purchasing_entity.company is not None and draft.purchasing_entity.company.id == company.id
    assert draft.email == "buyer@acme.test" and draft.note2 == "Quote for case 17"

    invoiced = await shop.admin.send_draft_order_invoice(draft.id, custom_message="Valid 30 days")
    assert invoiced.status == "INVOICE_SENT" and invoiced.invoice_sent_at is not None
    completed = await shop.admin.complete_draft_order(draft.id)
    assert completed.status == "COMPLETED" and completed.order is not None
    order = await shop.admin.get_order(completed.order.id)
    assert order.total_price.shop_money.amount == Decimal("150.00") and order.display_financial_status == "PAID"
    with pytest.raises(RejectedError, match="already been completed"):
        await shop.admin.complete_draft_order(draft.id)

    [delivery] = await shop.hooks.wait_for("draft_orders/create")
    assert delivery.json()["admin_graphql_api_id"] == draft.id
    assert delivery.json()["company"]["id"] == int(company.id.rsplit("/", 1)[1])
    shop.assert_conforms()


async def test_draft_order_once_after_a_lost_reply_and_refusals(shop: Connected) -> None:
    company = await _acme(shop)
    mug = await shop.seed_product("Mug", "12.50")
    quote = await _quote(shop, company, mug["variants"][0]["admin_graphql_api_id"])
    raw = await shop.admin.create_draft_order(quote.model_copy(update={"tags": [marker("quote-18")]}))
    helper = await shop.admin.create_draft_order_once("quote-18", quote)
    assert not helper.created and helper.draft_order.id == raw.id
    assert len((await shop.admin_get("/commerce"))["draft_orders"]) == 1

    stranger = quote.model_copy(
        update={
            "purchasing_entity": PurchasingEntityInput(
                purchasing_company=PurchasingCompanyInput(
                    company_id=company.id,
                    company_location_id="gid://shopify/CompanyLocation/1",
                    company_contact_id="gid://shopify/CompanyContact/1",
                )
            )
        }
    )
    with pytest.raises(RejectedError, match="does not belong"):
        await shop.admin.create_draft_order(stranger)
    euros = DraftOrderInput(
        line_items=[
            DraftOrderLine(
                title="x",
                quantity=1,
                original_unit_price_with_currency=MoneyInput(amount=Decimal(1), currency_code="EUR"),
            )
        ]
    )
    with pytest.raises(RejectedError, match="currency"):
        await shop.admin.create_draft_order(euros)
    with pytest.raises(NotFoundError):
        await shop.admin.get_draft_order("gid://shopify/DraftOrder/1")
    shop.assert_conforms()


async def test_create_order_once_by_source_identifier(shop: Connected) -> None:
    order = {
        "currency": "USD",
        "lineItems": [
            {
                "title": "Phone order",
                "quantity": 1,
                "priceSet": {"shopMoney": {"amount": "40.00", "currencyCode": "USD"}},
            }
        ],
        "tags": ["offline"],
    }
    first = await shop.admin.create_order_once("pos-2001", order)
    again = await shop.admin.create_order_once("pos-2001", order)
    assert first.created and not again.created and again.order.id == first.order.id
    raw = await shop.admin.create_order({**order, "sourceIdentifier": "pos-2002"})
    helper = await shop.admin.create_order_once("pos-2002", order)
    assert not helper.created and helper.order.id == raw.id
    orders = (await shop.admin_get("/state"))["orders"]
    assert len(orders) == 2
    shop.assert_conforms()


async def test_company_orders_of_a_period(shop: Connected) -> None:
    company = await _acme(shop)
    hq = company.locations.nodes[0]
    branch = await shop.admin.create_company_location(company.id, CompanyLocationInput(name="Acme West"))
    mug = await shop.seed_product("Mug", "12.50")
    draft = await _quote(shop, company, mug["variants"][0]["admin_graphql_api_id"])
    quote = await shop.admin.create_draft_order_once("quote-18", draft)
    await shop.admin.complete_draft_order(quote.draft_order.id)  # processed now, at Acme HQ

    def imported(name: str, processed_at: str, **buyer: Any) -> dict[str, Any]:
        price = {"shopMoney": {"amount": "40.00", "currencyCode": "USD"}}
        return {
            "name": name,
            "currency": "USD",
            "processedAt": processed_at,
            "lineItems": [{"title": "Crate", "quantity": 1, "priceSet": price}],
            **buyer,
        }

    contact = {"customer": {"toAssociate": {"email": "buyer@acme.test"}}}
    await shop.admin.create_order(imported("#W1", "2026-03-02T10:00:00Z", companyLocationId=branch.id, **contact))
    await shop.admin.create_order(
        imported("#W2", "2026-03-31T23:59:59Z", companyLocationId=hq.id, customer={"toUpsert": {"email": "x@o.test"}})
    )
    await shop.admin.create_order(imported("#R1", "2026-03-05T10:00:00Z", **contact))  # bought for herself
    await shop.admin.create_order(imported("#W3", "2026-04-01T00:00:00Z", companyLocationId=hq.id))  # April
    with pytest.raises(RejectedError, match="Company location does not exist"):
        await shop.admin.create_order(
            imported("#W4", "2026-03-03T00:00:00Z", companyLocationId="gid://shopify/CompanyLocation/999")
        )

    march = await shop.admin.company_orders_processed(
        datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC), first=1
    )
    assert [o.name for o in march.nodes] == ["#W1"] and march.end_cursor is not None
    rest = await shop.admin.company_orders_processed(
        datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC), first=10, after=march.end_cursor
    )
    assert [o.name for o in rest.nodes] == ["#R1", "#W2"] and rest.end_cursor is None
    assert [o.name for o in rest.orders] == ["#W2"]  # #R1 was bought by a customer, not a company
    (w1,) = march.orders
    assert w1.purchasing_entity is not None and w1.purchasing_entity.company is not None
    assert w1.purchasing_entity.company.name == "Acme Ltd"
    assert w1.purchasing_entity.location is not None
    assert (w1.purchasing_entity.location.id, w1.purchasing_entity.location.name) == (branch.id, "Acme West")
    assert w1.customer is not None and w1.customer.display_name == "Bea Buyer"
    assert w1.total_price_set.shop_money.amount == Decimal("40.00")
    now = datetime.now(UTC)
    recent = await shop.admin.company_orders_processed(now - timedelta(minutes=5), now + timedelta(minutes=1), first=10)
    (completed,) = recent.orders  # the completed quote, bought at Acme HQ
    assert completed.purchasing_entity is not None and completed.purchasing_entity.location is not None
    assert completed.purchasing_entity.location.id == hq.id
    with pytest.raises(ValueError, match="timezone-aware"):
        await shop.admin.company_orders_processed(datetime(2026, 3, 1), now, first=10)
    shop.assert_conforms()


# ------------------------------------------------------------------------------ products


async def test_product_content_status_and_publication(shop: Connected) -> None:
    await shop.admin.subscribe_webhook("PRODUCTS_UPDATE", shop.hooks.url)
    seeded = await shop.seed_product("Trail Boot", "120.00", tags=["outdoor"], published_on=["Online Store"])
    product_id = seeded["admin_graphql_api_id"]
    publications = {p.name: p.id for p in await shop.admin.publications()}
    assert {"Online Store", "Point of Sale"} <= set(publications)

    changed = await shop.admin.update_product(
        product_id,
        ProductUpdate(
            title="Trail Boot II", description_html="<p>Waterproof</p>", tags=["outdoor", "sale"], status="DRAFT"
        ),
    )
    assert (changed.title, changed.status, changed.tags) == ("Trail Boot II", "DRAFT", ["outdoor", "sale"])
    assert changed.description_html == "<p>Waterproof</p>"

    published = await shop.admin.publish_product(product_id, [publications["Point of Sale"]])
    assert published.publication_ids == {publications["Online Store"], publications["Point of Sale"]}
    withdrawn = await shop.admin.unpublish_product(product_id, [publications["Online Store"]])
    assert withdrawn.publication_ids == {publications["Point of Sale"]} and withdrawn.published_at is None
    assert (await shop.admin.get_product(product_id)).published_at is None

    with pytest.raises(RejectedError, match="Title can't be blank"):
        await shop.admin.update_product(product_id, ProductUpdate(title=""))
    with pytest.raises(RejectedError, match="Publication does not exist"):
        await shop.admin.publish_product(product_id, ["gid://shopify/Publication/1"])
    with pytest.raises(NotFoundError):
        await shop.admin.get_product("gid://shopify/Product/1")

    updates = await shop.hooks.wait_for("products/update", count=3)
    assert updates[0].json()["title"] == "Trail Boot II" and updates[0].json()["status"] == "draft"
    shop.assert_conforms()


# ------------------------------------------------------------------------------ price lists


async def test_price_list_with_fixed_prices(shop: Connected) -> None:
    mug = (await shop.seed_product("Mug", "12.50"))["variants"][0]["admin_graphql_api_id"]
    boot = (await shop.seed_product("Boot", "120.00"))["variants"][0]["admin_graphql_api_id"]
    price_list = await shop.admin.create_price_list("Wholesale CAD", "CAD", adjustment_value=10)
    assert price_list.currency == "CAD" and price_list.parent is not None
    assert (price_list.parent.adjustment.type, price_list.parent.adjustment.value) == ("PERCENTAGE_DECREASE", 10.0)

    def cad(amount: str) -> MoneyInput:
        return MoneyInput(amount=Decimal(amount), currency_code="CAD")

    added = await shop.admin.add_fixed_prices(price_list.id, [FixedPriceInput(variant_id=mug, price=cad("15.00"))])
    assert [(p.variant.id, p.price.amount, p.origin_type) for p in added] == [(mug, Decimal("15.00"), "FIXED")]
    updated = await shop.admin.update_fixed_prices(
        price_list.id,
        add=[FixedPriceInput(variant_id=boot, price=cad("150.00"), compare_at_price=cad("170.00"))],
        delete_variant_ids=[mug],
    )
    assert updated.fixed_prices_count == 1 and updated.fixed_price(boot) is not None
    assert updated.fixed_price(mug) is None
    assert (await shop.admin.get_price_list(price_list.id)).fixed_price(boot) == updated.fixed_price(boot)

    with pytest.raises(RejectedError, match="PRICE_LIST_CURRENCY_MISMATCH"):
        await shop.admin.add_fixed_prices(
            price_list.id, [FixedPriceInput(variant_id=mug, price=MoneyInput(amount=Decimal(1), currency_code="USD"))]
        )
    with pytest.raises(RejectedError, match="CURRENCY_NOT_SUPPORTED"):
        await shop.admin.create_price_list("Yen", "JPY")
    with pytest.raises(ConflictError, match="TAKEN"):
        await shop.admin.create_price_list("Wholesale CAD", "CAD")
    with pytest.raises(NotFoundError):
        await shop.admin.add_fixed_prices(
            "gid://shopify/PriceList/1", [FixedPriceInput(variant_id=mug, price=cad("1"))]
        )
    with pytest.raises(RejectedError, match="PRICE_NOT_FIXED"):
        await shop.admin.update_fixed_prices(price_list.id, delete_variant_ids=[mug])

    [stored] = (await shop.admin_get("/commerce"))["price_lists"]
    assert stored["fixed_prices"] == [{"variant_id": int(boot.rsplit("/", 1)[1]), "price": "150.00", "currency": "CAD"}]
    shop.assert_conforms()
