"""Contract tests: `ExstreamClient` against the Exstream simulator, over real HTTP.

One uvicorn server runs the simulator (mounted at `/opentext/exstream`, as in the sandbox app). Every
request the connector sends goes through `SpecCheckingTransport` with a `PostmanContract` built from
OpenText's own Postman collection: each must match an item of the collection (method, path pattern,
headers, query, body shape), or one of the batch calls the connector's contract module declares as
ASSUMPTIONS. Effects are read back through the connector and the simulator's admin routes.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import re
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from pydantic import SecretStr

from connectors.errors import (
    AuthenticationError,
    ConflictError,
    NotFoundError,
    RateLimitedError,
    RejectedError,
    TransientError,
)
from connectors.opentext.exstream import ExstreamClient
from connectors.opentext.exstream_contract import (
    BATCH_SUBMIT_PATH,
    JOB_OUTPUTS_PATH,
    JOB_STATUS_PATH,
    JobState,
)
from connectors.opentext.exstream_models import GeneratedOutput
from sandbox.config import SandboxConfig
from sandbox.faults import FaultEffect, FaultRule
from sandbox.opentext_exstream import (
    CommunicationConfig,
    ExstreamDomainConfig,
    ExstreamTenantConfig,
    OutputQueueConfig,
    order_decision_letter,
    sample_domain,
)
from sandbox.opentext_exstream.api import ExstreamSimulator
from sandbox.opentext_exstream.config import BATCH_SERVICE, ORDER_DECISION_DSN, ORDER_DECISION_LETTER_ID
from sandbox.opentext_exstream.rendering import render_pdf
from sandbox.postman_contract import PostmanContract
from sandbox.specs import specs_dir
from sandbox.world import SandboxWorld
from tests.support.servers import serve
from tests.support.spec_transport import SpecCheckingTransport

SYSTEM = "opentext-exstream"
SPECS = specs_dir() / "opentext"
COLLECTION = SPECS / "exstream-communications.postman_collection.json"
DOMAIN = "casebridge"
LETTER = "Order Decision Letter"
GENERATE_API_PATH = f"/orchestration/api/v1/inputs/ondemand/{DOMAIN}/generate"

# A designer's work in progress: neither listed (only APPROVED versions are) nor generated.
REFUND_NOTICE = CommunicationConfig(
    id="9a8b7c6d-5e4f-4a3b-9c2d-1e0f2a3b4c5d",
    name="Refund Notice",
    state="DRAFT",
    communication_set_id="1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d",
    communication_set_name="Casebridge Drafts",
    prod_dsn="RefundDriver",
    driver_sample_id="2c3d4e5f-6071-4b8c-9d0e-1f2a3b4c5d6e",
    required_fields=["orderName"],
    queues=[OutputQueueConfig(name="PDF_Notice", mime_type="application/pdf")],
)
# A second approved communication, so that listing takes more than one page of one.
HOLD_NOTICE = CommunicationConfig(
    id="4d5e6f70-8192-4a3b-8c4d-5e6f7a8b9c0d",
    name="Hold Notice",
    communication_set_id="6f708192-a3b4-4c5d-8e6f-7a8b9c0d1e2f",
    communication_set_name="Casebridge Notices",
    prod_dsn="HoldNoticeDriver",
    driver_sample_id="70819203-b4c5-4d6e-9f70-8a9b0c1d2e3f",
    required_fields=["orderName"],
    queues=[OutputQueueConfig(name="PDF_Notice", mime_type="application/pdf")],
)
TENANT = ExstreamTenantConfig(
    tenant_id="acme-exstream",
    client_id="casebridge-exstream",
    client_secret=SecretStr("exstream-secret-1"),
    batch_delay_seconds=0.4,
    domains=[
        ExstreamDomainConfig(
            id=DOMAIN,
            communications=[order_decision_letter(), REFUND_NOTICE, HOLD_NOTICE],
            batch_services=[s for s in sample_domain().batch_services if s.name == BATCH_SERVICE],
        )
    ],
)
# Two-second tokens: the client must refresh after one second (half the lifetime).
SHORT_TENANT = ExstreamTenantConfig(
    tenant_id="short-exstream",
    client_id="short-client",
    client_secret=SecretStr("exstream-secret-2"),
    token_ttl_seconds=2,
    domains=[ExstreamDomainConfig(id=DOMAIN, communications=[order_decision_letter()])],
)
DRIVER: dict[str, object] = {
    "orderName": "#1001",
    "customerName": "Jane Doe",
    "decision": "rejected",
    "reason": "Billing address (unverified) & card mismatch",
}


# -- infrastructure ---------------------------------------------------------------------------------


class RecordingTransport(httpx.AsyncBaseTransport):
    """Passes requests through and remembers them with their answers' status codes."""

    def __init__(self) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self.exchanges: list[tuple[httpx.Request, int]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._inner.handle_async_request(request)
        self.exchanges.append((request, response.status_code))
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()

    def sent(self, method: str, path_suffix: str) -> list[httpx.Request]:
        return [r for r, _ in self.exchanges if r.method == method and r.url.path.endswith(path_suffix)]

    def token_requests(self) -> int:
        return len(self.sent("POST", "/oauth2/token"))

    def api_statuses(self) -> list[int]:
        return [status for request, status in self.exchanges if not request.url.path.endswith("/oauth2/token")]


@dataclass
class ExstreamStack:
    world: SandboxWorld
    simulator: ExstreamSimulator
    origin: str

    @property
    def base_url(self) -> str:
        return f"{self.origin}/opentext/exstream"


@pytest_asyncio.fixture(scope="module")
async def ex() -> AsyncIterator[ExstreamStack]:
    world = SandboxWorld(config=SandboxConfig(shops=[], tenants=[]))
    simulator = ExstreamSimulator(world, [TENANT, SHORT_TENANT])
    app = FastAPI()
    app.include_router(simulator.router, prefix="/opentext/exstream")
    async with serve(app) as origin:
        yield ExstreamStack(world, simulator, origin)


@pytest.fixture(autouse=True)
def _no_leftover_faults(ex: ExstreamStack) -> Iterator[None]:
    ex.world.faults.clear()
    yield
    ex.world.faults.clear()


@dataclass
class Connected:
    client: ExstreamClient
    transport: SpecCheckingTransport
    contract: PostmanContract
    recorder: RecordingTransport


def postman_contract(base_url: str) -> PostmanContract:
    return PostmanContract(
        COLLECTION,
        hosts={"api_host": base_url, "communication_url": base_url},
        # Batch calls are not in OpenText's collection: the connector's documented ASSUMPTIONS.
        assumed=[
            ("POST", "communication_url", BATCH_SUBMIT_PATH),
            ("GET", "communication_url", JOB_STATUS_PATH),
            ("GET", "communication_url", JOB_OUTPUTS_PATH),
        ],
    )


@contextlib.asynccontextmanager
async def connect(
    ex: ExstreamStack,
    tenant: ExstreamTenantConfig = TENANT,
    *,
    secret: str | None = None,
    domain: str = DOMAIN,
    **options: Any,
) -> AsyncIterator[Connected]:
    """A client whose every request is checked against the Postman collection; on a normal exit
    the test also asserts that all of them conformed."""
    recorder = RecordingTransport()
    contract = postman_contract(ex.base_url)
    transport = SpecCheckingTransport(contracts=[(ex.base_url, contract)], inner=recorder)
    client = ExstreamClient(
        ex.base_url,
        tenant.tenant_id,
        tenant.client_id,
        SecretStr(secret if secret is not None else tenant.client_secret.get_secret_value()),
        domain=domain,
        transport=transport,
        **options,
    )
    async with client:
        connected = Connected(client, transport, contract, recorder)
        yield connected
        assert_conformant(connected)


def assert_conformant(conn: Connected) -> None:
    assert conn.transport.checked > 0
    assert conn.transport.violations == []
    assert conn.transport.unchecked == []
    assert [(c.method, c.path, c.problems) for c in conn.contract.unmatched] == []


@pytest_asyncio.fixture
async def conn(ex: ExstreamStack) -> AsyncIterator[Connected]:
    async with connect(ex) as connected:
        yield connected


def add_fault(ex: ExstreamStack, operation: str, effect: FaultEffect, **extra: Any) -> None:
    ex.world.faults.add(FaultRule(system=SYSTEM, operation=operation, effect=effect, **extra))


def load_sample(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SPECS / "samples" / name).read_text())
    return data


