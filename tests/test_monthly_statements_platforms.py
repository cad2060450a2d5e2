"""Monthly statements on BigCommerce (B2B Edition) and Adobe Commerce, end to end: two companies
with several buyers and locations buy in a month; the `MonthlyStatements` job of the store, as its
schedule is planned, files one statement per company (lines grouped by buyer and by the location the
order shipped to) into the company's account workspace and e-mails it to the company's admin. A
rerun of the month sends and files nothing. Orders of another month or of no company stay off.

BigCommerce: the store with no policy (the default statement brand), on its own rate-limited queue,
served here by the test's own store worker (the session serves that queue to nobody else). Adobe
Commerce: the store's policy names the brand (`communications`)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

from activities.statement_models import month_bounds
from casebridge.statement_schedules import plan_statement_schedules
from tests.support.stack import Stack
from tests.support.statements import POLL, ExpectedStatement, assert_statements_filed
from tests.support.world import ADOBE_STORE, BC_STORE, ecm_system
from worker import build_store_workers
from workflows.monthly_statements import (
    MonthlyStatements,
    StatementsInput,
    StatementsResult,
    statements_run_id,
    statements_search_attributes,
)

MONTH = "2025-06"
ZURICH = {"street": "Bahnhofstrasse 1", "city": "Zurich", "postcode": "8001", "country": "CH"}
BASEL = {"street": "Freie Strasse 2", "city": "Basel", "postcode": "4001", "country": "CH"}
HARBOUR = {"street": "1 Harbour Road", "city": "Bristol", "postcode": "BS1 5TY", "country": "GB"}


def _location(address: dict[str, str]) -> str:
    return f"{address['street']}, {address['city']}"


@dataclass
class Person:
    first: str
    last: str
    email: str
    id: int = 0  # the platform's customer id, once registered

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"


def _person(first: str, last: str) -> Person:
    return Person(first, last, f"{first.lower()}-{uuid.uuid4().hex[:8]}@example.test")


@dataclass
class Company:
    id: str
    name: str
    admin: Person


# Places an order: (buyer, company, address shipped to, day of MONTH or a full date, amount) -> name.
PlaceOrder = Callable[[Person, Company, dict[str, str], datetime, str], Awaitable[str]]


async def _month_of_orders(
    place: PlaceOrder, alpine: Company, coastal: Company, buyers: dict[str, Person], brand: str
) -> list[ExpectedStatement]:
    """Alpine buys from two locations through two buyers, Coastal from one through one; what each
    company's statement should say."""
    otto, pia, rolf = buyers["otto"], buyers["pia"], buyers["rolf"]

    def on(day: int) -> datetime:
        return datetime(2025, 6, day, 9, tzinfo=UTC)

    a1 = await place(pia, alpine, ZURICH, on(12), "100.00")
    a2 = await place(otto, alpine, BASEL, on(14), "30.50")
    a4 = await place(otto, alpine, ZURICH, on(13), "5.25")
    a3 = await place(otto, alpine, ZURICH, on(11), "20.00")
    a5 = await place(pia, alpine, BASEL, on(16), "7.00")
    c1 = await place(rolf, coastal, HARBOUR, on(15), "999.99")
    await place(otto, alpine, ZURICH, datetime(2025, 7, 1, tzinfo=UTC), "1.00")  # the next month
    await place(otto, alpine, ZURICH, datetime(2025, 5, 31, 23, 59, 59, tzinfo=UTC), "2.00")  # the month before
    last_day = month_bounds(MONTH)[1].isoformat()

    def line(day: int, name: str, amount: str) -> str:
        return f"  {MONTH}-{day}  {name}  Order {name}  {amount}"

    zurich, basel = _location(ZURICH), _location(BASEL)  # "Bahnhofstrasse..." sorts before "Freie..."
    alpine_lines = [
        f"Statement for {alpine.name} ({alpine.id}), {MONTH}-01 to {last_day}.",
        f"Buyer Otto Orderly, location {zurich}:",
        line(11, a3, "$20.00"),
        line(13, a4, "$5.25"),
        "  Subtotal: $25.25",
        f"Buyer Otto Orderly, location {basel}:",
        line(14, a2, "$30.50"),
        "  Subtotal: $30.50",
        f"Buyer Pia Purchaser, location {zurich}:",
        line(12, a1, "$100.00"),
        "  Subtotal: $100.00",
        f"Buyer Pia Purchaser, location {basel}:",
        line(16, a5, "$7.00"),
        "  Subtotal: $7.00",
        "Total due: $162.75",
    ]
    coastal_lines = [
        f"Statement for {coastal.name} ({coastal.id}), {MONTH}-01 to {last_day}.",
        f"Buyer Rolf Reorder, location {_location(HARBOUR)}:",
        line(15, c1, "$999.99"),
        "  Subtotal: $999.99",
        "Total due: $999.99",
    ]
    return [
        ExpectedStatement(c.id, c.name, str(c.admin.id), f"Dear {c.admin.name},", brand, lines)
        for c, lines in ((alpine, alpine_lines), (coastal, coastal_lines))
    ]


