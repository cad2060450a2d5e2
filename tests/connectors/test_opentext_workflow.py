"""Contract tests: `OpenTextWorkflowClient` against the Workflow Service simulator, over real HTTP.

One uvicorn server runs the simulator (mounted at `/opentext`, as in the sandbox app) plus the
sandbox admin routes; a second one plays Casebridge's callback receiver and checks signatures.

Every request a client of these tests sends goes through `SpecCheckingTransport` with a
`PostmanContract` over OpenText's two Workflow Service collections (read with the leniency those
example-specific collections need, see `sandbox.postman_contract`); `connect()` asserts on exit that
all of them conformed. Calls no collection contains are listed, each with its reason, in
`NOT_IN_ANY_COLLECTION`: a call that is neither in a collection nor in that list fails the test. A
recording transport below the checker keeps what was sent so bodies can also be compared with
OpenText's samples.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import unquote_plus

import httpx
import pytest
import pytest_asyncio
import uvicorn
from fastapi import FastAPI, Request, Response
from pydantic import SecretStr

from connectors.errors import (
    AuthenticationError,
    ConflictError,
    ContractError,
    NotFoundError,
    RateLimitedError,
    RejectedError,
    TransientError,
)
from connectors.opentext import callback_signing as receiver_signing
from connectors.opentext.attachments import parse_attachment_list
from connectors.opentext.models import AttachmentReference, ProcessInstance, to_wire_variables
from connectors.opentext.workflow import OpenTextWorkflowClient
from sandbox.admin import build_admin_router
from sandbox.config import SandboxConfig, TenantConfig
from sandbox.faults import FaultEffect, FaultRule
from sandbox.opentext import callback_signing as sender_signing
from sandbox.opentext.callback_signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, compute_signature
from sandbox.opentext.workflow_api import WorkflowServiceSimulator
from sandbox.postman_contract import STRICT, CollectionLeniency, DocumentedExtras, PostmanContract
from sandbox.specs import specs_dir
from sandbox.world import SandboxWorld
from tests.support.spec_transport import SpecCheckingTransport

SPECS = specs_dir() / "opentext"
MODEL = "casebridge_order_review"
SYSTEM = "opentext-workflow"

TENANT = TenantConfig(
    tenant_id="acme-tenant",
    client_id="casebridge-client",
    client_secret=SecretStr("client-secret-1"),
    callback_secret=SecretStr("callback-secret-1"),
)
# Two-second tokens: the client must refresh after one second (half the lifetime).
SHORT_TENANT = TenantConfig(
    tenant_id="short-tenant",
    client_id="short-client",
    client_secret=SecretStr("client-secret-2"),
    callback_secret=SecretStr("callback-secret-2"),
    token_ttl_seconds=2,
)
CALLBACK_SECRETS = {t.tenant_id: t.callback_secret.get_secret_value() for t in (TENANT, SHORT_TENANT)}

# -- what every request is checked against ------------------------------------------------------------

TUTORIAL = SPECS / "ot2-cloud-developer-tutorial.postman_collection.json"
DEVX = SPECS / "ot2-workflow-devx-setup.postman_collection.json"
# The collections show one example per call; these are the parameters and body keys OpenText's other
# material documents beyond that example (reference `opentext-apis.md`, section 2.2).
DOCUMENTED = {
    "Get all tasks": DocumentedExtras(
        source="reference 2.2 'List tasks for an instance' [WF-QODEX get tasks, WF-DEMO Tasks.js]: filters, paging",
        query=frozenset(
            {"processInstanceId", "processInstanceBusinessKey", "candidateGroup", "assignee", "offset", "count"}
        ),
    ),
    "create-workflow-model-process-instance": DocumentedExtras(
        source="reference 2.2 'Start an instance' [WF-QODEX]; samples/workflow_start_process_instance.request.json",
        body_keys=frozenset({"businessKey"}),
        example_values=frozenset({"processDefinitionKey", "name"}),  # the contract-approval demo's own
    ),
}
# Calls the connector makes that no OpenText collection contains, with the reason each is made anyway:
# (method, host variable, path template, reason). The contract accepts exactly these (bearer auth
# still checked); anything else without a collection item is a violation.
NOT_IN_ANY_COLLECTION: list[tuple[str, str, str, str]] = [
    (
        "GET",
        "workflow_service_url",
        "/process-instances",
        "reference 2.2 'List instances' [WF-COMMUNITY]; the "
        "businessKey filter is an ASSUMPTION (contract.PROCESS_BUSINESS_KEY_PARAM)",
    ),
    ("GET", "workflow_service_url", "/process-instances/{id}", "reference 2.2 'Get one instance' [WF-QODEX]"),
    (
        "DELETE",
        "workflow_service_url",
        "/process-instances/{id}",
        "reference 2.2 'Cancel / delete an instance' [WF-COMMUNITY]; deleteReason is an ASSUMPTION",
    ),
    ("GET", "workflow_service_url", "/process-instances/{id}/comments", "reference 2.2 'Comments' [WF-COMMUNITY]"),
    ("POST", "workflow_service_url", "/process-instances/{id}/comments", "reference 2.2 'Comments' [WF-QODEX]"),
    ("GET", "workflow_service_url", "/tasks/{id}", "reference 2.2 'Task object' (GET /tasks/{id}) [WF-QODEX]"),
    (
        "POST",
        "workflow_service_url",
        "/tasks/{id}",
        "reference 2.2 claim/complete/delegate/resolve [WF-DEMO "
        "Tasks.js]; the complete body is compared with samples/workflow_task_action_complete.request.json",
    ),
    ("PUT", "workflow_service_url", "/tasks/{id}", "reference 2.2 'Update task data' [WF-QODEX update-a-task]"),
    (
        "POST",
        "workflow_service_url",
        "/tasks/{id}/attachments",
        "reference 2.2 'Attach documents' [WF-QODEX "
        "index]; the body is an ASSUMPTION (contract, 'Attachments by reference')",
    ),
    ("GET", "workflow_service_url", "/tasks/{id}/attachments", "reference 2.2 'Attach documents' [WF-QODEX index]"),
    (
        "GET",
        "workflow_service_url",
        "/tasks/{id}/attachments/{attachmentId}",
        "reference 2.2 'Attach documents' [WF-QODEX index]",
    ),
    (
        "DELETE",
        "workflow_service_url",
        "/tasks/{id}/attachments/{attachmentId}",
        "reference 2.2 'Attach documents' [WF-QODEX index] (cascade, cascadeContent)",
    ),
    (
        "POST",
        "workflow_service_url",
        "/process-instances/{id}/attachments",
        "ASSUMPTION only: reference 2.2 'Instance-level attachments' (Flowable convention, not seen)",
    ),
    (
        "GET",
        "workflow_service_url",
        "/process-instances/{id}/attachments",
        "ASSUMPTION only: reference 2.2 'Instance-level attachments'",
    ),
    (
        "DELETE",
        "workflow_service_url",
        "/process-instances/{id}/attachments/{attachmentId}",
        "ASSUMPTION only: reference 2.2 'Instance-level attachments'",
    ),
]
COLLECTION_ITEMS_USED = {
    "Get access token with client credentials",  # tutorial: the token call
    "create-workflow-model-process-instance",  # devx: start_process
    "Get all tasks",  # tutorial: list_tasks
}


def workflow_contract(base_url: str, tenant_id: str) -> PostmanContract:
    """`base_url` is the client's (`.../opentext`); the collections' host variables map onto it as
    OpenText's Postman environments define them."""
    return PostmanContract(
        [TUTORIAL, DEVX],
        hosts={
            "auth_service_url": f"{base_url}/tenants/{tenant_id}",
            "workflow_service_url": f"{base_url}/workflow/v1",
            "apigee_host": base_url,
        },
        assumed=[(method, host, template) for method, host, template, _ in NOT_IN_ANY_COLLECTION],
        leniency=CollectionLeniency.example_collections(DOCUMENTED),
    )


