"""Contract tests: the Adobe Commerce connector against the Adobe Commerce simulator, over real HTTP.

One uvicorn server runs the simulator (Commerce at `/adobe-commerce`, IMS at `/adobe-ims`) and the
sandbox admin routes. Every request the connector sends to Commerce goes through
`SpecCheckingTransport` and is checked against the official 2.4.9 schema; each test ends with
`assert_conforms` (no violation, at least one request checked). Effects are read back through the
connector or the simulator's admin routes.
"""

from __future__ import annotations

import contextlib
import json
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import quote, unquote

import httpx
import pytest
import pytest_asyncio
from pydantic import SecretStr

from connectors.adobe_commerce import AdminTokenCredentials, AdobeCommerce, ImsCredentials, OAuth1Credentials
from connectors.adobe_commerce.error_mapping import render_message
from connectors.adobe_commerce.models import (
    BasePrice,
    CompanyStatus,
    CreditOperation,
    NegotiatedPriceType,
    NewCompany,
    NewRmaItem,
    Order,
    ProductStatus,
    RefundItem,
    RmaItemStatus,
    SpecialPrice,
    TierPrice,
    Visibility,
)
from connectors.adobe_commerce.search import Filter, search_all
from connectors.errors import (
    AuthenticationError,
    ConflictError,
    NotFoundError,
    RateLimitedError,
    RejectedError,
    TransientError,
)
from sandbox.adobe_commerce.api import AdobeCommerceSimulator
from sandbox.adobe_commerce.app import create_adobe_app
from sandbox.adobe_commerce.config import AdobeStoreConfig
from sandbox.adobe_commerce.contract import spec_contract
from sandbox.config import SandboxConfig
from sandbox.faults import FaultEffect, FaultRule
from sandbox.world import SandboxWorld
from tests.support.servers import serve
from tests.support.spec_transport import SpecCheckingTransport

SYSTEM = "adobe-commerce"
STORE = AdobeStoreConfig(
    store_code="default",
    admin_username="casebridge-api",
    admin_password=SecretStr("admin-password-1"),
    consumer_key="ck-casebridge-0001",
    consumer_secret=SecretStr("consumer-secret-1"),
    access_token="at-casebridge-0001",
    access_token_secret=SecretStr("token-secret-1"),
    ims_client_id="ims-client-0001",
    ims_client_secret=SecretStr("ims-secret-1"),
    ims_org_id="FAKEORG0001@AdobeOrg",
    io_events_client_id="io-client-0001",
    custom_statuses={"processing": ["casebridge_review"]},
)


@dataclass
class AdobeStack:
    world: SandboxWorld
    simulator: AdobeCommerceSimulator
    origin: str

    @property
    def base_url(self) -> str:
        return f"{self.origin}/adobe-commerce/rest/{STORE.store_code}"

    @property
    def admin_url(self) -> str:
        return f"{self.origin}/adobe-commerce/_admin/stores/{STORE.store_code}"

    def fault(self, operation: str, effect: FaultEffect, **kw: Any) -> None:
        self.world.faults.add(FaultRule(system=SYSTEM, operation=operation, effect=effect, **kw))

    async def admin(self, method: str, path: str, body: object = None) -> Any:
        async with httpx.AsyncClient() as client:
            response = await client.request(method, f"{self.admin_url}{path}", json=body)
        assert response.is_success, response.text
        return response.json() if response.content else None

    async def seed_order(self, **spec: Any) -> dict[str, Any]:
        spec.setdefault(
            "items",
            [
                {"sku": "TEE-BLK-M", "name": "Field Tee", "price": 29, "qty": 2},
                {"sku": "MUG-WHT", "name": "Camp Mug", "price": 30, "qty": 2},
            ],
        )
        spec.setdefault("shipping_amount", 10)
        order: dict[str, Any] = await self.admin("POST", "/orders", spec)
        return order

    async def order(self, order_id: int) -> dict[str, Any]:
        order: dict[str, Any] = await self.admin("GET", f"/orders/{order_id}")
        return order


@pytest_asyncio.fixture(scope="module")
async def adobe() -> AsyncIterator[AdobeStack]:
    world = SandboxWorld(config=SandboxConfig(shops=[], tenants=[]))
    app, simulator = create_adobe_app(world, [STORE])
    async with serve(app) as origin:
        yield AdobeStack(world, simulator, origin)


@pytest.fixture(autouse=True)
def _no_leftover_faults(adobe: AdobeStack) -> Iterator[None]:
    adobe.world.faults.clear()
    yield
    adobe.world.faults.clear()


