"""Contract and end-to-end tests of the Content Server connector's document calls (related
workspaces, Records Management, the change feed, version download), against the Extended ECM
simulator with the demo configuration, over real HTTP.

Every request the connector sends passes `SpecCheckingTransport` (the vendored Content Server and
Business Workspaces specs, and the Records Management supplement, see `sandbox.opentext_ecm.spec`);
a recorder beneath it counts what was sent.
"""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from pydantic import SecretStr

from casebridge.connections import Connections
from casebridge.stores import load_registry
from connectors.errors import NotFoundError, RejectedError, TransientError
from connectors.opentext.content_server import ContentServerClient
from connectors.opentext.content_server_models import (
    BusinessObject,
    BusinessWorkspaceRequest,
    ContentServerCredentials,
    WorkspaceRef,
)
from sandbox.admin import build_admin_router
from sandbox.config import SandboxConfig
from sandbox.faults import FaultEffect, FaultRule
from sandbox.opentext_ecm.api import ContentServerSimulator
from sandbox.opentext_ecm.config import ContentServerConfig
from sandbox.opentext_ecm.spec import spec_contracts
from sandbox.world import SandboxWorld
from tests.support.servers import serve
from tests.support.spec_transport import SpecCheckingTransport
from tests.support.world import SHOP, ecm_system
from tests.support.world import TENANT as REGISTRY_TENANT

MOUNT = "/opentext/otcs/cs.exe"
PASSWORD = "ecm-password-2"
TENANT = ContentServerConfig.demo(username="casebridge-docs", password=SecretStr(PASSWORD))
CASE_DOCUMENT = 30600
STATUS = f"{CASE_DOCUMENT}_4"
TEMPLATES = {"order": (48211, 30512), "customer": (48221, 30513), "company": (48221, 30513), "supplier": (48251, 30516)}
TEMPLATES |= {"product": (48231, 30514), "return": (48241, 30515)}


