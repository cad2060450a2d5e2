"""The Exstream simulator's customer communications over real HTTP: the demo domain's catalogue, the
envelope (brand, language, currency, channel, recipient), channel queues, statement batches, and the
delivery outcomes, preferences and event feed (an ASSUMPTION of the simulator, see its module)."""

from __future__ import annotations

import asyncio
import base64
import copy
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from pydantic import SecretStr

from sandbox.config import SandboxConfig
from sandbox.opentext_exstream import ExstreamTenantConfig
from sandbox.opentext_exstream.api import ExstreamSimulator
from sandbox.opentext_exstream.communications import STATEMENT_NAME, STATEMENT_SERVICE, customer_communications
from sandbox.opentext_exstream.customer_documents import format_amount
from sandbox.opentext_exstream.design import CommunicationConfig
from sandbox.specs import specs_dir
from sandbox.world import SandboxWorld
from tests.support.servers import serve

DOMAIN = "casebridge"
TENANT = ExstreamTenantConfig(
    tenant_id="comms-tenant",
    client_id="comms-client",
    client_secret=SecretStr("comms-secret"),
    batch_delay_seconds=0.3,
)
GENERATE = f"/orchestration/api/v1/inputs/ondemand/{DOMAIN}/generate"
EVENTS = f"/orchestration/api/v1/runtime/{DOMAIN}/delivery-events"
ADMIN = f"/_admin/tenants/{TENANT.tenant_id}/domains/{DOMAIN}"
COMMUNICATIONS = {c.name: c for c in customer_communications()}
ERROR_KEYS = json.loads((specs_dir() / "opentext" / "samples" / "exstream_error.response.json").read_text()).keys()
EXPECTED_NAMES = {
    "Order Confirmation",
    "Invoice",
    "Shipment Notice",
    "Order Delay Letter",
    "Partial Shipment Letter",
    "Cancellation Letter",
    "Refund Letter",
    "Backorder Letter",
    "Return Authorisation Letter",
    "Credit Memo Letter",
    "Warranty Terms",
    "Product Information",
    "Case Decision Letter",
    "Abandoned Cart Reminder",
    "Replenishment Reminder",
    "Post-purchase Follow-up",
    "Monthly Statement",
}


@dataclass
class Sim:
    simulator: ExstreamSimulator
    api: httpx.AsyncClient  # with a bearer token
    admin: httpx.AsyncClient

    async def generate(
        self, name: str, driver: dict[str, Any], accept: str | None = None, *, as_name: str | None = None
    ) -> httpx.Response:
        communication = COMMUNICATIONS[as_name or name]
        headers = {"communicationId": communication.id, "driverDataSource": communication.prod_dsn}
        if accept:
            headers["Accept"] = accept
        return await self.api.post(GENERATE, headers=headers, json=driver)

    async def events(self, **params: Any) -> httpx.Response:
        return await self.api.get(EVENTS, params=params)

    async def deliveries(self, **params: str) -> list[dict[str, Any]]:
        answer = await self.admin.get(f"{ADMIN}/deliveries", params=params)
        assert answer.status_code == 200
        result: list[dict[str, Any]] = answer.json()
        return result


@pytest_asyncio.fixture
async def sim() -> AsyncIterator[Sim]:
    """A fresh simulator per test: the event feed's cursors start at 1."""
    simulator = ExstreamSimulator(SandboxWorld(config=SandboxConfig(shops=[], tenants=[])), [TENANT])
    app = FastAPI()
    app.include_router(simulator.router, prefix="/opentext/exstream")
    async with serve(app) as origin, httpx.AsyncClient(base_url=f"{origin}/opentext/exstream") as api:
        token = await api.post(
            f"/tenants/{TENANT.tenant_id}/oauth2/token",
            json={"client_id": TENANT.client_id, "client_secret": "comms-secret", "grant_type": "client_credentials"},
        )
        async with httpx.AsyncClient(base_url=api.base_url) as admin:
            api.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
            yield Sim(simulator, api, admin)


def sample(name: str, **changes: Any) -> dict[str, Any]:
    """The communication's sample driver with top-level changes."""
    design = COMMUNICATIONS[name].customer_design
    assert design is not None
    return {**copy.deepcopy(design.sample_driver), **changes}


def recipient(**changes: Any) -> dict[str, Any]:
    base = sample("Invoice")["recipient"]
    assert isinstance(base, dict)
    return {**base, **changes}


