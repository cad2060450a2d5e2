"""Contract tests: `ContentServerClient` against the Extended ECM simulator, over real HTTP.

One uvicorn server runs the simulator router (mounted at `/opentext/otcs/cs.exe`, as in the sandbox
app) with its admin routes and the sandbox's fault endpoints. Every request the connector sends goes
through `SpecCheckingTransport`, which checks it against OpenText's Content Server and Business
Workspaces specs (with the corrections documented in `sandbox.opentext_ecm.spec`), and through a
recorder underneath, so tests can also look at the exact requests and the answers' headers.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

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
from connectors.opentext.content_server import ContentServerClient
from connectors.opentext.content_server_models import (
    BusinessObject,
    BusinessWorkspaceRequest,
    ContentServerCredentials,
)
from sandbox.admin import build_admin_router
from sandbox.config import SandboxConfig
from sandbox.faults import FaultEffect, FaultRule
from sandbox.opentext_ecm.api import ContentServerSimulator
from sandbox.opentext_ecm.config import (
    AttributeDefinition,
    BusinessObjectType,
    CategoryDefinition,
    ContentServerConfig,
    ContentServerUser,
    OTDSTokenGrant,
    WorkspaceTemplate,
    WorkspaceType,
)
from sandbox.opentext_ecm.repository import BusinessObjectKey, WorkspaceCreation
from sandbox.opentext_ecm.spec import JSON_BODY_REFUSED, spec_contracts
from sandbox.specs import specs_dir
from sandbox.world import SandboxWorld
from tests.support.servers import serve
from tests.support.spec_transport import SpecCheckingTransport

SYSTEM = "opentext-ecm"
MOUNT = "/opentext/otcs/cs.exe"
IDLE_TIMEOUT = 60.0
ORDER_CATEGORY = 30512
DOCUMENT_CATEGORY = 30600
TEMPLATE_ID = 48211
WORKSPACE_TYPE_ID = 17
PASSWORD = "integration-password-1"
OTDS_TOKEN = "otds-access-token-1"

CATEGORIES = [
    CategoryDefinition(
        id=ORDER_CATEGORY,
        name="Order",
        attributes=[
            AttributeDefinition(id=2, name="Order number", required=True),
            AttributeDefinition(id=3, name="Country"),
            AttributeDefinition(id=4, name="Order date", type="date"),
            AttributeDefinition(id=5, name="Reviewed", type="boolean"),
        ],
    ),
    CategoryDefinition(
        id=DOCUMENT_CATEGORY,
        name="Case document",
        attributes=[
            AttributeDefinition(id=2, name="Case id"),
            AttributeDefinition(id=3, name="Pages", type="integer"),
        ],
    ),
]
WORKSPACE_TYPES = [
    WorkspaceType(
        id=WORKSPACE_TYPE_ID,
        name="Order",
        business_objects=[BusinessObjectType(ext_system_id="shopify", bo_type="order")],
        location="Orders",
        templates=[
            WorkspaceTemplate(
                id=TEMPLATE_ID,
                name="Order review",
                folders=["Correspondence", "Invoices", "Review/Notes"],
                categories=[ORDER_CATEGORY],
            )
        ],
    )
]
TENANT = ContentServerConfig(
    name="acme-ecm",
    users=[ContentServerUser(username="casebridge", password=SecretStr(PASSWORD), user_id=1001)],
    otds_tokens=[OTDSTokenGrant(token=SecretStr(OTDS_TOKEN), username="casebridge")],
    categories=CATEGORIES,
    workspace_types=WORKSPACE_TYPES,
    ticket_idle_timeout_seconds=IDLE_TIMEOUT,
)
# Sessions of this tenant die at once: every call is refused even right after logging in.
DEAD_SESSIONS = ContentServerConfig(
    name="dead-sessions",
    users=[ContentServerUser(username="nobody-stays", password=SecretStr("pw"), user_id=1002)],
    ticket_idle_timeout_seconds=0.0,
)


class FakeClock:
    """Monotonic time the tests move on; every reading advances it a little, as real time does."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        self.now += 0.001
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


# -- infrastructure ---------------------------------------------------------------------------------