@dataclass
class Stack:
    world: SandboxWorld
    origin: str

    @property
    def base_url(self) -> str:
        return f"{self.origin}{MOUNT}"

    async def admin(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        async with httpx.AsyncClient(base_url=f"{self.origin}/opentext/otcs/_admin/tenants/{TENANT.name}") as http:
            response = await http.request(method, path, **kwargs)
        response.raise_for_status()
        return response


@dataclass
class Recorder(httpx.AsyncBaseTransport):
    inner: httpx.AsyncBaseTransport = field(default_factory=httpx.AsyncHTTPTransport)
    sent: list[httpx.Request] = field(default_factory=list)
    before_send: Callable[[httpx.Request], Awaitable[None]] | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.before_send is not None:
            await self.before_send(request)
        self.sent.append(request)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()

    def count(self, method: str, path_part: str) -> int:
        return sum(1 for r in self.sent if r.method == method and path_part in r.url.path)


@dataclass
class Connected:
    client: ContentServerClient
    checker: SpecCheckingTransport
    recorder: Recorder


@pytest_asyncio.fixture(scope="module")
async def ecm() -> AsyncIterator[Stack]:
    world = SandboxWorld(config=SandboxConfig(shops=[], tenants=[]))
    simulator = ContentServerSimulator(world, [TENANT])
    app = FastAPI()
    app.include_router(simulator.router, prefix=MOUNT)
    app.include_router(simulator.admin_router, prefix="/opentext/otcs/_admin")
    app.include_router(build_admin_router(world))
    async with serve(app) as origin:
        yield Stack(world, origin)


@pytest.fixture(autouse=True)
def _no_leftover_faults(ecm: Stack) -> Iterator[None]:
    ecm.world.faults.clear()
    yield
    ecm.world.faults.clear()


@contextlib.asynccontextmanager
async def connect(ecm: Stack, **options: Any) -> AsyncIterator[Connected]:
    recorder = Recorder()
    checker = SpecCheckingTransport(contracts=spec_contracts(ecm.base_url), inner=recorder)
    credentials = ContentServerCredentials(username="casebridge-docs", password=SecretStr(PASSWORD))
    async with ContentServerClient(ecm.base_url, credentials=credentials, transport=checker, **options) as client:
        yield Connected(client, checker, recorder)
    assert checker.violations == [] and checker.unchecked == [] and checker.checked > 0


@pytest_asyncio.fixture
async def conn(ecm: Stack) -> AsyncIterator[Connected]:
    async with connect(ecm) as connected:
        yield connected


async def workspace(conn: Connected, bo_type: str, ext_system_id: str = "shopify-demo") -> WorkspaceRef:
    template_id, category_id = TEMPLATES[bo_type]
    bo = BusinessObject(ext_system_id=ext_system_id, bo_type=bo_type, bo_id=uuid.uuid4().hex[:10])
    request = BusinessWorkspaceRequest(
        template_id=template_id,
        name=f"{bo_type} {bo.bo_id}",
        business_object=bo,
        categories={category_id: {f"{category_id}_2": bo.bo_id}},
    )
    return await conn.client.ensure_business_workspace(request)


async def folder_id(conn: Connected, workspace_id: int, path: str) -> int:
    folder = await conn.client.find_folder(workspace_id, path)
    assert folder is not None
    return folder.id


# -- workspaces of the demo's types -----------------------------------------------------------------


async def test_one_account_type_serves_customers_and_companies_of_every_store(conn: Connected) -> None:
    for system in ("shopify-demo", "bigcommerce-demo", "adobe-demo"):
        customer = await workspace(conn, "customer", system)
        company = await workspace(conn, "company", system)
        assert customer.created and company.created
        assert (await conn.client.get_node(customer.id)).wnf_wksp_type_id == 18
    with pytest.raises(RejectedError, match="not configured") as raised:
        await conn.client.find_business_workspace(BusinessObject(ext_system_id="erp", bo_type="order", bo_id="1"))
    assert not raised.value.retryable


# -- related workspaces -----------------------------------------------------------------------------


async def test_linking_is_idempotent_and_visible_from_both_sides(conn: Connected) -> None:
    account = await workspace(conn, "customer")
    order = await workspace(conn, "order")

    assert await conn.client.link_workspaces(account.id, order.id) is True
    assert await conn.client.link_workspaces(account.id, order.id) is False  # found, not sent again

    assert conn.recorder.count("POST", "/relateditems") == 1
    children = await conn.client.list_related_workspaces(account.id, rel_type="child")
    parents = await conn.client.list_related_workspaces(order.id, rel_type="parent")
    everything = await conn.client.list_related_workspaces(order.id)
    assert [(r.id, r.rel_type, r.workspace_type_id) for r in children] == [(order.id, "child", 17)]
    assert [(r.id, r.rel_type, r.workspace_type_id) for r in parents] == [(account.id, "parent", 18)]
    assert everything == parents
    assert await conn.client.unlink_workspaces(account.id, order.id) is True
    assert await conn.client.unlink_workspaces(account.id, order.id) is False
    assert await conn.client.list_related_workspaces(account.id) == []


async def test_a_link_made_meanwhile_is_not_an_error(ecm: Stack, conn: Connected) -> None:
    supplier = await workspace(conn, "supplier")
    product = await workspace(conn, "product")

    async def another_worker_links_first(request: httpx.Request) -> None:
        # Between our look-up and our POST, another worker relates the same pair.
        if request.method == "POST" and request.url.path.endswith("/relateditems"):
            async with connect(ecm) as other:
                assert await other.client.link_workspaces(supplier.id, product.id) is True

    conn.recorder.before_send = another_worker_links_first
    assert await conn.client.link_workspaces(supplier.id, product.id) is False
    conn.recorder.before_send = None

    assert conn.recorder.count("POST", "/relateditems") == 1  # ours, refused "already exists", taken as done
    assert [r.id for r in await conn.client.list_related_workspaces(supplier.id)] == [product.id]


# -- records management -----------------------------------------------------------------------------


async def test_rm_classification_is_applied_once_and_reclassified_with_its_token(conn: Connected) -> None:
    order = await workspace(conn, "order")
    invoice = await conn.client.upload_document(await folder_id(conn, order.id, "Invoices"), "INV-7.pdf", b"%PDF")

    assert (await conn.client.get_rm_classification(invoice.node_id)).classification_id is None
    applied = await conn.client.apply_rm_classification(invoice.node_id, 41002)
    again = await conn.client.apply_rm_classification(invoice.node_id, 41002)
    changed = await conn.client.apply_rm_classification(invoice.node_id, 41001)

    assert applied.classification_id == again.classification_id == 41002 and applied.record_date
    assert changed.classification_id == 41001 and changed.file_status == "ACTIVE"
    assert conn.recorder.count("POST", "/rmclassifications") == 2  # the repeat sent nothing
    with pytest.raises(RejectedError, match="49999"):
        await conn.client.apply_rm_classification(invoice.node_id, 49999)


async def test_rm_classification_of_a_workspace_reaches_its_documents(conn: Connected) -> None:
    case = await workspace(conn, "return")
    photo = await conn.client.upload_document(await folder_id(conn, case.id, "Photos"), "box.jpg", b"jpeg")
    await conn.client.apply_rm_classification(case.id, 41004, apply_to_sub_items=True)
    assert (await conn.client.get_rm_classification(photo.node_id)).classification_id == 41004


# -- versions ---------------------------------------------------------------------------------------


async def test_a_document_already_present_gets_a_new_version_whose_content_is_downloadable(conn: Connected) -> None:
    order = await workspace(conn, "order")
    invoices = await folder_id(conn, order.id, "Invoices")
    first = await conn.client.upload_document(invoices, "Invoice 1001.pdf", b"%PDF v1")
    # Same name but another case: Content Server would clash, so the existing document is versioned.
    second = await conn.client.upload_document(invoices, "invoice 1001.pdf", b"%PDF v2")

    assert (first.created, second.created, second.node_id, second.version_number) == (True, False, first.node_id, 2)
    assert [c.name for c in await conn.client.list_children(invoices)] == ["Invoice 1001.pdf"]
    versions = await conn.client.list_versions(first.node_id)
    assert [v.version_number for v in versions] == [1, 2]
    v1 = await conn.client.download_version(first.node_id, 1)
    v2 = await conn.client.download_version(first.node_id, 2)
    assert (v1.content, v1.mime_type, v1.file_name) == (b"%PDF v1", "application/pdf", "Invoice 1001.pdf")
    assert v2.content == b"%PDF v2"
    assert b"%PDF" not in repr(v2).encode()  # content stays out of logs and reprs
    with pytest.raises(NotFoundError):
        await conn.client.download_version(first.node_id, 3)
    with pytest.raises(NotFoundError):
        await conn.client.download_version(99_999_999, 1)


async def test_find_child_prefers_the_exact_name(conn: Connected) -> None:
    order = await workspace(conn, "order")
    parent = await folder_id(conn, order.id, "Correspondence")
    await conn.client.upload_document(parent, "Letter.pdf", b"a")
    await conn.client.upload_document(parent, "Letter.pdf.bak", b"b")  # also matches the substring filter
    found = await conn.client.find_child(parent, " letter.pdf ")
    assert found is not None and found.name == "Letter.pdf"
    assert (await conn.client.find_child(parent, "Letter.pdf.bak")) is not None
    assert await conn.client.find_child(parent, "Letter") is None


async def test_workspace_of_a_node(conn: Connected) -> None:
    case = await workspace(conn, "return")
    inspection = await folder_id(conn, case.id, "Inspection")
    assert await conn.client.workspace_of(inspection) == case.id
    assert await conn.client.workspace_of(case.id) == case.id
    assert await conn.client.workspace_of(2000) is None


# -- the change feed --------------------------------------------------------------------------------


async def test_changes_since_reports_filings_and_a_reviewers_approval(ecm: Stack) -> None:
    async with connect(ecm, page_size=2) as connected:  # small pages: the feed reads them all
        client = connected.client
        product = await workspace(connected, "product", "bigcommerce-demo")
        collateral = await folder_id(connected, product.id, "Collateral")
        since = datetime.now(UTC).replace(microsecond=0)
        filed = [
            await client.upload_document(
                collateral,
                f"sheet-{n}.pdf",
                b"%PDF",
                categories={CASE_DOCUMENT: {f"{CASE_DOCUMENT}_3": "spec sheet", STATUS: "Draft"}},
            )
            for n in range(5)
        ]

        changes = await client.changes_since(since, location_id=product.id, category_ids=[CASE_DOCUMENT])

        assert [c.node_id for c in changes] == [d.node_id for d in filed]
        first = changes[0]
        assert (first.name, first.subtype, first.parent_id, first.workspace_id) == (
            "sheet-0.pdf",
            144,
            collateral,
            product.id,
        )
        assert first.version_number == 1 and first.modified_at >= since
        assert first.categories == {
            CASE_DOCUMENT: {
                f"{CASE_DOCUMENT}_2": None,
                f"{CASE_DOCUMENT}_3": "spec sheet",
                STATUS: "Draft",
                f"{CASE_DOCUMENT}_5": None,
                f"{CASE_DOCUMENT}_6": None,
            }
        }
        assert connected.recorder.count("POST", "/api/v2/search") == 3  # five hits, pages of two
        # One workspace look-up per parent folder, not per document.
        assert connected.recorder.count("GET", f"/v1/nodes/{collateral}/businessworkspace") == 1
        assert connected.recorder.count("GET", "/v1/nodes/") == 1

        # A reviewer approves one document in the UI; the next poll, from the last cursor, sees it.
        cursor = changes[-1].modified_at
        await ecm.admin("POST", f"/nodes/{filed[2].node_id}/document-status", json={"status": "Approved"})
        later = await client.changes_since(cursor, location_id=product.id, category_ids=[CASE_DOCUMENT])
        approved = [c for c in later if c.node_id == filed[2].node_id]
        assert len(approved) == 1 and approved[0].categories is not None
        assert approved[0].categories[CASE_DOCUMENT][STATUS] == "Approved"
        assert all(c.modified_at >= cursor for c in later)

        assert await client.changes_since(datetime.now(UTC) + timedelta(days=2), location_id=product.id) == []


async def test_changes_since_without_extras_makes_only_search_calls(conn: Connected) -> None:
    order = await workspace(conn, "order", "adobe-demo")
    since = datetime.now(UTC) - timedelta(minutes=1)
    document = await conn.client.upload_document(await folder_id(conn, order.id, "Audit"), "audit.txt", b"ok")
    before = len(conn.recorder.sent)
    changes = await conn.client.changes_since(since, location_id=order.id, resolve_workspaces=False)
    assert [(c.node_id, c.workspace_id, c.categories) for c in changes] == [(document.node_id, None, None)]
    assert {r.url.path for r in conn.recorder.sent[before:]} == {f"{MOUNT}/api/v2/search"}


async def test_changes_since_stops_reading_at_its_limit(ecm: Stack) -> None:
    async with connect(ecm, page_size=2) as small_pages:
        order = await workspace(small_pages, "order", "adobe-demo")
        since = datetime.now(UTC) - timedelta(minutes=1)
        audit = await folder_id(small_pages, order.id, "Audit")
        made = [(await small_pages.client.upload_document(audit, f"a{n}.txt", b"ok")).node_id for n in range(5)]
        before = small_pages.recorder.count("POST", "/search")
        first = await small_pages.client.changes_since(since, location_id=order.id, resolve_workspaces=False, limit=2)
        assert [c.node_id for c in first] == made[:2]  # the oldest, from one page
        assert small_pages.recorder.count("POST", "/search") == before + 1
        every = await small_pages.client.changes_since(since, location_id=order.id, resolve_workspaces=False)
        assert [c.node_id for c in every] == made


async def test_a_workspace_names_its_business_objects(conn: Connected) -> None:
    product = await workspace(conn, "product", "bigcommerce-demo")
    assert await conn.client.business_objects_of(product.id) == [product.business_object]
    collateral = await folder_id(conn, product.id, "Collateral")
    assert await conn.client.business_objects_of(collateral) == []  # no workspace


async def test_a_failing_search_is_transient(ecm: Stack, conn: Connected) -> None:
    ecm.world.faults.add(FaultRule(system="opentext-ecm", operation="POST /api/v2/search", effect=FaultEffect.HTTP_503))
    with pytest.raises(TransientError) as raised:
        await conn.client.changes_since(datetime.now(UTC))
    assert raised.value.retryable and raised.value.operation == "changes_since"


# -- the spec check sees the new calls --------------------------------------------------------------


async def test_spec_check_flags_nonconforming_document_calls(ecm: Stack) -> None:
    checker = SpecCheckingTransport(contracts=spec_contracts(ecm.base_url))
    api = f"{ecm.base_url}/api"
    async with httpx.AsyncClient(transport=checker, headers={"OTCSTicket": "t"}) as http:
        await http.post(f"{api}/v2/businessworkspaces/5/relateditems", data={"body": json.dumps({"rel_type": "child"})})
        await http.post(f"{api}/v1/nodes/5/rmclassifications", data={"body": json.dumps({"class_id": "forever"})})
        await http.post(f"{api}/v2/search", data={"where": "OTSubType:144", "limit": "many"})
        await http.get(f"{api}/v2/nodes/5/versions/1/content/extra/part")
    problems = [" ".join(v.errors) for v in checker.violations]
    assert len(problems) == 4, problems
    assert "rel_bw_id" in problems[0]
    assert "class_id" in problems[1] or "integer" in problems[1]
    assert "limit" in problems[2] or "integer" in problems[2]
    assert "Path not found" in problems[3]


# -- the whole sandbox app, through the store registry ----------------------------------------------


async def test_registry_connection_files_and_finds_changes_in_the_sandbox(config_dir: Path, sandbox_url: str) -> None:
    connections = Connections(load_registry(config_dir))
    try:
        ecm = connections.content_server(REGISTRY_TENANT)
        system = ecm_system("shopify", SHOP)  # the test world's registry names the stores' own systems
        bo = BusinessObject(ext_system_id=system, bo_type="order", bo_id=uuid.uuid4().hex[:10])
        request = BusinessWorkspaceRequest(
            template_id=48211, name=f"Order {bo.bo_id}", business_object=bo, categories={30512: {"30512_2": bo.bo_id}}
        )
        order = await ecm.ensure_business_workspace(request)
        since = datetime.now(UTC) - timedelta(seconds=5)
        shipping = await ecm.find_folder(order.id, "Shipping")
        assert shipping is not None
        label = await ecm.upload_document(shipping.id, "label.pdf", b"%PDF label")
        await ecm.apply_rm_classification(label.node_id, 41001)
        changes = await ecm.changes_since(since, location_id=order.id)
        assert [(c.node_id, c.workspace_id) for c in changes] == [(label.node_id, order.id)]
        assert (await ecm.download_version(label.node_id, 1)).content == b"%PDF label"
    finally:
        await connections.aclose()