def outputs(answer: httpx.Response) -> list[tuple[str, str, bytes, dict[str, Any]]]:
    assert answer.status_code == 200, answer.text
    return [
        (o["engineOutputContext"]["queueName"], o["mimeType"], base64.b64decode(o["content"]), o["engineOutputContext"])
        for o in answer.json()["data"]
    ]


def assert_refused(answer: httpx.Response, status: int, code: int, text: str) -> None:
    error = answer.json()
    assert (answer.status_code, error["errorCode"]) == (status, code), error
    assert error.keys() == ERROR_KEYS and text in error["message"], error


# -- catalogue --------------------------------------------------------------------------------------


async def test_the_demo_domain_lists_every_customer_communication_with_its_channel_queues(sim: Sim) -> None:
    listed = await sim.api.get(
        f"/design/api/v1/resources/{DOMAIN}",
        params={"filter.types": "exstrapplication", "filter.states": "APPROVED", "count": 100},
    )
    names = {r["name"] for r in listed.json()["data"]}
    assert names == EXPECTED_NAMES | {"Order Decision Letter", "Packing Slip"}  # and two documents

    for name in EXPECTED_NAMES:
        communication = COMMUNICATIONS[name]
        manifest = (
            await sim.api.get(
                f"/design/api/v1/manifests/{DOMAIN}/communication-set/{communication.communication_set_id}"
            )
        ).json()["data"]
        assert [(q["name"], q["driver"], q["use"]) for q in manifest["queueList"]] == [
            ("Archive_PDF", "PDF", "ARCHIVE"),
            ("Email_HTML", "HTML", "EMAIL"),
            ("Print_PDF", "PDF", "PRINT"),
            ("Web_PDF", "PDF", "WEB"),
        ]
        assert [d["prodDsn"] for d in manifest["dsnlist"]] == [communication.prod_dsn]


@pytest.mark.parametrize("name", sorted(EXPECTED_NAMES))
async def test_every_sample_driver_renders_on_every_channel(sim: Sim, name: str) -> None:
    expected_queue = {"email": ("Email_HTML", "text/html"), "print": ("Print_PDF", "application/pdf")}
    for channel in ("email", "print", "web"):
        produced = outputs(await sim.generate(name, sample(name, channel=channel)))

        channel_queue = expected_queue.get(channel, ("Web_PDF", "application/pdf"))
        assert [(queue, mime) for queue, mime, _, _ in produced] == [("Archive_PDF", "application/pdf"), channel_queue]
        (delivery_id,) = {context["deliveryId"] for _, _, _, context in produced}
        archive = produced[0][2]
        assert archive.startswith(b"%PDF-") and b"Casebridge Outdoor" in archive
        assert b"Your statutory rights" in archive  # the English legal footer
        (delivery,) = await sim.deliveries(deliveryId=delivery_id)
        assert (delivery["channel"], delivery["communication"], delivery["outcome"]) == (channel, name, "delivered")


# -- brand, language, currency ----------------------------------------------------------------------


async def test_brand_language_and_currency_select_the_texts_and_the_amount_format(sim: Sim) -> None:
    german = outputs(await sim.generate("Invoice", sample("Invoice", language="de", channel="web")))[0][2]
    assert "Guten Tag Ada Buyer".encode("cp1252") in german
    assert "Amtsgericht München HRB 123456".encode("cp1252") in german  # the German legal footer
    assert "254,80 €".encode("cp1252") in german and b"Your statutory rights" not in german

    canadian = sample("Refund Letter", language="fr-CA", currency="CAD")
    french = outputs(await sim.generate("Refund Letter", canadian))[1][2].decode()  # the e-mail
    assert "Bonjour Ada Buyer" in french and "Vos droits légaux ne sont pas affectés" in french
    assert "49,90 CAD" in french

    trade = sample("Invoice", brand="casebridge-trade", currency="USD", channel="web")
    trade["totals"]["grand"] = 1234.5
    document = outputs(await sim.generate("Invoice", trade))[0][2]
    assert b"Casebridge Trade Supply: Invoice" in document and b"Total: $1,234.50" in document
    assert b"For business customers only" in document


def test_amounts_follow_the_language_and_currency() -> None:
    assert format_amount("1234.5", "EUR", "de-AT") == "1.234,50 €"
    assert format_amount(1234.5, "EUR", "fr") == "1 234,50 €"
    assert format_amount("-12", "GBP", "en") == "-£12.00"
    assert format_amount("1234", "JPY", "en") == "¥1,234"
    assert format_amount("9.999", "CHF", "en") == "CHF 10.00"