@contextlib.asynccontextmanager
async def raw_api(ex: ExstreamStack, tenant: ExstreamTenantConfig = TENANT) -> AsyncIterator[httpx.AsyncClient]:
    """A plain client with a token, to send what the connector never would."""
    async with httpx.AsyncClient(base_url=ex.base_url) as client:
        token = await client.post(
            f"/tenants/{tenant.tenant_id}/oauth2/token",
            json={
                "client_id": tenant.client_id,
                "client_secret": tenant.client_secret.get_secret_value(),
                "grant_type": "client_credentials",
            },
        )
        client.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
        yield client


def assert_valid_pdf(pdf: bytes) -> None:
    """Header, trailer, every xref offset pointing at its object and every stream length exact."""
    assert pdf.startswith(b"%PDF-1.") and pdf.rstrip().endswith(b"%%EOF")
    xref_at = int(pdf[pdf.rindex(b"startxref") + len(b"startxref") :].split()[0])
    table = pdf[xref_at:].split(b"\n")
    assert table[0] == b"xref"
    size = int(table[1].split()[1])
    for number in range(1, size):
        offset = int(table[2 + number][:10])
        assert pdf[offset:].startswith(f"{number} 0 obj".encode()), f"object {number} not at {offset}"
    lengths = list(re.finditer(rb"/Length (\d+) >>\nstream\n", pdf))
    assert lengths
    for match in lengths:
        end = match.end() + int(match.group(1))
        assert pdf[end : end + len(b"endstream")] == b"endstream"


