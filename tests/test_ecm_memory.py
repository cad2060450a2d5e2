"""What a worker process remembers of Content Server (`activities.ecm_memory`): bounded, and never
trusted over what the server says now. A workspace or document deleted in the ECM after this
process filed into it is found missing and filed again, in a new workspace where needed."""

from __future__ import annotations

import uuid

import httpx
import pytest

from activities.content_server import Filing
from activities.document_models import DocumentKind, OpenWorkspaceRequest, WorkspaceRef, order_workspace
from activities.ecm_memory import EcmMemory, KnownDocument, Recent
from connectors.errors import TransientError
from connectors.opentext.content_server_models import BusinessObject
from tests.support.stack import Stack
from tests.support.world import ECM_USER, SECRETS, SHOP, TENANT, ecm_system

RECORD = b"<html><body>order record</body></html>"


def test_the_least_recently_used_entry_is_forgotten_first() -> None:
    recent: Recent[str, int] = Recent(limit=2)
    recent.put("a", 1)
    recent.put("b", 2)
    assert recent.get("a") == 1  # "b" is now the least recently used
    recent.put("c", 3)
    assert (recent.get("a"), recent.get("b"), recent.get("c"), len(recent)) == (1, None, 3, 2)


def test_forgetting_a_workspace_forgets_its_folders_documents_and_links() -> None:
    memory = EcmMemory()
    memory.workspaces.put(("t", "shop", "order", "1"), (10, "Order 1"))
    memory.workspaces.put(("t", "shop", "order", "2"), (20, "Order 2"))
    memory.folders.put(("t", 10, "Invoices"), 11)
    memory.documents.put(("t", 11, "Invoice 1.html"), KnownDocument(12, "Invoice 1.html", 1, "ab"))
    memory.documents.put(("t", 10, "Order 1.html"), KnownDocument(13, "Order 1.html", 1, "cd"))
    memory.links.put(("t", 30, 10), True)
    memory.links.put(("t", 30, 20), True)

    assert memory.forget_workspace("t", 10) is True
    assert memory.workspaces.get(("t", "shop", "order", "1")) is None
    assert memory.folders.get(("t", 10, "Invoices")) is None
    assert memory.documents.get(("t", 11, "Invoice 1.html")) is None
    assert memory.documents.get(("t", 10, "Order 1.html")) is None
    assert memory.links.get(("t", 30, 10)) is None
    # Another workspace's facts stay.
    assert memory.workspaces.get(("t", "shop", "order", "2")) == (20, "Order 2")
    assert memory.links.get(("t", 30, 20)) is True
    assert memory.forget_workspace("t", 10) is False  # nothing left to forget


async def _delete_node(stack: Stack, node_id: int) -> None:
    """What an ECM user does in Content Server: delete a node (and everything below it)."""
    api = f"{stack.sandbox_url}/opentext/otcs/cs.exe/api"
    async with httpx.AsyncClient(base_url=api) as ecm:
        login = await ecm.post("/v1/auth", data={"username": ECM_USER, "password": SECRETS["OPENTEXT_ECM_PASSWORD"]})
        login.raise_for_status()
        deleted = await ecm.delete(f"/v2/nodes/{node_id}", headers={"OTCSTicket": login.json()["ticket"]})
        assert deleted.status_code == 200, deleted.text


async def _order_workspace(filing: Filing, order_id: str) -> WorkspaceRef:
    subject = order_workspace(SHOP, order_id, f"#{order_id}")
    return await filing.open_workspace(
        OpenWorkspaceRequest(tenant=TENANT, platform="shopify", store=SHOP, subject=subject)
    )


async def test_a_workspace_deleted_in_the_ecm_is_made_again_on_the_next_filing(stack: Stack) -> None:
    filing = Filing(stack.connections)
    order_id = str(uuid.uuid4().int % 10**9)
    first = await _order_workspace(filing, order_id)
    filed = await filing.file(first, DocumentKind.INVOICE, "Invoice 1.html", RECORD, mime_type="text/html")
    again = await filing.file(first, DocumentKind.INVOICE, "Invoice 1.html", RECORD, mime_type="text/html")
    assert (filed.unchanged, again.unchanged, again.node_id) == (False, True, filed.node_id)

    await _delete_node(stack, first.node_id)

    # The process still knows the old workspace; the server says it is gone: a transient failure,
    # so the activity is attempted again, and then the workspace is made anew.
    remembered = await _order_workspace(filing, order_id)
    assert remembered.node_id == first.node_id
    with pytest.raises(TransientError, match="was deleted"):
        await filing.file(remembered, DocumentKind.INVOICE, "Invoice 1.html", RECORD, mime_type="text/html")
    reopened = await _order_workspace(filing, order_id)
    assert reopened.node_id != first.node_id and reopened.created
    refiled = await filing.file(reopened, DocumentKind.INVOICE, "Invoice 1.html", RECORD, mime_type="text/html")
    assert refiled.unchanged is False
    found = await stack.connections.content_server(TENANT).find_business_workspace(
        BusinessObject(ext_system_id=ecm_system("shopify", SHOP), bo_type="order", bo_id=order_id)
    )
    assert found is not None and found.id == reopened.node_id
    invoices = await stack.connections.content_server(TENANT).find_folder(found.id, "Invoices")
    assert invoices is not None
    assert [n.name for n in await stack.connections.content_server(TENANT).list_children(invoices.id)] == [
        "Invoice 1.html"
    ]


async def test_a_document_deleted_in_the_ecm_is_filed_again_not_counted_unchanged(stack: Stack) -> None:
    filing = Filing(stack.connections)
    workspace = await _order_workspace(filing, str(uuid.uuid4().int % 10**9))
    filed = await filing.file(workspace, DocumentKind.INVOICE, "Invoice 2.html", RECORD, mime_type="text/html")
    await _delete_node(stack, filed.node_id)

    refiled = await filing.file(workspace, DocumentKind.INVOICE, "Invoice 2.html", RECORD, mime_type="text/html")
    assert refiled.unchanged is False
    assert refiled.node_id != filed.node_id