async def test_unknown_brand_or_a_language_the_brand_lacks_is_refused(sim: Sim) -> None:
    assert_refused(await sim.generate("Invoice", sample("Invoice", brand="acme")), 400, 400016, "Brand 'acme'")
    lacking = sample("Invoice", brand="casebridge-trade", language="fr")
    assert_refused(await sim.generate("Invoice", lacking), 400, 400017, "no design for language 'fr'")
    assert_refused(await sim.generate("Invoice", sample("Invoice", language="es")), 400, 400017, "'es'")
    assert_refused(await sim.generate("Invoice", sample("Invoice", language="english!")), 400, 400011, "BCP 47")
    assert_refused(await sim.generate("Invoice", sample("Invoice", currency="eur")), 400, 400011, "ISO 4217")
    assert await sim.deliveries() == []  # nothing refused was delivered


async def test_a_driver_that_does_not_fit_the_sample_is_refused(sim: Sim) -> None:
    without_totals = {k: v for k, v in sample("Invoice").items() if k != "totals"}
    assert_refused(await sim.generate("Invoice", without_totals), 400, 400014, "lacks required fields: totals")
    no_sku = sample("Invoice")
    del no_sku["lines"][0]["sku"]
    assert_refused(await sim.generate("Invoice", no_sku), 400, 400014, "lines.0.sku")
    numeric_order = sample("Invoice", order={"number": 1001, "placedAt": "2026-11-02"})
    assert_refused(await sim.generate("Invoice", numeric_order), 400, 400011, "order.number: expected string")
    bad_amount = sample("Invoice")
    bad_amount["totals"]["grand"] = "about 250"
    assert_refused(await sim.generate("Invoice", bad_amount), 400, 400011, "totals.grand: expected an amount")
    no_store = sample("Invoice", store=None)
    assert_refused(await sim.generate("Invoice", no_store), 400, 400014, "store")
    # The design of another communication is another shape: an invoice is not a refund letter.
    assert_refused(await sim.generate("x", sample("Invoice"), as_name="Refund Letter"), 400, 400014, "refund")


async def test_the_channel_needs_its_address(sim: Sim) -> None:
    no_email = sample("Invoice", channel="email", recipient=recipient(email=None))
    assert_refused(await sim.generate("Invoice", no_email), 400, 400018, "needs recipient.email")
    no_address = sample("Invoice", channel="print", recipient=recipient(postalAddress=None))
    assert_refused(await sim.generate("Invoice", no_address), 400, 400018, "needs recipient.postalAddress")
    assert_refused(await sim.generate("Invoice", sample("Invoice", channel="sms")), 400, 400011, "channel 'sms'")
    # Web needs neither address; e-mail without a postal address is fine.
    web = sample("Invoice", channel="web", recipient=recipient(email=None, postalAddress=None))
    assert len(outputs(await sim.generate("Invoice", web))) == 2
    email = sample("Invoice", recipient=recipient(postalAddress=None))
    assert len(outputs(await sim.generate("Invoice", email))) == 2


def email_text(answer: httpx.Response) -> str:
    return next(content for _, mime, content, _ in outputs(answer) if mime == "text/html").decode()


async def test_a_date_not_known_yet_is_null_and_the_design_words_it(sim: Sim) -> None:
    known = email_text(await sim.generate("Order Delay Letter", sample("Order Delay Letter")))
    assert "now expected by 2026-11-12" in known and "not known yet" not in known
    unknown = sample("Order Delay Letter", delay={"previousDate": None, "expectedDate": None, "reason": "carrier"})
    letter = email_text(await sim.generate("Order Delay Letter", unknown))
    assert "The new delivery date is not known yet" in letter
    assert "expected by" not in letter and "We expected to ship" not in letter

    backorder = sample(
        "Backorder Letter", backorder={"expectedDate": None, "items": [{"sku": "S", "name": "Stove", "quantity": 2}]}
    )
    held = email_text(await sim.generate("Backorder Letter", backorder))
    assert "2 x Stove (S)" in held and "Their delivery date is not known yet" in held

    authorised = sample("Return Authorisation Letter")
    authorised["returnAuthorisation"]["expiresAt"] = None
    rma = email_text(await sim.generate("Return Authorisation Letter", authorised))
    assert "Return RMA-1 for order #1001 is authorised" in rma and "Please send them by" not in rma