def letter_target_values(output: GeneratedOutput) -> None:
    assert output.content.startswith(b"%PDF-")
    for value in ("#1001", "Jane Doe", "rejected", r"Billing address \(unverified\) & card mismatch"):
        assert value.encode() in output.content, value


# -- design-time lookups ----------------------------------------------------------------------------


async def test_resolve_communication_walks_the_design_service(conn: Connected) -> None:
    domains = await conn.client.list_domains()
    assert DOMAIN in [d.id for d in domains]

    target = await conn.client.resolve_communication(LETTER)

    assert target.communication_id == ORDER_DECISION_LETTER_ID
    assert target.domain == DOMAIN and target.version == 1
    assert target.driver_data_source == ORDER_DECISION_DSN
    assert [(q.name, q.mime_type, q.use) for q in target.queues] == [
        ("PDF_Letter", "application/pdf", "ARCHIVE"),
        ("Email_HTML", "text/html", "EMAIL"),
    ]
    assert target.queue_for("text/html") is not None and target.queue_for("image/png") is None
    assert conn.contract.matched_items() == {
        "Client Credentials Grant - tenant json",
        "Get a list of domains from DAS",
        "Get a list of communications from DAS",
        "Get the communication set id using the communication id",
        "Get the driver name for a communication set from DAS",
    }


async def test_drafts_are_neither_listed_nor_resolved(ex: ExstreamStack) -> None:
    async with connect(ex, page_size=1) as paged:
        approved = await paged.client.list_communications()
        with pytest.raises(NotFoundError, match="Refund Notice"):
            await paged.client.resolve_communication("Refund Notice")
        notice = await paged.client.resolve_communication("Hold Notice")
    assert sorted(c.name for c in approved) == ["Hold Notice", LETTER]
    assert {c.state for c in approved} == {"APPROVED"}
    assert (notice.driver_data_source, [q.name for q in notice.queues]) == ("HoldNoticeDriver", ["PDF_Notice"])
    # One item per page: the client followed `offset` until `page.totalElements`, every time.
    offsets = [r.url.params["offset"] for r in paged.recorder.sent("GET", f"/resources/{DOMAIN}")]
    assert offsets == ["0", "1"] * 3


async def test_unknown_domain_is_not_found(ex: ExstreamStack) -> None:
    async with connect(ex, domain="no-such-domain") as conn:
        with pytest.raises(NotFoundError) as raised:
            await conn.client.list_communications()
    assert raised.value.status_code == 404 and "errorCode 404001" in raised.value.message


# -- on-demand generation ---------------------------------------------------------------------------