@dataclass
class Stack:
    world: SandboxWorld
    simulator: ContentServerSimulator
    clock: FakeClock
    origin: str

    @property
    def base_url(self) -> str:
        return f"{self.origin}{MOUNT}"

    @property
    def admin_url(self) -> str:
        return f"{self.origin}/opentext/otcs/_admin/tenants/{TENANT.name}"


@dataclass
class Exchange:
    request: httpx.Request
    status: int
    headers: httpx.Headers


@dataclass
class Recorder(httpx.AsyncBaseTransport):
    """The transport under the spec checker: passes requests on and remembers them with answers."""

    inner: httpx.AsyncBaseTransport = field(default_factory=httpx.AsyncHTTPTransport)
    exchanges: list[Exchange] = field(default_factory=list)
    before_send: Callable[[httpx.Request], Awaitable[None]] | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.before_send is not None:
            await self.before_send(request)
        response = await self.inner.handle_async_request(request)
        self.exchanges.append(Exchange(request, response.status_code, response.headers))
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()

    def sent(self, method: str, path_suffix: str) -> list[Exchange]:
        return [e for e in self.exchanges if e.request.method == method and e.request.url.path.endswith(path_suffix)]

    def api_calls(self) -> list[Exchange]:
        return [e for e in self.exchanges if not e.request.url.path.endswith("/api/v1/auth")]


@dataclass
class Connected:
    client: ContentServerClient
    checker: SpecCheckingTransport
    recorder: Recorder

    def assert_conforms(self) -> None:
        assert self.checker.violations == []
        assert self.checker.unchecked == []
        assert self.checker.checked > 0


@pytest_asyncio.fixture(scope="module")
async def ecm() -> AsyncIterator[Stack]:
    world = SandboxWorld(config=SandboxConfig(shops=[], tenants=[]))
    clock = FakeClock()
    simulator = ContentServerSimulator(world, [TENANT, DEAD_SESSIONS], clock=clock)
    app = FastAPI()
    app.include_router(simulator.router, prefix=MOUNT)
    app.include_router(simulator.admin_router, prefix="/opentext/otcs/_admin")
    app.include_router(build_admin_router(world))
    async with serve(app) as origin:
        yield Stack(world, simulator, clock, origin)


@pytest.fixture(autouse=True)
def _no_leftover_faults(ecm: Stack) -> Iterator[None]:
    ecm.world.faults.clear()
    yield
    ecm.world.faults.clear()


@contextlib.asynccontextmanager
async def connect(
    ecm: Stack,
    *,
    username: str = "casebridge",
    password: str = PASSWORD,
    otds_token: Callable[[], Awaitable[SecretStr]] | None = None,
    **options: Any,
) -> AsyncIterator[Connected]:
    recorder = Recorder()
    checker = SpecCheckingTransport(contracts=spec_contracts(ecm.base_url), inner=recorder)
    credentials = None if otds_token else ContentServerCredentials(username=username, password=SecretStr(password))
    client = ContentServerClient(
        ecm.base_url, credentials=credentials, otds_token=otds_token, transport=checker, **options
    )
    async with client:
        yield Connected(client, checker, recorder)


@pytest_asyncio.fixture
async def conn(ecm: Stack) -> AsyncIterator[Connected]:
    async with connect(ecm) as connected:
        yield connected
        connected.assert_conforms()  # every test using `conn` only sends conforming requests


def order(bo_id: str | None = None) -> BusinessObject:
    return BusinessObject(ext_system_id="shopify", bo_type="order", bo_id=bo_id or uuid.uuid4().hex[:10])


def workspace_request(bo: BusinessObject, **categories: Any) -> BusinessWorkspaceRequest:
    values = {f"{ORDER_CATEGORY}_2": f"#{bo.bo_id}", f"{ORDER_CATEGORY}_3": "GB", **categories}
    return BusinessWorkspaceRequest(
        template_id=TEMPLATE_ID,
        workspace_type_id=WORKSPACE_TYPE_ID,
        name=f"Order {bo.bo_id}",
        description="Order review workspace",
        business_object=bo,
        categories={ORDER_CATEGORY: values},
    )


def form_body(request: httpx.Request) -> dict[str, Any]:
    """The JSON in the form field `body` of a form-encoded request."""
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    (raw,) = parse_qs(request.content.decode())["body"]
    body: dict[str, Any] = json.loads(raw)
    return body


