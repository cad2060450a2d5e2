"""The demo scenario against a running stack (`make up`): `casebridge demo` (or `make demo`).

It makes sure the shim is subscribed to the stores' webhooks (`casebridge webhooks sync`, which
`make up` ran already), places orders in the sandbox stores the way a storefront would, lets the
simulators send signed webhooks to the shim, acts as the reviewers in OpenText, and prints the
cases and their outcomes. One case is left waiting for you in the reviewer inbox.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import httpx
from temporalio.client import Client, WorkflowHandle
from temporalio.service import RPCError

from casebridge.cli import exit_now
from casebridge.connections import Connections
from casebridge.demo_behaviour import (
    camping_order_in_two_parcels,
    leave_a_checkout,
    print_document_cases,
    show_behavioural_letters,
)
from casebridge.demo_documents import archive_today, print_workspace, ship_and_show_letters
from casebridge.demo_jobs import collateral_to_the_storefront, statements_of_last_month
from casebridge.payload_codec import PayloadKeysError
from casebridge.settings import Settings, get_settings
from casebridge.stores import EventSource, Platform, StoreRegistry, load_registry
from casebridge.temporal import connect
from casebridge.webhook_sync import sync_webhooks
from connectors.adobe_commerce.models import NewRmaItem
from connectors.opentext.workflow import OpenTextWorkflowClient
from connectors.shopify.admin import ShopifyAdmin
from connectors.shopify.models import Order
from connectors.shopify.returns import ReturnLine, ReturnReason
from connectors.standard_webhooks import sign as sign_event
from workflows.fulfillment_exception import KIND as FULFILLMENT_EXCEPTION
from workflows.messages import CaseStatus, CaseView
from workflows.order_review import KIND as ORDER_REVIEW
from workflows.return_case import KIND as RETURN_CASE


@dataclass
class Scenario:
    title: str
    unit_price: str
    action: str  # approve | reject | store-cancels | release-refused | refund-refused | leave-open | none
    country: str = "US"
    billing_country: str = "US"
    customer_tags: tuple[str, ...] = ()
    discount_pct: int = 0


SCENARIOS = [
    Scenario("Everyday order", "45.00", "none"),
    Scenario("Large order", "1850.00", "approve"),
    Scenario("VIP customer", "320.00", "reject", customer_tags=("VIP",)),
    Scenario("Billing and shipping countries differ", "410.00", "store-cancels", billing_country="DE"),
    Scenario("Deep discount", "600.00", "release-refused", discount_pct=40),
    Scenario("Wholesale buyer", "780.00", "leave-open", customer_tags=("wholesale",)),
    # Left parked for the user to practise on: `retry` it (README, "Operating a case").
    Scenario("VIP order rejected, refund refused", "290.00", "refund-refused", customer_tags=("VIP",)),
]


@dataclass
class Played:
    platform: str
    order_name: str
    total: str
    scenario: str
    case_id: str | None
    view: CaseView | None = None


def played_shopify(s: Scenario, order: Order, case_id: str | None, view: CaseView | None = None) -> Played:
    money = order.total_price.shop_money
    return Played("Shopify", order.name, f"{money.amount:.2f} {money.currency_code}", s.title, case_id, view)


@dataclass
class BigCommerceScenario:
    title: str
    price: str
    action: str  # approve | reject | none


BIGCOMMERCE_SCENARIOS = [
    BigCommerceScenario("Everyday order", "60.00", "none"),
    BigCommerceScenario("Large order", "1450.00", "approve"),
    BigCommerceScenario("Large order, declined", "2100.00", "reject"),
]


class Demo:
    def __init__(self, settings: Settings, client: Client, connections: Connections, store_id: str) -> None:
        self.settings, self.client, self.connections, self.store_id = settings, client, connections, store_id
        tenant = connections.registry.store(Platform.SHOPIFY, store_id)
        assert tenant is not None
        self.tenant = tenant.opentext_tenant
        self.sandbox_url = f"http://{settings.sandbox_host}:{settings.sandbox_port}"

    @property
    def shop(self) -> ShopifyAdmin:
        return self.connections.shopify(self.store_id)

    @property
    def opentext(self) -> OpenTextWorkflowClient:
        return self.connections.opentext_workflow(self.tenant)

    async def place(self, s: Scenario) -> Order:
        email = f"{s.title.lower().replace(' ', '.')}.{uuid.uuid4().hex[:4]}@example.test"
        ship = {"address1": "1 Demo Street", "city": "Springfield", "zip": "62701", "countryCode": s.country}
        bill = dict(ship, countryCode=s.billing_country)
        order: dict[str, Any] = {
            "email": email,
            "currency": "USD",
            "financialStatus": "PAID",
            "lineItems": [
                {
                    "title": s.title,
                    "quantity": 1,
                    "priceSet": {"shopMoney": {"amount": s.unit_price, "currencyCode": "USD"}},
                }
            ],
            "shippingAddress": ship,
            "billingAddress": bill,
        }
        # A customer account, so the letters' preferences and outcomes have a record to go to.
        order["customer"] = {"toUpsert": {"email": email, "tags": list(s.customer_tags)}}
        if s.discount_pct:
            order["discountCode"] = {
                "itemPercentageDiscountCode": {"code": f"DEMO{s.discount_pct}", "percentage": float(s.discount_pct)}
            }
        return await self.shop.create_order(order)

    async def wait_for(self, case_id: str, *statuses: CaseStatus, timeout: float = 60) -> CaseView:
        handle: WorkflowHandle[Any, Any] = self.client.get_workflow_handle(case_id)
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            try:
                view: CaseView = await handle.query("status", result_type=CaseView)
                if view.status in statuses:
                    return view
            except RPCError:
                pass
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"{case_id} did not reach {statuses}")
            await asyncio.sleep(0.3)

    async def seed_catalog_item(self, platform: Platform, store_id: str, sku: str) -> None:
        """A substitute or exchange item must be in the store's catalog; seeded once per sandbox."""
        title, price = CATALOG_ITEMS[sku]
        async with httpx.AsyncClient(timeout=15) as http:
            if platform is Platform.SHOPIFY:
                if await self.shop.variant_by_sku(sku) is None:
                    seeded = await http.post(
                        f"{self.sandbox_url}/shopify/{store_id}/_admin/products",
                        json={"title": title, "variants": [{"sku": sku, "price": price, "inventory_quantity": 50}]},
                    )
                    seeded.raise_for_status()
            elif await self.connections.bigcommerce(store_id).find_product_by_sku(sku) is None:
                seeded = await http.post(
                    f"{self.sandbox_url}/bigcommerce/_admin/stores/{store_id}/products",
                    json={"name": title, "sku": sku, "price": price},
                )
                seeded.raise_for_status()

    async def review(self, task_id: str, outcome: str, reviewer: str, item_sku: str | None = None) -> None:
        """What a reviewer does in OpenText; `item_sku` names a substitute or an exchange item."""
        await self.opentext.claim_task(task_id, reviewer)
        variables: dict[str, object] = {"reviewer": reviewer, "comment": f"Demo: {outcome}"}
        if item_sku:
            variables["itemSku"] = item_sku
        await self.opentext.complete_task(task_id, outcome, variables)

    async def play(self, s: Scenario) -> Played:
        order = await self.place(s)
        if s.action == "none":
            return played_shopify(s, order, None)
        case_id = ORDER_REVIEW.case_id(Platform.SHOPIFY.value, self.store_id, order.legacy_resource_id)
        view = await self.wait_for(case_id, CaseStatus.IN_REVIEW)
        assert view.review_task_id is not None
        final = (CaseStatus.APPROVED, CaseStatus.REJECTED, CaseStatus.CANCELLED, CaseStatus.ABORTED)
        if s.action == "approve":
            await self.review(view.review_task_id, "approved", "maria.lopez@example.test")
        elif s.action == "reject":
            await self.review(view.review_task_id, "rejected", "james.chen@example.test")
        elif s.action == "store-cancels":
            await self.shop.cancel_order(
                order.id,
                reason="CUSTOMER",
                refund=True,
                restock=True,
                notify_customer=True,
                staff_note="Customer called to cancel",
            )
        elif s.action == "release-refused":
            await self.inject_fault(
                "fulfillmentOrderReleaseHold", "Fulfillment order is locked by the warehouse system"
            )
            await self.review(view.review_task_id, "approved", "maria.lopez@example.test")
            parked = await self.wait_for(case_id, CaseStatus.NEEDS_ATTENTION)
            print(
                f"  {order.name}: NEEDS_ATTENTION ({parked.attention.reason if parked.attention else ''});"
                " the operator sends 'retry'"
            )
            await self.client.get_workflow_handle(case_id).signal("retry", {"operator": "demo-operator"})
        elif s.action == "refund-refused":
            # One refusal only (the rule is spent once it fires): the user's `retry` then succeeds.
            await self.inject_fault("orderCancel", "The payment provider declined the refund")
            await self.review(view.review_task_id, "rejected", "james.chen@example.test")
            return played_shopify(s, order, case_id, await self.wait_for(case_id, CaseStatus.NEEDS_ATTENTION))
        elif s.action == "leave-open":
            return played_shopify(s, order, case_id, view)
        return played_shopify(s, order, case_id, await self.wait_for(case_id, *final))

    async def inject_fault(self, operation: str, message: str) -> None:
        """The next Shopify call of `operation` answers with a user error (a refusal: the case parks)."""
        async with httpx.AsyncClient() as http:
            response = await http.post(
                f"{self.sandbox_url}/_sandbox/faults",
                json={"system": "shopify", "operation": operation, "effect": "user_error", "message": message},
            )
            response.raise_for_status()


