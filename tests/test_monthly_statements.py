"""A statement schedule run end to end: two companies with several buyers and locations buy on the
Shopify shop no flow subscribes to; the `MonthlyStatements` job sends Exstream one statement batch
and files each company's statement (one PDF, its lines grouped by buyer and location) into the
company's account workspace in the simulated Extended ECM. Started directly for a named month, and
through its Temporal Schedule (`apply_schedules` + trigger: the month before the trigger). A rerun
of a month sends and files nothing new."""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from temporalio.client import ScheduleActionExecutionStartWorkflow, ScheduleBackfill, WorkflowHandle

from activities.statement_models import month_before, month_bounds
from casebridge.schedules import ScheduledJob, apply_schedules
from casebridge.statement_schedules import plan_statement_schedules
from connectors.opentext.content_server_models import BusinessObject
from connectors.shopify.companies import Company, CompanyContactInput, CompanyLocationInput
from tests.support.histories import keep_history
from tests.support.stack import Stack, eventually
from tests.support.statements import POLL, pdf_lines
from tests.support.world import SLA_SHOP, TENANT, TENANT_ID, ecm_system
from workflows import search_attributes as sa
from workflows.monthly_statements import (
    MonthlyStatements,
    StatementsInput,
    StatementsResult,
    statements_run_id,
    statements_search_attributes,
)


def _money(amount: str) -> dict[str, Any]:
    return {"shopMoney": {"amount": amount, "currencyCode": "USD"}}


@dataclass
class Buyer:
    first: str
    last: str
    email: str

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"


@dataclass
class B2BCompany:
    company: Company
    locations: dict[str, str]  # name -> gid

    @property
    def number(self) -> str:
        return self.company.id.rsplit("/", 1)[-1]


async def _company(stack: Stack, name: str, locations: list[str]) -> B2BCompany:
    shop = stack.shop(SLA_SHOP)
    contact = CompanyContactInput(
        email=f"accounts-{uuid.uuid4().hex[:8]}@example.test", first_name="Mona", last_name="Ledger"
    )
    company = await shop.create_company(name, contact=contact, location=CompanyLocationInput(name=locations[0]))
    found = {locations[0]: company.locations.nodes[0].id}
    for extra in locations[1:]:
        found[extra] = (await shop.create_company_location(company.id, CompanyLocationInput(name=extra))).id
    return B2BCompany(company, found)


def _buyer(first: str, last: str) -> Buyer:
    return Buyer(first, last, f"{first.lower()}-{uuid.uuid4().hex[:8]}@example.test")


async def _order(stack: Stack, buyer: Buyer, location: str, processed_at: str, amount: str) -> str:
    order = await stack.shop(SLA_SHOP).create_order(
        {
            "currency": "USD",
            "processedAt": processed_at,
            "companyLocationId": location,
            "customer": {"toUpsert": {"email": buyer.email, "firstName": buyer.first, "lastName": buyer.last}},
            "lineItems": [{"title": "Pallet of crates", "quantity": 1, "priceSet": _money(amount)}],
        }
    )
    return order.name


@dataclass
class Month:
    """Two companies' orders of one month, and the statement lines each company should get."""

    month: str
    alpine: B2BCompany
    coastal: B2BCompany
    expected: dict[str, list[str]]  # company number -> its statement's body lines