def add_fault(ecm: Stack, operation: str, effect: FaultEffect, **extra: Any) -> None:
    ecm.world.faults.add(FaultRule(system=SYSTEM, operation=operation, effect=effect, **extra))


async def admin_get(ecm: Stack, path: str) -> httpx.Response:
    async with httpx.AsyncClient() as http:
        response = await http.get(f"{ecm.admin_url}{path}")
    response.raise_for_status()
    return response


# -- authentication and tickets ---------------------------------------------------------------------


async def test_password_login_and_ticket_chaining(ecm: Stack, conn: Connected) -> None:
    await conn.client.get_node(2000)
    await conn.client.get_node(2000)

    login = conn.recorder.exchanges[0]
    assert (login.request.method, login.request.url.path) == ("POST", f"{MOUNT}/api/v1/auth")
    assert login.request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert parse_qs(login.request.content.decode()) == {"username": ["casebridge"], "password": [PASSWORD]}
    assert "OTCSTicket" not in login.request.headers
    first, second = conn.recorder.api_calls()
    # The ticket of the login is used first; each answer's fresher ticket is used by the next call.
    assert first.request.headers["OTCSTicket"] == login.headers["OTCSTicket"]
    assert second.request.headers["OTCSTicket"] == first.headers["OTCSTicket"]
    assert second.request.headers["OTCSTicket"] != first.request.headers["OTCSTicket"]
    assert conn.client.ticket_fetches == 1


async def test_expired_session_is_renewed_transparently(ecm: Stack, conn: Connected) -> None:
    logins_before = ecm.simulator.tickets.logins[TENANT.name]
    await conn.client.get_node(2000)
    ecm.clock.advance(IDLE_TIMEOUT + 1)  # the session idles past Content Server's timeout

    node = await conn.client.get_node(2000)

    assert node.name == "Enterprise Workspace"
    assert [e.status for e in conn.recorder.api_calls()] == [200, 401, 200]
    assert len(conn.recorder.sent("POST", "/api/v1/auth")) == 2
    assert conn.client.ticket_fetches == 2
    assert ecm.simulator.tickets.logins[TENANT.name] == logins_before + 2


async def test_concurrent_calls_share_one_new_login(ecm: Stack, conn: Connected) -> None:
    await conn.client.get_node(2000)
    ecm.clock.advance(IDLE_TIMEOUT + 1)

    nodes = await asyncio.gather(*(conn.client.get_node(2000) for _ in range(4)))

    assert {n.id for n in nodes} == {2000}
    assert conn.client.ticket_fetches == 2  # the first login and one shared re-login


async def test_session_refused_even_after_new_login_is_an_authentication_error(ecm: Stack) -> None:
    async with connect(ecm, username="nobody-stays", password="pw") as dead:
        with pytest.raises(AuthenticationError) as raised:
            await dead.client.get_node(2000)
        dead.assert_conforms()
    assert raised.value.status_code == 401 and not raised.value.retryable
    assert raised.value.operation == "get_node" and raised.value.system == SYSTEM
    assert len(dead.recorder.sent("POST", "/api/v1/auth")) == 2  # one re-login, then give up


async def test_otds_token_is_exchanged_for_a_ticket(ecm: Stack) -> None:
    asked = 0

    async def otds_token() -> SecretStr:
        nonlocal asked
        asked += 1
        return SecretStr(OTDS_TOKEN)

    async with connect(ecm, otds_token=otds_token) as otds:
        await otds.client.get_node(2000)
        exchange, call = otds.recorder.exchanges
        assert (exchange.request.method, exchange.request.url.path) == ("GET", f"{MOUNT}/api/v1/auth")
        assert exchange.request.headers["Authorization"] == f"Bearer {OTDS_TOKEN}"
        assert call.request.headers["OTCSTicket"] == exchange.headers["OTCSTicket"]
        assert "Authorization" not in call.request.headers
        # An expired session is renewed by exchanging a (fresh) token again.
        ecm.clock.advance(IDLE_TIMEOUT + 1)
        await otds.client.get_node(2000)
        assert asked == 2
        otds.assert_conforms()