class BigCommerceDemo:
    """The same review on a BigCommerce store: the simulator's storefront places the order, the
    store sends a signed `store/order/created` to the shim, the case holds it with status 12."""

    def __init__(self, demo: Demo, store_hash: str) -> None:
        self.demo, self.store_hash = demo, store_hash

    async def place(self, s: BigCommerceScenario, sku: str | None = None) -> int:
        address = {
            "first_name": "Demo",
            "last_name": "Shopper",
            "street_1": "1 Demo Street",
            "city": "Austin",
            "zip": "78751",
            "country": "United States",
            "country_iso2": "US",
            "email": f"bc.{uuid.uuid4().hex[:6]}@example.test",
        }
        order = {
            "billing_address": address,
            "products": [
                {"name": s.title, "quantity": 1, "price_inc_tax": s.price, "price_ex_tax": s.price}
                | ({"sku": sku} if sku else {})
            ],
        }
        async with httpx.AsyncClient() as http:
            response = await http.post(
                f"{self.demo.sandbox_url}/bigcommerce/_admin/stores/{self.store_hash}/orders", json=order
            )
            response.raise_for_status()
            return int(response.json()["id"])

    async def play(self, s: BigCommerceScenario) -> Played:
        order_id = await self.place(s)
        total = f"{s.price} USD"
        if s.action == "none":
            return Played("BigCommerce", f"#{order_id}", total, s.title, None)
        case_id = ORDER_REVIEW.case_id(Platform.BIGCOMMERCE.value, self.store_hash, str(order_id))
        view = await self.demo.wait_for(case_id, CaseStatus.IN_REVIEW)
        assert view.review_task_id is not None
        outcome = "approved" if s.action == "approve" else "rejected"
        await self.demo.review(view.review_task_id, outcome, "maria.lopez@example.test")
        final = await self.demo.wait_for(case_id, CaseStatus.APPROVED, CaseStatus.REJECTED, CaseStatus.NEEDS_ATTENTION)
        return Played("BigCommerce", f"#{order_id}", total, s.title, case_id, final)