def admin_credentials(password: str | None = None) -> AdminTokenCredentials:
    return AdminTokenCredentials(
        username=STORE.admin_username, password=SecretStr(password or STORE.admin_password.get_secret_value())
    )


def oauth_credentials(consumer_secret: str | None = None) -> OAuth1Credentials:
    return OAuth1Credentials(
        consumer_key=STORE.consumer_key,
        consumer_secret=SecretStr(consumer_secret or STORE.consumer_secret.get_secret_value()),
        access_token=STORE.access_token,
        access_token_secret=STORE.access_token_secret,
    )


def ims_credentials(adobe: AdobeStack, secret: str | None = None) -> ImsCredentials:
    return ImsCredentials(
        client_id=STORE.ims_client_id,
        client_secret=SecretStr(secret or STORE.ims_client_secret.get_secret_value()),
        org_id=STORE.ims_org_id,
        ims_base_url=f"{adobe.origin}/adobe-ims",
    )


class TamperingTransport(httpx.AsyncBaseTransport):
    """Flips one character of the OAuth signature after signing, as a proxy rewriting it would."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self._inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        header = request.headers.get("Authorization", "")
        marker = 'oauth_signature="'
        if marker in header:
            start = header.index(marker) + len(marker)
            signature = unquote(header[start : header.index('"', start)])
            flipped = ("B" if signature[0] == "A" else "A") + signature[1:]
            request.headers["Authorization"] = header.replace(quote(signature, safe=""), quote(flipped, safe=""))
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


@dataclass
class Connected:
    commerce: AdobeCommerce
    transport: SpecCheckingTransport

    def assert_conforms(self) -> None:
        assert self.transport.violations == []
        assert self.transport.checked > 0


@contextlib.asynccontextmanager
async def connect(
    adobe: AdobeStack,
    credentials: AdminTokenCredentials | OAuth1Credentials | ImsCredentials | None = None,
    *,
    tamper: bool = False,
    **options: Any,
) -> AsyncIterator[Connected]:
    transport = SpecCheckingTransport([(f"{adobe.origin}/adobe-commerce/rest/", spec_contract())])
    outer: httpx.AsyncBaseTransport = TamperingTransport(transport) if tamper else transport
    commerce = AdobeCommerce(adobe.base_url, credentials or admin_credentials(), transport=outer, **options)
    async with commerce:
        yield Connected(commerce, transport)


@pytest_asyncio.fixture
async def conn(adobe: AdobeStack) -> AsyncIterator[Connected]:
    async with connect(adobe) as connected:
        yield connected


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


# -- authentication -------------------------------------------------------------------------------


async def test_admin_token_is_fetched_once_and_reused(adobe: AdobeStack, conn: Connected) -> None:
    order = await adobe.seed_order()
    issued_before = adobe.simulator.store(STORE.store_code).auth.admin_tokens_issued

    await conn.commerce.sales.get_order(order["entity_id"])
    await conn.commerce.sales.get_order(order["entity_id"])

    assert conn.commerce.client.token_fetches == 1
    assert adobe.simulator.store(STORE.store_code).auth.admin_tokens_issued == issued_before + 1
    assert conn.transport.checked == 3  # the token request is in the schema and checked too
    conn.assert_conforms()


async def test_expired_admin_token_is_fetched_again_once(adobe: AdobeStack, conn: Connected) -> None:
    order = await adobe.seed_order()
    await conn.commerce.sales.get_order(order["entity_id"])
    adobe.simulator.expire_tokens(STORE.store_code)

    fetched = await conn.commerce.sales.get_order(order["entity_id"])

    assert fetched.entity_id == order["entity_id"]
    assert conn.commerce.client.token_fetches == 2
    conn.assert_conforms()


async def test_wrong_admin_password_is_an_authentication_error(adobe: AdobeStack) -> None:
    async with connect(adobe, admin_credentials("not-the-password")) as bad:
        with pytest.raises(AuthenticationError) as raised:
            await bad.commerce.sales.get_order(1)
        bad.assert_conforms()
    assert raised.value.status_code == 401
    assert raised.value.operation == "get_order"
    assert "sign-in was incorrect" in raised.value.message
    assert "not-the-password" not in str(raised.value)


async def test_oauth1_signed_requests_are_accepted(adobe: AdobeStack) -> None:
    order = await adobe.seed_order()
    async with connect(adobe, oauth_credentials()) as signed:
        # A search signs its bracketed query parameters too.
        found = await signed.commerce.sales.find_order_by_increment_id(order["increment_id"])
        held = await signed.commerce.sales.hold_order(order["entity_id"])
        signed.assert_conforms()
    assert found is not None and found.entity_id == order["entity_id"]
    assert held is True
    assert (await adobe.order(order["entity_id"]))["state"] == "holded"
    assert signed.commerce.client.token_fetches == 0


async def test_tampered_oauth_signature_is_an_authentication_error(adobe: AdobeStack) -> None:
    order = await adobe.seed_order()
    async with connect(adobe, oauth_credentials(), tamper=True) as tampered:
        with pytest.raises(AuthenticationError) as raised:
            await tampered.commerce.sales.hold_order(order["entity_id"])
        tampered.assert_conforms()
    assert raised.value.status_code == 401
    assert raised.value.message == "The signature is invalid. Verify and try again."
    assert (await adobe.order(order["entity_id"]))["state"] == "new"  # nothing happened


async def test_wrong_consumer_secret_is_refused_without_retry(adobe: AdobeStack) -> None:
    async with connect(adobe, oauth_credentials("wrong-consumer-secret")) as bad:
        with pytest.raises(AuthenticationError):
            await bad.commerce.sales.get_order(1)
        assert bad.transport.checked == 1  # OAuth has nothing to refresh: one attempt only


async def test_ims_token_is_cached_and_sent_with_api_key_and_org(adobe: AdobeStack) -> None:
    order = await adobe.seed_order()
    issued_before = adobe.simulator.ims.issued.get(STORE.ims_client_id, 0)
    async with connect(adobe, ims_credentials(adobe)) as cloud:
        await cloud.commerce.sales.get_order(order["entity_id"])
        await cloud.commerce.sales.cancel_order(order["entity_id"])
        cloud.assert_conforms()
        assert cloud.commerce.client.token_fetches == 1
        assert cloud.transport.unchecked == [f"POST {adobe.origin}/adobe-ims/ims/token/v3"]
    assert adobe.simulator.ims.issued[STORE.ims_client_id] == issued_before + 1
    assert (await adobe.order(order["entity_id"]))["state"] == "canceled"


async def test_expired_ims_token_is_fetched_again(adobe: AdobeStack) -> None:
    order = await adobe.seed_order()
    async with connect(adobe, ims_credentials(adobe)) as cloud:
        await cloud.commerce.sales.get_order(order["entity_id"])
        adobe.simulator.expire_tokens(STORE.store_code)
        await cloud.commerce.sales.get_order(order["entity_id"])
        assert cloud.commerce.client.token_fetches == 2
        cloud.assert_conforms()


async def test_wrong_ims_secret_is_an_authentication_error(adobe: AdobeStack) -> None:
    async with connect(adobe, ims_credentials(adobe, "wrong")) as bad:
        with pytest.raises(AuthenticationError) as raised:
            await bad.commerce.sales.get_order(1)
    assert "invalid client" in raised.value.message


async def test_token_accepted_at_issue_but_refused_by_the_api_is_fetched_once_more(adobe: AdobeStack) -> None:
    wrong_org = ims_credentials(adobe).model_copy(update={"org_id": "OTHERORG@AdobeOrg"})
    async with connect(adobe, wrong_org) as cloud:
        with pytest.raises(AuthenticationError) as raised:
            await cloud.commerce.sales.get_order(1)
        assert cloud.commerce.client.token_fetches == 2  # one re-authentication, then give up
        assert cloud.transport.checked == 2
    assert raised.value.status_code == 401
    assert raised.value.message == "The consumer isn't authorized to access Magento_Sales::sales."


def test_magento_messages_are_filled_in() -> None:
    assert render_message("The most money available to refund is %1.", ["$5.00"]) == (
        "The most money available to refund is $5.00."
    )
    assert render_message("No such entity with %fieldName = %fieldValue", {"fieldName": "id", "fieldValue": 7}) == (
        "No such entity with id = 7"
    )
    # The price APIs name their placeholders but pass a list: filled in order.
    assert render_message("SKU: %SKU, Store ID: %storeId.", ["MUG", "0"]) == "SKU: MUG, Store ID: 0."
    assert render_message("%1 and %2", ["one"]) == "one and %2"
    assert render_message("100% sure", None) == "100% sure"


# -- orders ---------------------------------------------------------------------------------------


async def test_get_and_search_orders(adobe: AdobeStack, conn: Connected) -> None:
    email = f"{unique('buyer')}@example.test"
    first = await adobe.seed_order(customer_email=email)
    second = await adobe.seed_order(customer_email=email, state="processing")

    order = await conn.commerce.sales.get_order(first["entity_id"])
    both = await conn.commerce.sales.find_orders([[Filter("customer_email", email)]])
    processing = await conn.commerce.sales.find_orders(
        [[Filter("customer_email", email)], [Filter("state", "processing")]]
    )

    assert order.increment_id == first["increment_id"]
    assert order.grand_total == Decimal("128")  # 2 x 29 + 2 x 30 + 10 shipping
    assert [i.sku for i in order.items] == ["TEE-BLK-M", "MUG-WHT"]
    assert sorted(o.entity_id for o in both) == sorted([first["entity_id"], second["entity_id"]])
    assert [o.entity_id for o in processing] == [second["entity_id"]]
    conn.assert_conforms()


async def test_search_pages_until_total_count(adobe: AdobeStack) -> None:
    email = f"{unique('pager')}@example.test"
    for _ in range(5):
        await adobe.seed_order(customer_email=email)
    async with connect(adobe) as small_pages:
        orders = await search_all(
            small_pages.commerce.client,
            Order,
            "find_orders",
            "/V1/orders",
            [[Filter("customer_email", email)]],
            page_size=2,
        )
        small_pages.assert_conforms()
        assert small_pages.transport.checked == 1 + 3  # token + pages 1, 2, 3
    assert len({o.entity_id for o in orders}) == 5


async def test_unknown_order_is_not_found(conn: Connected) -> None:
    with pytest.raises(NotFoundError) as raised:
        await conn.commerce.sales.get_order(987654)
    assert raised.value.status_code == 404
    assert "doesn't exist" in raised.value.message
    conn.assert_conforms()


async def test_hold_and_unhold_are_repeat_safe(adobe: AdobeStack, conn: Connected) -> None:
    order = await adobe.seed_order(state="processing")
    sales = conn.commerce.sales

    assert await sales.hold_order(order["entity_id"]) is True
    held = await adobe.order(order["entity_id"])
    assert (held["state"], held["hold_before_state"], held["hold_before_status"]) == (
        "holded",
        "processing",
        "processing",
    )
    # Already held: Magento refuses ("A hold action is not available."); the connector re-reads.
    assert await sales.hold_order(order["entity_id"]) is False
    assert await sales.unhold_order(order["entity_id"]) is True
    assert await sales.unhold_order(order["entity_id"]) is False
    assert (await adobe.order(order["entity_id"]))["state"] == "processing"
    conn.assert_conforms()


async def test_hold_of_a_canceled_order_is_a_conflict(adobe: AdobeStack, conn: Connected) -> None:
    order = await adobe.seed_order()
    assert await conn.commerce.sales.cancel_order(order["entity_id"]) is True
    with pytest.raises(ConflictError) as raised:
        await conn.commerce.sales.hold_order(order["entity_id"])
    assert "A hold action is not available." in raised.value.message
    assert raised.value.retryable is False
    conn.assert_conforms()


async def test_cancel_is_repeat_safe_and_refused_when_invoiced(adobe: AdobeStack, conn: Connected) -> None:
    order = await adobe.seed_order()
    invoiced = await adobe.seed_order(invoiced=True)

    assert await conn.commerce.sales.cancel_order(order["entity_id"]) is True
    assert await conn.commerce.sales.cancel_order(order["entity_id"]) is False  # already canceled
    with pytest.raises(ConflictError):
        await conn.commerce.sales.cancel_order(invoiced["entity_id"])  # Magento answers `false`

    canceled = await adobe.order(order["entity_id"])
    assert canceled["state"] == "canceled"
    assert canceled["total_canceled"] == 128.0
    assert (await adobe.order(invoiced["entity_id"]))["state"] == "processing"
    conn.assert_conforms()


async def test_comment_with_status_changes_the_status(adobe: AdobeStack, conn: Connected) -> None:
    order = await adobe.seed_order(state="processing")
    await conn.commerce.sales.add_order_comment(
        order["entity_id"], "Sent to review in OpenText", status="casebridge_review", notify_customer=False
    )
    await conn.commerce.sales.add_order_comment(order["entity_id"], "Reviewer: approved")

    comments = await conn.commerce.sales.order_comments(order["entity_id"])
    after = await conn.commerce.sales.get_order(order["entity_id"])
    assert [c.comment for c in comments] == ["Sent to review in OpenText", "Reviewer: approved"]
    assert comments[0].status == "casebridge_review"
    assert after.status == "casebridge_review" and after.state == "processing"
    with pytest.raises(RejectedError) as raised:
        await conn.commerce.sales.add_order_comment(order["entity_id"], "x", status="complete")
    assert raised.value.message == 'The "complete" status doesn\'t belong to the "processing" order state.'
    conn.assert_conforms()


async def test_invoice_and_list_invoices(adobe: AdobeStack, conn: Connected) -> None:
    order = await adobe.seed_order()
    items = {i["sku"]: i["item_id"] for i in order["items"]}

    invoice_id = await conn.commerce.sales.create_invoice(
        order["entity_id"], items=[RefundItem(order_item_id=items["TEE-BLK-M"], qty=Decimal(2))]
    )
    invoices = await conn.commerce.sales.invoices_for_order(order["entity_id"])

    assert [i.entity_id for i in invoices] == [invoice_id]
    assert invoices[0].grand_total == Decimal("68")  # 2 x 29 + the shipping of the first invoice
    after = await adobe.order(order["entity_id"])
    assert (after["state"], after["total_paid"]) == ("processing", 68.0)
    conn.assert_conforms()


async def test_refund_is_limited_to_what_was_invoiced(adobe: AdobeStack, conn: Connected) -> None:
    order = await adobe.seed_order()
    items = {i["sku"]: i["item_id"] for i in order["items"]}
    invoice_id = await conn.commerce.sales.create_invoice(
        order["entity_id"], items=[RefundItem(order_item_id=items["TEE-BLK-M"], qty=Decimal(2))]
    )

    # The mugs were never invoiced: refunding one is refused and changes nothing.
    with pytest.raises(RejectedError) as raised:
        await conn.commerce.sales.refund_order(
            order["entity_id"], items=[RefundItem(order_item_id=items["MUG-WHT"], qty=Decimal(1))]
        )
    assert raised.value.status_code == 400
    assert 'unrefunded quantity for product SKU "MUG-WHT"' in raised.value.message
    # More money than was paid, through an adjustment: Magento's `%1` placeholder is filled in.
    with pytest.raises(RejectedError) as raised:
        await conn.commerce.sales.refund_invoice(invoice_id, adjustment_positive=Decimal(500))
    assert raised.value.message == "The most money available to refund is $68.00."
    assert await conn.commerce.sales.credit_memos_for_order(order["entity_id"]) == []

    memo_id = await conn.commerce.sales.refund_invoice(
        invoice_id,
        items=[RefundItem(order_item_id=items["TEE-BLK-M"], qty=Decimal(1))],
        shipping_amount=Decimal(0),
        return_to_stock_items=[items["TEE-BLK-M"]],
        comment="Tee arrived torn",
    )
    memos = await conn.commerce.sales.credit_memos_for_order(order["entity_id"])
    assert [(m.entity_id, m.invoice_id, m.grand_total) for m in memos] == [(memo_id, invoice_id, Decimal(29))]
    after = await adobe.order(order["entity_id"])
    assert after["total_refunded"] == 29.0
    assert after["status_histories"][0]["comment"] == "We refunded $29.00 offline."
    conn.assert_conforms()


async def test_full_offline_refund_closes_the_order(adobe: AdobeStack, conn: Connected) -> None:
    order = await adobe.seed_order(invoiced=True)
    memo_id = await conn.commerce.sales.refund_order(order["entity_id"], notify=True, comment="Rejected in review")
    after = await conn.commerce.sales.get_order(order["entity_id"])
    assert after.state == "closed"
    assert after.total_refunded == Decimal(128)
    with pytest.raises(RejectedError) as raised:
        await conn.commerce.sales.refund_order(order["entity_id"])
    assert raised.value.message == "The order does not allow a creditmemo to be created."
    assert memo_id > 0
    conn.assert_conforms()


# -- faults and error mapping ---------------------------------------------------------------------


async def test_injected_503_is_transient(adobe: AdobeStack, conn: Connected) -> None:
    order = await adobe.seed_order()
    adobe.fault("POST /V1/orders/{id}/hold", FaultEffect.HTTP_503)
    with pytest.raises(TransientError) as raised:
        await conn.commerce.sales.hold_order(order["entity_id"])
    assert raised.value.retryable is True
    assert raised.value.status_code == 503
    assert raised.value.retry_after == 1.0
    assert not isinstance(raised.value, RateLimitedError)
    assert (await adobe.order(order["entity_id"]))["state"] == "new"
    assert await conn.commerce.sales.hold_order(order["entity_id"]) is True  # the fault was spent
    conn.assert_conforms()


async def test_injected_500_is_transient(adobe: AdobeStack, conn: Connected) -> None:
    adobe.fault("GET /V1/orders/{id}", FaultEffect.HTTP_500)
    with pytest.raises(TransientError) as raised:
        await conn.commerce.sales.get_order(1)
    assert raised.value.message.startswith("Internal Error. Details are available in Magento log file.")


async def test_short_throttle_is_waited_out(adobe: AdobeStack, conn: Connected) -> None:
    order = await adobe.seed_order()
    adobe.fault("GET /V1/orders/{id}", FaultEffect.THROTTLE, seconds=1)
    started = time.monotonic()
    fetched = await conn.commerce.sales.get_order(order["entity_id"])
    assert fetched.entity_id == order["entity_id"]
    assert time.monotonic() - started >= 0.9
    conn.assert_conforms()


async def test_long_throttle_becomes_rate_limited_error(adobe: AdobeStack) -> None:
    adobe.fault("GET /V1/orders/{id}", FaultEffect.THROTTLE, seconds=30)
    async with connect(adobe, max_local_wait=2.0) as impatient:
        with pytest.raises(RateLimitedError) as raised:
            await impatient.commerce.sales.get_order(1)
    assert raised.value.retry_after == 30.0
    assert raised.value.status_code == 429


async def test_injected_user_error_on_hold_is_a_conflict(adobe: AdobeStack, conn: Connected) -> None:
    order = await adobe.seed_order()
    adobe.fault("POST /V1/orders/{id}/hold", FaultEffect.USER_ERROR, message="Order is locked by another process.")
    with pytest.raises(ConflictError) as raised:
        await conn.commerce.sales.hold_order(order["entity_id"])
    assert "Order is locked by another process." in raised.value.message
    conn.assert_conforms()


async def test_slow_answer_times_out_as_transient(adobe: AdobeStack) -> None:
    adobe.fault("GET /V1/orders/{id}", FaultEffect.LATENCY, seconds=1.0)
    async with connect(adobe, timeout=0.3) as hurried:
        await hurried.commerce.client.call("warm_up_token", "GET", "/V1/orders", params={"searchCriteria[pageSize]": 1})
        with pytest.raises(TransientError) as raised:
            await hurried.commerce.sales.get_order(1)
    assert raised.value.message.startswith("timeout")


# -- returns (RMA) --------------------------------------------------------------------------------


async def test_return_lifecycle(adobe: AdobeStack, conn: Connected) -> None:
    seeded = await adobe.seed_order(invoiced=True, customer_id=311)
    order = await conn.commerce.sales.get_order(seeded["entity_id"])
    mug = next(i for i in order.items if i.sku == "MUG-WHT")
    returns = conn.commerce.returns

    rma = await returns.create_return(
        order,
        [
            NewRmaItem(
                order_item_id=mug.item_id, qty_requested=1, reason="damaged", condition="damaged", resolution="refund"
            )
        ],
        comment="We placed your Return request.",
    )
    assert (rma.status, rma.order_increment_id, rma.customer_id) == ("pending", order.increment_id, 311)
    assert [c.comment for c in rma.comments] == ["We placed your Return request."]

    authorized = await returns.set_item_status(rma.entity_id, RmaItemStatus.AUTHORIZED)
    assert (authorized.status, authorized.items[0].qty_authorized) == ("authorized", 1)
    again = await returns.set_item_status(rma.entity_id, RmaItemStatus.AUTHORIZED)  # no write: already there
    assert again.status == "authorized"
    received = await returns.set_item_status(rma.entity_id, RmaItemStatus.RECEIVED)
    assert (received.status, received.items[0].qty_returned) == ("received", 1)
    approved = await returns.set_item_status(rma.entity_id, RmaItemStatus.APPROVED)
    assert (approved.status, approved.items[0].qty_approved) == ("processed_closed", 1)

    found = await returns.returns_for_order(order.entity_id)
    assert [r.entity_id for r in found] == [rma.entity_id]
    assert (await returns.close_return(rma.entity_id)).status == "processed_closed"  # final already
    conn.assert_conforms()


async def test_return_refusals(adobe: AdobeStack, conn: Connected) -> None:
    not_invoiced = await conn.commerce.sales.get_order((await adobe.seed_order())["entity_id"])
    tee = not_invoiced.items[0]
    with pytest.raises(RejectedError) as raised:
        await conn.commerce.returns.create_return(
            not_invoiced,
            [NewRmaItem(order_item_id=tee.item_id, qty_requested=1, reason="x", condition="x", resolution="refund")],
        )
    assert raised.value.message == "A quantity of TEE-BLK-M is greater than you can return."

    order = await conn.commerce.sales.get_order((await adobe.seed_order(invoiced=True))["entity_id"])
    rma = await conn.commerce.returns.create_return(
        order,
        [
            NewRmaItem(
                order_item_id=order.items[0].item_id,
                qty_requested=2,
                reason="size",
                condition="new",
                resolution="exchange",
            )
        ],
    )
    with pytest.raises(RejectedError) as raised:  # pending items cannot jump to approved
        await conn.commerce.returns.set_item_status(rma.entity_id, RmaItemStatus.APPROVED)
    assert raised.value.message == 'The item status "approved" can\'t follow "pending".'
    closed = await conn.commerce.returns.close_return(rma.entity_id)
    assert closed.status == "closed"
    with pytest.raises(NotFoundError):
        await conn.commerce.returns.get_return(999999)
    conn.assert_conforms()


# -- B2B ------------------------------------------------------------------------------------------


def new_company(email: str) -> NewCompany:
    return NewCompany(
        company_name="Wholesale Buyer Ltd",
        company_email=email,
        street=["1 Example Way"],
        city="Springfield",
        country_id="US",
        region_id="23",
        postcode="62701",
        telephone="555-0100",
        customer_group_id=1,
        sales_representative_id=1,
        super_user_id=42,
    )


async def test_company_approval_and_rejection(conn: Connected) -> None:
    b2b = conn.commerce.b2b
    email = f"{unique('co')}@example.test"
    created = await b2b.create_company(new_company(email))
    assert created.status == CompanyStatus.PENDING

    found = await b2b.find_company_by_email(email)
    assert found is not None and found.id == created.id
    approved = await b2b.set_company_status(created.id, CompanyStatus.APPROVED)
    assert approved.status == CompanyStatus.APPROVED
    checked_before = conn.transport.checked
    again = await b2b.set_company_status(created.id, CompanyStatus.APPROVED)
    assert again.status == CompanyStatus.APPROVED
    assert conn.transport.checked == checked_before + 1  # read only: nothing to change

    rejected = await b2b.set_company_status(created.id, CompanyStatus.REJECTED, reason="No VAT id on file")
    assert (rejected.status, rejected.reject_reason) == (CompanyStatus.REJECTED, "No VAT id on file")
    assert rejected.rejected_at
    blocked = await b2b.set_company_status(created.id, CompanyStatus.BLOCKED)
    assert (blocked.status, blocked.reject_reason) == (CompanyStatus.BLOCKED, None)
    with pytest.raises(NotFoundError):
        await b2b.get_company(999999)
    conn.assert_conforms()


async def test_customer_groups(conn: Connected) -> None:
    customers = conn.commerce.customers
    wholesale = await customers.get_group(2)
    assert (wholesale.id, wholesale.code) == (2, "Wholesale")
    checked = conn.transport.checked
    assert (await customers.get_group(2)).code == "Wholesale"
    assert conn.transport.checked == checked  # cached: groups are read once per client
    with pytest.raises(NotFoundError):
        await customers.get_group(987654)
    conn.assert_conforms()


async def test_company_credit(conn: Connected) -> None:
    b2b = conn.commerce.b2b
    company = await b2b.create_company(new_company(f"{unique('credit')}@example.test"))
    credit = await b2b.get_credit(company.id)
    assert (credit.credit_limit, credit.balance, credit.currency_code) == (Decimal(0), Decimal(0), "USD")

    credit = await b2b.set_credit_limit(company.id, Decimal(5000), comment="Approved in review")
    assert credit.credit_limit == Decimal(5000)
    await b2b.decrease_balance(credit.id, Decimal(1200), "USD", CreditOperation.PURCHASED, comment="PO 17")
    await b2b.increase_balance(credit.id, Decimal(200), "USD", CreditOperation.REIMBURSED)
    after = await b2b.get_credit(company.id)
    assert (after.balance, after.available_limit) == (Decimal(-1000), Decimal(4000))

    with pytest.raises(RejectedError) as raised:
        await b2b.decrease_balance(credit.id, Decimal(10000), "USD", CreditOperation.PURCHASED)
    assert raised.value.status_code == 400
    with pytest.raises(RejectedError) as raised:  # refused locally: increase may not be a purchase
        await b2b.increase_balance(credit.id, Decimal(1), "USD", CreditOperation.PURCHASED)
    assert raised.value.status_code is None

    history = await b2b.credit_history(credit.id)
    assert [(h.type, h.amount) for h in history] == [(1, Decimal(0)), (3, Decimal(-1200)), (4, Decimal(200))]
    conn.assert_conforms()


async def test_negotiable_quote(adobe: AdobeStack, conn: Connected) -> None:
    b2b = conn.commerce.b2b
    company = await b2b.create_company(new_company(f"{unique('quote')}@example.test"))
    cart = await adobe.admin(
        "POST",
        "/carts",
        {"customer_id": 42, "company_id": company.id, "items": [{"sku": "TEE-BLK-M", "price": 29, "qty": 100}]},
    )

    await b2b.request_quote(cart["id"], "Spring order", comment="Need 100 tees")
    quote = await b2b.get_quote(cart["id"])
    assert quote.negotiable is not None and quote.negotiable.status == "created"

    priced = await b2b.set_negotiated_price(cart["id"], NegotiatedPriceType.PERCENTAGE_DISCOUNT, Decimal(10))
    assert priced.negotiable is not None
    assert (priced.negotiable.status, priced.negotiable.negotiated_total_price) == (
        "processing_by_admin",
        Decimal(2610),
    )
    await b2b.submit_quote_to_customer(cart["id"], comment="10% off for 100 pieces")
    assert (await b2b.get_quote(cart["id"])).negotiable.status == "submitted_by_admin"  # type: ignore[union-attr]

    comments = await b2b.quote_comments(cart["id"])
    assert [c.comment for c in comments] == ["Need 100 tees", "10% off for 100 pieces"]
    await b2b.decline_quote(cart["id"], "Prices changed")
    assert (await b2b.get_quote(cart["id"])).negotiable.status == "declined"  # type: ignore[union-attr]
    with pytest.raises(RejectedError):
        await b2b.submit_quote_to_customer(cart["id"])
    conn.assert_conforms()


# -- catalog --------------------------------------------------------------------------------------


async def test_product_status_visibility_and_content(adobe: AdobeStack, conn: Connected) -> None:
    sku = unique("TEE")
    await adobe.admin("POST", "/products", {"sku": sku, "name": "Field Tee", "price": 29})

    updated = await conn.commerce.catalog.update_product(
        sku,
        status=ProductStatus.DISABLED,
        visibility=Visibility.SEARCH,
        attributes={"description": "<p>Withdrawn pending review</p>"},
    )
    product = await conn.commerce.catalog.get_product(sku)
    assert (updated.status, updated.visibility) == (ProductStatus.DISABLED, Visibility.SEARCH)
    assert product.attribute("description") == "<p>Withdrawn pending review</p>"
    assert product.name == "Field Tee"  # untouched
    with pytest.raises(NotFoundError):
        await conn.commerce.catalog.update_product(unique("NOPE"), status=ProductStatus.ENABLED)
    conn.assert_conforms()


async def test_prices(adobe: AdobeStack, conn: Connected) -> None:
    sku = unique("MUG")
    await adobe.admin("POST", "/products", {"sku": sku, "name": "Camp Mug", "price": 30})
    catalog = conn.commerce.catalog

    await catalog.update_base_prices([BasePrice(sku=sku, price=Decimal("32.50"))])
    assert await catalog.base_prices([sku]) == [BasePrice(sku=sku, price=Decimal("32.5"), store_id=0)]
    assert (await catalog.get_product(sku)).price == Decimal("32.5")

    special = SpecialPrice(sku=sku, price=Decimal(25), price_from="2025-03-01 00:00:00", price_to="2025-03-31 23:59:59")
    await catalog.update_special_prices([special])
    assert await catalog.special_prices([sku]) == [special]

    await catalog.update_tier_prices(
        [
            TierPrice(sku=sku, price=Decimal(28), price_type="fixed", quantity=Decimal(10)),
            TierPrice(sku=sku, price=Decimal(10), price_type="discount", quantity=Decimal(50)),
        ]
    )
    assert len(await catalog.tier_prices([sku])) == 2
    await catalog.replace_tier_prices([TierPrice(sku=sku, price=Decimal(27), price_type="fixed", quantity=Decimal(5))])
    assert [(t.quantity, t.price) for t in await catalog.tier_prices([sku])] == [(Decimal(5), Decimal(27))]

    missing = unique("GHOST")
    with pytest.raises(RejectedError) as raised:
        await catalog.update_base_prices([BasePrice(sku=missing, price=Decimal(1))])
    assert raised.value.message == f"Requested product doesn't exist. SKU: {missing}, Store ID: 0."
    conn.assert_conforms()


async def test_requests_carry_no_secret_in_errors(adobe: AdobeStack) -> None:
    async with connect(adobe, admin_credentials("s3cret-that-must-not-leak")) as bad:
        with pytest.raises(AuthenticationError) as raised:
            await bad.commerce.sales.get_order(1)
    assert "s3cret" not in json.dumps({"m": str(raised.value), "d": raised.value.details})