async def test_generate_returns_every_queue_and_sends_the_raw_driver(ex: ExstreamStack, conn: Connected) -> None:
    target = await conn.client.resolve_communication(LETTER)
    before = len(ex.simulator.outputs(TENANT.tenant_id))

    outputs = await conn.client.generate(target.communication_id, target.driver_data_source, DRIVER)

    assert [(o.queue_name, o.mime_type, o.customer_number) for o in outputs] == [
        ("PDF_Letter", "application/pdf", "1"),
        ("Email_HTML", "text/html", "1"),
    ]
    pdf, email = outputs
    letter_target_values(pdf)
    assert_valid_pdf(pdf.content)
    assert b"Jane Doe" in email.content and b"(unverified) &amp; card mismatch" in email.content
    assert "content" not in repr(pdf)  # documents stay out of logs and tracebacks

    (request,) = conn.recorder.sent("POST", GENERATE_API_PATH)
    assert json.loads(request.content) == DRIVER  # the driver itself, no wrapper object
    assert request.headers["communicationId"] == ORDER_DECISION_LETTER_ID
    assert request.headers["driverDataSource"] == ORDER_DECISION_DSN
    assert request.headers["Accept"] == "*/*"
    assert request.headers["Content-Type"] == "application/json"
    assert "Generate output using Orchestration - Full response" in conn.contract.matched_items()

    # The simulator recorded exactly these documents, readable back through its admin routes.
    async with httpx.AsyncClient(base_url=ex.base_url) as admin:
        listed = (await admin.get("/_admin/outputs", params={"tenant": TENANT.tenant_id})).json()[before:]
        assert [(o["queueName"], o["sha256"], o["source"]) for o in listed] == [
            (o.queue_name, o.sha256, "ondemand") for o in outputs
        ]
        stored = await admin.get(f"/_admin/outputs/{listed[0]['id']}")
    assert stored.headers["content-type"] == "application/pdf" and stored.content == pdf.content


async def test_generate_document_answers_raw_bytes_of_one_mime_type(conn: Connected) -> None:
    full = await conn.client.generate(ORDER_DECISION_LETTER_ID, ORDER_DECISION_DSN, DRIVER)

    pdf = await conn.client.generate_document(ORDER_DECISION_LETTER_ID, ORDER_DECISION_DSN, DRIVER, "application/pdf")

    assert pdf.mime_type == "application/pdf" and pdf.queue_name is None
    letter_target_values(pdf)
    assert pdf.content == full[0].content  # rendering is deterministic
    (_, raw_request) = conn.recorder.sent("POST", GENERATE_API_PATH)
    assert raw_request.headers["Accept"] == "application/pdf"
    assert "Generate output using Orchestration - PDF only" in conn.contract.matched_items()

    html = await conn.client.generate_document(ORDER_DECISION_LETTER_ID, ORDER_DECISION_DSN, DRIVER, "text/html")
    assert html.content.startswith(b"<!DOCTYPE html>")


async def test_mime_type_the_communication_does_not_produce_is_not_acceptable(conn: Connected) -> None:
    with pytest.raises(RejectedError) as raised:
        await conn.client.generate_document(ORDER_DECISION_LETTER_ID, ORDER_DECISION_DSN, DRIVER, "image/png")
    assert raised.value.status_code == 406 and not raised.value.retryable
    assert "errorCode 406001" in raised.value.message


async def test_wrong_driver_data_source_is_refused_with_the_error_shape(conn: Connected) -> None:
    sample = load_sample("exstream_error.response.json")
    with pytest.raises(RejectedError) as raised:
        await conn.client.generate(ORDER_DECISION_LETTER_ID, "Driver", DRIVER)
    error = raised.value
    assert type(error) is RejectedError and error.status_code == 400 and not error.retryable
    assert "Driver data source 'Driver'" in error.message and "errorCode 400013" in error.message
    assert isinstance(error.details, dict) and error.details.keys() == sample.keys()
    assert error.details["path"] == GENERATE_API_PATH and error.details["error"] == "Bad Request"


async def test_unknown_or_draft_communication_is_unresolved(conn: Connected) -> None:
    sample = load_sample("exstream_error.response.json")
    for communication_id in ("3f2a9c10-0000-4000-8000-000000000001", REFUND_NOTICE.id):
        with pytest.raises(RejectedError) as raised:
            await conn.client.generate(communication_id, "RefundDriver", {"orderName": "#1"})
        assert raised.value.message == f"{sample['message']} (errorCode {sample['errorCode']})"