async def _month_of_orders(stack: Stack, month: str) -> Month:
    run = uuid.uuid4().hex[:6]
    alpine = await _company(stack, f"Alpine Outfitters {run}", ["Zurich depot", "Basel store"])
    coastal = await _company(stack, f"Coastal Supply {run}", ["Harbour yard"])
    otto, pia, rolf = _buyer("Otto", "Orderly"), _buyer("Pia", "Purchaser"), _buyer("Rolf", "Reorder")
    zurich, basel = alpine.locations["Zurich depot"], alpine.locations["Basel store"]

    def on(day: int) -> str:
        return f"{month}-{day:02d}T09:00:00Z"

    a1 = await _order(stack, pia, zurich, on(12), "100.00")
    a2 = await _order(stack, otto, basel, on(14), "30.50")
    a4 = await _order(stack, otto, zurich, on(13), "5.25")
    a3 = await _order(stack, otto, zurich, on(11), "20.00")
    a5 = await _order(stack, pia, basel, on(16), "7.00")
    c1 = await _order(stack, rolf, coastal.locations["Harbour yard"], on(15), "999.99")
    await _order(stack, rolf, zurich, "2024-01-15T09:00:00Z", "1.00")  # another month: not on it
    last_day = month_bounds(month)[1].isoformat()

    def line(day: int, name: str, amount: str) -> str:
        return f"  {month}-{day}  {name}  Order {name}  {amount}"

    alpine_lines = [
        f"Statement for {alpine.company.name} ({alpine.number}), {month}-01 to {last_day}.",
        "Buyer Otto Orderly, location Basel store:",
        line(14, a2, "$30.50"),
        "  Subtotal: $30.50",
        "Buyer Otto Orderly, location Zurich depot:",
        line(11, a3, "$20.00"),
        line(13, a4, "$5.25"),
        "  Subtotal: $25.25",
        "Buyer Pia Purchaser, location Basel store:",
        line(16, a5, "$7.00"),
        "  Subtotal: $7.00",
        "Buyer Pia Purchaser, location Zurich depot:",
        line(12, a1, "$100.00"),
        "  Subtotal: $100.00",
        "Total due: $162.75",
    ]
    coastal_lines = [
        f"Statement for {coastal.company.name} ({coastal.number}), {month}-01 to {last_day}.",
        "Buyer Rolf Reorder, location Harbour yard:",
        line(15, c1, "$999.99"),
        "  Subtotal: $999.99",
        "Total due: $999.99",
    ]
    return Month(month, alpine, coastal, {alpine.number: alpine_lines, coastal.number: coastal_lines})


async def _statements_filed(stack: Stack, orders: Month) -> None:
    """Each company's account workspace holds exactly one statement of the month, version 1, with
    its lines grouped by buyer and location; Exstream e-mailed it once, to the company's main contact."""
    ecm = stack.connections.content_server(TENANT)
    for entry in (orders.alpine, orders.coastal):
        workspace = await ecm.find_business_workspace(
            BusinessObject(ext_system_id=ecm_system("shopify", SLA_SHOP), bo_type="company", bo_id=entry.number)
        )
        assert workspace is not None and workspace.name == f"{entry.company.name} ({SLA_SHOP})"
        folder = await ecm.find_folder(workspace.id, "Correspondence")
        assert folder is not None
        statements = [n for n in await ecm.list_children(folder.id) if n.name.startswith("Statement")]
        assert [s.name for s in statements] == [f"Statement {orders.month} {entry.company.name}.pdf"]
        assert [v.version_number for v in await ecm.list_versions(statements[0].id)] == [1]
        content = (await ecm.download_version(statements[0].id, 1)).content
        lines = pdf_lines(content)
        expected = orders.expected[entry.number]
        start = lines.index(expected[0])
        assert lines[start : start + len(expected)] == expected
        assert "Casebridge Outdoor" in lines and "Dear Mona Ledger," in lines  # the store policy's brand
        assert (await ecm.get_rm_classification(statements[0].id)).classification_id == 41002

        assert entry.company.main_contact is not None
        deliveries = await stack.http.get(
            f"{stack.sandbox_url}/opentext/exstream/_admin/tenants/{TENANT_ID}/domains/casebridge/deliveries",
            params={"store": SLA_SHOP, "customerRef": entry.company.main_contact.customer.id},
        )
        sent = [d for d in deliveries.json() if d["documentId"] == f"ST-{entry.number}-{orders.month}"]
        assert [(d["communication"], d["channel"]) for d in sent] == [("Monthly Statement", "email")]


def _planned(stack: Stack) -> ScheduledJob:
    """The shop's schedule as `casebridge schedules apply` plans it (with the policies)."""
    (job,) = [j for j in plan_statement_schedules(stack.registry, stack.config_dir) if j.id.endswith(f"/{SLA_SHOP}")]
    assert isinstance(job.input, StatementsInput) and job.input.brand == "casebridge-outdoor"
    return job


