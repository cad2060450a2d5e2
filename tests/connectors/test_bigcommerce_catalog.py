"""Contract tests: `BigCommerceClient` for customers (v3), customer groups (v2), catalog products,
price lists (records, assignments) and webhook registrations, against the simulator over real HTTP,
every request checked against BigCommerce's official specs."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
import pytest_asyncio
from pydantic import SecretStr

from connectors.bigcommerce.client import BigCommerceClient
from connectors.bigcommerce.models import (
    CustomerGroupUpdate,
    CustomerUpdate,
    NewCustomerGroup,
    NewPriceListAssignment,
    PriceRecordUpsert,
    ProductUpdate,
)
from connectors.errors import ConflictError, NotFoundError, RejectedError, TransientError
from sandbox.bigcommerce.config import BigCommerceStoreConfig
from sandbox.bigcommerce.specs import BigCommerceContract
from sandbox.bigcommerce.standalone import RunningSimulator, serve_simulator
from sandbox.faults import FaultEffect, FaultRule
from tests.support.spec_transport import SpecCheckingTransport

STORE = BigCommerceStoreConfig(
    store_hash="cbcatalog1", access_token=SecretStr("bc-token-cat"), client_secret=SecretStr("bc-secret-cat")
)


@pytest_asyncio.fixture(scope="module")
async def bc() -> AsyncIterator[RunningSimulator]:
    async with serve_simulator([STORE]) as running:
        yield running


@pytest.fixture(autouse=True)
def _no_leftover_faults(bc: RunningSimulator) -> Iterator[None]:
    bc.world.faults.clear()
    yield
    bc.world.faults.clear()


@contextlib.asynccontextmanager
async def connect(bc: RunningSimulator, **options: Any) -> AsyncIterator[BigCommerceClient]:
    transport = SpecCheckingTransport([(bc.origin, BigCommerceContract())])
    async with BigCommerceClient(
        STORE.store_hash, STORE.access_token, base_url=bc.rest_url, transport=transport, **options
    ) as client:
        yield client
    assert transport.checked > 0
    assert transport.violations == []


@pytest_asyncio.fixture
async def client(bc: RunningSimulator) -> AsyncIterator[BigCommerceClient]:
    async with connect(bc) as connected:
        yield connected


async def seed(bc: RunningSimulator, kind: str, body: dict[str, Any]) -> dict[str, Any]:
    async with httpx.AsyncClient() as http:
        response = await http.post(f"{bc.admin(STORE.store_hash)}/{kind}", json=body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def unique(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:8]}"


# -- customers and groups -------------------------------------------------------------------------


async def test_customers_are_found_and_moved_between_groups(bc: RunningSimulator, client: BigCommerceClient) -> None:
    email = f"{uuid.uuid4().hex[:8]}@example.com"
    seeded = await seed(bc, "customers", {"email": email, "first_name": "Ada", "last_name": "Byron"})
    wholesale = await client.create_customer_group(NewCustomerGroup(name=unique("Wholesale")))

    (found,) = await client.find_customers(emails=[email])
    assert found.id == seeded["id"] and found.first_name == "Ada" and found.customer_group_id == 0
    moved = await client.set_customer_group(found.id, wholesale.id)
    assert moved.customer_group_id == wholesale.id
    assert (await client.get_customer(found.id)).customer_group_id == wholesale.id
    assert [c.id for c in await client.find_customers(customer_group_ids=[wholesale.id])] == [found.id]

    updated = await client.update_customers([CustomerUpdate(id=found.id, notes="vetted by Casebridge")])
    assert updated[0].notes == "vetted by Casebridge"
    with pytest.raises(NotFoundError):
        await client.get_customer(9_999_999)
    with pytest.raises(RejectedError, match="Customer group 9999999 does not exist") as refused:
        await client.set_customer_group(found.id, 9_999_999)
    assert refused.value.status_code == 422


async def test_v3_lists_follow_meta_pagination(bc: RunningSimulator) -> None:
    marker = uuid.uuid4().hex[:6]
    emails = [f"{marker}-{i}@example.com" for i in range(5)]
    for email in emails:
        await seed(bc, "customers", {"email": email})
    async with connect(bc, page_size=2) as small:
        found = await small.find_customers(emails=emails)
    assert sorted(c.email for c in found) == sorted(emails)


async def test_customer_groups_are_created_read_and_updated(client: BigCommerceClient) -> None:
    name = unique("VIP")
    price_list = await client.create_price_list(unique("VIP prices"))

    group = await client.create_customer_group(
        NewCustomerGroup(name=name, discount_rules=[{"type": "price_list", "price_list_id": price_list.id}])
    )
    assert group.discount_rules == [{"type": "price_list", "price_list_id": price_list.id}]
    assert (await client.get_customer_group(group.id)).name == name
    assert [g.id for g in await client.list_customer_groups(name=name)] == [group.id]

    renamed = await client.update_customer_group(group.id, CustomerGroupUpdate(name=name + " (gold)"))
    assert renamed.name == name + " (gold)"

    with pytest.raises(ConflictError) as duplicate:
        await client.create_customer_group(NewCustomerGroup(name=name + " (gold)"))
    assert duplicate.value.status_code == 409
    with pytest.raises(NotFoundError):
        await client.get_customer_group(9_999_999)


# -- catalog products -----------------------------------------------------------------------------


async def test_product_visibility_availability_and_content(bc: RunningSimulator, client: BigCommerceClient) -> None:
    seeded = await seed(bc, "products", {"name": unique("Desk"), "price": "199.00"})

    hidden = await client.set_product_visibility(seeded["id"], False)
    assert not hidden.is_visible
    disabled = await client.set_product_availability(seeded["id"], "disabled", "Recalled for review")
    assert disabled.availability == "disabled" and disabled.availability_description == "Recalled for review"
    content = await client.update_product(
        seeded["id"],
        ProductUpdate(name=seeded["name"] + " v2", description="<p>Solid oak</p>", price=Decimal("189.50")),
    )
    assert content.description == "<p>Solid oak</p>" and content.price == Decimal("189.50")

    reread = await client.get_product(seeded["id"])
    assert (reread.is_visible, reread.availability, reread.name) == (False, "disabled", seeded["name"] + " v2")

    other = await seed(bc, "products", {"name": unique("Chair"), "price": "50"})
    with pytest.raises(ConflictError):
        await client.update_product(other["id"], ProductUpdate(name=reread.name))
    with pytest.raises(NotFoundError) as missing:
        await client.get_product(9_999_999)
    assert missing.value.status_code == 404


# -- price lists ----------------------------------------------------------------------------------


async def test_price_list_records_and_assignment(bc: RunningSimulator, client: BigCommerceClient) -> None:
    desk = await seed(bc, "products", {"name": unique("Desk"), "price": "199.00"})
    lamp = await seed(bc, "products", {"name": unique("Lamp"), "price": "39.00"})
    group = await client.create_customer_group(NewCustomerGroup(name=unique("Trade")))

    price_list = await client.create_price_list(unique("Trade prices"))
    assert price_list.active and (await client.get_price_list(price_list.id)).name == price_list.name
    assert [p.id for p in await client.list_price_lists(name=price_list.name)] == [price_list.id]

    await client.upsert_price_records(
        price_list.id,
        [
            PriceRecordUpsert(variant_id=desk["base_variant_id"], currency="usd", price=Decimal("179.00")),
            PriceRecordUpsert(sku=lamp["sku"], currency="usd", price=Decimal("35.00"), sale_price=Decimal("33.00")),
        ],
    )
    # Upserting again replaces, never duplicates.
    await client.upsert_price_records(
        price_list.id, [PriceRecordUpsert(variant_id=desk["base_variant_id"], currency="usd", price=Decimal("175.00"))]
    )
    records = {r.variant_id: r for r in await client.list_price_records(price_list.id, currency="usd")}
    assert records[desk["base_variant_id"]].price == Decimal("175.00")
    assert records[lamp["base_variant_id"]].calculated_price == Decimal("33.00")
    assert len(records) == 2

    await client.assign_price_list([NewPriceListAssignment(price_list_id=price_list.id, customer_group_id=group.id)])
    (assignment,) = await client.list_price_list_assignments(customer_group_id=group.id)
    assert assignment.price_list_id == price_list.id
    with pytest.raises(RejectedError, match="already have a price list"):
        await client.assign_price_list(
            [NewPriceListAssignment(price_list_id=price_list.id, customer_group_id=group.id)]
        )
    with pytest.raises(RejectedError, match="variant_id or sku"):
        await client.upsert_price_records(price_list.id, [PriceRecordUpsert(sku="NO-SUCH-SKU", currency="usd")])


async def test_price_list_outage_is_transient(bc: RunningSimulator, client: BigCommerceClient) -> None:
    bc.world.faults.add(FaultRule(system="bigcommerce", operation="PUT /v3/pricelists/*", effect=FaultEffect.HTTP_503))
    price_list = await client.create_price_list(unique("Outage"))
    with pytest.raises(TransientError) as raised:
        await client.upsert_price_records(price_list.id, [PriceRecordUpsert(variant_id=1, currency="usd")])
    assert raised.value.status_code == 503 and raised.value.operation == "upsert_price_records"


# -- webhook registrations ------------------------------------------------------------------------


async def test_hooks_are_created_listed_and_deleted(client: BigCommerceClient) -> None:
    destination = f"https://casebridge.example.com/webhooks/{uuid.uuid4().hex[:6]}"

    hook = await client.create_hook("store/order/statusUpdated", destination, headers={"X-Custom-Auth": "s3cret"})
    assert hook.is_active and hook.headers == {"X-Custom-Auth": "s3cret"} and hook.store_hash == STORE.store_hash
    assert (await client.ensure_hook("store/order/statusUpdated", destination)).id == hook.id
    assert hook.id in [h.id for h in await client.list_hooks(scope="store/order/statusUpdated")]

    deleted = await client.delete_hook(hook.id)
    assert deleted.id == hook.id
    assert hook.id not in [h.id for h in await client.list_hooks()]
    with pytest.raises(RejectedError, match="HTTPS"):
        await client.create_hook("store/order/created", "http://casebridge.example.com/hook")