async def test_driver_without_a_required_field_is_refused(conn: Connected) -> None:
    incomplete = {k: v for k, v in DRIVER.items() if k != "reason"}
    with pytest.raises(RejectedError, match=r"lacks required fields: reason \(errorCode 400014\)"):
        await conn.client.generate(ORDER_DECISION_LETTER_ID, ORDER_DECISION_DSN, incomplete)


async def test_simulator_refuses_malformed_requests_in_the_error_shape(ex: ExstreamStack) -> None:
    sample_keys = load_sample("exstream_error.response.json").keys()
    selectors = {"communicationId": ORDER_DECISION_LETTER_ID, "driverDataSource": ORDER_DECISION_DSN}
    as_json = {"Content-Type": "application/json"}
    driver = json.dumps(DRIVER).encode()
    cases: list[tuple[dict[str, str], bytes, int, int, str]] = [
        ({"driverDataSource": ORDER_DECISION_DSN, **as_json}, driver, 400, 400010, "'communicationId'"),
        ({"communicationId": ORDER_DECISION_LETTER_ID, **as_json}, driver, 400, 400010, "'driverDataSource'"),
        ({**selectors, **as_json}, b"{not json", 400, 400011, "JSON"),
        ({**selectors, **as_json}, b'["a", "list"]', 400, 400011, "JSON object"),
        ({**selectors, "Content-Type": "application/xml"}, b"<driver/>", 415, 415001, "xml"),
        ({**selectors, **as_json, "Accept": "image/png"}, driver, 406, 406001, "image/png"),
    ]
    headers = {**selectors, **as_json}
    async with raw_api(ex) as api:
        for sent_headers, body, status, code, text in cases:
            answer = await api.post(GENERATE_API_PATH, headers=sent_headers, content=body)
            error = answer.json()
            assert (answer.status_code, error["status"], error["errorCode"]) == (status, status, code), error
            assert error.keys() == sample_keys and text in error["message"]
            assert error["path"] == GENERATE_API_PATH and isinstance(error["timestamp"], int)
        unauthenticated = await api.post(
            GENERATE_API_PATH, headers={**headers, "Authorization": "Bearer nope"}, json=DRIVER
        )
    assert unauthenticated.status_code == 401 and unauthenticated.json()["errorCode"] == 401001
    assert unauthenticated.headers["WWW-Authenticate"].startswith("Bearer")


# -- batch ------------------------------------------------------------------------------------------


async def wait_for_job(client: ExstreamClient, job_id: str, within: float = 5.0) -> JobState:
    async with asyncio.timeout(within):
        while True:
            job = await client.get_batch_job(job_id)
            if job.finished:
                return job.state
            await asyncio.sleep(0.05)


async def test_batch_submit_poll_and_fetch(ex: ExstreamStack, conn: Connected) -> None:
    second = {**DRIVER, "orderName": "#1002", "customerName": "Ana Lima", "decision": "approved"}

    submission = await conn.client.submit_batch(BATCH_SERVICE, [DRIVER, second])

    early = await conn.client.get_batch_job(submission.job_id)
    assert early.state in (JobState.QUEUED, JobState.RUNNING) and early.outputs == []
    with pytest.raises(ConflictError) as not_yet:
        await conn.client.batch_outputs(submission.job_id)
    assert not_yet.value.status_code == 409 and "errorCode 409001" in not_yet.value.message

    assert await wait_for_job(conn.client, submission.job_id) is JobState.COMPLETED
    job = await conn.client.get_batch_job(submission.job_id)
    assert job.id == submission.id and job.completed is not None
    assert [(o.customer_number, o.queue_name) for o in job.outputs] == [
        ("1", "PDF_Letter"),
        ("1", "Email_HTML"),
        ("2", "PDF_Letter"),
        ("2", "Email_HTML"),
    ]

    outputs = await conn.client.batch_outputs(submission.job_id)
    pdfs = [o for o in outputs if o.mime_type == "application/pdf"]
    assert [(o.customer_number, b"Ana Lima" in o.content) for o in pdfs] == [("1", False), ("2", True)]
    letter_target_values(pdfs[0])
    assert_valid_pdf(pdfs[1].content)

    (submit,) = conn.recorder.sent("POST", f"/inputs/batch/{DOMAIN}/{BATCH_SERVICE}")
    assert json.loads(submit.content) == [DRIVER, second]
    assumed = {c.assumed for c in conn.contract.checked if c.assumed}
    assert assumed == {BATCH_SUBMIT_PATH, JOB_STATUS_PATH, JOB_OUTPUTS_PATH}
    async with httpx.AsyncClient(base_url=ex.base_url) as admin:
        logged = (await admin.get("/_admin/outputs", params={"jobId": submission.job_id})).json()
    assert [o["sha256"] for o in logged] == [o.sha256 for o in outputs]
    assert {o["source"] for o in logged} == {"batch"}