def checking(base_url: str, tenant_id: str, inner: httpx.AsyncBaseTransport) -> SpecCheckingTransport:
    return SpecCheckingTransport(contracts=[(base_url, workflow_contract(base_url, tenant_id))], inner=inner)


def assert_conformant(checker: SpecCheckingTransport) -> None:
    contract = checker.contracts[0][1]
    assert isinstance(contract, PostmanContract)
    assert checker.checked > 0
    assert checker.violations == []
    assert checker.unchecked == []
    assert [(c.method, c.path, c.problems) for c in contract.unmatched] == []


# -- infrastructure ---------------------------------------------------------------------------------


@dataclass
class ReceivedCallback:
    payload: dict[str, Any]
    headers: dict[str, str]
    body: bytes
    signature_valid: bool


@dataclass
class Receiver:
    """Casebridge's side of the callback: verify with the production verifier, record, answer 200
    (401 when the signature fails, which the deliverer treats as final)."""

    received: list[ReceivedCallback] = field(default_factory=list)

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/callbacks/opentext")
        async def callback(request: Request) -> Response:
            body = await request.body()
            payload = json.loads(body)
            valid = receiver_signing.verify_signature(  # the production verifier
                CALLBACK_SECRETS.get(payload.get("tenantId"), ""),
                body,
                request.headers.get(TIMESTAMP_HEADER),
                request.headers.get(SIGNATURE_HEADER),
            )
            self.received.append(ReceivedCallback(payload, dict(request.headers), body, valid))
            return Response(status_code=200 if valid else 401)

        return app

    async def wait_for(self, task_id: str, within: float = 5.0) -> ReceivedCallback:
        async with asyncio.timeout(within):
            while True:
                for callback in self.received:
                    if callback.payload.get("taskId") == task_id:
                        return callback
                await asyncio.sleep(0.02)


@dataclass
class OpenTextStack:
    world: SandboxWorld
    simulator: WorkflowServiceSimulator
    origin: str  # sandbox origin, e.g. http://127.0.0.1:PORT
    receiver: Receiver
    callback_url: str

    @property
    def base_url(self) -> str:
        return f"{self.origin}/opentext"


class RecordingTransport(httpx.AsyncBaseTransport):
    """Passes requests through and remembers them (with their answers' status codes)."""

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