@dataclass
class AdobeScenario:
    title: str
    price: str
    action: str  # approve | reject | none
    invoiced: bool = False  # paid and invoiced: a rejection refunds with a credit memo
    on_account: bool = False  # a B2B buyer paying with the company credit (limit 1000)


ADOBE_SCENARIOS = [
    AdobeScenario("Everyday order", "75.00", "none"),
    AdobeScenario("Large order, invoiced, declined", "1650.00", "reject", invoiced=True),
    AdobeScenario("Company buyer over its credit limit", "1240.00", "approve", on_account=True),
]


class AdobeDemo:
    """The review on Adobe Commerce: the storefront places the order, Adobe I/O Events delivers the
    signed `sales_order_place_after` event to the shim, the case holds the order and comments on it."""

    def __init__(self, demo: Demo, store_code: str) -> None:
        self.demo, self.store_code = demo, store_code
        self.admin = f"{demo.sandbox_url}/adobe-commerce/_admin/stores/{store_code}"

    async def place(
        self, s: AdobeScenario, *, sku: str = "DEMO-1", qty: int = 1, backordered: int = 0
    ) -> dict[str, Any]:
        item = {"sku": sku, "name": s.title, "price": s.price, "qty": qty}
        order: dict[str, Any] = {
            "items": [item | ({"qty_backordered": backordered} if backordered else {})],
            "customer_email": f"adobe.{uuid.uuid4().hex[:6]}@example.test",
            "invoiced": s.invoiced,
        }
        async with httpx.AsyncClient(timeout=15) as http:
            if s.on_account:
                company = await http.post(
                    f"{self.admin}/companies",
                    json={
                        "company_name": "Northwind Traders",
                        "company_email": f"buyer.{uuid.uuid4().hex[:6]}@northwind.example",
                        "street": ["9 Harbour Road"],
                        "city": "Seattle",
                        "country_id": "US",
                        "postcode": "98101",
                        "telephone": "+1 206 555 0100",
                        "customer_group_id": 1,
                        "sales_representative_id": 1,
                        "super_user_id": 1,
                    },
                )
                company.raise_for_status()
                company_id = int(company.json()["id"])
                b2b = self.demo.connections.adobe_commerce(self.store_code).b2b
                await b2b.set_credit_limit(company_id, Decimal(1000), exceed_limit=True, comment="Demo credit line")
                order |= {"company_id": company_id, "payment_method": "companycredit"}
            response = await http.post(f"{self.admin}/orders", json=order)
            response.raise_for_status()
            placed: dict[str, Any] = response.json()
            return placed

    async def play(self, s: AdobeScenario) -> Played:
        order = await self.place(s)
        name, total = f"#{order['increment_id']}", f"{order['grand_total']:.2f} {order['order_currency_code']}"
        if s.action == "none":
            return Played("Adobe Commerce", name, total, s.title, None)
        case_id = ORDER_REVIEW.case_id(Platform.ADOBE_COMMERCE.value, self.store_code, str(order["entity_id"]))
        view = await self.demo.wait_for(case_id, CaseStatus.IN_REVIEW)
        assert view.review_task_id is not None
        outcome = "approved" if s.action == "approve" else "rejected"
        await self.demo.review(view.review_task_id, outcome, "james.chen@example.test")
        final = await self.demo.wait_for(case_id, CaseStatus.APPROVED, CaseStatus.REJECTED, CaseStatus.NEEDS_ATTENTION)
        return Played("Adobe Commerce", name, total, s.title, case_id, final)


