"""Admin endpoints of the Content Server simulator (not part of the simulated API; no ticket, no
faults): the node tree, one node with its versions and category values, document content, the
business-object index, and ending sessions. Mounted at `/opentext/otcs/_admin`:

* `GET  /tenants`                                  tenant names with node and session counts
* `GET  /tenants/{tenant}/tree?root=2000`          the node tree below `root`
* `GET  /tenants/{tenant}/nodes/{id}`              one node: properties, categories, versions, BO
* `GET  /tenants/{tenant}/nodes/{id}/content`      a document's content (`?version=N`, default latest)
* `GET  /tenants/{tenant}/workspaces`              business workspaces with their business objects
* `POST /tenants/{tenant}/expire-tickets`          end every session, as the idle timeout would
* `POST /tenants/{tenant}/reset`                   forget every node created through the API
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, HTTPException, Response

from sandbox.opentext_ecm import rendering
from sandbox.opentext_ecm.repository import ENTERPRISE_WORKSPACE_ID, NodeState, Repository

if TYPE_CHECKING:
    from sandbox.opentext_ecm.api import ContentServerSimulator


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
        _, node = node_of(tenant, node_id)
        bo = node.business_object
        return {
            "properties": rendering.node_properties(node),
            "children": list(node.children),
            "categories": {str(k): v for k, v in node.categories.items()},
            "versions": [rendering.version_info(node, v) for v in node.versions],
            "business_object": (
                {"ext_system_id": bo.ext_system_id, "bo_type": bo.bo_type, "bo_id": bo.bo_id} if bo else None
            ),
        }

    @router.get("/tenants/{tenant}/nodes/{node_id}/content")
    async def content(tenant: str, node_id: int, version: int | None = None) -> Response:
        _, node = node_of(tenant, node_id)
        if not node.versions:
            raise HTTPException(404, f"node {node_id} has no content")
        number = version if version is not None else len(node.versions)
        if not 1 <= number <= len(node.versions):
            raise HTTPException(404, f"node {node_id} has no version {number}")
        chosen = node.versions[number - 1]
        return Response(
            chosen.content,
            media_type=chosen.mime_type,
            headers={"Content-Disposition": f'attachment; filename="{chosen.file_name}"'},
        )

    @router.get("/tenants/{tenant}/workspaces")
    async def workspaces(tenant: str) -> list[dict[str, Any]]:
        repo = repository(tenant)
        return [
            {
                "id": node_id,
                "name": repo.nodes[node_id].name,
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


def _tree(repo: Repository, node: NodeState) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": node.id, "name": node.name, "type": node.subtype}
    if node.versions:
        entry["versions"] = len(node.versions)
    if node.categories:
        entry["categories"] = {str(k): v for k, v in node.categories.items()}
    if node.is_container:
        entry["children"] = [_tree(repo, repo.nodes[child]) for child in node.children]
    return entry