async def test_the_proactive_letters_refuse_a_driver_missing_a_purpose_field(sim: Sim) -> None:
    # Null is "not known yet"; a field left out is a driver the design cannot take.
    no_date = sample("Order Delay Letter", delay={"previousDate": None, "reason": "carrier"})
    assert_refused(await sim.generate("Order Delay Letter", no_date), 400, 400014, "delay.expectedDate")
    no_reason = sample("Order Delay Letter", delay={"previousDate": None, "expectedDate": None, "reason": None})
    assert_refused(await sim.generate("Order Delay Letter", no_reason), 400, 400014, "delay.reason")
    no_items = sample("Backorder Letter", backorder={"expectedDate": "2026-12-01"})
    assert_refused(await sim.generate("Backorder Letter", no_items), 400, 400014, "backorder.items")
    nameless = sample("Backorder Letter", backorder={"expectedDate": None, "items": [{"sku": "S", "quantity": 1}]})
    assert_refused(await sim.generate("Backorder Letter", nameless), 400, 400014, "backorder.items.0.name")
    no_number = sample("Return Authorisation Letter")
    del no_number["returnAuthorisation"]["number"]
    assert_refused(
        await sim.generate("Return Authorisation Letter", no_number), 400, 400014, "returnAuthorisation.number"
    )
    # A decision letter is not a delay letter.
    decision = sample("Case Decision Letter")
    assert_refused(await sim.generate("x", decision, as_name="Order Delay Letter"), 400, 400014, "delay")
    assert await sim.deliveries() == []


async def test_accept_picks_one_output_of_the_run_and_names_the_delivery(sim: Sim) -> None:
    raw = await sim.generate("Invoice", sample("Invoice"), accept="text/html")
    assert raw.status_code == 200 and raw.headers["content-type"].startswith("text/html")
    (delivery,) = await sim.deliveries(deliveryId=raw.headers["deliveryId"])
    assert delivery["channel"] == "email"

    # A print run produces no HTML: refused before anything is delivered.
    before = len(await sim.deliveries())
    refused = await sim.generate("Invoice", sample("Invoice", channel="print"), accept="text/html")
    assert_refused(refused, 406, 406001, "text/html")
    assert len(await sim.deliveries()) == before


# -- deliveries, preferences, events ----------------------------------------------------------------


async def test_outcomes_follow_bounces_preferences_and_undeliverable_addresses(sim: Sim) -> None:
    bouncing = recipient(email="Gone@Example.com", customerRef="cust-bounce")
    refuser = recipient(customerRef="cust-refuser")
    old_address = {"lines": ["9 Harbour Row"], "city": "Bristol", "postalCode": "BS1 5AA", "country": "GB"}
    moved = recipient(customerRef="cust-moved", postalAddress=old_address)
    assert (await sim.admin.post(f"{ADMIN}/bouncing-emails", json={"email": "gone@example.com"})).status_code == 204
    undeliverable = {"postalAddress": {**old_address, "city": "  BRISTOL "}}  # compared loosely
    assert (await sim.admin.post(f"{ADMIN}/undeliverable-addresses", json=undeliverable)).status_code == 204
    store = sample("Invoice")["store"]
    click = {"store": store, "customerRef": "cust-refuser", "channel": "email", "optIn": False}
    assert (await sim.admin.post(f"{ADMIN}/preferences", json=click)).json() == {"changed": True, "eventId": "1"}
    assert (await sim.admin.post(f"{ADMIN}/preferences", json=click)).json() == {"changed": False, "eventId": None}

    sent = [
        ("email", bouncing),
        ("email", refuser),
        ("print", refuser),  # refused e-mail only
        ("print", moved),
        ("web", moved),
    ]
    for channel, who in sent:
        outputs(await sim.generate("Shipment Notice", sample("Shipment Notice", channel=channel, recipient=who)))

    deliveries = await sim.deliveries()
    assert [(d["channel"], d["customerRef"], d["outcome"]) for d in deliveries] == [
        ("email", "cust-bounce", "bounced"),
        ("email", "cust-refuser", "opted_out"),
        ("print", "cust-refuser", "delivered"),
        ("print", "cust-moved", "returned"),
        ("web", "cust-moved", "delivered"),
    ]
    events = (await sim.events()).json()
    assert [e["type"] for e in events["data"]] == [
        "preference_changed",
        "bounced",
        "opted_out",
        "delivered",
        "returned",
        "delivered",
    ]
    assert events["data"][0] == {
        "id": "1",
        "type": "preference_changed",
        "channel": "email",
        "customerRef": "cust-refuser",
        "store": store,
        "occurredAt": events["data"][0]["occurredAt"],
        "optIn": False,
    }
    bounce = events["data"][1]
    assert bounce["deliveryId"] == deliveries[0]["deliveryId"] and bounce["communication"] == "Shipment Notice"
    assert bounce["documentId"] == "DOC-1001" and "optIn" not in bounce

    # Opting in again is an event, and the next e-mail goes out.
    opt_in = await sim.admin.post(f"{ADMIN}/preferences", json={**click, "optIn": True})
    assert opt_in.json() == {"changed": True, "eventId": "7"}
    outputs(await sim.generate("Shipment Notice", sample("Shipment Notice", recipient=refuser)))
    later = (await sim.events(after="6")).json()
    assert [(e["type"], e.get("optIn")) for e in later["data"]] == [("preference_changed", True), ("delivered", None)]
    assert (later["next"], later["hasMore"]) == ("8", False)