@dataclass
class ReturnScenario:
    title: str
    unit_price: str
    reason: ReturnReason
    action: str  # auto | refund | reject | exchange
    item_sku: str | None = None  # the exchange item the reviewer names


RETURN_SCENARIOS = [
    ReturnScenario("Return: wrong size, small", "24.00", "SIZE_TOO_SMALL", "auto"),
    ReturnScenario("Return: defective, reviewed", "240.00", "DEFECTIVE", "refund"),
    ReturnScenario("Return: changed mind, late", "180.00", "UNWANTED", "reject"),
    ReturnScenario("Return: jacket too small, exchanged", "160.00", "SIZE_TOO_SMALL", "exchange", "JACKET-L"),
]


class ReturnsDemo:
    """Returns on Shopify: a shipped order, the customer's return request (`returns/request`), the
    case auto-approves small low-risk returns and sends the others to the returns team."""

    def __init__(self, demo: Demo) -> None:
        self.demo = demo

    async def play(self, s: ReturnScenario) -> Played:
        shop = self.demo.shop
        total = str(Decimal(s.unit_price))
        address = {"address1": "1 Demo Street", "city": "Springfield", "zip": "62701", "countryCode": "US"}
        money = {"shopMoney": {"amount": s.unit_price, "currencyCode": "USD"}}
        order = await shop.create_order(
            {
                "email": f"returns.{uuid.uuid4().hex[:6]}@example.test",
                "currency": "USD",
                "lineItems": [{"title": s.title.split(": ", 1)[-1], "quantity": 1, "priceSet": money}],
                "shippingAddress": address,
                "billingAddress": address,
                "transactions": [
                    {
                        "kind": "SALE",
                        "status": "SUCCESS",
                        "gateway": "manual",
                        "amountSet": {"shopMoney": {"amount": total, "currencyCode": "USD"}},
                    }
                ],
            }
        )
        await shop.create_fulfillment(order.fulfillment_orders[0].id)
        [returnable] = await shop.returnable_fulfillments(order.id)
        line = returnable.items[0].fulfillment_line_item
        requested = await shop.request_return(
            order.id,
            [ReturnLine(fulfillment_line_item_id=line.id, quantity=1, return_reason=s.reason, customer_note=s.title)],
        )
        if s.item_sku:
            await self.demo.seed_catalog_item(Platform.SHOPIFY, self.demo.store_id, s.item_sku)
        case_id = RETURN_CASE.case_id(Platform.SHOPIFY.value, self.demo.store_id, requested.id.rsplit("/", 1)[-1])
        final = (CaseStatus.APPROVED, CaseStatus.REJECTED, CaseStatus.NEEDS_ATTENTION)
        if s.action != "auto":
            view = await self.demo.wait_for(case_id, CaseStatus.IN_REVIEW)
            assert view.review_task_id is not None
            await self.demo.review(view.review_task_id, s.action, "rosa.returns@example.test", s.item_sku)
        view = await self.demo.wait_for(case_id, *final)
        return Played("Shopify", requested.name, f"{s.unit_price} USD", s.title, case_id, view)


@dataclass
class ExceptionScenario:
    title: str
    platform: Platform
    exception_type: str
    decisions: dict[str, str]  # team -> resolution chosen in OpenText
    short: tuple[str, int] | None = None  # the SKU and units the warehouse cannot ship (line-level)
    substitute: str | None = None  # the SKU the warehouse suggests sending instead
    supplier: tuple[str, str] | None = None  # (id, name) of the supplier whose shortfall it is
    # "warehouse": a signed report on /events/fulfillment-exception; "platform": the store's own
    # event (Adobe Commerce: an order placed with backordered items).
    trigger: str = "warehouse"


# Catalog items the demo seeds (SKU: title, price): substitutes (a dearer lamp, a cheaper kettle)
# and exchange items (a jacket at the returned one's price, a mug cheaper than the returned ones).
CATALOG_ITEMS = {
    "LAMP-2": ("Desk lamp, brass", "52.00"),
    "KETTLE-2": ("Kettle, 1 litre", "95.00"),
    "JACKET-L": ("Rain jacket, L", "160.00"),
    "MUG-GREEN": ("Camp mug, green", "54.00"),
}


# A two-line Shopify order for the line-level resolutions: the lamp is short, the shade ships.
LAMP_ORDER_LINES = [("Desk lamp", "LAMP-1", 2, "45.00"), ("Lamp shade", "SHADE-1", 1, "15.00")]

