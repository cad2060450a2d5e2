"""Contract tests: `BigCommerceClient` (orders, statuses, notes, shipments, refunds, offline orders,
metafields, errors and rate limits) against the BigCommerce simulator, over real HTTP.

Every request the connector sends passes through `SpecCheckingTransport`, which checks it against
BigCommerce's official OpenAPI files; each test ends by asserting that nothing was refused. Effects
are read back through the connector or the simulator's admin routes. Self-contained on purpose: no
fixture of `tests/conftest.py` is used.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
import pytest_asyncio
from pydantic import SecretStr

from connectors.bigcommerce.client import BigCommerceClient
from connectors.bigcommerce.models import (
    NewAddress,
    NewShipment,
    OfflineOrder,
    OrderLine,
    OrderStatus,
    RefundItemRequest,
    RefundPaymentRequest,
    ShipmentItemRequest,
)
from connectors.errors import (
    AuthenticationError,
    NotFoundError,
    RateLimitedError,
    RejectedError,
    TransientError,
)
from sandbox.bigcommerce.config import BigCommerceStoreConfig
from sandbox.bigcommerce.specs import BigCommerceContract
from sandbox.bigcommerce.standalone import RunningSimulator, serve_simulator
from sandbox.faults import FaultEffect, FaultRule
from tests.support.spec_transport import SpecCheckingTransport

SYSTEM = "bigcommerce"
STORE = BigCommerceStoreConfig(
    store_hash="cbstore1", access_token=SecretStr("bc-token-1"), client_secret=SecretStr("bc-app-secret-1")
)
# Its quota is reshaped per test through the admin route.
QUOTA_STORE = BigCommerceStoreConfig(
    store_hash="cbquota1", access_token=SecretStr("bc-token-2"), client_secret=SecretStr("bc-app-secret-2")
)


@pytest_asyncio.fixture(scope="module")
async def bc() -> AsyncIterator[RunningSimulator]:
    async with serve_simulator([STORE, QUOTA_STORE]) as running:
        yield running


@pytest.fixture(autouse=True)
def _no_leftover_faults(bc: RunningSimulator) -> Iterator[None]:
    bc.world.faults.clear()
    yield
    bc.world.faults.clear()


@dataclass
class Connected:
    client: BigCommerceClient
    transport: SpecCheckingTransport

    def assert_conforms(self) -> None:
        assert self.transport.checked > 0
        assert self.transport.violations == []
        assert self.transport.unchecked == []


@contextlib.asynccontextmanager
async def connect(
    bc: RunningSimulator, store: BigCommerceStoreConfig = STORE, *, token: str | None = None, **options: Any
) -> AsyncIterator[Connected]:
    transport = SpecCheckingTransport([(bc.origin, BigCommerceContract())])
    client = BigCommerceClient(
        store.store_hash,
        SecretStr(token) if token is not None else store.access_token,
        base_url=bc.rest_url,
        transport=transport,
        **options,
    )
    async with client:
        yield Connected(client, transport)


@pytest_asyncio.fixture
async def conn(bc: RunningSimulator) -> AsyncIterator[Connected]:
    async with connect(bc) as connected:
        yield connected


def fault(bc: RunningSimulator, operation: str, effect: FaultEffect, **kw: Any) -> None:
    bc.world.faults.add(FaultRule(system=SYSTEM, operation=operation, effect=effect, **kw))


async def admin(
    bc: RunningSimulator, method: str, path: str, json: object = None, store: str = STORE.store_hash
) -> Any:
    async with httpx.AsyncClient() as http:
        response = await http.request(method, f"{bc.admin(store)}{path}", json=json)
    assert response.is_success, response.text
    return response.json() if response.content else None


async def seed_paid_order(
    bc: RunningSimulator, *, quantity: int = 2, price: str = "40.00", shipping: str = "10.00", **extra: Any
) -> dict[str, Any]:
    product = await admin(bc, "POST", "/products", {"name": f"Mug {uuid.uuid4().hex[:6]}", "price": price})
    body = {
        "billing_address": {"first_name": "Jane", "last_name": "Doe", "zip": "78751", "email": "jane@example.com"},
        "products": [{"product_id": product["id"], "quantity": quantity}],
        "shipping_cost_inc_tax": shipping,
        "shipping_cost_ex_tax": shipping,
        **extra,
    }
    order: dict[str, Any] = await admin(bc, "POST", "/orders", body)
    return order


def offline_order(external_id: str) -> OfflineOrder:
    return OfflineOrder(
        external_order_id=external_id,
        external_source="POS",
        billing_address=NewAddress(first_name="Walk", last_name="In", zip="10001", country_iso2="US"),
        products=[OrderLine(name="Counter sale", quantity=2, price_inc_tax=Decimal("9.50"), price_ex_tax=Decimal("9"))],
        staff_notes="created by Casebridge",
    )


# -- orders: read, hold/release/cancel, notes ----------------------------------------------------


async def test_get_order_reads_v2_money_strings_and_rfc2822_dates(bc: RunningSimulator, conn: Connected) -> None:
    seeded = await seed_paid_order(bc, quantity=3, price="12.34", shipping="5.00")

    order = await conn.client.get_order(seeded["id"])

    assert order.id == seeded["id"]
    assert order.status_id == OrderStatus.AWAITING_FULFILLMENT
    assert order.status == "Awaiting Fulfillment"
    assert order.total_inc_tax == Decimal("42.02")  # 3 x 12.34 + 5.00
    assert order.refundable == Decimal("42.02")
    assert order.date_created is not None and order.date_created.tzinfo is not None
    assert order.billing_address is not None and order.billing_address.zip == "78751"
    conn.assert_conforms()


async def test_hold_release_and_cancel_change_the_status(bc: RunningSimulator, conn: Connected) -> None:
    order_id = (await seed_paid_order(bc))["id"]

    held = await conn.client.hold_order(order_id)
    assert held.on_hold and held.status == "Manual Verification Required"
    assert (await admin(bc, "GET", f"/orders/{order_id}"))["status_id"] == 12
    assert (await conn.client.hold_order(order_id)).status_id == 12  # repeating is harmless

    released = await conn.client.release_order(order_id)
    assert released.status_id == OrderStatus.AWAITING_FULFILLMENT

    cancelled = await conn.client.cancel_order(order_id)
    assert cancelled.status_id == OrderStatus.CANCELLED
    assert (await admin(bc, "GET", f"/orders/{order_id}"))["status"] == "Cancelled"
    conn.assert_conforms()


async def test_list_orders_filters_by_status_and_follows_v2_pages(bc: RunningSimulator) -> None:
    customer = await admin(bc, "POST", "/customers", {"email": f"{uuid.uuid4().hex[:8]}@example.com"})
    ids = [(await seed_paid_order(bc, customer_id=customer["id"]))["id"] for _ in range(5)]

    # Pages of 2: 2 + 2 + 1, then for the held ones 2 + 2 and an empty page (a 204 on v2).
    async with connect(bc, page_size=2) as small:
        assert [o.id for o in await small.client.list_orders(customer_id=customer["id"])] == ids
        for order_id in ids[:4]:
            await small.client.hold_order(order_id)
        held = await small.client.list_orders(
            customer_id=customer["id"], status_id=OrderStatus.MANUAL_VERIFICATION_REQUIRED
        )
        assert [o.id for o in held] == ids[:4]
        since = datetime.now(UTC) - timedelta(minutes=5)
        assert len(await small.client.list_orders(customer_id=customer["id"], min_date_modified=since)) == 5
        later = datetime.now(UTC) + timedelta(days=1)
        assert await small.client.list_orders(customer_id=customer["id"], min_date_modified=later) == []
        small.assert_conforms()


async def test_a_customers_orders_created_in_a_range(bc: RunningSimulator, conn: Connected) -> None:
    customer = await admin(bc, "POST", "/customers", {"email": f"{uuid.uuid4().hex[:8]}@example.com"})
    start = datetime.now(UTC) - timedelta(seconds=1)
    theirs = [(await seed_paid_order(bc, customer_id=customer["id"]))["id"] for _ in range(3)]
    await seed_paid_order(bc)  # a guest's order, in the same range
    until = datetime.now(UTC) + timedelta(minutes=1)

    first = await conn.client.orders_created_page(start, until, page=1, limit=2, customer_id=customer["id"])
    second = await conn.client.orders_created_page(start, until, page=2, limit=2, customer_id=customer["id"])

    assert [o.id for o in first.orders] == theirs[:2] and first.more
    assert [o.id for o in second.orders] == theirs[2:] and not second.more
    assert all(o.customer_id == customer["id"] for o in first.orders + second.orders)
    conn.assert_conforms()


async def test_a_products_brand_is_read_from_the_catalog(bc: RunningSimulator, conn: Connected) -> None:
    brand = await admin(bc, "POST", "/brands", {"name": f"Acme {uuid.uuid4().hex[:6]}"})
    product = await admin(
        bc, "POST", "/products", {"name": f"Anvil {uuid.uuid4().hex[:6]}", "price": "9", "brand_id": brand["id"]}
    )
    plain = await admin(bc, "POST", "/products", {"name": f"Rope {uuid.uuid4().hex[:6]}", "price": "3"})

    read = await conn.client.get_product(product["id"])
    assert read.brand_id == brand["id"]
    assert (await conn.client.get_brand(read.brand_id)).name == brand["name"]
    assert (await conn.client.get_product(plain["id"])).brand_id == 0
    with pytest.raises(NotFoundError):
        await conn.client.get_brand(999_999)
    conn.assert_conforms()


async def test_staff_note_is_appended_once(bc: RunningSimulator, conn: Connected) -> None:
    order_id = (await seed_paid_order(bc))["id"]

    await conn.client.append_staff_note(order_id, "Casebridge: held for review (case 42)")
    await conn.client.append_staff_note(order_id, "Casebridge: approved by jane")
    again = await conn.client.append_staff_note(order_id, "Casebridge: held for review (case 42)")  # a retry

    expected = "Casebridge: held for review (case 42)\nCasebridge: approved by jane"
    assert again.staff_notes == expected
    assert (await admin(bc, "GET", f"/orders/{order_id}"))["staff_notes"] == expected
    conn.assert_conforms()


async def test_order_products_and_shipping_addresses(bc: RunningSimulator, conn: Connected) -> None:
    seeded = await seed_paid_order(bc, quantity=2, price="40.00", shipping="10.00")

    (product,) = await conn.client.list_order_products(seeded["id"])
    (address,) = await conn.client.list_shipping_addresses(seeded["id"])

    assert product.quantity == 2 and product.price_inc_tax == Decimal("40.00")
    assert product.order_address_id == address.id
    assert address.cost_inc_tax == Decimal("10.00") and address.zip == "78751"
    conn.assert_conforms()


# -- shipments ------------------------------------------------------------------------------------


async def test_shipments_are_created_and_move_the_status(bc: RunningSimulator, conn: Connected) -> None:
    order_id = (await seed_paid_order(bc, quantity=3))["id"]
    (product,) = await conn.client.list_order_products(order_id)
    (address,) = await conn.client.list_shipping_addresses(order_id)
    assert await conn.client.list_shipments(order_id) == []  # v2 answers 204 for none

    first = await conn.client.create_shipment(
        order_id,
        NewShipment(
            order_address_id=address.id,
            items=[ShipmentItemRequest(order_product_id=product.id, quantity=2)],
            tracking_number="1Z999AA10123456784",
            shipping_provider="ups",
        ),
    )
    assert (await conn.client.get_order(order_id)).status_id == OrderStatus.PARTIALLY_SHIPPED
    second = await conn.client.create_shipment(
        order_id,
        NewShipment(order_address_id=address.id, items=[ShipmentItemRequest(order_product_id=product.id, quantity=1)]),
    )

    shipments = await conn.client.list_shipments(order_id)
    assert [s.id for s in shipments] == [first.id, second.id]
    assert shipments[0].tracking_number == "1Z999AA10123456784" and shipments[0].shipping_provider == "ups"
    order = await conn.client.get_order(order_id)
    assert order.status_id == OrderStatus.SHIPPED and order.items_shipped == 3

    with pytest.raises(RejectedError, match="exceeds the unshipped quantity"):  # nothing left to ship
        await conn.client.create_shipment(
            order_id,
            NewShipment(
                order_address_id=address.id, items=[ShipmentItemRequest(order_product_id=product.id, quantity=1)]
            ),
        )
    conn.assert_conforms()


# -- refunds --------------------------------------------------------------------------------------


async def test_refund_quote_then_refund_once_per_key(bc: RunningSimulator, conn: Connected) -> None:
    order_id = (await seed_paid_order(bc, quantity=2, price="40.00", shipping="10.00"))["id"]
    (product,) = await conn.client.list_order_products(order_id)
    (address,) = await conn.client.list_shipping_addresses(order_id)
    one_mug = [RefundItemRequest(item_type="PRODUCT", item_id=product.id, quantity=1)]

    quote = await conn.client.refund_quote(order_id, one_mug)
    assert quote.total_refund_amount == Decimal("40.00")
    assert [m[0].provider_id for m in quote.refund_methods] == ["braintree", "custom"]

    first = await conn.client.refund_once(order_id, one_mug, key="case-a", reason="Reviewer rejected the order")
    assert first.created and first.refund.total_amount == Decimal("40.00")
    assert first.refund.payments[0].provider_id == "braintree"
    repeated = await conn.client.refund_once(order_id, one_mug, key="case-a", reason="Reviewer rejected the order")
    assert not repeated.created and repeated.refund.id == first.refund.id
    partially = await conn.client.get_order(order_id)
    assert partially.status_id == OrderStatus.PARTIALLY_REFUNDED
    assert partially.refunded_amount == Decimal("40.00") and partially.payment_status == "partially refunded"

    rest = [
        RefundItemRequest(item_type="PRODUCT", item_id=product.id, quantity=1),
        RefundItemRequest(item_type="SHIPPING", item_id=address.id, amount=Decimal("10.00")),
    ]
    second = await conn.client.refund_once(order_id, rest, key="case-b", reason="Customer cancelled")
    assert second.created and second.refund.total_amount == Decimal("50.00")

    refunds = await conn.client.list_refunds(order_id)
    assert [r.id for r in refunds] == [first.refund.id, second.refund.id]
    assert "[casebridge:case-a]" in (refunds[0].items[0].reason or "")
    assert (await conn.client.get_refund(second.refund.id)).total_amount == Decimal("50.00")
    order = await conn.client.get_order(order_id)
    assert order.status_id == OrderStatus.REFUNDED and order.refundable == 0
    assert len((await admin(bc, "GET", f"/orders/{order_id}"))["refunds"]) == 2
    conn.assert_conforms()


async def test_refunding_more_than_remains_is_rejected(bc: RunningSimulator, conn: Connected) -> None:
    order_id = (await seed_paid_order(bc, quantity=1, price="30.00", shipping="0"))["id"]
    too_much = [RefundItemRequest(item_type="ORDER", item_id=order_id, amount=Decimal("30.01"))]

    with pytest.raises(RejectedError) as raised:
        await conn.client.refund_once(order_id, too_much, key="case-x", reason="goodwill")

    assert raised.value.status_code == 422 and not raised.value.retryable
    assert "exceeds the amount remaining" in raised.value.message
    assert (await admin(bc, "GET", f"/orders/{order_id}"))["refunds"] == []
    conn.assert_conforms()


async def test_a_refund_must_match_its_quote(bc: RunningSimulator, conn: Connected) -> None:
    order_id = (await seed_paid_order(bc, quantity=1, price="30.00", shipping="0"))["id"]
    items = [RefundItemRequest(item_type="ORDER", item_id=order_id, amount=Decimal("5.00"))]
    payment = [RefundPaymentRequest(provider_id="custom", amount=Decimal("5.00"), offline=True)]

    with pytest.raises(RejectedError, match="refund quote"):  # no quote yet
        await conn.client.create_refund(order_id, items, payment)
    await conn.client.refund_quote(order_id, items)
    wrong = [RefundPaymentRequest(provider_id="custom", amount=Decimal("4.00"), offline=True)]
    with pytest.raises(RejectedError, match="must equal the refund total"):
        await conn.client.create_refund(order_id, items, wrong)
    refund = await conn.client.create_refund(order_id, items, payment)
    assert refund.payments[0].offline and refund.total_amount == Decimal("5.00")
    conn.assert_conforms()


async def test_retried_refund_after_a_timeout_does_not_refund_twice(bc: RunningSimulator, conn: Connected) -> None:
    order_id = (await seed_paid_order(bc, quantity=2, price="25.00", shipping="0"))["id"]
    (product,) = await conn.client.list_order_products(order_id)
    items = [RefundItemRequest(item_type="PRODUCT", item_id=product.id, quantity=1)]
    # The refund is made, but the answer arrives after the client gave up.
    fault(bc, "POST /v3/orders/{order_id}/payment_actions/refunds", FaultEffect.LATENCY, seconds=0.6)
    async with connect(bc, timeout=0.3) as slow:
        with pytest.raises(TransientError) as raised:
            await slow.client.refund_once(order_id, items, key="case-timeout", reason="rejected")
        slow.assert_conforms()
    assert raised.value.retryable and "timeout" in raised.value.message
    await asyncio.sleep(0.45)  # the simulator finishes the slow answer

    retried = await conn.client.refund_once(order_id, items, key="case-timeout", reason="rejected")  # the retry

    assert not retried.created
    refunds = (await admin(bc, "GET", f"/orders/{order_id}"))["refunds"]
    assert len(refunds) == 1 and refunds[0]["id"] == retried.refund.id
    assert Decimal(str(refunds[0]["total_amount"])) == Decimal("25.00")
    # Control: without the guard the same request does refund again (the simulator allows it).
    quote = await conn.client.refund_quote(order_id, items)
    payment = [RefundPaymentRequest(provider_id="braintree", amount=quote.total_refund_amount, offline=False)]
    await conn.client.create_refund(order_id, items, payment)
    assert len((await admin(bc, "GET", f"/orders/{order_id}"))["refunds"]) == 2
    conn.assert_conforms()


# -- offline orders -------------------------------------------------------------------------------


async def test_offline_order_is_created_once_per_external_id(bc: RunningSimulator, conn: Connected) -> None:
    external_id = f"POS-{uuid.uuid4().hex[:10]}"

    created = await conn.client.create_offline_order(offline_order(external_id))
    again = await conn.client.create_offline_order(offline_order(external_id))

    assert created.created and not again.created and again.order.id == created.order.id
    order = created.order
    assert order.external_order_id == external_id and order.external_source == "POS"
    assert order.status_id == OrderStatus.PENDING and order.total_inc_tax == Decimal("19.00")
    assert [o.id for o in await conn.client.list_orders(external_order_id=external_id)] == [order.id]
    conn.assert_conforms()


async def test_offline_order_retried_after_a_timeout_is_not_created_twice(
    bc: RunningSimulator, conn: Connected
) -> None:
    external_id = f"POS-{uuid.uuid4().hex[:10]}"
    fault(bc, "POST /v2/orders", FaultEffect.LATENCY, seconds=0.6)
    async with connect(bc, timeout=0.3) as slow:
        with pytest.raises(TransientError):
            await slow.client.create_offline_order(offline_order(external_id))
        slow.assert_conforms()
    await asyncio.sleep(0.45)

    retried = await conn.client.create_offline_order(offline_order(external_id))

    assert not retried.created
    matches = await conn.client.list_orders(external_order_id=external_id)
    assert [o.id for o in matches] == [retried.order.id]
    conn.assert_conforms()


# -- metafields as external markers ---------------------------------------------------------------


async def test_order_metafield_is_upserted_by_namespace_and_key(bc: RunningSimulator, conn: Connected) -> None:
    order_id = (await seed_paid_order(bc))["id"]

    created = await conn.client.set_order_metafield(order_id, "case_id", "order-review/bigcommerce/1")
    same = await conn.client.set_order_metafield(order_id, "case_id", "order-review/bigcommerce/1")
    changed = await conn.client.set_order_metafield(order_id, "decision", "approved")
    updated = await conn.client.set_order_metafield(order_id, "decision", "rejected")

    assert same.id == created.id
    assert updated.id == changed.id and updated.value == "rejected"
    fields = await conn.client.list_order_metafields(order_id, namespace="casebridge")
    assert {(m.key, m.value, m.permission_set) for m in fields} == {
        ("case_id", "order-review/bigcommerce/1", "app_only"),
        ("decision", "rejected", "app_only"),
    }
    await conn.client.delete_order_metafield(order_id, created.id)
    assert [m.key for m in await conn.client.list_order_metafields(order_id)] == ["decision"]
    conn.assert_conforms()


# -- error mapping --------------------------------------------------------------------------------


async def test_errors_map_to_the_taxonomy(bc: RunningSimulator, conn: Connected) -> None:
    order_id = (await seed_paid_order(bc))["id"]

    with pytest.raises(NotFoundError) as missing:
        await conn.client.get_order(9_999_999)
    assert missing.value.status_code == 404 and missing.value.operation == "get_order"

    with pytest.raises(RejectedError) as refused:  # v2 answers an array of {status, message}
        await conn.client.set_status(order_id, 99)
    assert refused.value.status_code == 400 and "status_id" in refused.value.message
    assert not refused.value.retryable

    async with connect(bc, token="not-the-token") as wrong:
        with pytest.raises(AuthenticationError) as denied:
            await wrong.client.get_order(order_id)
    assert denied.value.status_code == 401 and "not-the-token" not in str(denied.value)
    conn.assert_conforms()


@pytest.mark.parametrize(
    ("effect", "status"), [(FaultEffect.HTTP_500, 500), (FaultEffect.HTTP_503, 503)], ids=["500", "503"]
)
async def test_injected_server_errors_are_transient(
    bc: RunningSimulator, conn: Connected, effect: FaultEffect, status: int
) -> None:
    order_id = (await seed_paid_order(bc))["id"]
    fault(bc, "PUT /v2/orders/{order_id}", effect)
    fault(bc, "GET /v3/orders/{order_id}/payment_actions/refunds", effect)

    with pytest.raises(TransientError) as v2:
        await conn.client.hold_order(order_id)
    with pytest.raises(TransientError) as v3:
        await conn.client.list_refunds(order_id)

    assert v2.value.status_code == v3.value.status_code == status and v2.value.retryable
    assert (await admin(bc, "GET", f"/orders/{order_id}"))["status_id"] == 11  # nothing changed
    assert (await conn.client.hold_order(order_id)).on_hold  # the faults were spent
    conn.assert_conforms()


async def test_injected_user_error_is_a_rejection_with_the_message(bc: RunningSimulator, conn: Connected) -> None:
    order_id = (await seed_paid_order(bc))["id"]
    fault(bc, "POST /v3/orders/{order_id}/payment_actions/refund_quotes", FaultEffect.USER_ERROR, message="Tax gone")

    with pytest.raises(RejectedError, match="Tax gone") as raised:
        await conn.client.refund_quote(
            order_id, [RefundItemRequest(item_type="ORDER", item_id=order_id, amount=Decimal(1))]
        )
    assert raised.value.status_code == 422
    conn.assert_conforms()


# -- rate limits ----------------------------------------------------------------------------------


async def quota(bc: RunningSimulator, quota: int, window_ms: int) -> None:
    await admin(bc, "PUT", "/rate_limit", {"quota": quota, "window_ms": window_ms}, store=QUOTA_STORE.store_hash)


async def refused(bc: RunningSimulator) -> int:
    state = await admin(bc, "GET", "/state", store=QUOTA_STORE.store_hash)
    return int(state["rate_limit"]["refused"])


async def test_spent_quota_is_waited_for_when_the_reset_is_short(bc: RunningSimulator) -> None:
    await quota(bc, 3, 250)
    async with connect(bc, QUOTA_STORE) as quick:
        started = time.monotonic()
        for _ in range(7):
            assert await quick.client.list_orders(status_id=5) == []
        elapsed = time.monotonic() - started
        # 7 requests at 3 per 0.25 s need two resets; the client waited instead of being refused.
        assert elapsed >= 0.4
        assert await refused(bc) == 0
        quick.assert_conforms()


async def test_long_reset_is_raised_with_retry_after(bc: RunningSimulator) -> None:
    await quota(bc, 2, 20_000)
    async with connect(bc, QUOTA_STORE, max_local_wait=1.0) as client:
        await client.client.list_orders(status_id=5)
        await client.client.list_orders(status_id=5)
        with pytest.raises(RateLimitedError) as proactive:  # known to be spent: not even sent
            await client.client.list_orders(status_id=5)
    assert 15 < (proactive.value.retry_after or 0) <= 20 and proactive.value.retryable
    assert await refused(bc) == 0

    async with connect(bc, QUOTA_STORE, max_local_wait=1.0) as fresh:  # knows nothing yet: gets the 429
        with pytest.raises(RateLimitedError) as reactive:
            await fresh.client.list_orders(status_id=5)
    assert reactive.value.status_code == 429 and 15 < (reactive.value.retry_after or 0) <= 20
    assert await refused(bc) == 1
    await quota(bc, 150, 30_000)


async def test_throttled_request_with_a_short_reset_is_retried(bc: RunningSimulator, conn: Connected) -> None:
    order_id = (await seed_paid_order(bc))["id"]
    fault(bc, "GET /v2/orders/{order_id}", FaultEffect.THROTTLE, seconds=0.3)

    started = time.monotonic()
    order = await conn.client.get_order(order_id)

    assert order.id == order_id and time.monotonic() - started >= 0.3
    assert bc.world.faults.rules == []
    conn.assert_conforms()


async def test_429_without_quota_headers_is_platform_load(bc: RunningSimulator, conn: Connected) -> None:
    order_id = (await seed_paid_order(bc))["id"]
    fault(bc, "GET /v2/orders/{order_id}", FaultEffect.THROTTLE, message="platform load", times=5)

    async with connect(bc, max_local_wait=0.5) as impatient:
        with pytest.raises(RateLimitedError) as raised:
            await impatient.client.get_order(order_id)
    assert raised.value.retry_after == 1.0 and raised.value.message == "platform load"

    started = time.monotonic()  # four left: backs off 1 s, then 2 s... so allow only one more
    bc.world.faults.clear()
    fault(bc, "GET /v2/orders/{order_id}", FaultEffect.THROTTLE, message="platform load", times=1)
    assert (await conn.client.get_order(order_id)).id == order_id
    assert time.monotonic() - started >= 1.0
    conn.assert_conforms()