async def test_batch_with_an_incomplete_record_fails_as_a_whole(conn: Connected) -> None:
    submission = await conn.client.submit_batch(BATCH_SERVICE, [DRIVER, {"orderName": "#1003"}])

    assert await wait_for_job(conn.client, submission.job_id) is JobState.FAILED
    job = await conn.client.get_batch_job(submission.job_id)
    assert job.outputs == []
    assert [(e.customer_number, e.error_message) for e in job.errors] == [
        ("2", "missing customerName, decision, reason")
    ]
    with pytest.raises(ConflictError, match="FAILED"):
        await conn.client.batch_outputs(submission.job_id)


async def test_batch_unknown_service_and_foreign_jobs_are_not_found(ex: ExstreamStack, conn: Connected) -> None:
    with pytest.raises(NotFoundError, match="errorCode 404004"):
        await conn.client.submit_batch("no-such-service", DRIVER)
    submission = await conn.client.submit_batch(BATCH_SERVICE, DRIVER)  # one record, as an object
    async with connect(ex, SHORT_TENANT) as other:
        with pytest.raises(NotFoundError, match="errorCode 404003"):
            await other.client.get_batch_job(submission.job_id)  # another tenant's job does not exist
    assert await wait_for_job(conn.client, submission.job_id) is JobState.COMPLETED
    with pytest.raises(TypeError):
        await conn.client.submit_batch(BATCH_SERVICE, ["not", "records"])  # type: ignore[list-item]


# -- tokens -----------------------------------------------------------------------------------------


async def test_token_is_fetched_once_and_reused(ex: ExstreamStack, conn: Connected) -> None:
    issued_before = ex.simulator.tokens.issued[TENANT.tenant_id]
    # Concurrent first calls share one token fetch (the refresh lock); later calls reuse it.
    await asyncio.gather(*(conn.client.list_domains() for _ in range(5)))
    await conn.client.list_communications()

    assert conn.recorder.token_requests() == 1 and conn.client.token_fetches == 1
    assert ex.simulator.tokens.issued[TENANT.tenant_id] == issued_before + 1
    (token_request,) = conn.recorder.sent("POST", "/oauth2/token")
    assert token_request.url.path == f"/opentext/exstream/tenants/{TENANT.tenant_id}/oauth2/token"
    assert "Authorization" not in token_request.headers
    assert json.loads(token_request.content)["grant_type"] == "client_credentials"


async def test_short_lived_token_is_refreshed_before_it_expires(ex: ExstreamStack) -> None:
    async with connect(ex, SHORT_TENANT) as short:
        await short.client.list_domains()
        await short.client.list_domains()
        assert short.recorder.token_requests() == 1
        await asyncio.sleep(1.1)  # past half of the 2 s lifetime
        await short.client.list_domains()
        assert short.recorder.token_requests() == 2
        assert 401 not in short.recorder.api_statuses()


async def test_token_expired_by_the_server_is_refreshed_once(ex: ExstreamStack, conn: Connected) -> None:
    await conn.client.list_domains()
    async with httpx.AsyncClient(base_url=ex.base_url) as admin:
        expired = await admin.post(f"/_admin/tenants/{TENANT.tenant_id}/expire-tokens")
    assert expired.json()["expired"] >= 1

    outputs = await conn.client.generate(ORDER_DECISION_LETTER_ID, ORDER_DECISION_DSN, DRIVER)

    assert len(outputs) == 2
    assert conn.recorder.token_requests() == 2
    assert conn.recorder.api_statuses() == [200, 401, 200]