EXCEPTION_SCENARIOS = [
    ExceptionScenario(
        "Exception: stock short, new date",
        Platform.SHOPIFY,
        "inventory_shortage",
        {"warehouse": "new-delivery-date", "customer-service": "new-delivery-date"},
    ),
    ExceptionScenario(
        "Exception: lamp short, line cancelled",
        Platform.SHOPIFY,
        "inventory_shortage",
        {"warehouse": "cancel-lines", "customer-service": "cancel-lines"},
        short=("LAMP-1", 1),
    ),
    ExceptionScenario(
        "Exception: lamp short, split shipment",
        Platform.SHOPIFY,
        "backorder",
        {"warehouse": "split-shipment", "customer-service": "split-shipment"},
        short=("LAMP-1", 2),
        supplier=("LUMEN", "Lumen Lighting"),
    ),
    ExceptionScenario(
        "Exception: lamp short, substituted",
        Platform.SHOPIFY,
        "backorder",
        {"warehouse": "substitute-item", "customer-service": "substitute-item"},
        short=("LAMP-1", 2),
        substitute="LAMP-2",
    ),
    ExceptionScenario(
        "Exception: kettle short, substituted",
        Platform.BIGCOMMERCE,
        "inventory_shortage",
        {"warehouse": "substitute-item", "customer-service": "substitute-item"},
        short=("KETTLE-1", 1),
        substitute="KETTLE-2",
    ),
    ExceptionScenario(
        "Exception: payment failed, cancelled",
        Platform.BIGCOMMERCE,
        "payment_exception",
        {"finance": "cancel-order"},
    ),
    ExceptionScenario(
        "Exception: carrier delay, ships",
        Platform.ADOBE_COMMERCE,
        "carrier_delay",
        {"warehouse": "ship-as-is", "customer-service": "ship-as-is"},
    ),
    ExceptionScenario(
        "Exception: placed backordered, new date",
        Platform.ADOBE_COMMERCE,
        "backorder",
        {"warehouse": "new-delivery-date", "customer-service": "new-delivery-date"},
        short=("GRINDER-1", 2),
        trigger="platform",
    ),
]


class OtherReturnsDemo:
    """Returns on BigCommerce (the storefront's return form posts a signed `/events/return-request`:
    BigCommerce has no returns API) and on Adobe Commerce (the customer's RMA, an I/O Event)."""

    def __init__(self, demo: Demo, bigcommerce: BigCommerceDemo | None, adobe: AdobeDemo | None) -> None:
        self.demo, self.bigcommerce, self.adobe = demo, bigcommerce, adobe
        self.form = next((s for s in demo.connections.registry.event_sources if "return" in s.name), None)

    async def play_bigcommerce(
        self, title: str, total: str, reason: str, outcome: str, exchange: list[dict[str, Any]] | None = None
    ) -> Played | None:
        """The return form's request (with the customer's exchange choice, if any), then the
        returns team's decision."""
        if self.bigcommerce is None or self.form is None:
            return None
        order_id = await self.bigcommerce.place(BigCommerceScenario(title, total, "none"))
        for item in exchange or []:
            await self.demo.seed_catalog_item(Platform.BIGCOMMERCE, self.bigcommerce.store_hash, item["sku"])
        client = self.demo.connections.bigcommerce(self.bigcommerce.store_hash)
        [product] = await client.list_order_products(order_id)
        body = {
            "platform": "bigcommerce",
            "store": self.bigcommerce.store_hash,
            "order_id": str(order_id),
            "lines": [{"order_product_id": product.id, "quantity": 1, "reason": reason}],
            "customer_note": title.split(": ", 1)[-1],
            "reference": f"RF-{uuid.uuid4().hex[:8]}",
            "exchange_items": exchange or [],
        }
        answer = await post_signed(self.demo, "/events/return-request", self.form, body)
        case_id = str(answer["case_id"])
        view = await self.demo.wait_for(case_id, CaseStatus.IN_REVIEW)
        assert view.review_task_id is not None
        await self.demo.review(view.review_task_id, outcome, "rosa.returns@example.test")
        view = await self.demo.wait_for(case_id, CaseStatus.APPROVED, CaseStatus.REJECTED, CaseStatus.NEEDS_ATTENTION)
        return Played("BigCommerce", f"#{order_id}", f"{total} USD", title, case_id, view)

    async def play_adobe(self, title: str, price: str, reason: str, outcome: str | None) -> Played | None:
        """The customer's RMA (an I/O Event to the shim); `outcome` None: the policy auto-approves it."""
        if self.adobe is None:
            return None
        sku = "TENT-1"
        placed = await self.adobe.place(AdobeScenario(title, price, "none", invoiced=True), sku=sku)
        adobe = self.demo.connections.adobe_commerce(self.adobe.store_code)
        order = await adobe.sales.get_order(int(placed["entity_id"]))
        resolution = "Replacement" if outcome == "replacement" else "Refund"
        item = NewRmaItem(
            order_item_id=order.items[0].item_id,
            qty_requested=1,
            reason=reason,
            condition="Unopened",
            resolution=resolution,
        )
        rma = await adobe.returns.create_return(order, [item])
        case_id = RETURN_CASE.case_id(Platform.ADOBE_COMMERCE.value, self.adobe.store_code, str(rma.entity_id))
        if outcome is not None:
            view = await self.demo.wait_for(case_id, CaseStatus.IN_REVIEW)
            assert view.review_task_id is not None
            await self.demo.review(view.review_task_id, outcome, "rosa.returns@example.test")
        view = await self.demo.wait_for(case_id, CaseStatus.APPROVED, CaseStatus.REJECTED, CaseStatus.NEEDS_ATTENTION)
        label = title if outcome is not None else f"{title} (auto)"
        return Played(
            "Adobe Commerce", f"RMA {rma.increment_id or rma.entity_id}", f"{price} USD", label, case_id, view
        )