async def test_event_feed_pages_strictly(sim: Sim) -> None:
    for _ in range(5):
        outputs(await sim.generate("Refund Letter", sample("Refund Letter")))

    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        page = (await sim.events(**({"after": cursor} if cursor else {}), limit=2)).json()
        pages += 1
        seen += [e["id"] for e in page["data"]]
        cursor = page["next"]
        if not page["hasMore"]:
            break
    assert (seen, pages, cursor) == (["1", "2", "3", "4", "5"], 3, "5")
    idle = (await sim.events(after="5")).json()
    assert (idle["data"], idle["next"], idle["hasMore"]) == ([], "5", False)  # nothing new: same cursor

    refusals: list[tuple[dict[str, Any], str]] = [
        ({"after": "6"}, "Unknown cursor '6'"),
        ({"after": "abc"}, "Unknown cursor"),
        ({"after": "-1"}, "Unknown cursor"),
        ({"limit": 0}, "limit must be 1..100"),
        ({"limit": 101}, "limit must be 1..100"),
    ]
    for params, text in refusals:
        assert_refused(await sim.events(**params), 400, 400015, text)
    unauthenticated = await sim.admin.get(EVENTS)
    assert unauthenticated.status_code == 401 and unauthenticated.json()["errorCode"] == 401001


async def test_admin_routes_refuse_unknown_domains_and_bad_bodies(sim: Sim) -> None:
    unknown = await sim.admin.post(
        f"/_admin/tenants/{TENANT.tenant_id}/domains/nowhere/bouncing-emails", json={"email": "a@b.c"}
    )
    assert unknown.status_code == 404
    bad_channel = {"store": "s", "customerRef": "c", "channel": "sms", "optIn": False}
    assert (await sim.admin.post(f"{ADMIN}/preferences", json=bad_channel)).status_code == 422
    click = {"store": "s", "customerRef": "c", "channel": "print", "optIn": False}
    await sim.admin.post(f"{ADMIN}/preferences", json=click)
    listed = await sim.admin.get(f"{ADMIN}/preferences", params={"customerRef": "c"})
    assert listed.json() == [{"store": "s", "customerRef": "c", "channel": "print", "optIn": False}]


# -- statements -------------------------------------------------------------------------------------


def statement_line(
    company: str, buyer: str, location: str, amount: str, *, reference: str, **changes: Any
) -> dict[str, Any]:
    line = sample(STATEMENT_NAME, brand="casebridge-trade", **changes)
    line["document"] = {"id": f"ST-{company}-2026-11", "kind": "statement"}
    line["company"] = {"id": company, "name": f"Company {company}"}
    line["recipient"] = recipient(customerRef=f"company-{company}")
    line["buyer"] = {"id": buyer, "name": f"Buyer {buyer}"}
    line["location"] = {"id": location, "name": f"Site {location}"}
    line["transaction"] = {"date": "2026-11-03", "reference": reference, "description": "order", "amount": amount}
    return line


async def wait_for(sim: Sim, job_id: str) -> dict[str, Any]:
    async with asyncio.timeout(5):
        while True:
            job: dict[str, Any] = (await sim.api.get(f"/orchestration/api/v1/runtime/{DOMAIN}/jobs/{job_id}")).json()[
                "data"
            ]
            if job["state"] in ("COMPLETED", "FAILED"):
                return job
            await asyncio.sleep(0.05)