def _planned_input(stack: Stack, platform: str, store: str) -> StatementsInput:
    (job,) = [
        j
        for j in plan_statement_schedules(stack.registry, stack.config_dir)
        if isinstance(j.input, StatementsInput) and (j.input.platform, j.input.store) == (platform, store)
    ]
    assert isinstance(job.input, StatementsInput)
    return job.input.model_copy(update={"month": MONTH, "poll_every": POLL})


async def _run(stack: Stack, statements: StatementsInput) -> StatementsResult:
    handle = await stack.client.start_workflow(
        MonthlyStatements.run,
        statements,
        id=f"{statements_run_id(statements.platform, statements.store, MONTH)}-{uuid.uuid4().hex[:6]}",
        task_queue=stack.settings.task_queue,
        search_attributes=statements_search_attributes(statements.platform, statements.store),
    )
    return await handle.result()


async def _run_twice(stack: Stack, statements: StatementsInput, expected: list[ExpectedStatement]) -> None:
    ext_system = ecm_system(statements.platform, statements.store)
    result = await _run(stack, statements)
    assert result.complete and result.progress.state == "completed"
    assert (result.progress.companies, result.progress.orders) == (2, 6)
    assert (result.progress.filed, result.progress.unchanged) == (2, 0)
    await assert_statements_filed(stack, ext_system, statements.store, MONTH, expected)

    rerun = await _run(stack, statements)
    assert rerun.complete and rerun.progress.state == "nothing-to-send"
    assert (rerun.progress.companies, rerun.progress.already_filed, rerun.progress.job_id) == (0, 2, None)
    await assert_statements_filed(stack, ext_system, statements.store, MONTH, expected)


# -- BigCommerce -----------------------------------------------------------------------------------


