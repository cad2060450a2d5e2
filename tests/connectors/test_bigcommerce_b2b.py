"""Contract tests: `BigCommerceB2BClient` (companies, company credit, quotes, company users and their
orders) against the B2B Edition simulator on its own mount, over real HTTP, every request checked
against the B2B Edition specs (whose model `$ref`s are resolved from the local copies)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
import pytest_asyncio
from pydantic import SecretStr

from connectors.bigcommerce.b2b import BigCommerceB2BClient
from connectors.bigcommerce.models import CompanyCreditUpdate, CompanyStatus, CompanyUserRole
from connectors.errors import AuthenticationError, NotFoundError, RateLimitedError, RejectedError, TransientError
from sandbox.bigcommerce.config import BigCommerceStoreConfig
from sandbox.bigcommerce.specs import BigCommerceContract
from sandbox.bigcommerce.standalone import RunningSimulator, serve_simulator
from sandbox.faults import FaultEffect, FaultRule
from tests.support.spec_transport import SpecCheckingTransport

SYSTEM = "bigcommerce-b2b"
STORE = BigCommerceStoreConfig(
    store_hash="cbb2b1", access_token=SecretStr("bc-token-b2b"), client_secret=SecretStr("bc-secret-b2b")
)
NO_CREDIT_STORE = BigCommerceStoreConfig(
    store_hash="cbb2b2",
    access_token=SecretStr("bc-token-b2b-2"),
    client_secret=SecretStr("bc-secret-b2b-2"),
    b2b_credit_enabled=False,
)


@pytest_asyncio.fixture(scope="module")
async def bc() -> AsyncIterator[RunningSimulator]:
    async with serve_simulator([STORE, NO_CREDIT_STORE]) as running:
        yield running


@pytest.fixture(autouse=True)
def _no_leftover_faults(bc: RunningSimulator) -> Iterator[None]:
    bc.world.faults.clear()
    yield
    bc.world.faults.clear()


@contextlib.asynccontextmanager
async def connect(
    bc: RunningSimulator, store: BigCommerceStoreConfig = STORE, token: str | None = None, **options: Any
) -> AsyncIterator[BigCommerceB2BClient]:
    transport = SpecCheckingTransport([(bc.origin, BigCommerceContract())])
    secret = SecretStr(token) if token else store.access_token
    async with BigCommerceB2BClient(
        store.store_hash, secret, base_url=bc.b2b_url, transport=transport, **options
    ) as client:
        yield client
    assert transport.checked > 0
    assert transport.violations == []


@pytest_asyncio.fixture
async def client(bc: RunningSimulator) -> AsyncIterator[BigCommerceB2BClient]:
    async with connect(bc) as connected:
        yield connected


async def seed(bc: RunningSimulator, kind: str, body: dict[str, Any], store: str = STORE.store_hash) -> dict[str, Any]:
    async with httpx.AsyncClient() as http:
        response = await http.post(f"{bc.admin(store)}/{kind}", json=body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def test_company_is_read_and_approved(bc: RunningSimulator, client: BigCommerceB2BClient) -> None:
    group = await seed(bc, "customer_groups", {"name": "Acme buyers"})
    seeded = await seed(
        bc, "companies", {"name": "Acme Ltd", "email": "buyers@acme.example", "bc_group_id": group["id"]}
    )

    company = await client.get_company(seeded["companyId"])
    assert company.company_name == "Acme Ltd" and company.company_status is CompanyStatus.PENDING
    assert company.bc_group_id == group["id"] and company.bc_group_name == "Acme buyers"

    await client.set_company_status(company.company_id, CompanyStatus.APPROVED)

    assert (await client.get_company(company.company_id)).company_status is CompanyStatus.APPROVED
    approved = await client.list_companies(status=CompanyStatus.APPROVED)
    assert company.company_id in [c.company_id for c in approved]
    assert company.company_id not in [c.company_id for c in await client.list_companies(status=CompanyStatus.PENDING)]


async def test_company_list_follows_offset_pages(bc: RunningSimulator) -> None:
    ids = [
        (await seed(bc, "companies", {"name": f"Pager {i}", "email": f"p{i}@x.example"}))["companyId"] for i in range(5)
    ]
    async with connect(bc, page_size=2) as small:
        found = await small.list_companies(q="Pager")
    assert [c.company_id for c in found] == ids


async def test_company_credit_is_read_and_changed(bc: RunningSimulator, client: BigCommerceB2BClient) -> None:
    seeded = await seed(
        bc,
        "companies",
        {"name": "Credit Co", "email": "c@x.example", "credit_enabled": True, "available_credit": "5000"},
    )

    credit = await client.get_company_credit(seeded["companyId"])
    assert credit.credit_enabled and credit.available_credit == Decimal(5000) and not credit.credit_hold

    held = await client.update_company_credit(
        seeded["companyId"], CompanyCreditUpdate(credit_hold=True, available_credit=Decimal("1250.50"))
    )
    assert held.credit_hold and held.available_credit == Decimal("1250.50")
    assert (await client.get_company_credit(seeded["companyId"])).credit_hold


async def test_credit_on_a_store_without_the_feature_is_rejected(bc: RunningSimulator) -> None:
    seeded = await seed(
        bc, "companies", {"name": "No Credit", "email": "n@x.example"}, store=NO_CREDIT_STORE.store_hash
    )
    async with connect(bc, NO_CREDIT_STORE) as client:
        with pytest.raises(RejectedError) as raised:
            await client.get_company_credit(seeded["companyId"])
    assert raised.value.status_code == 400 and raised.value.message == "Store company credit is not enabled"


async def test_quotes_are_listed_and_read(bc: RunningSimulator, client: BigCommerceB2BClient) -> None:
    company = await seed(bc, "companies", {"name": "Quote Co", "email": "q@x.example", "status": 1})
    lines = [
        {"productId": 7, "productName": "Desk", "sku": "DSK", "basePrice": 200, "offeredPrice": 180, "quantity": 5}
    ]
    seeded = await seed(bc, "quotes", {"title": "Office refit", "company_id": company["companyId"], "lines": lines})

    (summary,) = await client.list_quotes(company="Quote Co")
    assert summary.quote_id == seeded["quoteId"] and summary.status == 0 and summary.subtotal == Decimal(900)

    quote = await client.get_quote(summary.quote_id, summary.created_at)
    assert quote.quote_title == "Office refit" and quote.grand_total == Decimal(900)
    assert [(line.sku, line.quantity, line.offered_price) for line in quote.product_list] == [("DSK", 5, Decimal(180))]
    with pytest.raises(NotFoundError):
        await client.get_quote(9_999_999, summary.created_at)


async def test_company_users_and_their_orders_of_a_period(bc: RunningSimulator) -> None:
    company = (await seed(bc, "companies", {"name": "Order Co", "email": "o@x.example", "status": 1}))["companyId"]
    other = (await seed(bc, "companies", {"name": "Other Co", "email": "x@x.example", "status": 1}))["companyId"]
    admin = await seed(bc, "customers", {"email": "ada@order.example", "first_name": "Ada", "last_name": "Admin"})
    buyer = await seed(bc, "customers", {"email": "bo@order.example", "first_name": "Bo", "last_name": "Buyer"})
    stranger = await seed(bc, "customers", {"email": "st@other.example", "first_name": "St"})
    retail = await seed(bc, "customers", {"email": "re@shop.example", "first_name": "Re"})
    await seed(bc, f"companies/{company}/users", {"customer_id": admin["id"], "role": 0})
    await seed(bc, f"companies/{company}/users", {"customer_id": buyer["id"], "role": 2})
    await seed(bc, f"companies/{other}/users", {"customer_id": stranger["id"]})

    async def order(customer: dict[str, Any], created: str, price: str = "10.00") -> int:
        body = {
            "customer_id": customer["id"],
            "date_created": created,
            "billing_address": {"first_name": "A", "last_name": "B", "email": customer["email"]},
            "products": [{"name": "Widget", "quantity": 1, "price_inc_tax": price, "price_ex_tax": price}],
        }
        return int((await seed(bc, "orders", body))["id"])

    first = await order(buyer, "Sun, 01 Jun 2025 00:00:00 +0000", "12.50")
    second = await order(admin, "Mon, 30 Jun 2025 23:59:59 +0000")
    await order(buyer, "Tue, 01 Jul 2025 00:00:00 +0000")  # the next month
    await order(stranger, "Sun, 15 Jun 2025 10:00:00 +0000")  # another company
    await order(retail, "Sun, 15 Jun 2025 10:00:00 +0000")  # no company

    async with connect(bc, page_size=1) as client:
        users = await client.list_company_users(company)
        june = await client.list_company_orders(
            company, datetime(2025, 6, 1, tzinfo=UTC), datetime(2025, 7, 1, tzinfo=UTC)
        )
    assert [(u.customer_id, u.full_name, u.role) for u in users] == [
        (admin["id"], "Ada Admin", CompanyUserRole.ADMIN),
        (buyer["id"], "Bo Buyer", CompanyUserRole.JUNIOR_BUYER),
    ]
    assert [(o.bc_order_id, o.company_id, o.total_inc_tax) for o in june] == [
        (first, company, Decimal("12.50")),
        (second, company, Decimal("10.00")),
    ]
    assert june[0].created_at == datetime(2025, 6, 1, tzinfo=UTC) and june[0].currency_code == "USD"
    async with connect(bc) as client:  # the default page sizes, within each list's own cap
        assert await client.list_company_users(company) == users
        assert (
            await client.list_company_orders(
                company, datetime(2025, 6, 1, tzinfo=UTC), datetime(2025, 7, 1, tzinfo=UTC)
            )
            == june
        )


async def test_b2b_errors_map_to_the_taxonomy(bc: RunningSimulator, client: BigCommerceB2BClient) -> None:
    with pytest.raises(NotFoundError) as missing:
        await client.get_company(9_999_999)
    assert missing.value.message == "Company not found." and missing.value.system == SYSTEM

    bc.world.faults.add(FaultRule(system=SYSTEM, operation="GET /api/v3/io/companies/*", effect=FaultEffect.HTTP_500))
    with pytest.raises(TransientError) as failed:
        await client.get_company(1)
    assert failed.value.status_code == 500 and failed.value.retryable

    async with connect(bc, token="not-the-token") as wrong:
        with pytest.raises(AuthenticationError):
            await wrong.list_quotes()


async def test_b2b_throttling_backs_off_then_raises(bc: RunningSimulator) -> None:
    bc.world.faults.add(FaultRule(system=SYSTEM, operation="GET /api/v3/io/rfq", effect=FaultEffect.THROTTLE, times=3))
    async with connect(bc, max_local_wait=0.5) as client:
        with pytest.raises(RateLimitedError) as raised:
            await client.list_quotes()
    assert raised.value.retry_after == 1.0 and raised.value.status_code == 429
