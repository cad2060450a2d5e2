"""Routes of the Content Server simulator for what happens to documents after filing: reading a
version's content, relating workspaces, Records Management classification, and search (the change
feed). Paths are relative to the REST root, like those in `sandbox.opentext_ecm.api`:

* `GET /v2/nodes/{id}/versions/{version_number}/content` -> the version's bytes
* `POST /v2/search` (form fields `where`, `sort`, `page`, `limit`; see `sandbox.opentext_ecm.search`)
* `GET /v2/businessworkspaces/{bw_id}` -> the workspace, its type and its business object links
* `GET|POST /v2/businessworkspaces/{bw_id}/relateditems`,
  `DELETE /v2/businessworkspaces/{bw_id}/relateditems/{rel_bw_id}?rel_type=child|parent`
* `GET /v1/nodes/{id}/businessworkspace` -> the workspace a node lies in
* `GET|POST /v1/nodes/{id}/rmclassifications` (Records Management; see `spec.records_management_supplement`)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, Request, Response

from sandbox.opentext_ecm import rendering, search
from sandbox.opentext_ecm.errors import cs_error
from sandbox.opentext_ecm.repository import RELATION_TYPES, SUBTYPE_BUSINESS_WORKSPACE

if TYPE_CHECKING:
    from sandbox.opentext_ecm.api import ContentServerSimulator

OP_VERSION_CONTENT = "GET /api/v2/nodes/{id}/versions/{version_number}/content"
OP_SEARCH = "POST /api/v2/search"
OP_WORKSPACE_INFO = "GET /api/v2/businessworkspaces/{bw_id}"
OP_RELATED = "GET /api/v2/businessworkspaces/{bw_id}/relateditems"
OP_RELATE = "POST /api/v2/businessworkspaces/{bw_id}/relateditems"
OP_UNRELATE = "DELETE /api/v2/businessworkspaces/{bw_id}/relateditems/{rel_bw_id}"
OP_WORKSPACE_ROOT = "GET /api/v1/nodes/{id}/businessworkspace"
OP_RECORDS_DETAILS = "GET /api/v1/nodes/{id}/rmclassifications"
OP_CLASSIFY = "POST /api/v1/nodes/{id}/rmclassifications"
DOCUMENT_OPERATIONS: tuple[str, ...] = (
    OP_VERSION_CONTENT,
    OP_SEARCH,
    OP_WORKSPACE_INFO,
    OP_RELATED,
    OP_RELATE,
    OP_UNRELATE,
    OP_WORKSPACE_ROOT,
    OP_RECORDS_DETAILS,
    OP_CLASSIFY,
)
# ASSUMPTION: the spec gives no default page size for search; 10 is what the UI shows.
DEFAULT_SEARCH_LIMIT = 10
DEFAULT_RELATED_LIMIT = 500  # documented default of `limit` on related items


def add_document_routes(router: APIRouter, simulator: ContentServerSimulator) -> None:
    @router.get("/api/v2/nodes/{node_id}/versions/{version_number}/content")
    async def version_content(request: Request, node_id: str, version_number: str) -> Response:
        call = await simulator.begin(request, OP_VERSION_CONTENT)
        if not version_number.isdigit():
            raise cs_error(500, "The version is not found")
        version = call.repository.version(int(node_id), int(version_number))
        response = Response(version.content, media_type=version.mime_type)
        response.headers["Content-Disposition"] = f'attachment; filename="{version.file_name}"'
        response.headers["OTCSTicket"] = simulator.tickets.rotate(call.session)
        return response

    @router.post("/api/v2/search")
    async def search_nodes(request: Request) -> Response:
        call = await simulator.begin(request, OP_SEARCH)
        args = call.arguments
        conditions = search.parse_where(args.text("where"))
        sort = args.text("sort") or "relevance"
        found = search.search(call.repository, conditions, sort)
        page = args.integer("page") or 1
        limit = args.integer("limit") or DEFAULT_SEARCH_LIMIT
        if page < 1 or limit < 1:
            raise cs_error(400, "One or more parameters are invalid")
        shown = found[(page - 1) * limit : page * limit]
        repository = call.repository
        return simulator.answer(
            call.session,
            {
                "collection": rendering.search_collection(len(found), page, limit, sort),
                "links": rendering.links(request.url, "POST"),
                "results": [
                    rendering.search_result(
                        node,
                        search.location_path(repository, node),
                        parent.name if (parent := repository.nodes.get(node.parent_id)) else None,
                    )
                    for node in shown
                ],
            },
        )

    @router.get("/api/v2/businessworkspaces/{bw_id}")
    async def workspace_info(request: Request, bw_id: str) -> Response:
        call = await simulator.begin(request, OP_WORKSPACE_INFO)
        if not bw_id.isdigit():
            raise cs_error(400, f"Could not get a node for {bw_id}.")
        node = call.repository.node(int(bw_id))
        if node.subtype != SUBTYPE_BUSINESS_WORKSPACE:
            # ASSUMPTION: the status and wording (the spec lists 400 and 404 without examples).
            raise cs_error(404, f"Node {bw_id} is not a business workspace.")
        type_name = next(
            (t.name for t in call.repository.config.workspace_types if t.id == node.workspace_type_id), None
        )
        return simulator.answer(
            call.session,
            {"links": rendering.links(request.url, "GET"), "results": rendering.workspace_info(node, type_name)},
        )

    @router.get("/api/v2/businessworkspaces/{bw_id}/relateditems")
    async def related_items(request: Request, bw_id: str) -> Response:
        call = await simulator.begin(request, OP_RELATED)
        query = request.query_params
        wanted = _relation_types(query.get("where_rel_types") or query.get("where_relationtype"))
        type_ids = {t for raw in (query.get("where_workspace_type_ids") or "").split(",") if (t := raw.strip())}
        if query.get("where_workspace_type_id"):
            type_ids.add(query["where_workspace_type_id"].strip())
        prefix = (query.get("where_name") or "").lower()
        found = [
            (node, rel_type)
            for node, rel_type in call.repository.related(int(bw_id), wanted)
            if (not type_ids or str(node.workspace_type_id) in type_ids) and node.name.lower().startswith(prefix)
        ]
        found.sort(key=lambda pair: (pair[0].name.lower(), pair[0].id), reverse=query.get("sort") == "desc_name")
        page = int(query.get("page") or 1)
        limit = int(query.get("limit") or DEFAULT_RELATED_LIMIT)
        if page < 1 or limit < 1:
            raise cs_error(400, "One or more parameters are invalid")
        shown = found[(page - 1) * limit : page * limit]
        return simulator.answer(
            call.session,
            {
                "links": rendering.links(request.url, "GET"),
                "paging": rendering.paging(len(found), page, limit),
                "results": [rendering.related_result(node, rel_type) for node, rel_type in shown],
                "wksp_info": {"wksp_type_icon": None},
            },
        )

    @router.post("/api/v2/businessworkspaces/{bw_id}/relateditems")
    async def relate(request: Request, bw_id: str) -> Response:
        call = await simulator.begin(request, OP_RELATE)
        related_id = call.arguments.integer("rel_bw_id", required=True)
        assert related_id is not None
        call.repository.add_relation(int(bw_id), related_id, call.arguments.text("rel_type") or "child")
        return simulator.answer(call.session, {"links": rendering.links(request.url, "POST"), "results": {}})

    @router.delete("/api/v2/businessworkspaces/{bw_id}/relateditems/{rel_bw_id}")
    async def unrelate(request: Request, bw_id: str, rel_bw_id: str) -> Response:
        call = await simulator.begin(request, OP_UNRELATE)
        rel_type = request.query_params.get("rel_type") or "child"
        call.repository.remove_relation(int(bw_id), int(rel_bw_id), rel_type)
        return simulator.answer(call.session, {"links": rendering.links(request.url, "DELETE"), "results": {}})

    @router.get("/api/v1/nodes/{node_id}/businessworkspace")
    async def workspace_root(request: Request, node_id: str) -> Response:
        call = await simulator.begin(request, OP_WORKSPACE_ROOT)
        if not node_id.isdigit():
            raise cs_error(400, f"Could not get a node for {node_id}.")
        call.repository.node(int(node_id))
        workspace = call.repository.workspace_of(int(node_id))
        if workspace is None:
            # ASSUMPTION: the status and wording (pyxecm: "The node may not be inside a workspace").
            raise cs_error(404, f"Node {node_id} is not located in a business workspace.")
        return simulator.answer(
            call.session,
            {
                "id": workspace.id,
                "isLinked": workspace.business_object is not None,
                "type": SUBTYPE_BUSINESS_WORKSPACE,
                "workspace_type_id": workspace.workspace_type_id,
            },
        )

    @router.get("/api/v1/nodes/{node_id}/rmclassifications")
    async def records_details(request: Request, node_id: str) -> Response:
        call = await simulator.begin(request, OP_RECORDS_DETAILS)
        return simulator.answer(call.session, rendering.records_details(call.repository.node(int(node_id))))

    @router.post("/api/v1/nodes/{node_id}/rmclassifications")
    async def classify(request: Request, node_id: str) -> Response:
        call = await simulator.begin(request, OP_CLASSIFY)
        args = call.arguments
        class_id = args.integer("class_id", required=True)
        assert class_id is not None
        call.repository.classify(
            int(node_id),
            class_id,
            apply_to_sub_items=args.boolean("apply_to_sub_items"),
            token=args.text("rm_metadataToken"),
        )
        return simulator.answer(call.session, {"links": rendering.links(request.url, "POST"), "results": {}})


def _relation_types(raw: str | None) -> tuple[str, ...]:
    """`where_rel_types` (`child,parent`; pyxecm also sends `{'child','parent'}`), or both."""
    if not raw:
        return RELATION_TYPES
    wanted = tuple(t.strip().strip("'\"") for t in raw.strip("{}").split(",") if t.strip())
    unknown = [t for t in wanted if t not in RELATION_TYPES]
    if unknown:
        raise cs_error(400, f"Invalid relation type '{unknown[0]}': use child or parent.")
    return wanted