async def _bc_admin(stack: Stack, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await stack.http.post(f"{stack.sandbox_url}/bigcommerce/_admin/stores/{BC_STORE}/{path}", json=body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def _bc_customer(stack: Stack, person: Person) -> Person:
    body = {"email": person.email, "first_name": person.first, "last_name": person.last}
    person.id = int((await _bc_admin(stack, "customers", body))["id"])
    return person


async def _bc_company(stack: Stack, name: str, buyers: list[Person]) -> Company:
    admin = await _bc_customer(stack, _person("Mona", "Ledger"))
    company = await _bc_admin(stack, "companies", {"name": name, "email": f"ap-{admin.email}", "status": 1})
    company_id = company["companyId"]
    await _bc_admin(stack, f"companies/{company_id}/users", {"customer_id": admin.id, "role": 0})
    for buyer in buyers:
        await _bc_admin(stack, f"companies/{company_id}/users", {"customer_id": buyer.id, "role": 1})
    return Company(str(company_id), name, admin)


async def test_bigcommerce_statements_of_a_month_filed_once_per_company(stack: Stack) -> None:
    run = uuid.uuid4().hex[:6]
    buyers = {
        key: await _bc_customer(stack, _person(first, last))
        for key, first, last in (("otto", "Otto", "Orderly"), ("pia", "Pia", "Purchaser"), ("rolf", "Rolf", "Reorder"))
    }
    alpine = await _bc_company(stack, f"Alpine Outfitters {run}", [buyers["otto"], buyers["pia"]])
    coastal = await _bc_company(stack, f"Coastal Supply {run}", [buyers["rolf"]])

    async def place(buyer: Person, company: Company, to: dict[str, str], at: datetime, amount: str) -> str:
        address = {
            "first_name": buyer.first,
            "last_name": buyer.last,
            "company": company.name,
            "street_1": to["street"],
            "city": to["city"],
            "zip": to["postcode"],
            "country_iso2": to["country"],
            "email": buyer.email,
        }
        order = await _bc_admin(
            stack,
            "orders",
            {
                "customer_id": buyer.id,
                "date_created": format_datetime(at),
                "billing_address": {**address, "street_1": "Accounts Payable 9", "city": "Lausanne"},
                "shipping_addresses": [address],
                "products": [
                    {"name": "Pallet of crates", "quantity": 1, "price_inc_tax": amount, "price_ex_tax": amount}
                ],
            },
        )
        return f"#{order['id']}"

    expected = await _month_of_orders(place, alpine, coastal, buyers, "Casebridge Trade Supply")
    retail = await _bc_customer(stack, _person("Rita", "Retail"))  # no company: on no statement
    await place(retail, alpine, ZURICH, datetime(2025, 6, 20, tzinfo=UTC), "50.00")

    statements = _planned_input(stack, "bigcommerce", BC_STORE)
    assert statements.store_rate_limited and (statements.brand, statements.language) == (None, None)  # no policy
    (store_worker,) = build_store_workers(stack.client, stack.settings, stack.connections, store_ids=[BC_STORE])
    async with store_worker:
        await _run_twice(stack, statements, expected)


# -- Adobe Commerce --------------------------------------------------------------------------------


async def _adobe_admin(stack: Stack, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await stack.http.post(
        f"{stack.sandbox_url}/adobe-commerce/_admin/stores/{ADOBE_STORE}/{path}", json=body
    )
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def _adobe_customer(stack: Stack, person: Person) -> Person:
    body = {"email": person.email, "firstname": person.first, "lastname": person.last}
    person.id = int((await _adobe_admin(stack, "customers", body))["id"])
    return person


async def _adobe_company(stack: Stack, name: str) -> Company:
    admin = await _adobe_customer(stack, _person("Mona", "Ledger"))
    company = await _adobe_admin(
        stack,
        "companies",
        {
            "company_name": name,
            "company_email": f"ap-{admin.email}",
            "street": ["1 Market Street"],
            "city": "Austin",
            "country_id": "US",
            "postcode": "78701",
            "telephone": "555-0100",
            "customer_group_id": 1,
            "sales_representative_id": 1,
            "super_user_id": admin.id,
            "status": 1,
        },
    )
    return Company(str(company["id"]), name, admin)


async def test_adobe_commerce_statements_of_a_month_filed_once_per_company(stack: Stack) -> None:
    run = uuid.uuid4().hex[:6]
    buyers = {
        key: await _adobe_customer(stack, _person(first, last))
        for key, first, last in (("otto", "Otto", "Orderly"), ("pia", "Pia", "Purchaser"), ("rolf", "Rolf", "Reorder"))
    }
    alpine = await _adobe_company(stack, f"Alpine Outfitters {run}")
    coastal = await _adobe_company(stack, f"Coastal Supply {run}")

    async def place(buyer: Person, company: Company | None, to: dict[str, str], at: datetime, amount: str) -> str:
        # Billed and shipped to the same address: the store's order review flags differing ones.
        address = {
            "street": [to["street"]],
            "city": to["city"],
            "postcode": to["postcode"],
            "country_id": to["country"],
            "telephone": "555-0101",
        }
        order = await _adobe_admin(
            stack,
            "orders",
            {
                "items": [{"sku": f"CRATE-{run}", "name": "Pallet of crates", "price": amount, "qty": 1}],
                "customer_id": buyer.id,
                "customer_email": buyer.email,
                "customer_firstname": buyer.first,
                "customer_lastname": buyer.last,
                "created_at": at.strftime("%Y-%m-%d %H:%M:%S"),
                "billing_address": address,
                **({"company_id": int(company.id)} if company is not None else {}),
            },
        )
        return f"#{order['increment_id']}"

    expected = await _month_of_orders(place, alpine, coastal, buyers, "Casebridge Outdoor")
    retail = await _adobe_customer(stack, _person("Rita", "Retail"))  # no company: on no statement
    await place(retail, None, ZURICH, datetime(2025, 6, 20, tzinfo=UTC), "50.00")

    statements = _planned_input(stack, "adobe-commerce", ADOBE_STORE)
    assert (statements.brand, statements.language) == ("casebridge-outdoor", "en")  # the store policy's
    await _run_twice(stack, statements, expected)
