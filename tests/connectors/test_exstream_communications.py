"""Contract tests: the Exstream connector's customer communications against the simulator, over real
HTTP. Every request is checked against OpenText's Postman collection (on-demand generation, design
lookups), or against the calls the connector's contract module declares as ASSUMPTIONS (batch, job
status and outputs, delivery events)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from pydantic import SecretStr, ValidationError

from connectors.errors import RejectedError, TransientError
from connectors.opentext.exstream import ExstreamClient
from connectors.opentext.exstream_contract import (
    BATCH_SUBMIT_PATH,
    DELIVERY_EVENTS_PATH,
    JOB_OUTPUTS_PATH,
    JOB_STATUS_PATH,
    Channel,
    DeliveryEventType,
    JobState,
)
from connectors.opentext.exstream_models import (
    CommunicationDriver,
    CommunicationTarget,
    DocumentRef,
    PostalAddress,
    Recipient,
    StatementParty,
    StatementPeriod,
    StatementRecord,
    StatementTransaction,
)
from sandbox.config import SandboxConfig
from sandbox.faults import FaultEffect, FaultRule
from sandbox.opentext_exstream import ExstreamTenantConfig
from sandbox.opentext_exstream.api import ExstreamSimulator
from sandbox.postman_contract import PostmanContract
from sandbox.specs import specs_dir
from sandbox.world import SandboxWorld
from tests.support.servers import serve
from tests.support.spec_transport import SpecCheckingTransport

DOMAIN = "casebridge"
COLLECTION = specs_dir() / "opentext" / "exstream-communications.postman_collection.json"
TENANT = ExstreamTenantConfig(
    tenant_id="comms-connector",
    client_id="comms-connector-client",
    client_secret=SecretStr("comms-connector-secret"),
    batch_delay_seconds=0.3,
)
ADMIN = f"/_admin/tenants/{TENANT.tenant_id}/domains/{DOMAIN}"
STORE = "casebridge-demo.myshopify.com"
ADDRESS = PostalAddress(lines=["Gipfelweg 1"], city="München", postal_code="80331", country="DE")


@dataclass
class Connected:
    client: ExstreamClient
    simulator: ExstreamSimulator
    contract: PostmanContract
    transport: SpecCheckingTransport
    admin: httpx.AsyncClient


@pytest_asyncio.fixture
async def conn() -> AsyncIterator[Connected]:
    """A fresh simulator per test (event cursors start at 1) and a client whose every request is
    checked against the collection or the declared assumptions; all must conform."""
    world = SandboxWorld(config=SandboxConfig(shops=[], tenants=[]))
    simulator = ExstreamSimulator(world, [TENANT])
    app = FastAPI()
    app.include_router(simulator.router, prefix="/opentext/exstream")
    async with serve(app) as origin:
        base_url = f"{origin}/opentext/exstream"
        contract = PostmanContract(
            COLLECTION,
            hosts={"api_host": base_url, "communication_url": base_url},
            assumed=[
                ("POST", "communication_url", BATCH_SUBMIT_PATH),
                ("GET", "communication_url", JOB_STATUS_PATH),
                ("GET", "communication_url", JOB_OUTPUTS_PATH),
                ("GET", "communication_url", DELIVERY_EVENTS_PATH),
            ],
        )
        transport = SpecCheckingTransport(contracts=[(base_url, contract)])
        client = ExstreamClient(
            base_url,
            TENANT.tenant_id,
            TENANT.client_id,
            TENANT.client_secret,
            domain=DOMAIN,
            transport=transport,
        )
        async with client, httpx.AsyncClient(base_url=base_url) as admin:
            yield Connected(client, simulator, contract, transport, admin)
            world.faults.clear()
        assert transport.checked > 0 and transport.violations == [] and transport.unchecked == []
        assert [(c.method, c.path, c.problems) for c in contract.unmatched] == []


def driver(
    channel: Channel = Channel.EMAIL,
    *,
    customer_ref: str = "gid://shopify/Customer/7",
    email: str | None = "kunde@example.com",
    address: PostalAddress | None = ADDRESS,
    brand: str = "casebridge-outdoor",
    language: str = "de",
) -> CommunicationDriver:
    return CommunicationDriver(
        document=DocumentRef(id="case-42-shipment-notice", kind="shipment-notice"),
        brand=brand,
        language=language,
        currency="EUR",
        channel=channel,
        recipient=Recipient(name="Kim Kunde", email=email, postal_address=address, customer_ref=customer_ref),
        store=STORE,
        order={"number": "#1042", "placedAt": "2026-11-20"},
        shipment={
            "carrier": "DHL",
            "trackingNumber": "JD42",
            "trackingUrl": "https://track.example/JD42",
            "shippedAt": "2026-11-21",
        },
        items=[{"sku": "TENT-2P", "name": "Zelt", "quantity": 2}],
    )


async def shipment_notice(conn: Connected) -> CommunicationTarget:
    return await conn.client.resolve_communication("Shipment Notice")


# -- on demand --------------------------------------------------------------------------------------


async def test_send_communication_answers_the_archive_the_channel_output_and_a_delivery_id(conn: Connected) -> None:
    target = await shipment_notice(conn)
    assert {q.use for q in target.queues} == {"ARCHIVE", "EMAIL", "PRINT", "WEB"}

    sent = await conn.client.send_communication(target, driver())

    assert sent.channel is Channel.EMAIL and sent.delivery_id.startswith("dlv-")
    assert (sent.archive.queue_name, sent.archive.mime_type) == ("Archive_PDF", "application/pdf")
    assert (sent.channel_output.queue_name, sent.channel_output.mime_type) == ("Email_HTML", "text/html")
    assert sent.archive.content.startswith(b"%PDF-") and "Guten Tag Kim Kunde".encode("cp1252") in sent.archive.content
    assert "Amtsgericht München" in sent.channel_output.content.decode()
    assert {o.delivery_id for o in sent.outputs} == {sent.delivery_id}

    page = await conn.client.delivery_events()
    (event,) = page.events
    assert (event.type, event.delivery_id, event.channel) == (DeliveryEventType.DELIVERED, sent.delivery_id, "email")
    assert (event.communication, event.document_id, event.store) == (
        "Shipment Notice",
        "case-42-shipment-notice",
        STORE,
    )
    assert (page.next_cursor, page.has_more) == (event.id, False)
    assert "Generate output using Orchestration - Full response" in conn.contract.matched_items()


async def test_a_single_output_answer_names_its_delivery_too(conn: Connected) -> None:
    target = await shipment_notice(conn)
    body = driver(Channel.WEB).model_dump(mode="json", by_alias=True)

    pdf = await conn.client.generate_document(
        target.communication_id, target.driver_data_source, body, "application/pdf"
    )

    assert pdf.content.startswith(b"%PDF-") and pdf.delivery_id is not None
    (event,) = (await conn.client.delivery_events()).events
    assert (event.delivery_id, event.channel) == (pdf.delivery_id, Channel.WEB)
    assert "Generate output using Orchestration - PDF only" in conn.contract.matched_items()


async def test_the_driver_goes_out_as_the_sample_shaped_envelope(conn: Connected) -> None:
    target = await shipment_notice(conn)
    web = driver(Channel.WEB, email=None, address=None)
    assert web.model_dump(mode="json", by_alias=True)["recipient"] == {
        "name": "Kim Kunde",
        "email": None,
        "postalAddress": None,
        "customerRef": "gid://shopify/Customer/7",
    }
    sent = await conn.client.send_communication(target, web)
    assert (sent.channel, sent.channel_output.queue_name) == (Channel.WEB, "Web_PDF")
    printed = await conn.client.send_communication(target, driver(Channel.PRINT, email=None))
    assert printed.channel_output.queue_name == "Print_PDF"
    assert "80331 München".encode("cp1252") in printed.channel_output.content  # the address block
    with pytest.raises(ValidationError):
        driver(language="not a tag")


async def test_refusals_are_not_retryable(conn: Connected) -> None:
    target = await shipment_notice(conn)
    cases = [
        (driver(brand="acme"), "400016"),
        (driver(brand="casebridge-trade", language="fr"), "400017"),
        (driver(Channel.EMAIL, email=None), "400018"),
        (driver(Channel.PRINT, address=None), "400018"),
    ]
    for refused, code in cases:
        with pytest.raises(RejectedError) as raised:
            await conn.client.send_communication(target, refused)
        assert raised.value.status_code == 400 and not raised.value.retryable
        assert f"errorCode {code}" in raised.value.message
    wrong_shape = driver().model_copy(update={"order": {"number": 1042}})
    with pytest.raises(RejectedError, match=r"order\.placedAt"):
        await conn.client.send_communication(target, wrong_shape)
    assert (await conn.client.delivery_events()).events == []


# -- delivery events --------------------------------------------------------------------------------


async def test_bounces_and_opt_outs_come_back_as_events(conn: Connected) -> None:
    target = await shipment_notice(conn)
    await conn.admin.post(f"{ADMIN}/bouncing-emails", json={"email": "kunde@example.com"})
    bounced = await conn.client.send_communication(target, driver())
    click = {"store": STORE, "customerRef": "gid://shopify/Customer/8", "channel": "email", "optIn": False}
    await conn.admin.post(f"{ADMIN}/preferences", json=click)
    refused = await conn.client.send_communication(target, driver(customer_ref="gid://shopify/Customer/8"))
    fallback = await conn.client.send_communication(target, driver(Channel.PRINT))

    first = await conn.client.delivery_events(limit=2)
    rest = await conn.client.delivery_events(first.next_cursor, limit=2)

    assert first.has_more and not rest.has_more
    events = [*first.events, *rest.events]
    assert [(e.type, e.delivery_id, e.opt_in) for e in events] == [
        (DeliveryEventType.BOUNCED, bounced.delivery_id, None),
        (DeliveryEventType.PREFERENCE_CHANGED, None, False),
        (DeliveryEventType.OPTED_OUT, refused.delivery_id, None),
        (DeliveryEventType.DELIVERED, fallback.delivery_id, None),
    ]
    assert events[1].customer_ref == "gid://shopify/Customer/8" and events[1].channel is Channel.EMAIL
    again = await conn.client.delivery_events(rest.next_cursor)
    assert (again.events, again.next_cursor) == ([], rest.next_cursor)
    assert {c.assumed for c in conn.contract.checked if c.assumed} == {DELIVERY_EVENTS_PATH}


async def test_event_paging_is_strict(conn: Connected) -> None:
    with pytest.raises(RejectedError, match=r"Unknown cursor '9' \(errorCode 400015\)"):
        await conn.client.delivery_events("9")
    with pytest.raises(ValueError, match="limit"):
        await conn.client.delivery_events(limit=0)
    conn.simulator.world.faults.add(
        FaultRule(system="opentext-exstream", operation="GET */delivery-events", effect=FaultEffect.HTTP_503)
    )
    with pytest.raises(TransientError) as raised:
        await conn.client.delivery_events()
    assert raised.value.retryable and raised.value.operation == "delivery_events"


# -- statements -------------------------------------------------------------------------------------


def statement_line(company: str, buyer: str, location: str, amount: str, reference: str) -> StatementRecord:
    return StatementRecord(
        document=DocumentRef(id=f"statement-{company}-2026-11", kind="statement"),
        brand="casebridge-trade",
        language="en",
        currency="GBP",
        channel=Channel.PRINT,
        recipient=Recipient(name=f"Accounts {company}", postal_address=ADDRESS, customer_ref=f"company/{company}"),
        store=STORE,
        company=StatementParty(id=company, name=f"Company {company}"),
        buyer=StatementParty(id=buyer, name=f"Buyer {buyer}"),
        location=StatementParty(id=location, name=f"Site {location}"),
        period=StatementPeriod(start=date(2026, 11, 1), end=date(2026, 11, 30)),
        transaction=StatementTransaction(
            date=date(2026, 11, 5), reference=reference, description="order", amount=Decimal(amount)
        ),
    )


async def wait_for_job(client: ExstreamClient, job_id: str) -> JobState:
    async with asyncio.timeout(5):
        while not (job := await client.get_batch_job(job_id)).finished:
            await asyncio.sleep(0.05)
    return job.state


async def test_statement_batch_gives_one_document_per_company(conn: Connected) -> None:
    target = await conn.client.resolve_communication("Monthly Statement")
    records = [
        statement_line("C1", "B1", "L1", "10.10", "INV-1"),
        statement_line("C1", "B2", "L1", "0.90", "INV-2"),
        statement_line("C2", "B3", "L3", "7", "INV-3"),
    ]

    submission = await conn.client.submit_statement_batch("monthly-statements", records)
    assert await wait_for_job(conn.client, submission.job_id) is JobState.COMPLETED
    documents = await conn.client.batch_communications(submission.job_id, target)

    assert [(d.customer_number, d.channel) for d in documents] == [("1", Channel.PRINT), ("2", Channel.PRINT)]
    assert b"Total due: \xa311.00" in documents[0].archive.content  # GBP, in English
    assert b"Total due: \xa37.00" in documents[1].archive.content
    assert len({d.delivery_id for d in documents}) == 2
    events = (await conn.client.delivery_events()).events
    assert [(e.delivery_id, e.customer_ref) for e in events] == [
        (documents[0].delivery_id, "company/C1"),
        (documents[1].delivery_id, "company/C2"),
    ]
    with pytest.raises(ValueError, match="at least one record"):
        await conn.client.submit_statement_batch("monthly-statements", [])


async def test_sent_records_keep_exact_amounts(conn: Connected) -> None:
    record = statement_line("C1", "B1", "L1", "0.10", "INV-1")
    body = record.model_dump(mode="json", by_alias=True)
    assert body["transaction"] == {"date": "2026-11-05", "reference": "INV-1", "description": "order", "amount": "0.10"}
    assert json.loads(json.dumps(body))["recipient"]["postalAddress"]["postalCode"] == "80331"
    submission = await conn.client.submit_statement_batch("monthly-statements", [record, record])
    assert await wait_for_job(conn.client, submission.job_id) is JobState.COMPLETED
    (document,) = await conn.client.batch_communications(
        submission.job_id, await conn.client.resolve_communication("Monthly Statement")
    )
    assert b"Subtotal: \xa30.20" in document.archive.content