async def test_wrong_client_secret_is_an_authentication_error(ex: ExstreamStack) -> None:
    async with connect(ex, secret="not-the-secret") as bad:
        with pytest.raises(AuthenticationError) as raised:
            await bad.client.list_domains()
    assert raised.value.system == SYSTEM and raised.value.operation == "list_domains"
    assert raised.value.status_code == 401 and not raised.value.retryable
    assert "not-the-secret" not in str(raised.value)
    assert "token request refused" in raised.value.message


async def test_token_refused_twice_is_an_authentication_error() -> None:
    """The API refuses even a fresh token: refresh once, retry once, then give up."""
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        if request.url.path.endswith("/oauth2/token"):
            return httpx.Response(
                200, json={"access_token": f"t{len(seen)}", "token_type": "Bearer", "expires_in": 900}
            )
        return httpx.Response(
            401,
            json={"timestamp": 1, "status": 401, "error": "Unauthorized", "message": "Token revoked", "errorCode": 1},
        )

    client = ExstreamClient(
        "http://ex.test", "t", "c", SecretStr("s"), domain="d", transport=httpx.MockTransport(handler)
    )
    async with client:
        with pytest.raises(AuthenticationError, match="Token revoked"):
            await client.list_domains()
    assert seen == ["/tenants/t/oauth2/token", "/design/api/v1/domains"] * 2


async def test_identity_host_may_differ_from_the_communication_host() -> None:
    hosts: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        hosts.append(request.url.host)
        if request.url.path.endswith("/oauth2/token"):
            return httpx.Response(200, json={"access_token": "t", "token_type": "Bearer", "expires_in": 900})
        return httpx.Response(200, json={"status": "success", "data": [{"id": "d"}]})

    client = ExstreamClient(
        "https://communication.eu.example",
        "t",
        "c",
        SecretStr("s"),
        domain="d",
        auth_base_url="https://eu.api.example",
        transport=httpx.MockTransport(handler),
    )
    async with client:
        assert [d.id for d in await client.list_domains()] == ["d"]
    assert hosts == ["eu.api.example", "communication.eu.example"]


# -- faults -----------------------------------------------------------------------------------------


async def test_injected_503_is_transient(ex: ExstreamStack, conn: Connected) -> None:
    add_fault(ex, "POST /orchestration/api/v1/inputs/ondemand/{domain}/generate", FaultEffect.HTTP_503)
    with pytest.raises(TransientError) as raised:
        await conn.client.generate(ORDER_DECISION_LETTER_ID, ORDER_DECISION_DSN, DRIVER)
    assert type(raised.value) is TransientError and raised.value.retryable
    assert raised.value.status_code == 503 and "errorCode 503001" in raised.value.message
    assert len(await conn.client.generate(ORDER_DECISION_LETTER_ID, ORDER_DECISION_DSN, DRIVER)) == 2


async def test_injected_500_on_design_calls_is_transient(ex: ExstreamStack, conn: Connected) -> None:
    add_fault(ex, "GET /design/api/v1/*", FaultEffect.HTTP_500)
    with pytest.raises(TransientError) as raised:
        await conn.client.resolve_communication(LETTER)
    assert raised.value.status_code == 500 and raised.value.operation == "list_communications"


async def test_long_throttle_is_rate_limited_with_retry_after(ex: ExstreamStack, conn: Connected) -> None:
    add_fault(ex, "POST /orchestration/api/v1/inputs/batch/*", FaultEffect.THROTTLE, seconds=30)
    with pytest.raises(RateLimitedError) as raised:
        await conn.client.submit_batch(BATCH_SERVICE, DRIVER)
    assert raised.value.retryable and raised.value.retry_after == 30.0
    assert raised.value.status_code == 429 and "errorCode 429001" in raised.value.message
    assert ex.world.faults.rules == []  # spent: the client did not retry a long wait itself


async def test_short_throttle_is_waited_out_inside_the_client(ex: ExstreamStack, conn: Connected) -> None:
    add_fault(ex, "POST /orchestration/api/v1/inputs/ondemand/*", FaultEffect.THROTTLE, seconds=1)
    started = time.monotonic()

    outputs = await conn.client.generate(ORDER_DECISION_LETTER_ID, ORDER_DECISION_DSN, DRIVER)

    assert len(outputs) == 2 and time.monotonic() - started >= 1.0
    assert conn.recorder.api_statuses() == [429, 200]