async def post_signed(demo: Demo, path: str, source: EventSource, body: dict[str, Any]) -> dict[str, Any]:
    """What a system outside the platforms does: sign the body per Standard Webhooks and post it."""
    raw = json.dumps(body).encode()
    delivery_id, at = f"msg_{uuid.uuid4().hex}", int(time.time())
    async with httpx.AsyncClient(timeout=15) as http:
        answer = await http.post(
            f"{demo.settings.shim_public_url.rstrip('/')}{path}",
            content=raw,
            headers={
                "Content-Type": "application/json",
                "X-Casebridge-Source": source.name,
                "webhook-id": delivery_id,
                "webhook-timestamp": str(at),
                "webhook-signature": sign_event(source.secret().get_secret_value(), delivery_id, at, raw),
            },
        )
    if answer.status_code != 200:
        raise RuntimeError(f"the shim refused {path} ({answer.status_code}): {answer.text}")
    result: dict[str, Any] = answer.json()
    return result


class ExceptionsDemo:
    """Fulfillment exceptions: the demo plays the warehouse system, posting signed reports to the
    shim's `/events/fulfillment-exception`; each team decides in its own OpenText task."""

    def __init__(self, demo: Demo, bigcommerce: BigCommerceDemo | None, adobe: AdobeDemo | None) -> None:
        self.demo, self.bigcommerce, self.adobe = demo, bigcommerce, adobe
        # The warehouse: the first event source that is not a return form.
        self.source = next(s.name for s in demo.connections.registry.event_sources if "return" not in s.name)

    async def play(self, s: ExceptionScenario) -> Played | None:
        store_id, order_id, order_name, total = await self._order(s)
        if store_id is None:
            return None
        if s.trigger == "platform":
            case_id = FULFILLMENT_EXCEPTION.case_id(s.platform.value, store_id, order_id)
        else:
            case_id = await self._report(s, store_id, order_id)
        tasks = await self._open_tasks(case_id, set(s.decisions))
        for team, resolution in s.decisions.items():
            await self.demo.review(tasks[team], resolution, f"{team}@example.test")
        view = await self.demo.wait_for(case_id, CaseStatus.APPROVED, CaseStatus.REJECTED, CaseStatus.NEEDS_ATTENTION)
        platform = {Platform.SHOPIFY: "Shopify", Platform.BIGCOMMERCE: "BigCommerce"}.get(s.platform, "Adobe Commerce")
        return Played(platform, order_name, total, s.title, case_id, view)

    async def _report(self, s: ExceptionScenario, store_id: str, order_id: str) -> str:
        """What the warehouse system does: a signed report, naming its suggested substitute."""
        source = next(x for x in self.demo.connections.registry.event_sources if x.name == self.source)
        line: dict[str, Any] = {"sku": s.short[0], "quantity": s.short[1]} if s.short else {}
        if s.substitute:
            await self.demo.seed_catalog_item(s.platform, store_id, s.substitute)
            line["substitute_sku"] = s.substitute
        answer = await post_signed(
            self.demo,
            "/events/fulfillment-exception",
            source,
            {
                "platform": s.platform.value,
                "store": store_id,
                "order_id": order_id,
                "exception_type": s.exception_type,
                "summary": s.title.split(": ", 1)[-1],
                "lines": [line] if line else [],
                "reference": f"wms-{uuid.uuid4().hex[:8]}",
                **({"supplier": {"id": s.supplier[0], "name": s.supplier[1]}} if s.supplier else {}),
            },
        )
        return str(answer["case_id"])

    async def _order(self, s: ExceptionScenario) -> tuple[str | None, str, str, str]:
        if s.platform is Platform.SHOPIFY and s.short:
            order = await self._lamp_order()
            return self.demo.store_id, order.legacy_resource_id, order.name, "105.00 USD"
        if s.platform is Platform.BIGCOMMERCE and s.short and self.bigcommerce is not None:
            order_id = await self.bigcommerce.place(BigCommerceScenario(s.title, "110.00", "none"), sku=s.short[0])
            return self.bigcommerce.store_hash, str(order_id), f"#{order_id}", "110.00 USD"
        if s.platform is Platform.ADOBE_COMMERCE and s.trigger == "platform" and s.short and self.adobe is not None:
            # The storefront's stock check backordered the units: the placed event opens the case.
            scenario = AdobeScenario(s.title, "64.00", "none")
            placed = await self.adobe.place(scenario, sku=s.short[0], qty=s.short[1], backordered=s.short[1])
            return self.adobe.store_code, str(placed["entity_id"]), f"#{placed['increment_id']}", "128.00 USD"
        if s.platform is Platform.SHOPIFY:
            order = await self.demo.place(Scenario(s.title, "95.00", "none"))
            return self.demo.store_id, order.legacy_resource_id, order.name, "95.00 USD"
        if s.platform is Platform.BIGCOMMERCE and self.bigcommerce is not None:
            order_id = await self.bigcommerce.place(BigCommerceScenario(s.title, "130.00", "none"))
            return self.bigcommerce.store_hash, str(order_id), f"#{order_id}", "130.00 USD"
        if s.platform is Platform.ADOBE_COMMERCE and self.adobe is not None:
            placed = await self.adobe.place(AdobeScenario(s.title, "88.00", "none"))
            return self.adobe.store_code, str(placed["entity_id"]), f"#{placed['increment_id']}", "88.00 USD"
        return None, "", "", ""

    async def _lamp_order(self) -> Order:
        """A paid two-line order with SKUs: the line-level resolutions name lines by SKU."""
        address = {"address1": "1 Demo Street", "city": "Springfield", "zip": "62701", "countryCode": "US"}
        return await self.demo.shop.create_order(
            {
                "email": f"lamps.{uuid.uuid4().hex[:6]}@example.test",
                "currency": "USD",
                "lineItems": [
                    {
                        "title": title,
                        "sku": sku,
                        "quantity": quantity,
                        "priceSet": {"shopMoney": {"amount": price, "currencyCode": "USD"}},
                    }
                    for title, sku, quantity, price in LAMP_ORDER_LINES
                ],
                "shippingAddress": address,
                "billingAddress": address,
                "transactions": [
                    {
                        "kind": "SALE",
                        "status": "SUCCESS",
                        "gateway": "manual",
                        "amountSet": {"shopMoney": {"amount": "105.00", "currencyCode": "USD"}},
                    }
                ],
            }
        )

    async def _open_tasks(self, case_id: str, teams: set[str], timeout: float = 60) -> dict[str, str]:
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            try:
                view = await self.demo.client.get_workflow_handle(case_id).query("status", result_type=CaseView)
                tasks = {t.team: t.task_id for t in view.review_tasks if t.open and t.team}
                if teams <= set(tasks):
                    return tasks
            except RPCError:
                pass
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"{case_id}: tasks for {sorted(teams)} did not open")
            await asyncio.sleep(0.3)