async def test_unknown_otds_token_is_an_authentication_error(ecm: Stack) -> None:
    async def wrong_token() -> SecretStr:
        return SecretStr("not-a-token")

    async with connect(ecm, otds_token=wrong_token) as otds:
        with pytest.raises(AuthenticationError) as raised:
            await otds.client.get_node(2000)
    assert raised.value.status_code == 401
    assert "not-a-token" not in str(raised.value)


async def test_wrong_password_is_an_authentication_error(ecm: Stack) -> None:
    async with connect(ecm, password="not-the-password") as bad:
        with pytest.raises(AuthenticationError) as raised:
            await bad.client.find_business_workspace(order())
        bad.assert_conforms()
    assert raised.value.operation == "find_business_workspace"
    assert raised.value.status_code == 401 and not raised.value.retryable
    assert "not-the-password" not in str(raised.value)


# -- business workspaces ----------------------------------------------------------------------------


async def test_lookup_before_create_gives_the_same_workspace_twice(ecm: Stack, conn: Connected) -> None:
    bo = order()
    request = workspace_request(bo, **{f"{ORDER_CATEGORY}_4": "2024-08-18", f"{ORDER_CATEGORY}_5": True})

    first = await conn.client.ensure_business_workspace(request)
    again = await conn.client.ensure_business_workspace(request)

    assert first.created and not again.created
    assert again.id == first.id and again.business_object == bo
    assert len(conn.recorder.sent("POST", "/api/v2/businessworkspaces")) == 1
    searches = conn.recorder.sent("GET", "/api/v2/businessworkspaces")
    assert len(searches) == 2
    query = parse_qs(searches[0].request.url.query.decode())
    assert query["where_ext_system_id"] == ["shopify"] and query["where_bo_type"] == ["order"]
    assert query["where_bo_id"] == [bo.bo_id] and query["expanded_view"] == ["true"]
    # The simulator holds exactly one workspace for the business object, built from the template.
    index = (await admin_get(ecm, "/workspaces")).json()
    assert [w["id"] for w in index if w["bo_id"] == bo.bo_id] == [first.id]
    tree = (await admin_get(ecm, f"/tree?root={first.id}")).json()
    assert [c["name"] for c in tree["children"]] == ["Correspondence", "Invoices", "Review"]
    assert [c["name"] for c in tree["children"][2]["children"]] == ["Notes"]


async def test_workspace_create_body_matches_the_sample(ecm: Stack, conn: Connected) -> None:
    bo = order()
    await conn.client.ensure_business_workspace(workspace_request(bo))

    (create,) = conn.recorder.sent("POST", "/api/v2/businessworkspaces")
    body = form_body(create.request)
    sample = json.loads((specs_dir() / "opentext" / "samples" / "cs_create_business_workspace.body.json").read_text())
    assert body.keys() == sample.keys()
    assert body["type"] == sample["type"] == 848
    assert (body["template_id"], body["wksp_type_id"]) == (TEMPLATE_ID, WORKSPACE_TYPE_ID)
    assert (body["ext_system_id"], body["bo_type"], body["bo_id"]) == ("shopify", "order", bo.bo_id)
    # Category values are nested per category id in workspace creation.
    assert body["roles"] == {
        "categories": {str(ORDER_CATEGORY): {f"{ORDER_CATEGORY}_2": f"#{bo.bo_id}", f"{ORDER_CATEGORY}_3": "GB"}}
    }


async def test_workspace_categories_are_visible_on_read(ecm: Stack, conn: Connected) -> None:
    bo = order()
    workspace = await conn.client.ensure_business_workspace(
        workspace_request(bo, **{f"{ORDER_CATEGORY}_4": "2024-08-18", f"{ORDER_CATEGORY}_5": True})
    )

    node = await conn.client.get_node(workspace.id)
    values = await conn.client.get_categories(workspace.id)

    assert node.type == 848 and node.wnf_wksp_template_id == TEMPLATE_ID
    assert node.wnf_wksp_type_id == WORKSPACE_TYPE_ID and node.name == f"Order {bo.bo_id}"
    assert values[ORDER_CATEGORY] == {
        f"{ORDER_CATEGORY}_2": f"#{bo.bo_id}",
        f"{ORDER_CATEGORY}_3": "GB",
        f"{ORDER_CATEGORY}_4": "2024-08-18T00:00:00",
        f"{ORDER_CATEGORY}_5": True,
    }