@contextlib.asynccontextmanager
async def serve(app: FastAPI) -> AsyncIterator[str]:
    """Serve `app` on a free loopback port inside the test's event loop (self-contained on purpose:
    this module also runs with `--noconftest` while the rest of the suite is being built)."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()  # surface a start-up error
            raise RuntimeError("uvicorn stopped before it started")
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@pytest_asyncio.fixture(scope="module")
async def ot() -> AsyncIterator[OpenTextStack]:
    world = SandboxWorld(
        config=SandboxConfig(
            shops=[], tenants=[TENANT, SHORT_TENANT], delivery_max_attempts=3, delivery_retry_seconds=0.1
        )
    )
    simulator = WorkflowServiceSimulator(world)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await world.deliverer.start()
        yield
        await world.deliverer.stop()

    app = FastAPI(lifespan=lifespan)
    app.include_router(simulator.router, prefix="/opentext")
    app.include_router(build_admin_router(world))
    receiver = Receiver()

    async with serve(app) as origin, serve(receiver.app()) as receiver_origin:
        yield OpenTextStack(world, simulator, origin, receiver, f"{receiver_origin}/callbacks/opentext")


@pytest.fixture(autouse=True)
def _no_leftover_faults(ot: OpenTextStack) -> Iterator[None]:
    ot.world.faults.clear()
    yield
    ot.world.faults.clear()


@dataclass
class Connected:
    client: OpenTextWorkflowClient
    transport: RecordingTransport  # what was sent, with the answers' status codes
    checker: SpecCheckingTransport  # every request checked against the Postman collections

    @property
    def contract(self) -> PostmanContract:
        contract = self.checker.contracts[0][1]
        assert isinstance(contract, PostmanContract)
        return contract


@contextlib.asynccontextmanager
async def connect(
    ot: OpenTextStack, tenant: TenantConfig = TENANT, *, secret: str | None = None, **options: Any
) -> AsyncIterator[Connected]:
    """A client whose every request is checked against OpenText's collections; on a normal exit the
    test also asserts that all of them conformed."""
    transport = RecordingTransport()
    checker = checking(ot.base_url, tenant.tenant_id, transport)
    client = OpenTextWorkflowClient(
        ot.base_url,
        tenant.tenant_id,
        tenant.client_id,
        SecretStr(secret if secret is not None else tenant.client_secret.get_secret_value()),
        transport=checker,
        **options,
    )
    async with client:
        yield Connected(client, transport, checker)
    assert_conformant(checker)


@pytest_asyncio.fixture
async def conn(ot: OpenTextStack) -> AsyncIterator[Connected]:
    async with connect(ot) as connected:
        yield connected


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def case_variables(ot: OpenTextStack, team: str = "fraud-review") -> dict[str, object]:
    return {
        "team": team,
        "callbackUrl": ot.callback_url,
        "orderName": "#1001",
        "orderTotal": Decimal("129.90"),
        "reasons": ["high value", "new customer"],
        "placedAt": datetime(2024, 8, 18, 9, 14, tzinfo=UTC),
        "itemCount": 3,
        "rush": False,
    }


async def start_review(
    ot: OpenTextStack, client: OpenTextWorkflowClient, business_key: str | None = None, **kw: Any
) -> ProcessInstance:
    variables = {**case_variables(ot), **kw}
    return await client.start_process(MODEL, "Review order #1001", business_key or unique("case"), variables)


def load_sample(name: str) -> dict[str, Any]:
    path = SPECS / "samples" / name
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def postman_body(collection: str, item_name: str) -> dict[str, Any]:
    path = SPECS / collection

    def walk(items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for item in items:
            yield from walk(item.get("item", []))
            yield item

    for item in walk(json.loads(path.read_text())["item"]):
        if item.get("name") == item_name:
            body: dict[str, Any] = json.loads(item["request"]["body"]["raw"])
            return body
    raise AssertionError(f"{item_name!r} not in {collection}")


# -- tokens -----------------------------------------------------------------------------------------


async def test_token_is_fetched_once_and_reused(ot: OpenTextStack, conn: Connected) -> None:
    issued_before = ot.simulator.tokens.issued[TENANT.tenant_id]
    # Concurrent first calls share one token fetch (the refresh lock), later calls reuse it.
    await asyncio.gather(*(conn.client.find_processes(unique("nothing")) for _ in range(5)))
    await conn.client.list_tasks(business_key=unique("nothing"))

    assert conn.transport.token_requests() == 1
    assert conn.client.token_fetches == 1
    assert ot.simulator.tokens.issued[TENANT.tenant_id] == issued_before + 1
    api_calls = [r for r, _ in conn.transport.exchanges if "/workflow/v1/" in r.url.path]
    assert all(r.headers["Authorization"].startswith("Bearer ") for r in api_calls)


async def test_token_request_matches_postman_collection(ot: OpenTextStack, conn: Connected) -> None:
    await conn.client.find_processes(unique("nothing"))
    (request,) = conn.transport.sent("POST", "/oauth2/token")
    assert request.url.path == f"/opentext/tenants/{TENANT.tenant_id}/oauth2/token"
    assert request.headers["Content-Type"] == "application/json"
    body = json.loads(request.content)
    expected = postman_body(
        "ot2-cloud-developer-tutorial.postman_collection.json", "Get access token with client credentials"
    )
    assert body.keys() == expected.keys()
    assert body["grant_type"] == expected["grant_type"] == "client_credentials"


async def test_short_lived_token_is_refreshed_before_it_expires(ot: OpenTextStack) -> None:
    async with connect(ot, SHORT_TENANT) as short:
        await short.client.find_processes(unique("nothing"))
        await short.client.find_processes(unique("nothing"))
        assert short.transport.token_requests() == 1
        await asyncio.sleep(1.1)  # past half of the 2 s lifetime
        await short.client.find_processes(unique("nothing"))
        assert short.transport.token_requests() == 2
        assert all(status != 401 for _, status in short.transport.exchanges)


async def test_token_expired_by_the_server_is_refreshed_transparently(ot: OpenTextStack, conn: Connected) -> None:
    await conn.client.find_processes(unique("nothing"))
    ot.simulator.expire_tokens(TENANT.tenant_id)

    assert await conn.client.find_processes(unique("nothing")) == []

    assert conn.transport.token_requests() == 2
    statuses = [status for request, status in conn.transport.exchanges if "/workflow/v1/" in request.url.path]
    assert statuses == [200, 401, 200]


async def test_wrong_client_secret_is_an_authentication_error(ot: OpenTextStack) -> None:
    async with connect(ot, secret="not-the-secret") as bad:
        with pytest.raises(AuthenticationError) as raised:
            await bad.client.list_tasks(business_key="x")
    assert raised.value.system == SYSTEM
    assert raised.value.operation == "list_tasks"
    assert raised.value.status_code == 401
    assert not raised.value.retryable
    assert "not-the-secret" not in str(raised.value)


async def test_token_refused_twice_is_an_authentication_error() -> None:
    """The API refuses even a fresh token: refresh once, retry once, then give up."""
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        if request.url.path.endswith("/oauth2/token"):
            return httpx.Response(
                200, json={"access_token": f"t{len(seen)}", "token_type": "Bearer", "expires_in": 900}
            )
        fault = {"fault": {"faultstring": "Invalid access token", "detail": {"errorcode": "x"}}}
        return httpx.Response(401, json=fault)

    checker = checking("http://ot.test", "t", httpx.MockTransport(handler))
    client = OpenTextWorkflowClient("http://ot.test", "t", "c", SecretStr("s"), transport=checker)
    async with client:
        with pytest.raises(AuthenticationError, match="Invalid access token"):
            await client.get_task("task-1")
    assert seen == ["/tenants/t/oauth2/token", "/workflow/v1/tasks/task-1"] * 2
    assert_conformant(checker)


async def test_token_endpoint_outage_is_transient(ot: OpenTextStack) -> None:
    add_fault(ot, "POST /tenants/{tenant}/oauth2/token", FaultEffect.HTTP_503)
    async with connect(ot) as fresh:
        with pytest.raises(TransientError) as raised:
            await fresh.client.get_task("x")
        assert raised.value.operation == "get_task" and raised.value.status_code == 503
        with pytest.raises(NotFoundError):  # the next attempt gets a token and reaches the API
            await fresh.client.get_task("x")


async def test_unknown_tenant_is_an_authentication_error(ot: OpenTextStack) -> None:
    unknown = TENANT.model_copy(update={"tenant_id": "no-such-tenant"})
    async with connect(ot, unknown) as bad:
        with pytest.raises(AuthenticationError):
            await bad.client.get_task("x")


# -- the review round trip --------------------------------------------------------------------------


async def test_review_round_trip_with_signed_callback(ot: OpenTextStack, conn: Connected) -> None:
    client = conn.client
    business_key = unique("case")
    team = unique("fraud")

    instance = await start_review(ot, client, business_key, team=team)
    assert instance.business_key == business_key
    assert instance.process_definition_key == MODEL
    assert not instance.ended
    types = {v.name: v.type for v in instance.variables}
    assert types["orderTotal"] == "double" and types["reasons"] == "json" and types["placedAt"] == "date"
    assert types["itemCount"] == "long" and types["rush"] == "boolean" and types["team"] == "string"

    (task,) = await client.list_tasks(process_instance_id=instance.id)
    assert task.name == "Review order"
    assert task.candidate_groups == [team]
    assert task.variable("orderName") == "#1001"
    assert [t.id for t in await client.list_tasks(candidate_group=team)] == [task.id]
    assert [t.id for t in await client.list_tasks(business_key=business_key)] == [task.id]

    await client.claim_task(task.id, "jane.doe@example.com")
    assert (await client.get_task(task.id)).assignee == "jane.doe@example.com"

    await client.complete_task(task.id, "approved", {"approver": "jane.doe@example.com", "note": "fine"})

    callback = await ot.receiver.wait_for(task.id)
    assert callback.signature_valid
    timestamp = callback.headers[TIMESTAMP_HEADER.lower()]
    assert callback.headers[SIGNATURE_HEADER.lower()] == compute_signature(
        TENANT.callback_secret.get_secret_value(), timestamp, callback.body
    )
    assert callback.headers["content-type"] == "application/json"
    assert callback.payload == {
        "tenantId": TENANT.tenant_id,
        "processInstanceId": instance.id,
        "processDefinitionKey": MODEL,
        "businessKey": business_key,
        "taskId": task.id,
        "taskName": "Review order",
        "outcome": "approved",
        "outcomeVariable": "reviewOutcome",
        "completedBy": "jane.doe@example.com",
        "completedAt": callback.payload["completedAt"],
        "variables": {"approver": "jane.doe@example.com", "note": "fine"},
    }
    datetime.fromisoformat(callback.payload["completedAt"])

    ended = await client.get_process(instance.id)
    assert ended.ended and ended.completed
    assert ended.variable("reviewOutcome") == "approved"
    assert ended.variable("approver") == "jane.doe@example.com"
    assert await client.list_tasks(process_instance_id=instance.id) == []
    with pytest.raises(NotFoundError):
        await client.get_task(task.id)
    with pytest.raises(NotFoundError):
        await client.complete_task(task.id, "approved")


async def test_outcome_label_is_refused(ot: OpenTextStack, conn: Connected) -> None:
    instance = await start_review(ot, conn.client)
    (task,) = await conn.client.list_tasks(process_instance_id=instance.id)

    with pytest.raises(RejectedError) as raised:
        await conn.client.complete_task(task.id, "Approve")
    assert type(raised.value) is RejectedError
    assert raised.value.status_code == 400
    assert "Approve" in raised.value.message
    assert len(await conn.client.list_tasks(process_instance_id=instance.id)) == 1


async def test_unknown_definition_is_rejected(ot: OpenTextStack, conn: Connected) -> None:
    with pytest.raises(RejectedError) as raised:
        await conn.client.start_process("no_such_model", "x", unique("case"), case_variables(ot))
    assert raised.value.status_code == 400
    assert "no_such_model" in raised.value.message


async def test_start_without_callback_url_is_rejected(ot: OpenTextStack, conn: Connected) -> None:
    variables = case_variables(ot)
    del variables["callbackUrl"]
    with pytest.raises(RejectedError, match="callbackUrl"):
        await conn.client.start_process(MODEL, "x", unique("case"), variables)


async def test_claim_by_someone_else_is_a_conflict(ot: OpenTextStack, conn: Connected) -> None:
    instance = await start_review(ot, conn.client)
    (task,) = await conn.client.list_tasks(process_instance_id=instance.id)
    await conn.client.claim_task(task.id, "first@example.com")
    await conn.client.claim_task(task.id, "first@example.com")  # the same user again is fine
    with pytest.raises(ConflictError):
        await conn.client.claim_task(task.id, "second@example.com")


async def test_delegate_then_resolve(ot: OpenTextStack, conn: Connected) -> None:
    instance = await start_review(ot, conn.client)
    (task,) = await conn.client.list_tasks(process_instance_id=instance.id)
    with pytest.raises(RejectedError):
        await conn.client.resolve_task(task.id)  # only a delegated task can be resolved
    await conn.client.claim_task(task.id, "owner@example.com")
    await conn.client.delegate_task(task.id, "credit-desk@example.com")
    delegated = await conn.client.get_task(task.id)
    assert delegated.assignee == "credit-desk@example.com"
    assert delegated.delegation_state == "pending"
    await conn.client.resolve_task(task.id)
    resolved = await conn.client.get_task(task.id)
    assert resolved.delegation_state == "resolved"
    assert resolved.assignee == "owner@example.com"


async def test_delete_withdraws_open_tasks(ot: OpenTextStack, conn: Connected) -> None:
    instance = await start_review(ot, conn.client)
    assert len(await conn.client.list_tasks(process_instance_id=instance.id)) == 1

    await conn.client.delete_process(instance.id, "order cancelled in Shopify")

    assert await conn.client.list_tasks(process_instance_id=instance.id) == []
    withdrawn = await conn.client.get_process(instance.id)
    assert withdrawn.ended and not withdrawn.completed
    assert withdrawn.delete_reason == "order cancelled in Shopify"
    (request,) = conn.transport.sent("DELETE", f"/process-instances/{instance.id}")
    assert request.url.params["deleteReason"] == "order cancelled in Shopify"
    with pytest.raises(ConflictError):
        await conn.client.delete_process(instance.id, "again")
    with pytest.raises(NotFoundError):
        await conn.client.get_process(str(uuid.uuid4()))


async def test_find_processes_by_business_key(ot: OpenTextStack, conn: Connected) -> None:
    key, other = unique("case"), unique("case")
    first = await start_review(ot, conn.client, key)
    second = await start_review(ot, conn.client, key)
    await start_review(ot, conn.client, other)

    found = await conn.client.find_processes(key)
    assert [p.id for p in found] == [first.id, second.id]
    assert [p.id for p in await conn.client.find_processes(key, MODEL)] == [first.id, second.id]
    assert await conn.client.find_processes(key, "other_model") == []
    assert await conn.client.find_processes(unique("case")) == []


async def test_lists_follow_pages(ot: OpenTextStack) -> None:
    team = unique("paging")
    async with connect(ot, page_size=2) as paged:
        started = [await start_review(ot, paged.client, team=team) for _ in range(5)]
        tasks = await paged.client.list_tasks(candidate_group=team)
        assert sorted(t.process_instance_id or "" for t in tasks) == sorted(p.id for p in started)
        pages = paged.transport.sent("GET", "/workflow/v1/tasks")
        assert [(r.url.params["offset"], r.url.params["count"]) for r in pages] == [("0", "2"), ("2", "2"), ("4", "2")]


async def test_update_task_escalates(ot: OpenTextStack, conn: Connected) -> None:
    instance = await start_review(ot, conn.client, team=unique("tier1"))
    (task,) = await conn.client.list_tasks(process_instance_id=instance.id)
    leads = unique("leads")
    due = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=4)

    updated = await conn.client.update_task(task.id, candidate_group=leads, priority=80, due_date=due)

    assert updated.candidate_groups == [leads] and updated.priority == 80 and updated.due_date == due
    fetched = await conn.client.get_task(task.id)
    assert fetched.candidate_groups == [leads] and fetched.priority == 80 and fetched.due_date == due
    assert [t.id for t in await conn.client.list_tasks(candidate_group=leads)] == [task.id]
    (request,) = conn.transport.sent("PUT", f"/tasks/{task.id}")
    assert json.loads(request.content)["assignments"] == [{"type": "candidate", "group": leads}]


async def test_comments(ot: OpenTextStack, conn: Connected) -> None:
    instance = await start_review(ot, conn.client)
    comment = await conn.client.add_comment(instance.id, "Customer called about the order")
    assert comment.message == "Customer called about the order"
    assert comment.process_instance_id == instance.id
    assert comment.author == TENANT.client_id
    listed = await conn.client.list_comments(instance.id)
    assert [c.id for c in listed] == [comment.id]


# -- faults -----------------------------------------------------------------------------------------


def add_fault(ot: OpenTextStack, operation: str, effect: FaultEffect, **extra: Any) -> None:
    ot.world.faults.add(FaultRule(system=SYSTEM, operation=operation, effect=effect, **extra))


async def test_injected_503_is_transient(ot: OpenTextStack, conn: Connected) -> None:
    add_fault(ot, "GET /workflow/v1/tasks", FaultEffect.HTTP_503)
    with pytest.raises(TransientError) as raised:
        await conn.client.list_tasks(business_key="x")
    assert type(raised.value) is TransientError
    assert raised.value.retryable and raised.value.status_code == 503
    assert await conn.client.list_tasks(business_key="x") == []  # the rule fired once


async def test_injected_429_is_rate_limited_with_retry_after(ot: OpenTextStack, conn: Connected) -> None:
    add_fault(ot, "POST /workflow/v1/process-instances", FaultEffect.THROTTLE)
    with pytest.raises(RateLimitedError) as raised:
        await start_review(ot, conn.client)
    assert raised.value.retryable
    assert raised.value.retry_after == 1.0
    assert "quota" in raised.value.message.lower()


async def test_injected_user_error_is_rejected(ot: OpenTextStack, conn: Connected) -> None:
    add_fault(ot, "POST /workflow/v1/tasks/{id}", FaultEffect.USER_ERROR, message="Task is locked")
    instance = await start_review(ot, conn.client)
    (task,) = await conn.client.list_tasks(process_instance_id=instance.id)
    with pytest.raises(RejectedError, match="Task is locked"):
        await conn.client.claim_task(task.id, "a@example.com")


async def test_latency_beyond_client_timeout_is_transient(ot: OpenTextStack) -> None:
    add_fault(ot, "GET /workflow/v1/process-instances/{id}", FaultEffect.LATENCY, seconds=1.0)
    async with connect(ot, timeout=0.3) as impatient:
        with pytest.raises(TransientError, match="timeout"):
            await impatient.client.get_process(str(uuid.uuid4()))


async def test_unreachable_service_is_transient(ot: OpenTextStack) -> None:
    base = "http://127.0.0.1:9/opentext"
    checker = checking(base, "t", httpx.AsyncHTTPTransport())
    async with OpenTextWorkflowClient(base, "t", "c", SecretStr("s"), timeout=1, transport=checker) as dead:
        with pytest.raises(TransientError, match="network error"):
            await dead.get_task("x")
    assert_conformant(checker)  # the token request was checked before it failed to connect


async def test_dropped_callback_is_visible_in_deliveries(ot: OpenTextStack, conn: Connected) -> None:
    ot.world.faults.add(FaultRule(system=SYSTEM, operation="task-outcome", effect=FaultEffect.DROP_DELIVERY))
    instance = await start_review(ot, conn.client)
    (task,) = await conn.client.list_tasks(process_instance_id=instance.id)
    await conn.client.complete_task(task.id, "rejected")

    async with httpx.AsyncClient() as admin:
        response = await admin.get(
            f"{ot.origin}/_sandbox/deliveries", params={"system": SYSTEM, "label": "task-outcome"}
        )
    ours = [d for d in response.json() if json.loads(d["body"])["taskId"] == task.id]
    assert len(ours) == 1 and ours[0]["dropped"] and not ours[0]["delivered"]
    assert ours[0]["url"] == ot.callback_url
    await asyncio.sleep(0.2)
    assert all(c.payload["taskId"] != task.id for c in ot.receiver.received)
    # The outcome is still readable: a receiver that missed the callback can poll for it.
    assert (await conn.client.get_process(instance.id)).variable("reviewOutcome") == "rejected"


# -- request shapes against OpenText's samples -----------------------------------------------------


async def test_start_and_complete_bodies_match_samples(ot: OpenTextStack, conn: Connected) -> None:
    start_sample = load_sample("workflow_start_process_instance.request.json")
    complete_sample = load_sample("workflow_task_action_complete.request.json")
    devx_start = postman_body(
        "ot2-workflow-devx-setup.postman_collection.json", "create-workflow-model-process-instance"
    )

    instance = await start_review(ot, conn.client)
    (task,) = await conn.client.list_tasks(process_instance_id=instance.id)
    await conn.client.complete_task(task.id, "approved", {"approver": "jane.doe@example.com"})

    (start_request,) = conn.transport.sent("POST", "/workflow/v1/process-instances")
    start_body = json.loads(start_request.content)
    assert start_body.keys() == start_sample.keys()
    assert devx_start.keys() <= start_body.keys()
    assert start_body["outcome"] == start_sample["outcome"]
    sample_variable_keys = {key for v in start_sample["variables"] for key in v}
    assert all(v.keys() <= sample_variable_keys for v in start_body["variables"])
    assert all(isinstance(start_body[k], type(start_sample[k])) for k in start_sample)

    (complete_request,) = conn.transport.sent("POST", f"/workflow/v1/tasks/{task.id}")
    complete_body = json.loads(complete_request.content)
    assert complete_body.keys() == complete_sample.keys()
    assert complete_body["action"] == complete_sample["action"] == "complete"
    assert [v.keys() for v in complete_body["variables"]] == [complete_sample["variables"][0].keys()]


async def test_responses_parse_like_the_samples(ot: OpenTextStack, conn: Connected) -> None:
    instance_sample = load_sample("workflow_process_instance.response.json")
    tasks_sample = load_sample("workflow_tasks_page.response.json")
    instance = await start_review(ot, conn.client)
    async with httpx.AsyncClient(base_url=ot.base_url) as raw:  # the answers exactly as the service sends them
        credentials = {
            "client_id": TENANT.client_id,
            "client_secret": TENANT.client_secret.get_secret_value(),
            "grant_type": "client_credentials",
        }
        token = (await raw.post(f"/tenants/{TENANT.tenant_id}/oauth2/token", data=credentials)).json()
        raw.headers["Authorization"] = f"Bearer {token['access_token']}"
        raw.base_url = httpx.URL(f"{ot.base_url}/workflow/v1/")
        got_instance = (await raw.get(f"process-instances/{instance.id}?includeProcessVariables=true")).json()
        got_tasks = (await raw.get(f"tasks?processInstanceId={instance.id}&includeProcessVariables=true")).json()
    assert instance_sample.keys() <= got_instance.keys()
    assert tasks_sample.keys() == got_tasks.keys()
    assert tasks_sample["page"].keys() == got_tasks["page"].keys()
    assert tasks_sample["_embedded"]["tasks"][0].keys() <= got_tasks["_embedded"]["tasks"][0].keys()


def test_variables_are_sent_as_a_typed_array() -> None:
    wire = to_wire_variables(
        {
            "s": "x",
            "b": True,
            "i": 7,
            "f": 1.5,
            "d": Decimal("10.25"),
            "j": {"a": [1, Decimal("2.5")]},
            "t": datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC),
            "n": None,
        }
    )
    assert [(v["name"], v["type"], v["value"]) for v in wire] == [
        ("s", "string", "x"),
        ("b", "boolean", True),
        ("i", "long", 7),
        ("f", "double", 1.5),
        ("d", "double", 10.25),
        ("j", "json", {"a": [1, "2.5"]}),
        ("t", "date", "2024-01-02T03:04:05Z"),
        ("n", "json", None),
    ]
    with pytest.raises(TypeError):
        to_wire_variables({"x": object()})


# -- simulator surface used by the demo and other tests ---------------------------------------------


async def test_inbox_decision_takes_the_api_path(ot: OpenTextStack, conn: Connected) -> None:
    instance = await start_review(ot, conn.client, orderName="#2002 <b>bold</b>")
    (task,) = await conn.client.list_tasks(process_instance_id=instance.id)

    async with httpx.AsyncClient(base_url=ot.base_url) as browser:
        page = await browser.get("/inbox")
        assert page.status_code == 200 and "text/html" in page.headers["content-type"]
        assert "#2002 &lt;b&gt;bold&lt;/b&gt;" in page.text and "<b>bold</b>" not in page.text
        answer = await browser.post(
            f"/inbox/tasks/{task.id}",
            data={
                "outcome": "rejected",
                "reviewer": "sam@example.com",
                "comment": "Address mismatch",
                "item_sku": " MUG-LARGE ",
            },
        )
        assert answer.status_code == 303 and "/opentext/inbox" in answer.headers["location"]
        again = await browser.post(f"/inbox/tasks/{task.id}", data={"outcome": "approved"})
        assert again.status_code == 303 and "error=" in again.headers["location"]

    callback = await ot.receiver.wait_for(task.id)
    assert callback.signature_valid
    assert callback.payload["outcome"] == "rejected" and callback.payload["completedBy"] == "sam@example.com"
    assert callback.payload["variables"] == {
        "reviewer": "sam@example.com",
        "comment": "Address mismatch",
        "itemSku": "MUG-LARGE",  # the substitute or exchange item a reviewer may name
    }
    ended = await conn.client.get_process(instance.id)
    assert ended.completed and ended.variable("reviewOutcome") == "rejected"
    assert [c.message for c in await conn.client.list_comments(instance.id)] == ["Address mismatch"]


async def test_a_task_forms_date_field_takes_only_a_date_from_today_on(ot: OpenTextStack, conn: Connected) -> None:
    """The fulfillment exception's form has the date field `deliveryDate` (ASSUMPTION of the simulator:
    the form refuses a non-date or a past date); through the API and the inbox alike."""
    variables = {**case_variables(ot, "warehouse"), "exceptionType": "carrier_delay", "summary": "late"}
    instance = await conn.client.start_process("casebridge_fulfillment_exception", "Resolve", unique("case"), variables)
    (task,) = await conn.client.list_tasks(process_instance_id=instance.id)
    today = datetime.now(UTC).date()
    for wrong, why in (((today - timedelta(days=1)).isoformat(), "is in the past"), ("12/01/2030", "YYYY-MM-DD")):
        with pytest.raises(RejectedError, match=why):
            await conn.client.complete_task(task.id, "new-delivery-date", {"deliveryDate": wrong})

    async with httpx.AsyncClient(base_url=ot.base_url) as browser:
        page = await browser.get("/inbox")
        assert '<input type="date" name="deliveryDate"' in page.text
        refused = await browser.post(
            f"/inbox/tasks/{task.id}", data={"outcome": "new-delivery-date", "deliveryDate": "2001-01-01"}
        )
        assert "error=" in refused.headers["location"] and "past" in unquote_plus(refused.headers["location"])
        new_date = (today + timedelta(days=3)).isoformat()
        answer = await browser.post(
            f"/inbox/tasks/{task.id}",
            data={"outcome": "new-delivery-date", "reviewer": "wanda@example.com", "deliveryDate": new_date},
        )
        assert answer.status_code == 303 and "error=" not in answer.headers["location"]

    callback = await ot.receiver.wait_for(task.id)
    assert callback.payload["variables"] == {"reviewer": "wanda@example.com", "deliveryDate": new_date}


async def test_python_surface_completes_like_the_api(ot: OpenTextStack, conn: Connected) -> None:
    instance = await start_review(ot, conn.client)
    tasks = [t for t in ot.simulator.tasks(TENANT.tenant_id) if t.process_instance_id == instance.id]
    assert len(tasks) == 1

    ot.simulator.complete_task(TENANT.tenant_id, tasks[0].id, "approved", "pat@example.com", {"score": 9})

    callback = await ot.receiver.wait_for(tasks[0].id)
    assert callback.signature_valid and callback.payload["variables"] == {"score": 9}
    (record,) = [i for i in ot.simulator.instances(TENANT.tenant_id) if i.id == instance.id]
    assert record.completed and record.variables["reviewOutcome"].value == "approved"


def test_sender_and_receiver_agree_on_the_signature_format() -> None:
    secret, body, now = "callback-secret", b'{"taskId":"t-1","outcome":"approved"}', 1_700_000_000
    from_sandbox = sender_signing.signed_headers(secret, body, timestamp=now)
    from_connector = receiver_signing.signed_headers(secret, body, timestamp=now)
    assert from_sandbox == from_connector

    def accepted(headers: dict[str, str], payload: bytes = body, key: str = secret, at: float = now + 5) -> bool:
        ts, sig = headers[TIMESTAMP_HEADER], headers[SIGNATURE_HEADER]
        return receiver_signing.verify_signature(key, payload, ts, sig, now=at)

    assert accepted(from_sandbox)
    assert sender_signing.verify_signature(secret, body, str(now), from_connector[SIGNATURE_HEADER], now=now)
    assert not accepted(from_sandbox, payload=body + b" ")
    assert not accepted(from_sandbox, key="other-secret")
    assert not accepted(from_sandbox, at=now + 301)  # replayed too late
    rotated = {**from_sandbox, SIGNATURE_HEADER: f"v1=deadbeef, {from_sandbox[SIGNATURE_HEADER]}"}
    assert accepted(rotated)
    assert not accepted({**from_sandbox, SIGNATURE_HEADER: from_sandbox[SIGNATURE_HEADER].replace("v1=", "v2=")})


# -- attachments by reference -----------------------------------------------------------------------

CONTRACT_PDF = AttachmentReference(
    name="order-1001-invoice.pdf",
    url="https://cs.example.com/otcs/cs.exe/app/nodes/48213",
    media_type="application/pdf",
    description="Invoice generated by Exstream, filed in the order's business workspace",
)


async def open_task(ot: OpenTextStack, conn: Connected) -> tuple[ProcessInstance, str]:
    instance = await start_review(ot, conn.client)
    (task,) = await conn.client.list_tasks(process_instance_id=instance.id)
    return instance, task.id


async def test_task_attachment_by_reference_round_trip(ot: OpenTextStack, conn: Connected) -> None:
    instance, task_id = await open_task(ot, conn)

    added = await conn.client.add_task_attachment(task_id, CONTRACT_PDF)

    assert added.name == CONTRACT_PDF.name and added.external_url == str(CONTRACT_PDF.url)
    assert added.type == "application/pdf" and added.content_url is None
    assert added.task_id == task_id and added.process_instance_id == instance.id
    assert added.user_id == TENANT.client_id
    (post,) = conn.transport.sent("POST", f"/tasks/{task_id}/attachments")
    assert json.loads(post.content) == {
        "name": CONTRACT_PDF.name,
        "externalUrl": "https://cs.example.com/otcs/cs.exe/app/nodes/48213",
        "type": "application/pdf",
        "description": CONTRACT_PDF.description,
    }
    assert [a.id for a in await conn.client.list_task_attachments(task_id)] == [added.id]
    fetched = await conn.client.get_task_attachment(task_id, added.id)
    assert fetched.external_url == added.external_url and fetched.url and fetched.url.endswith(added.id)
    # The instance's list includes its tasks' attachments; the simulator stored only the link.
    assert [a.id for a in await conn.client.list_process_attachments(instance.id)] == [added.id]
    (stored,) = ot.simulator.attachments(TENANT.tenant_id, instance.id)
    assert stored.external_url == added.external_url

    await conn.client.remove_task_attachment(task_id, added.id)

    assert await conn.client.list_task_attachments(task_id) == []
    (delete,) = conn.transport.sent("DELETE", f"/tasks/{task_id}/attachments/{added.id}")
    assert dict(delete.url.params) == {"cascade": "false", "cascadeContent": "false"}  # the document stays
    with pytest.raises(NotFoundError):
        await conn.client.remove_task_attachment(task_id, added.id)
    with pytest.raises(NotFoundError):
        await conn.client.get_task_attachment(task_id, added.id)


async def test_adding_the_same_reference_again_finds_the_first(ot: OpenTextStack, conn: Connected) -> None:
    instance, task_id = await open_task(ot, conn)

    first = await conn.client.add_task_attachment(task_id, CONTRACT_PDF)
    again = await conn.client.add_task_attachment(task_id, CONTRACT_PDF)

    assert again.id == first.id
    assert len(ot.simulator.attachments(TENANT.tenant_id, instance.id)) == 1
    assert len(conn.transport.sent("POST", f"/tasks/{task_id}/attachments")) == 1
    other_document = CONTRACT_PDF.model_copy(update={"url": "https://cs.example.com/otcs/cs.exe/app/nodes/1"})
    with pytest.raises(ConflictError, match="another document") as raised:
        await conn.client.add_task_attachment(task_id, other_document)
    assert not raised.value.retryable
    assert len(ot.simulator.attachments(TENANT.tenant_id, instance.id)) == 1


class AnswerLosingTransport(httpx.AsyncBaseTransport):
    """The network loses the first answer to one kind of request: the service really handled it, the
    client sees a read timeout (a fault on the wire, not a stand-in for the simulator)."""

    def __init__(self, inner: httpx.AsyncBaseTransport, method: str, path_suffix: str) -> None:
        self._inner, self._method, self._suffix = inner, method, path_suffix
        self.lost = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._inner.handle_async_request(request)
        if not self.lost and request.method == self._method and request.url.path.endswith(self._suffix):
            await response.aread()
            self.lost += 1
            raise httpx.ReadTimeout("answer lost on the way back", request=request)
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()


async def test_retry_after_a_lost_answer_adds_no_second_attachment(ot: OpenTextStack, conn: Connected) -> None:
    instance, task_id = await open_task(ot, conn)
    recorder = RecordingTransport()
    losing = AnswerLosingTransport(recorder, "POST", f"/tasks/{task_id}/attachments")
    checker = checking(ot.base_url, TENANT.tenant_id, losing)
    secret = TENANT.client_secret
    async with OpenTextWorkflowClient(ot.base_url, TENANT.tenant_id, TENANT.client_id, secret, transport=checker) as c:
        with pytest.raises(TransientError, match="timeout") as lost:
            await c.add_task_attachment(task_id, CONTRACT_PDF)
        assert lost.value.retryable  # so Temporal retries the activity...
        (created,) = ot.simulator.attachments(TENANT.tenant_id, instance.id)  # ...although it was done

        retried = await c.add_task_attachment(task_id, CONTRACT_PDF)  # the retry

    assert losing.lost == 1 and retried.id == created.id
    assert len(ot.simulator.attachments(TENANT.tenant_id, instance.id)) == 1
    assert len(recorder.sent("POST", f"/tasks/{task_id}/attachments")) == 1  # the retry only looked
    assert_conformant(checker)


async def test_process_attachments(ot: OpenTextStack, conn: Connected) -> None:
    instance, task_id = await open_task(ot, conn)
    letter = AttachmentReference(
        name="exstream-letter",
        url="https://communication.example.com/orchestration/api/v1/outputs/job-7/letter.pdf",
    )
    on_task = await conn.client.add_task_attachment(task_id, CONTRACT_PDF)
    on_process = await conn.client.add_process_attachment(instance.id, letter)
    assert await conn.client.add_process_attachment(instance.id, letter) == on_process

    assert on_process.task_id is None and on_process.process_instance_id == instance.id
    assert on_process.type is None and on_process.description is None
    (post,) = conn.transport.sent("POST", f"/process-instances/{instance.id}/attachments")
    assert json.loads(post.content) == {"name": "exstream-letter", "externalUrl": str(letter.url)}
    listed = await conn.client.list_process_attachments(instance.id)
    assert [a.id for a in listed] == [on_task.id, on_process.id]
    assert [a.id for a in await conn.client.list_task_attachments(task_id)] == [on_task.id]

    await conn.client.remove_process_attachment(instance.id, on_process.id)
    assert [a.id for a in await conn.client.list_process_attachments(instance.id)] == [on_task.id]

    await conn.client.delete_process(instance.id, "withdrawn")
    with pytest.raises(ConflictError, match="already ended"):
        await conn.client.add_process_attachment(instance.id, letter)
    assert [a.id for a in await conn.client.list_process_attachments(instance.id)] == [on_task.id]


async def test_attachment_errors_map_like_the_rest(ot: OpenTextStack, conn: Connected) -> None:
    with pytest.raises(NotFoundError) as missing_task:
        await conn.client.add_task_attachment(str(uuid.uuid4()), CONTRACT_PDF)
    assert missing_task.value.operation == "add_task_attachment" and missing_task.value.status_code == 404
    with pytest.raises(NotFoundError):
        await conn.client.list_process_attachments(str(uuid.uuid4()))

    _, task_id = await open_task(ot, conn)
    add_fault(ot, "GET /workflow/v1/tasks/{id}/attachments", FaultEffect.HTTP_503)
    with pytest.raises(TransientError) as outage:
        await conn.client.add_task_attachment(task_id, CONTRACT_PDF)
    assert outage.value.retryable and outage.value.operation == "add_task_attachment"
    add_fault(ot, "POST /workflow/v1/tasks/{id}/attachments", FaultEffect.THROTTLE)
    with pytest.raises(RateLimitedError):
        await conn.client.add_task_attachment(task_id, CONTRACT_PDF)
    assert await conn.client.list_task_attachments(task_id) == []  # neither attempt added anything

    with pytest.raises(ValueError, match="http"):
        AttachmentReference(name="x", url="file:///etc/passwd")


async def test_simulator_refuses_malformed_attachments(ot: OpenTextStack, conn: Connected) -> None:
    instance, task_id = await open_task(ot, conn)
    path = f"/workflow/v1/tasks/{task_id}/attachments"
    async with httpx.AsyncClient(base_url=ot.base_url) as raw:
        assert (await raw.get(path)).status_code == 401  # the tenant's bearer token is required
        credentials = {
            "client_id": TENANT.client_id,
            "client_secret": TENANT.client_secret.get_secret_value(),
            "grant_type": "client_credentials",
        }
        token = (await raw.post(f"/tenants/{TENANT.tenant_id}/oauth2/token", json=credentials)).json()
        raw.headers["Authorization"] = f"Bearer {token['access_token']}"
        refused = [
            {"name": "x"},  # by reference only: the URL is required
            {"name": "x", "externalUrl": "ftp://files.example.com/x.pdf"},
            {"name": "", "externalUrl": "https://example.com/x.pdf"},
            {"name": "x", "externalUrl": "https://example.com/x.pdf", "content": "QUJD"},  # no inline bytes
        ]
        for body in refused:
            answer = await raw.post(path, json=body)
            assert answer.status_code == 400, body
            assert answer.json()["exception"].startswith("Invalid attachment")
        wrong_flag = await raw.delete(f"{path}/{uuid.uuid4()}", params={"cascade": "perhaps"})
        assert wrong_flag.status_code == 400
    assert ot.simulator.attachments(TENANT.tenant_id, instance.id) == []


def test_paged_attachment_list_is_refused() -> None:
    """Idempotent adds need every attachment: a partial page must not look like the whole list."""
    partial = {"_embedded": {"attachments": []}, "_links": {"next": {"href": "x"}}, "page": {"totalElements": 3}}
    with pytest.raises(ContractError, match="paged"):
        parse_attachment_list(httpx.Response(200, json=partial), "list_task_attachments")
    bare = [{"id": "a1", "name": "n", "externalUrl": "https://example.com/d"}]  # Flowable's list shape
    assert [a.id for a in parse_attachment_list(httpx.Response(200, json=bare), "op")] == ["a1"]


# -- every call against the collections -------------------------------------------------------------


async def test_every_call_is_checked_against_the_collections(ot: OpenTextStack, conn: Connected) -> None:
    """Exercise every connector method once: each request matches a collection item or an entry of
    NOT_IN_ANY_COLLECTION, and that list holds nothing the connector no longer calls."""
    client = conn.client
    instance = await start_review(ot, client)
    await client.find_processes(instance.business_key or "")
    await client.get_process(instance.id)
    await client.add_comment(instance.id, "note")
    await client.list_comments(instance.id)
    (task,) = await client.list_tasks(process_instance_id=instance.id)
    await client.get_task(task.id)
    await client.update_task(task.id, priority=70)
    attachment = await client.add_task_attachment(task.id, CONTRACT_PDF)
    await client.get_task_attachment(task.id, attachment.id)
    await client.remove_task_attachment(task.id, attachment.id)
    on_process = await client.add_process_attachment(instance.id, CONTRACT_PDF)
    await client.remove_process_attachment(instance.id, on_process.id)
    await client.claim_task(task.id, "a@example.com")
    await client.complete_task(task.id, "approved")
    second = await start_review(ot, client)
    await client.delete_process(second.id, "withdrawn")

    assert conn.checker.violations == []
    assert conn.contract.matched_items() == COLLECTION_ITEMS_USED
    assumed = {(c.method, c.assumed) for c in conn.contract.checked if c.assumed}
    assert assumed == {(method, template) for method, _, template, _ in NOT_IN_ANY_COLLECTION}
    assert conn.checker.checked == len(conn.contract.checked) == len(conn.transport.exchanges)


async def test_example_mode_still_refuses_what_the_collections_do_not_allow(ot: OpenTextStack) -> None:
    contract = workflow_contract(ot.base_url, TENANT.tenant_id)
    api = f"{ot.base_url}/workflow/v1"
    bearer = {"Authorization": "Bearer t", "Accept": "application/json"}

    def errors(method: str, url: str, headers: dict[str, str], body: dict[str, Any] | None = None) -> list[str]:
        sent = json.dumps(body).encode() if body is not None else None
        if sent is not None:
            headers = {**headers, "Content-Type": "application/json"}
        return contract.errors(method, url, headers, sent)

    assert errors("GET", f"{api}/tasks?processInstanceId=p&includeProcessVariables=true&offset=0&count=5", bearer) == []
    assert errors("GET", f"{api}/tasks?includeProcessVariables=true", {}) == [
        "Get all tasks: header 'authorization' missing",
        "Get all tasks: Authorization is not 'bearer'",
    ]
    assert errors("GET", f"{api}/tasks", {"Authorization": "Basic dTpw"}) == [
        "Get all tasks: Authorization is not 'bearer'"
    ]
    assert errors("GET", f"{api}/tasks?processInstanceID=p", bearer) == [
        "Get all tasks: query parameter 'processInstanceID' is neither in the collection nor documented for this item"
    ]
    assert errors("GET", f"{api}/tasks?includeProcessVariables=yes", bearer) == [
        "Get all tasks: query parameter 'includeProcessVariables' is 'yes', the collection's example is a boolean"
    ]
    start = load_sample("workflow_start_process_instance.request.json")
    assert errors("POST", f"{api}/process-instances", bearer, start) == []
    assert errors("POST", f"{api}/process-instances", bearer, {**start, "outcome": "approved"}) == [
        "create-workflow-model-process-instance: body 'outcome' is 'approved', the collection sends 'none'"
    ]
    assert errors("POST", f"{api}/process-instances", bearer, {**start, "tenantId": "x"}) == [
        "create-workflow-model-process-instance: body keys ['tenantId'] are neither in the collection nor documented"
    ]
    assert errors("POST", f"{api}/process-instances", bearer, {**start, "variables": {"a": 1}}) == [
        "create-workflow-model-process-instance: body 'variables' is a dict, the collection sends a list"
    ]
    assert errors("POST", f"{api}/tasks/t-1/variables", bearer, {}) == [
        "no item of the collection (and no declared assumption) has this method and path"
    ]
    # Read strictly (as Exstream is), the tutorial's own "Get all tasks" request could not pass:
    strict = PostmanContract([TUTORIAL, DEVX], contract.hosts, leniency=STRICT)
    assert "Get all tasks: sends Authorization where the collection sends none" in strict.errors(
        "GET", f"{api}/tasks?sort=createTime&order=desc&includeProcessVariables=true", bearer, None
    )