def _closed(played: Played) -> bool:
    return (
        played.view is not None
        and played.view.status.is_final
        and played.case_id is not None
        and (played.case_id.startswith("order-review/"))
    )


def print_table(played: list[Played]) -> None:
    """One row per order, its outcome in full (the last column runs as long as it needs)."""
    rows = [("Store", "Order", "Total", "Scenario", "Case status", "Outcome")]
    for p in played:
        if p.view is None:
            rows.append((p.platform, p.order_name, p.total, p.scenario, "-", "no review needed"))
        else:
            rows.append((p.platform, p.order_name, p.total, p.scenario, p.view.status.value, p.view.detail))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    for n, row in enumerate(rows):
        print("  ".join([*(cell.ljust(widths[i]) for i, cell in enumerate(row[:5])), row[5]]))
        if n == 0:
            print("  ".join([*("-" * w for w in widths), "-" * 7]))


def print_cases(played: list[Played]) -> None:
    """Every case the demo opened, by id: what `temporal workflow ...` and the UI's search take."""
    cases = [p for p in played if p.case_id is not None]
    print(f"Cases opened ({len(cases)}):")
    for p in cases:
        print(f"  {p.case_id}  {p.view.status.value if p.view else ''}")


async def subscribe(settings: Settings, registry: StoreRegistry, connections: Connections) -> None:
    """What connecting a store does (`casebridge webhooks sync`); a no-op after `make up`."""
    results = await sync_webhooks(settings, registry, connections)
    failed = [f"{r.platform.value} {r.store}: {r.problem or r.manual}" for r in results if not r.ok]
    if failed:
        raise RuntimeError(f"cannot subscribe the shim to the demo stores: {'; '.join(failed)}")
    made = sum(len(r.changed) for r in results)
    if made:
        print(f"Subscribed the shim to {made} store webhook topics")