async def test_concurrent_creation_is_resolved_by_a_second_lookup(ecm: Stack, conn: Connected) -> None:
    """Another creator wins between our lookup and our create: the clash leads to its workspace."""
    bo = order()
    winner: list[int] = []

    async def create_first(request: httpx.Request) -> None:
        if request.method == "POST" and request.url.path.endswith("/businessworkspaces") and not winner:
            repository = ecm.simulator.repository(TENANT.name)
            user = TENANT.users[0]
            creation = WorkspaceCreation(
                name=f"Order {bo.bo_id} (other creator)",
                template_id=TEMPLATE_ID,
                workspace_type_id=None,
                parent_id=None,
                description="",
                business_object=BusinessObjectKey(bo.ext_system_id, bo.bo_type, bo.bo_id),
                categories={ORDER_CATEGORY: {f"{ORDER_CATEGORY}_2": "#other"}},
            )
            winner.append(repository.create_workspace(user, creation).id)

    conn.recorder.before_send = create_first
    workspace = await conn.client.ensure_business_workspace(workspace_request(bo))

    assert workspace.id == winner[0] and not workspace.created
    create = conn.recorder.sent("POST", "/api/v2/businessworkspaces")
    assert [e.status for e in create] == [400]


async def test_missing_required_attribute_is_rejected(ecm: Stack, conn: Connected) -> None:
    request = workspace_request(order())
    request.categories[ORDER_CATEGORY].pop(f"{ORDER_CATEGORY}_2")
    with pytest.raises(RejectedError, match="Order number") as raised:
        await conn.client.ensure_business_workspace(request)
    assert raised.value.status_code == 400 and not raised.value.retryable


async def test_business_object_of_another_type_is_rejected(ecm: Stack, conn: Connected) -> None:
    request = workspace_request(BusinessObject(ext_system_id="erp", bo_type="KNA1", bo_id="4711"))
    with pytest.raises(RejectedError, match="not configured"):
        await conn.client.ensure_business_workspace(request)


async def test_unknown_attribute_key_is_rejected_at_creation(ecm: Stack, conn: Connected) -> None:
    request = workspace_request(order(), **{f"{ORDER_CATEGORY}_99": "x"})
    with pytest.raises(RejectedError, match=f"{ORDER_CATEGORY}_99") as raised:
        await conn.client.ensure_business_workspace(request)
    assert type(raised.value) is RejectedError and raised.value.status_code == 400


# -- folders and documents --------------------------------------------------------------------------


async def test_upload_then_reupload_of_the_same_name_adds_version_2(ecm: Stack, conn: Connected) -> None:
    workspace = await conn.client.ensure_business_workspace(workspace_request(order()))
    folder = await conn.client.find_folder(workspace.id, "Invoices")
    assert folder is not None and folder.type == 0 and folder.parent_id == workspace.id

    first = await conn.client.upload_document(folder.id, "INV-1001.pdf", b"%PDF-1.7 first", description="Invoice")
    second = await conn.client.upload_document(
        folder.id,
        "INV-1001.pdf",
        io.BytesIO(b"%PDF-1.7 second"),
        description="Corrected",
        categories={DOCUMENT_CATEGORY: {f"{DOCUMENT_CATEGORY}_3": 2}},
    )

    assert (first.created, first.version_number) == (True, 1)
    assert (second.created, second.version_number) == (False, 2)
    assert second.node_id == first.node_id and second.parent_id == folder.id
    versions = await conn.client.list_versions(first.node_id)
    assert [(v.version_number, v.file_size, v.mime_type, v.description) for v in versions] == [
        (1, 14, "application/pdf", "Invoice"),
        (2, 15, "application/pdf", "Corrected"),
    ]
    # Every attribute of an applied category is read back, unset ones as null (as the server does).
    assert (await conn.client.get_categories(first.node_id)) == {
        DOCUMENT_CATEGORY: {f"{DOCUMENT_CATEGORY}_2": None, f"{DOCUMENT_CATEGORY}_3": 2}
    }
    children = await conn.client.list_children(folder.id)
    assert [(c.name, c.type) for c in children] == [("INV-1001.pdf", 144)]
    assert (await admin_get(ecm, f"/nodes/{first.node_id}/content")).content == b"%PDF-1.7 second"
    assert (await admin_get(ecm, f"/nodes/{first.node_id}/content?version=1")).content == b"%PDF-1.7 first"
    # The upload was multipart with the JSON in `body` and the content in `file`.
    (upload,) = conn.recorder.sent("POST", "/api/v2/nodes")
    assert upload.request.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert b'name="file"; filename="INV-1001.pdf"' in upload.request.content
    assert b'"type":144' in upload.request.content