async def test_throttle_beyond_local_retries_is_rate_limited(ex: ExstreamStack) -> None:
    add_fault(ex, "GET /design/api/v1/domains", FaultEffect.THROTTLE, seconds=1, times=3)
    async with connect(ex, max_local_retry_wait=1.0) as patient:
        with pytest.raises(RateLimitedError) as raised:
            await patient.client.list_domains()
        assert patient.recorder.api_statuses() == [429, 429, 429]
    assert raised.value.retry_after == 1.0


async def test_injected_user_error_is_rejected(ex: ExstreamStack, conn: Connected) -> None:
    add_fault(ex, "GET /design/api/v1/manifests/*", FaultEffect.USER_ERROR, message="Manifest is locked")
    with pytest.raises(RejectedError, match="Manifest is locked"):
        await conn.client.get_manifest("0c9b8a7d-6e5f-4a3b-8c2d-1e0f9a8b7c60")


async def test_latency_beyond_client_timeout_is_transient(ex: ExstreamStack) -> None:
    add_fault(ex, "GET /orchestration/api/v1/runtime/*", FaultEffect.LATENCY, seconds=1.0)
    async with connect(ex, timeout=0.3) as impatient:
        with pytest.raises(TransientError, match="timeout"):
            await impatient.client.get_batch_job("job-1")


async def test_token_endpoint_outage_is_transient_and_labelled_exstream(ex: ExstreamStack) -> None:
    add_fault(ex, "POST /tenants/{tenant}/oauth2/token", FaultEffect.HTTP_503)
    async with connect(ex) as fresh:
        with pytest.raises(TransientError) as raised:
            await fresh.client.list_domains()
        assert raised.value.system == SYSTEM and raised.value.operation == "list_domains"
        assert raised.value.status_code == 503
        assert await fresh.client.list_domains()  # the next attempt gets a token


async def test_unreachable_service_is_transient() -> None:
    async with ExstreamClient("http://127.0.0.1:9/x", "t", "c", SecretStr("s"), domain="d", timeout=1) as dead:
        with pytest.raises(TransientError, match="network error"):
            await dead.list_domains()


async def test_orchestration_error_envelope_is_rejected() -> None:
    """Orchestration may answer HTTP 200 with `"status": "error"` and per-output errors."""

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/oauth2/token"):
            return httpx.Response(200, json={"access_token": "t", "token_type": "Bearer", "expires_in": 900})
        entry = {"errorMessage": "Empower user unknown", "statusCode": "401", "engineOutputContext": {}}
        return httpx.Response(200, json={"status": "error", "data": [entry]})

    async with ExstreamClient(
        "http://ex.test", "t", "c", SecretStr("s"), domain="d", transport=httpx.MockTransport(handler)
    ) as client:
        with pytest.raises(RejectedError, match=r"Empower user unknown \(statusCode 401\)"):
            await client.generate("id", "Driver", {"a": 1})


# -- the simulator's documents ----------------------------------------------------------------------


def test_pdf_is_valid_across_pages_and_escapes_text() -> None:
    lines = [f"Line {n} (with parentheses) and a back\\slash" for n in range(120)]
    pdf = render_pdf("Title: Straße", lines)
    assert_valid_pdf(pdf)
    assert pdf.count(b"/Type /Page ") == 3 and b"/Count 3" in pdf
    assert b"(Line 119 \\(with parentheses\\) and a back\\\\slash) '" in pdf
    assert "Straße".encode("cp1252") in pdf
    assert render_pdf("Title: Straße", lines) == pdf


async def test_full_response_shape_matches_the_sample(ex: ExstreamStack) -> None:
    sample = load_sample("exstream_ondemand_generate.response.json")
    headers = {"communicationId": ORDER_DECISION_LETTER_ID, "driverDataSource": ORDER_DECISION_DSN}
    async with raw_api(ex) as api:
        body = (await api.post(GENERATE_API_PATH, headers=headers, json=DRIVER)).json()
    assert body.keys() == sample.keys() and body["status"] == sample["status"] == "success"
    for got, expected in zip(body["data"], sample["data"], strict=True):
        assert got.keys() == expected.keys()
        assert got["engineOutputContext"].keys() == expected["engineOutputContext"].keys()
        assert got["mimeType"] == expected["mimeType"]
    assert base64.b64decode(body["data"][0]["content"]).startswith(b"%PDF-")