def _input(stack: Stack, month: str | None) -> StatementsInput:
    job = _planned(stack)
    assert isinstance(job.input, StatementsInput)
    return job.input.model_copy(update={"month": month, "poll_every": POLL})


async def _start_for(stack: Stack, month: str) -> WorkflowHandle[MonthlyStatements, StatementsResult]:
    return await stack.client.start_workflow(
        MonthlyStatements.run,
        _input(stack, month),
        id=f"{statements_run_id('shopify', SLA_SHOP, month)}-{uuid.uuid4().hex[:6]}",
        task_queue=stack.settings.task_queue,
        search_attributes=statements_search_attributes("shopify", SLA_SHOP),
    )


async def _run_for(stack: Stack, month: str) -> StatementsResult:
    result: StatementsResult = await (await _start_for(stack, month)).result()
    return result


async def test_statements_of_a_month_filed_once_per_company(stack: Stack) -> None:
    orders = await _month_of_orders(stack, "2025-06")

    run = await _start_for(stack, "2025-06")
    result = await run.result()
    await keep_history(run, "monthly_statements_shopify_filed")
    assert result.complete and result.progress.state == "completed"
    assert (result.progress.companies, result.progress.orders) == (2, 6)
    assert (result.progress.filed, result.progress.unchanged) == (2, 0)
    await _statements_filed(stack, orders)

    # A rerun of the month sends nothing (no batch) and files nothing.
    rerun = await _run_for(stack, "2025-06")
    assert rerun.complete and rerun.progress.state == "nothing-to-send"
    assert (rerun.progress.companies, rerun.progress.already_filed, rerun.progress.job_id) == (0, 2, None)
    await _statements_filed(stack, orders)


async def test_the_schedule_states_the_month_before_its_run(stack: Stack) -> None:
    month = month_before(datetime.now(UTC))
    orders = await _month_of_orders(stack, month)
    planned = _planned(stack)
    assert planned.id == f"casebridge/monthly-statements/shopify/{SLA_SHOP}"
    assert isinstance(planned.input, StatementsInput) and planned.input.month is None
    job = dataclasses.replace(planned, input=planned.input.model_copy(update={"poll_every": POLL}))
    await apply_schedules(stack.client, [job], stack.settings.task_queue)
    schedule = stack.client.get_schedule_handle(job.id)
    try:
        await schedule.trigger()

        async def started() -> str | None:
            actions = (await schedule.describe()).info.recent_actions
            for action in actions:
                if isinstance(action.action, ScheduleActionExecutionStartWorkflow):
                    return action.action.workflow_id
            return None

        workflow_id = await eventually(started, what="the schedule's run")
        assert workflow_id.startswith(f"monthly-statements/shopify/{SLA_SHOP}-")
        result: StatementsResult = await stack.client.get_workflow_handle(
            workflow_id, result_type=StatementsResult
        ).result()
        assert result.progress.month == month and result.complete
        assert (result.progress.companies, result.progress.filed) == (2, 2)
        await _statements_filed(stack, orders)
        description = await stack.client.get_workflow_handle(workflow_id).describe()
        assert description.typed_search_attributes.get(sa.CASE_TYPE) == "monthly-statements"
        assert description.typed_search_attributes.get(sa.CASE_REF) == month

        # A backfill of last month's slot (the 1st, 02:00 UTC) states the month before that slot:
        # the run takes its month from the scheduled time, not from when it started.
        first, _ = month_bounds(month)
        slot = datetime(first.year, first.month, 1, 2, tzinfo=UTC)
        await schedule.backfill(ScheduleBackfill(start_at=slot - timedelta(hours=1), end_at=slot + timedelta(hours=1)))

        async def backfilled() -> str | None:
            actions = (await schedule.describe()).info.recent_actions
            ids = [a.action.workflow_id for a in actions if isinstance(a.action, ScheduleActionExecutionStartWorkflow)]
            return next((i for i in ids if i != workflow_id), None)

        earlier_id = await eventually(backfilled, what="the backfilled run")
        earlier: StatementsResult = await stack.client.get_workflow_handle(
            earlier_id, result_type=StatementsResult
        ).result()
        assert earlier.progress.month == month_before(slot) and earlier.progress.state == "nothing-to-send"
    finally:
        await schedule.delete()