async def test_upload_streams_a_file_from_disk(ecm: Stack, conn: Connected, tmp_path: Path) -> None:
    workspace = await conn.client.ensure_business_workspace(workspace_request(order()))
    folder = await conn.client.find_folder(workspace.id, "Review/Notes")
    assert folder is not None
    payload = bytes(range(256)) * 4096  # 1 MiB
    path = tmp_path / "scan.bin"
    path.write_bytes(payload)

    document = await conn.client.upload_document(folder.id, "scan.bin", path, mime_type="application/octet-stream")

    assert document.created and document.version_number == 1
    assert (await admin_get(ecm, f"/nodes/{document.node_id}/content")).content == payload


async def test_upload_with_categories_and_setting_values_later(ecm: Stack, conn: Connected) -> None:
    workspace = await conn.client.ensure_business_workspace(workspace_request(order()))
    folder = await conn.client.find_folder(workspace.id, "Correspondence")
    assert folder is not None
    plain = await conn.client.upload_document(folder.id, "letter.txt", b"Dear customer")
    tagged = await conn.client.upload_document(
        folder.id,
        "reply.txt",
        b"Thank you",
        categories={DOCUMENT_CATEGORY: {f"{DOCUMENT_CATEGORY}_2": "case-1"}},
    )

    # First apply (POST), then update (POST answers "already exists", PUT .../{category_id}/).
    await conn.client.set_category_values(plain.node_id, DOCUMENT_CATEGORY, {f"{DOCUMENT_CATEGORY}_2": "case-1"})
    await conn.client.set_category_values(plain.node_id, DOCUMENT_CATEGORY, {f"{DOCUMENT_CATEGORY}_3": 3})

    assert (await conn.client.get_categories(plain.node_id))[DOCUMENT_CATEGORY] == {
        f"{DOCUMENT_CATEGORY}_2": "case-1",
        f"{DOCUMENT_CATEGORY}_3": 3,
    }
    assert (await conn.client.get_categories(tagged.node_id))[DOCUMENT_CATEGORY][f"{DOCUMENT_CATEGORY}_2"] == "case-1"
    (update,) = conn.recorder.sent("PUT", f"/categories/{DOCUMENT_CATEGORY}/")
    assert form_body(update.request) == {f"{DOCUMENT_CATEGORY}_3": 3}
    applies = conn.recorder.sent("POST", f"/nodes/{plain.node_id}/categories")
    assert [e.status for e in applies] == [200, 400]
    assert form_body(applies[0].request) == {"category_id": DOCUMENT_CATEGORY, f"{DOCUMENT_CATEGORY}_2": "case-1"}


async def test_unknown_attribute_key_on_a_node_is_rejected(ecm: Stack, conn: Connected) -> None:
    workspace = await conn.client.ensure_business_workspace(workspace_request(order()))
    with pytest.raises(RejectedError, match=f"{DOCUMENT_CATEGORY}_9") as raised:
        await conn.client.set_category_values(workspace.id, DOCUMENT_CATEGORY, {f"{DOCUMENT_CATEGORY}_9": "x"})
    assert raised.value.status_code == 400 and not raised.value.retryable
    with pytest.raises(ValueError, match="does not belong"):  # refused before anything is sent
        await conn.client.set_category_values(workspace.id, DOCUMENT_CATEGORY, {f"{ORDER_CATEGORY}_2": "x"})


async def test_children_are_read_across_pages(ecm: Stack) -> None:
    async with connect(ecm, page_size=2) as small_pages:
        client = small_pages.client
        workspace = await client.ensure_business_workspace(workspace_request(order()))
        folder = await client.create_folder(workspace.id, "Scans")
        for number in range(5):
            await client.upload_document(folder.id, f"scan-{number}.txt", b"x")

        children = await client.list_children(folder.id)

        assert [c.name for c in children] == [f"scan-{n}.txt" for n in range(5)]
        pages = [parse_qs(e.request.url.query.decode())["page"] for e in small_pages.recorder.sent("GET", "/nodes")]
        assert pages[-3:] == [["1"], ["2"], ["3"]]
        small_pages.assert_conforms()