async def test_statement_batch_consolidates_one_document_per_company(sim: Sim) -> None:
    records = [
        statement_line("C1", "B1", "L1", "100.10", reference="INV-1"),
        statement_line("C2", "B9", "L9", "5", reference="INV-2"),
        statement_line("C1", "B2", "L1", "20.00", reference="INV-3"),
        statement_line("C1", "B1", "L1", "0.90", reference="INV-4"),
        statement_line("C1", "B1", "L2", "1000", reference="INV-5"),
    ]
    submitted = await sim.api.post(f"/orchestration/api/v1/inputs/batch/{DOMAIN}/{STATEMENT_SERVICE}", json=records)
    job_id = submitted.json()["data"][0]["jobId"]
    assert await sim.deliveries() == []  # nothing is delivered before the job finishes

    job = await wait_for(sim, job_id)

    assert job["state"] == "COMPLETED" and job["errors"] == []
    assert [(o["customerNumber"], o["queueName"]) for o in job["outputs"]] == [
        ("1", "Archive_PDF"),
        ("1", "Email_HTML"),
        ("2", "Archive_PDF"),
        ("2", "Email_HTML"),
    ]
    answer = await sim.api.get(f"/orchestration/api/v1/runtime/{DOMAIN}/jobs/{job_id}/outputs")
    produced = outputs(answer)
    first = produced[0][2].decode("cp1252")
    expected_order = [
        "Statement for Company C1 (C1)",
        "Buyer Buyer B1, location Site L1:",
        "INV-1",
        "INV-4",
        "Subtotal: €101.00",
        "Buyer Buyer B2, location Site L1:",
        "INV-3",
        "Subtotal: €20.00",
        "Buyer Buyer B1, location Site L2:",
        "INV-5",
        "Subtotal: €1,000.00",
        "Total due: €1,121.00",
    ]
    positions = [first.index(text.replace("(", "\\(").replace(")", "\\)")) for text in expected_order]
    assert positions == sorted(positions)
    assert "INV-2" not in first and "Casebridge Trade Supply" in first
    assert "Total due: €5.00" in produced[2][2].decode("cp1252")

    deliveries = await sim.deliveries()
    assert [(d["customerRef"], d["source"], d["jobId"]) for d in deliveries] == [
        ("company-C1", "batch", job_id),
        ("company-C2", "batch", job_id),
    ]
    assert [d["deliveryId"] for d in deliveries] == [produced[0][3]["deliveryId"], produced[2][3]["deliveryId"]]
    assert [e["type"] for e in (await sim.events()).json()["data"]] == ["delivered", "delivered"]


async def test_statement_batch_with_a_refused_record_fails_as_a_whole(sim: Sim) -> None:
    batch = f"/orchestration/api/v1/inputs/batch/{DOMAIN}/{STATEMENT_SERVICE}"
    records = [
        statement_line("C1", "B1", "L1", "1", reference="INV-1"),
        statement_line("C1", "B1", "L1", "2", reference="INV-2", language="fr"),  # trade has no French
    ]
    failed = await wait_for(sim, (await sim.api.post(batch, json=records)).json()["data"][0]["jobId"])
    assert failed["state"] == "FAILED" and failed["outputs"] == []
    assert failed["errors"] == [
        {"customerNumber": "2", "errorMessage": "Brand 'casebridge-trade' has no design for language 'fr'"}
    ]

    mixed = [
        statement_line("C1", "B1", "L1", "1", reference="INV-1"),
        statement_line("C1", "B2", "L1", "2", reference="INV-2", currency="USD"),
    ]
    disagreeing = await wait_for(sim, (await sim.api.post(batch, json=mixed)).json()["data"][0]["jobId"])
    assert disagreeing["state"] == "FAILED"
    assert disagreeing["errors"] == [
        {"customerNumber": "1", "errorMessage": "records of company.id=C1 disagree on currency"}
    ]
    assert await sim.deliveries() == []


def test_customer_designs_need_every_channel_queue() -> None:
    invoice = COMMUNICATIONS["Invoice"]
    with pytest.raises(ValueError, match="lacks queues for"):
        CommunicationConfig.model_validate({**invoice.model_dump(), "queues": invoice.model_dump()["queues"][:2]})
