"""Admin endpoints of the Content Server simulator (not part of the simulated API; no ticket, no
faults): the node tree, one node with its versions and category values, document content, the
business-object index, and ending sessions. Mounted at `/opentext/otcs/_admin`:

* `GET  /tenants`                                  tenant names with node and session counts
* `GET  /tenants/{tenant}/tree?root=2000`          the node tree below `root`
* `GET  /tenants/{tenant}/nodes/{id}`              one node: properties, categories, versions, BO,
                                                   RM classification, related workspaces
* `GET  /tenants/{tenant}/nodes/{id}/content`      a document's content (`?version=N`, default latest)
* `GET  /tenants/{tenant}/nodes/{id}/versions/{n}/content`   one version's content
* `POST /tenants/{tenant}/nodes/{id}/document-status`  `{"status": "Approved"}`: what a reviewer does
                                                   in the UI (sets the "Document status" attribute,
                                                   applying its category if needed; the node's modify
                                                   time moves, so the change feed shows it)
* `GET  /tenants/{tenant}/workspaces`              business workspaces with their business objects
* `GET  /tenants/{tenant}/workspaces/{id}/documents`  every document below a workspace: folder path,
                                                   categories, versions
* `POST /tenants/{tenant}/expire-tickets`          end every session, as the idle timeout would
* `POST /tenants/{tenant}/reset`                   forget every node created through the API
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, HTTPException, Response
from pydantic import BaseModel

from sandbox.opentext_ecm import rendering
from sandbox.opentext_ecm.errors import SimulatedCsError
from sandbox.opentext_ecm.repository import (
    ENTERPRISE_WORKSPACE_ID,
    SUBTYPE_BUSINESS_WORKSPACE,
    SUBTYPE_DOCUMENT,
    NodeState,
    Repository,
    Version,
)

if TYPE_CHECKING:
    from sandbox.opentext_ecm.api import ContentServerSimulator


DOCUMENT_STATUS_ATTRIBUTE = "Document status"


class DocumentStatus(BaseModel):
    status: str


def build_admin_router(simulator: ContentServerSimulator) -> APIRouter:
    router = APIRouter(tags=["opentext content server admin"])

    def repository(tenant: str) -> Repository:
        found = simulator.repositories.get(tenant)
        if found is None:
            raise HTTPException(404, f"no Content Server tenant {tenant!r}")
        return found

    def node_of(tenant: str, node_id: int) -> tuple[Repository, NodeState]:
        repo = repository(tenant)
        node = repo.nodes.get(node_id)
        if node is None:
            raise HTTPException(404, f"no node {node_id} in tenant {tenant!r}")
        return repo, node

    @router.get("/tenants")
    async def tenants() -> list[dict[str, Any]]:
        return [
            {"name": name, "nodes": len(repo.nodes), "logins": simulator.tickets.logins[name]}
            for name, repo in simulator.repositories.items()
        ]

    @router.get("/tenants/{tenant}/tree")
    async def tree(tenant: str, root: int = ENTERPRISE_WORKSPACE_ID) -> dict[str, Any]:
        repo, node = node_of(tenant, root)
        return _tree(repo, node)

    @router.get("/tenants/{tenant}/nodes/{node_id}")
    async def node_detail(tenant: str, node_id: int) -> dict[str, Any]:
        repo, node = node_of(tenant, node_id)
        return _detail(repo, node)

    @router.get("/tenants/{tenant}/nodes/{node_id}/content")
    async def content(tenant: str, node_id: int, version: int | None = None) -> Response:
        _, node = node_of(tenant, node_id)
        return _content(node, version if version is not None else len(node.versions))

    @router.get("/tenants/{tenant}/nodes/{node_id}/versions/{number}/content")
    async def version_content(tenant: str, node_id: int, number: int) -> Response:
        _, node = node_of(tenant, node_id)
        return _content(node, number)

    @router.post("/tenants/{tenant}/nodes/{node_id}/document-status")
    async def document_status(tenant: str, node_id: int, change: DocumentStatus) -> dict[str, Any]:
        repo, node = node_of(tenant, node_id)
        if node.subtype != SUBTYPE_DOCUMENT:
            raise HTTPException(400, f"node {node_id} is not a document")
        try:
            repo.set_attribute_by_name(node_id, DOCUMENT_STATUS_ATTRIBUTE, change.status)
        except SimulatedCsError as exc:
            raise HTTPException(400, exc.message) from exc
        return _detail(repo, node)

    @router.get("/tenants/{tenant}/workspaces/{workspace_id}/documents")
    async def workspace_documents(tenant: str, workspace_id: int) -> list[dict[str, Any]]:
        repo, workspace = node_of(tenant, workspace_id)
        if workspace.subtype != SUBTYPE_BUSINESS_WORKSPACE:
            raise HTTPException(400, f"node {workspace_id} is not a business workspace")
        return [
            {
                "id": node.id,
                "name": node.name,
                "parent_id": node.parent_id,
                "folder": _folder_path(repo, workspace, node),
                "modify_date": rendering.timestamp(node.modified_at),
                "categories": {str(k): v for k, v in node.categories.items()},
                "rm_classification_id": node.rm_classification_id,
                "versions": [rendering.version_info(node, v) for v in node.versions],
            }
            for node in repo.descendants(workspace_id)
            if node.subtype == SUBTYPE_DOCUMENT
        ]

    @router.get("/tenants/{tenant}/workspaces")
    async def workspaces(tenant: str) -> list[dict[str, Any]]:
        repo = repository(tenant)
        return [
            {
                "id": node_id,
                "name": repo.nodes[node_id].name,
                "workspace_type_id": repo.nodes[node_id].workspace_type_id,
                "ext_system_id": bo.ext_system_id,
                "bo_type": bo.bo_type,
                "bo_id": bo.bo_id,
            }
            for bo, node_id in repo.by_business_object.items()
        ]

    @router.post("/tenants/{tenant}/expire-tickets")
    async def expire_tickets(tenant: str) -> dict[str, int]:
        repository(tenant)
        return {"ended": simulator.expire_tickets(tenant)}

    @router.post("/tenants/{tenant}/reset", status_code=204)
    async def reset(tenant: str) -> Response:
        repository(tenant).reset()
        return Response(status_code=204)

    return router


def _detail(repo: Repository, node: NodeState) -> dict[str, Any]:
    bo = node.business_object
    detail: dict[str, Any] = {
        "properties": rendering.node_properties(node),
        "children": list(node.children),
        "categories": {str(k): v for k, v in node.categories.items()},
        "versions": [rendering.version_info(node, v) for v in node.versions],
        "business_object": (
            {"ext_system_id": bo.ext_system_id, "bo_type": bo.bo_type, "bo_id": bo.bo_id} if bo else None
        ),
        "rm_classification_id": node.rm_classification_id,
    }
    if node.subtype == SUBTYPE_BUSINESS_WORKSPACE:
        detail["related"] = [
            {"id": other.id, "name": other.name, "rel_type": rel_type} for other, rel_type in repo.related(node.id)
        ]
    return detail


def _content(node: NodeState, number: int) -> Response:
    if not node.versions:
        raise HTTPException(404, f"node {node.id} has no content")
    if not 1 <= number <= len(node.versions):
        raise HTTPException(404, f"node {node.id} has no version {number}")
    chosen: Version = node.versions[number - 1]
    return Response(
        chosen.content,
        media_type=chosen.mime_type,
        headers={"Content-Disposition": f'attachment; filename="{chosen.file_name}"'},
    )


def _folder_path(repo: Repository, workspace: NodeState, node: NodeState) -> str:
    """`/`-separated folder names from the workspace down to the node's parent."""
    names: list[str] = []
    current = repo.nodes.get(node.parent_id)
    while current is not None and current.id != workspace.id:
        names.append(current.name)
        current = repo.nodes.get(current.parent_id)
    return "/".join(reversed(names))


def _tree(repo: Repository, node: NodeState) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": node.id, "name": node.name, "type": node.subtype}
    if node.versions:
        entry["versions"] = len(node.versions)
    if node.categories:
        entry["categories"] = {str(k): v for k, v in node.categories.items()}
    if node.is_container:
        entry["children"] = [_tree(repo, repo.nodes[child]) for child in node.children]
    return entry