async def test_secrets_stay_out_of_logs(ecm: Stack, caplog: pytest.LogCaptureFixture) -> None:
    # Our own logger at its most verbose. (httpcore's DEBUG trace prints response headers, the
    # rotated ticket included: never run httpcore at DEBUG in production.)
    caplog.set_level(logging.DEBUG, logger="connectors.opentext.content_server")
    async with connect(ecm) as connected:
        await connected.client.get_node(2000)
        tickets = [e.headers["OTCSTicket"] for e in connected.recorder.exchanges]
    assert "/api/v2/nodes/2000 -> 200" in caplog.text  # the logger did log
    assert PASSWORD not in caplog.text
    assert tickets and not any(ticket in caplog.text for ticket in tickets)
    assert PASSWORD not in repr(ContentServerCredentials(username="u", password=SecretStr(PASSWORD)))


async def test_name_clash_is_a_conflict(ecm: Stack, conn: Connected) -> None:
    workspace = await conn.client.ensure_business_workspace(workspace_request(order()))
    with pytest.raises(ConflictError, match="already exists") as raised:
        await conn.client.create_folder(workspace.id, "Invoices")  # the template made it already
    assert raised.value.status_code == 500 and not raised.value.retryable
    # A document cannot take the name of a folder either: the clash is final.
    with pytest.raises(ConflictError):
        await conn.client.upload_document(workspace.id, "Invoices", b"not a folder")


async def test_missing_node_is_not_found(ecm: Stack, conn: Connected) -> None:
    with pytest.raises(NotFoundError) as raised:
        await conn.client.get_node(99_999_999)
    assert raised.value.status_code == 400 and not raised.value.retryable
    assert await conn.client.find_folder(2000, "No such folder") is None


# -- faults -----------------------------------------------------------------------------------------


async def test_injected_503_is_transient(ecm: Stack, conn: Connected) -> None:
    add_fault(ecm, "GET /api/v2/nodes/{id}", FaultEffect.HTTP_503)
    with pytest.raises(TransientError) as raised:
        await conn.client.get_node(2000)
    assert type(raised.value) is TransientError and raised.value.retryable
    assert raised.value.status_code == 503 and "non-JSON" in raised.value.message
    assert (await conn.client.get_node(2000)).id == 2000  # the fault fired once


async def test_injected_500_on_upload_is_transient(ecm: Stack, conn: Connected) -> None:
    workspace = await conn.client.ensure_business_workspace(workspace_request(order()))
    add_fault(ecm, "POST /api/v2/nodes", FaultEffect.HTTP_500)
    with pytest.raises(TransientError) as raised:
        await conn.client.upload_document(workspace.id, "a.txt", b"a")
    assert raised.value.status_code == 500
    # The retry (as Temporal would make it) creates the document once.
    document = await conn.client.upload_document(workspace.id, "a.txt", b"a")
    assert document.created and document.version_number == 1


async def test_throttling_waits_briefly_or_raises_rate_limited(ecm: Stack) -> None:
    async with connect(ecm, max_local_wait=0.5) as impatient:
        add_fault(ecm, "GET /api/v2/nodes/{id}", FaultEffect.THROTTLE, seconds=30)
        with pytest.raises(RateLimitedError) as raised:
            await impatient.client.get_node(2000)
        assert raised.value.retry_after == 30 and raised.value.retryable
    async with connect(ecm, max_local_wait=2.0) as patient:
        add_fault(ecm, "GET /api/v2/nodes/{id}", FaultEffect.THROTTLE, seconds=1)
        assert (await patient.client.get_node(2000)).id == 2000
        assert [e.status for e in patient.recorder.api_calls()] == [429, 200]


async def test_injected_user_error_is_a_rejection(ecm: Stack, conn: Connected) -> None:
    add_fault(ecm, "GET /api/v2/businessworkspaces", FaultEffect.USER_ERROR, message="No permission")
    with pytest.raises(RejectedError, match="No permission") as raised:
        await conn.client.find_business_workspace(order())
    assert not raised.value.retryable