async def demo(settings: Settings) -> None:
    registry = load_registry(settings.config_dir)
    store = next(s for s in registry.stores if s.platform is Platform.SHOPIFY)
    connections = Connections(registry)
    client = await connect(settings)
    player = Demo(settings, client, connections, store.id)
    began = datetime.now(UTC)
    try:
        await subscribe(settings, registry, connections)
        print(f"Placing {len(SCENARIOS)} orders in {store.id} ...")
        # One after the other: the injected fault of one scenario must not hit another's order.
        played = [await player.play(s) for s in SCENARIOS]
        bigcommerce = next((s for s in registry.stores if s.platform is Platform.BIGCOMMERCE and s.policy_file), None)
        bc: BigCommerceDemo | None = None
        if bigcommerce is not None:
            bc = BigCommerceDemo(player, bigcommerce.id)
            print(f"Placing {len(BIGCOMMERCE_SCENARIOS)} orders in BigCommerce store {bigcommerce.id} ...")
            played += [await bc.play(s) for s in BIGCOMMERCE_SCENARIOS]
        adobe = next((s for s in registry.stores if s.platform is Platform.ADOBE_COMMERCE and s.policy_file), None)
        ad: AdobeDemo | None = None
        if adobe is not None:
            ad = AdobeDemo(player, adobe.id)
            print(f"Placing {len(ADOBE_SCENARIOS)} orders in Adobe Commerce store {adobe.id} ...")
            played += [await ad.play(s) for s in ADOBE_SCENARIOS]
        print(
            f"Requesting {len(RETURN_SCENARIOS)} returns in {store.id}, two in BigCommerce, two in Adobe Commerce ..."
        )
        returns = ReturnsDemo(player)
        played += [await returns.play(s) for s in RETURN_SCENARIOS]
        others = OtherReturnsDemo(player, bc, ad)
        bigcommerce_returns = [
            await others.play_bigcommerce("Return: espresso cups, broken", "36.00", "Arrived damaged", "refund"),
            await others.play_bigcommerce(
                "Return: mugs, wrong colour, exchanged",
                "64.00",
                "Wrong colour",
                "exchange",
                [{"sku": "MUG-GREEN", "quantity": 1, "name": "Camp mug, green"}],
            ),
        ]
        adobe_returns = [
            await others.play_adobe("Return: tent, wrong size", "45.00", "Wrong Size", None),
            await others.play_adobe("Return: tent, torn, replaced", "260.00", "Out of Service", "replacement"),
        ]
        played += [p for p in (*bigcommerce_returns, *adobe_returns) if p is not None]
        if registry.event_sources:
            print(f"Reporting {len(EXCEPTION_SCENARIOS)} fulfillment exceptions as the warehouse ...")
            exceptions = ExceptionsDemo(player, bc, ad)
            played += [p for p in [await exceptions.play(s) for s in EXCEPTION_SCENARIOS] if p is not None]
        cart_case = await leave_a_checkout(client, store, player.sandbox_url)
        camping = await camping_order_in_two_parcels(client, connections, store)
        await archive_today(client, settings, connections, store)
        filed = next((p for p in played if p.platform == "Shopify" and p.case_id and _closed(p)), None)
        shipped: str | None = None
        if filed is not None and filed.case_id is not None:
            order_id = filed.case_id.rsplit("/", 1)[-1]
            if filed.view is not None and filed.view.status is CaseStatus.APPROVED:
                await ship_and_show_letters(client, connections, store, order_id, player.sandbox_url)
                shipped = order_id
            await print_workspace(connections, store, order_id, player.sandbox_url)
        await statements_of_last_month(client, connections, store)
        await collateral_to_the_storefront(client, connections, store, player.sandbox_url)
        await show_behavioural_letters(client, store, cart_case, shipped, camping)
    finally:
        await connections.aclose()
    print()
    print_table(played)
    print()
    print_cases(played)
    await print_document_cases(client, began)
    ui = f"http://localhost:{settings.temporal_ui_port}"
    query = quote("CaseType IS NOT NULL")
    waiting = next((p for p in played if p.view is not None and p.view.status is CaseStatus.IN_REVIEW), None)
    print()
    print(f"Temporal UI (every case): {ui}/namespaces/{settings.temporal_namespace}/workflows?query={query}")
    if waiting is not None:
        print(f'Find one case by its order: CaseRef="{waiting.order_name}" in the UI\'s search, or')
        print(f"  .venv/bin/temporal workflow list --query 'CaseRef=\"{waiting.order_name}\"'")
        print(
            f"Waiting for you: approve or reject {waiting.order_name} in the reviewer inbox "
            f"{player.sandbox_url}/opentext/inbox"
        )
    parked = next((p for p in played if p.view is not None and p.view.status is CaseStatus.NEEDS_ATTENTION), None)
    if parked is not None and parked.view is not None:
        why = parked.view.attention.reason if parked.view.attention else ""
        print(f"Parked for you: {parked.order_name} ({why}). Retry it (the store takes it this time):")
        # The case's answer is encrypted: the CLI reads it through the codec server.
        codec = f"http://{settings.codec_server_host}:{settings.codec_server_port}"
        print(
            f"  .venv/bin/temporal workflow update execute --workflow-id '{parked.case_id}' --name retry"
            """ --input '{"operator":"me","note":"refund allowed"}' \\"""
        )
        print(f'    --codec-endpoint {codec} --codec-auth "Bearer $(cat .stack/codec-server-token)"')
    print(f"Webhook shim API: {settings.shim_public_url.rstrip('/')}/docs")


def main() -> None:
    """`python starter.py demo`, what `make demo` runs: the same as `casebridge demo`."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["demo"])
    parser.parse_args()
    try:
        asyncio.run(demo(get_settings()))
    except PayloadKeysError as err:
        raise SystemExit(f"demo not started: {err}") from None
    exit_now(0)


if __name__ == "__main__":
    main()