async def test_injected_latency_hits_the_client_timeout(ecm: Stack) -> None:
    async with connect(ecm, timeout=0.3) as hurried:
        await hurried.client.get_node(2000)  # logged in before the slow call
        add_fault(ecm, "GET /api/v2/nodes/{id}", FaultEffect.LATENCY, seconds=1.0)
        with pytest.raises(TransientError, match="timeout"):
            await hurried.client.get_node(2000)


# -- the simulator's own strictness -----------------------------------------------------------------


async def _ticket(ecm: Stack) -> str:
    async with httpx.AsyncClient() as http:
        response = await http.post(f"{ecm.base_url}/api/v1/auth", data={"username": "casebridge", "password": PASSWORD})
    response.raise_for_status()
    ticket: str = response.json()["ticket"]
    return ticket


async def test_simulator_refuses_a_json_body(ecm: Stack) -> None:
    ticket = await _ticket(ecm)
    async with httpx.AsyncClient() as http:
        response = await http.post(
            f"{ecm.base_url}/api/v2/nodes",
            json={"type": 0, "parent_id": 2000, "name": "json folder"},
            headers={"OTCSTicket": ticket},
        )
        listing = await http.get(
            f"{ecm.base_url}/api/v2/nodes/2000/nodes",
            params={"where_name": "json folder"},
            headers={"OTCSTicket": ticket},
        )
    assert response.status_code == 400
    assert response.json() == {"error": JSON_BODY_REFUSED}
    assert listing.json()["results"] == []  # nothing was created


async def test_simulator_refuses_requests_the_spec_refuses(ecm: Stack) -> None:
    ticket = await _ticket(ecm)
    async with httpx.AsyncClient(headers={"OTCSTicket": ticket}) as http:
        bad_id = await http.get(f"{ecm.base_url}/api/v2/nodes/not-a-number")
        bad_type = await http.post(
            f"{ecm.base_url}/api/v2/nodes",
            data={"body": json.dumps({"type": "folder", "parent_id": 2000, "name": "x"})},
        )
        unmapped = await http.get(f"{ecm.base_url}/api/v2/no/such/thing")
        no_ticket = await http.get(f"{ecm.base_url}/api/v2/nodes/2000", headers={"OTCSTicket": ""})
    assert bad_id.status_code == 400 and "id" in bad_id.json()["error"]
    assert bad_type.status_code == 400 and "integer" in bad_type.json()["error"]
    assert unmapped.status_code == 400 and "mappings registry" in unmapped.json()["error"]
    assert no_ticket.status_code == 401 and "error" in no_ticket.json()


async def test_spec_check_flags_nonconforming_requests(ecm: Stack) -> None:
    """The contract check is not vacuous: it catches the mistakes a connector could make."""
    ticket = await _ticket(ecm)
    checker = SpecCheckingTransport(contracts=spec_contracts(ecm.base_url))
    async with httpx.AsyncClient(transport=checker, headers={"OTCSTicket": ticket}) as http:
        await http.post(f"{ecm.base_url}/api/v2/businessworkspaces", json={"template_id": TEMPLATE_ID})
        await http.post(
            f"{ecm.base_url}/api/v2/nodes",
            data={"body": json.dumps({"type": 144, "parent_id": 2000, "name": "x.pdf"})},
            files={"content": ("x.pdf", b"%PDF", "application/pdf")},
        )
        await http.post(
            f"{ecm.base_url}/api/v2/businessworkspaces", data={"body": json.dumps({"template_id": "Order review"})}
        )
        await http.get(f"{ecm.base_url}/api/v2/businessworkspaces", params={"expanded_view": "maybe"})
        await http.put(f"{ecm.base_url}/api/v2/nodes/2000/categories/{ORDER_CATEGORY}", data={"body": "{}"})
    problems = [" ".join(v.errors) for v in checker.violations]
    assert len(problems) == 5, problems
    assert JSON_BODY_REFUSED in problems[0]
    assert "file part 'content'" in problems[1]
    assert "template_id" in problems[2] or "integer" in problems[2]
    assert "expanded_view" in problems[3]
    assert "Path not found" in problems[4]
