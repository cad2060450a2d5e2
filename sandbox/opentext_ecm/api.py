"""Strict simulator of OpenText Extended ECM: Content Server REST and Business Workspaces.

`ContentServerSimulator.router` is mounted at `/opentext/otcs/cs.exe` (a Windows-style CGI URL), so
the REST root is `/opentext/otcs/cs.exe/api`; `admin_router` is mounted at `/opentext/otcs/_admin`.
Paths below are relative to the REST root:

* `POST /v1/auth` (form `username`, `password`) -> `{"ticket"}`; `GET /v1/auth` with
  `Authorization: Bearer <OTDS token>` (exchange, ticket in the `OTCSTicket` response header) or
  with `OTCSTicket` (who am I)
* `GET /v2/businessworkspaces` (search, incl. the business-object lookup), `POST` (create from a
  template, with folders and category values)
* `POST /v2/nodes` (folder, or document with a `file` part), `GET /v2/nodes/{id}`,
  `GET /v2/nodes/{id}/nodes`, `GET|POST /v2/nodes/{id}/versions`,
  `GET|POST /v2/nodes/{id}/categories`, `PUT /v2/nodes/{id}/categories/{category_id}/`
* version content, related workspaces, Records Management and search (the change feed): see
  `sandbox.opentext_ecm.document_routes`
* anything else below `/api`: 400 "The REST API URL could not be found in the mappings registry"

Every request is checked against OpenText's published spec for it (`sandbox.opentext_ecm.spec`)
after the ticket check; every answer carries a rotated `OTCSTicket`. Fault injection: before each
call the simulator asks `world.faults.take("opentext-ecm", op)` where `op` is `"<METHOD> <route>"`
as in `OPERATIONS` (e.g. `"POST /api/v2/nodes"`); rules may use `fnmatch` patterns.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from sandbox.faults import FaultEffect
from sandbox.opentext_ecm import rendering
from sandbox.opentext_ecm.admin import build_admin_router
from sandbox.opentext_ecm.config import ContentServerConfig
from sandbox.opentext_ecm.document_routes import DOCUMENT_OPERATIONS, add_document_routes
from sandbox.opentext_ecm.errors import ContentServerRoute, SimulatedCsError, authentication_required, cs_error
from sandbox.opentext_ecm.forms import Arguments, read_arguments
from sandbox.opentext_ecm.repository import (
    SUBTYPE_BUSINESS_WORKSPACE,
    BusinessObjectKey,
    NodeState,
    Repository,
    WorkspaceCreation,
)
from sandbox.opentext_ecm.spec import ContentServerSpecContract, SpecKind, spec_kind
from sandbox.opentext_ecm.tickets import Session, TicketIssuer
from sandbox.world import SandboxWorld

SYSTEM = "opentext-ecm"
TICKET_HEADER = "OTCSTicket"

OP_LOGIN = "POST /api/v1/auth"
OP_WHOAMI = "GET /api/v1/auth"
OP_SEARCH_WORKSPACES = "GET /api/v2/businessworkspaces"
OP_CREATE_WORKSPACE = "POST /api/v2/businessworkspaces"
OP_CREATE_NODE = "POST /api/v2/nodes"
OP_GET_NODE = "GET /api/v2/nodes/{id}"
OP_DELETE_NODE = "DELETE /api/v2/nodes/{id}"
OP_CHILDREN = "GET /api/v2/nodes/{id}/nodes"
OP_LIST_VERSIONS = "GET /api/v2/nodes/{id}/versions"
OP_ADD_VERSION = "POST /api/v2/nodes/{id}/versions"
OP_GET_CATEGORIES = "GET /api/v2/nodes/{id}/categories"
OP_APPLY_CATEGORY = "POST /api/v2/nodes/{id}/categories"
OP_UPDATE_CATEGORY = "PUT /api/v2/nodes/{id}/categories/{category_id}/"
OPERATIONS: tuple[str, ...] = (
    OP_LOGIN,
    OP_WHOAMI,
    OP_SEARCH_WORKSPACES,
    OP_CREATE_WORKSPACE,
    OP_CREATE_NODE,
    OP_GET_NODE,
    OP_DELETE_NODE,
    OP_CHILDREN,
    OP_LIST_VERSIONS,
    OP_ADD_VERSION,
    OP_GET_CATEGORIES,
    OP_APPLY_CATEGORY,
    OP_UPDATE_CATEGORY,
    *DOCUMENT_OPERATIONS,
)

# Delivery faults belong to the deliverer; an API call must not spend them.
API_FAULT_EFFECTS = {
    FaultEffect.HTTP_500,
    FaultEffect.HTTP_503,
    FaultEffect.THROTTLE,
    FaultEffect.LATENCY,
    FaultEffect.USER_ERROR,
}
DEFAULT_CHILDREN_LIMIT = 25
DEFAULT_WORKSPACE_LIMIT = 500


@dataclass
class Call:
    """An authenticated API call: who makes it, against which tenant, with which arguments."""

    session: Session
    repository: Repository
    arguments: Arguments


class ContentServerSimulator:
    """Every configured Content Server tenant behind one URL (sessions pick the tenant).

    Python surface for tests (same state as the HTTP API): `repository(tenant)`, `expire_tickets`,
    `tickets.logins`, `reset`."""

    def __init__(
        self,
        world: SandboxWorld,
        tenants: list[ContentServerConfig],
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        names = [t.name for t in tenants]
        if len(set(names)) != len(names):
            raise ValueError("Content Server tenant names must be unique")
        usernames = [u.username for t in tenants for u in t.users]
        if len(set(usernames)) != len(usernames):
            raise ValueError("user names must be unique across Content Server tenants (a login picks the tenant)")
        self.world = world
        self.tenants = list(tenants)
        self.tickets = TicketIssuer(self.tenants, clock)
        self.repositories = {t.name: Repository(t) for t in self.tenants}
        self.contracts: dict[SpecKind, ContentServerSpecContract] = {}
        self.router = self._build_router()
        self.admin_router = build_admin_router(self)

    # -- Python surface -------------------------------------------------------------------------

    def repository(self, tenant: str) -> Repository:
        try:
            return self.repositories[tenant]
        except KeyError:
            raise KeyError(f"no Content Server tenant {tenant!r}") from None

    def expire_tickets(self, tenant: str | None = None) -> int:
        """End every session (of one tenant), as if the idle timeout had passed."""
        return self.tickets.expire(tenant)

    def reset(self) -> None:
        for repository in self.repositories.values():
            repository.reset()

    # -- request handling -----------------------------------------------------------------------

    async def _inject_fault(self, operation: str) -> None:
        rule = self.world.faults.take(SYSTEM, operation, API_FAULT_EFFECTS)
        if rule is None:
            return
        if rule.effect is FaultEffect.LATENCY:
            await asyncio.sleep(rule.seconds)
        elif rule.effect is FaultEffect.HTTP_500:
            raise cs_error(500, rule.message or "An internal server error occurred.")
        elif rule.effect is FaultEffect.HTTP_503:
            # What a load balancer in front of Content Server answers: an HTML page.
            raise SimulatedCsError(503, rule.message or "Service Unavailable", html=True)
        elif rule.effect is FaultEffect.THROTTLE:
            retry_after = str(max(1, math.ceil(rule.seconds))) if rule.seconds else "1"
            raise SimulatedCsError(429, rule.message or "Too Many Requests", headers={"Retry-After": retry_after})
        elif rule.effect is FaultEffect.USER_ERROR:
            raise cs_error(400, rule.message or "Simulated refusal")

    def check_spec(self, request: Request, arguments: Arguments) -> None:
        kind = spec_kind(request.url.path)
        contract = self.contracts.setdefault(kind, ContentServerSpecContract(kind))
        problems = contract.check(request.method, str(request.url), dict(request.headers), arguments.payload)
        if problems:
            raise cs_error(400, f"Invalid request: {'; '.join(problems)[:1000]}")

    async def begin(self, request: Request, operation: str) -> Call:
        """Fault injection, arguments, the ticket, then the spec check (in the server's order)."""
        await self._inject_fault(operation)
        arguments = await read_arguments(request)
        session = self.tickets.authenticate(request.headers.get(TICKET_HEADER))
        self.check_spec(request, arguments)
        return Call(session, self.repositories[session.tenant.name], arguments)

    def answer(self, session: Session, payload: object, status_code: int = 200) -> JSONResponse:
        return JSONResponse(payload, status_code=status_code, headers={TICKET_HEADER: self.tickets.rotate(session)})

    # -- routes ---------------------------------------------------------------------------------

    def _build_router(self) -> APIRouter:
        router = APIRouter(route_class=ContentServerRoute, tags=["opentext content server"])

        @router.post("/api/v1/auth")
        async def login(request: Request) -> Response:
            await self._inject_fault(OP_LOGIN)
            arguments = await read_arguments(request)
            self.check_spec(request, arguments)
            _, ticket = self.tickets.login(arguments.text("username"), arguments.text("password"))
            return JSONResponse({"ticket": ticket}, headers={TICKET_HEADER: ticket})

        @router.get("/api/v1/auth")
        async def who_am_i(request: Request) -> Response:
            await self._inject_fault(OP_WHOAMI)
            scheme, _, bearer = request.headers.get("authorization", "").partition(" ")
            if scheme.lower() == "bearer" and bearer:
                session, ticket = self.tickets.exchange(bearer.strip())
            elif request.headers.get(TICKET_HEADER):
                session = self.tickets.authenticate(request.headers.get(TICKET_HEADER))
                ticket = self.tickets.rotate(session)
            else:
                raise authentication_required()
            self.check_spec(request, Arguments())
            user = session.user
            body = {
                "data": {
                    "id": user.user_id,
                    "name": user.username,
                    "display_name": user.display_name or user.username,
                    "type": 0,
                    "type_name": "User",
                    "deleted": False,
                    "privilege_login": True,
                }
            }
            return JSONResponse(body, headers={TICKET_HEADER: ticket})

        @router.get("/api/v2/businessworkspaces")
        async def search_workspaces(request: Request) -> Response:
            call = await self.begin(request, OP_SEARCH_WORKSPACES)
            matches = _search(call, request)
            page = _positive(request.query_params.get("page"), 1)
            limit = min(_positive(request.query_params.get("limit"), DEFAULT_WORKSPACE_LIMIT), DEFAULT_WORKSPACE_LIMIT)
            shown = matches[(page - 1) * limit : page * limit]
            return self.answer(
                call.session,
                {
                    "links": rendering.links(request.url, "GET"),
                    "paging": rendering.paging(len(matches), page, limit),
                    "results": [rendering.workspace_result(n) for n in shown],
                    "wksp_info": {"wksp_type_icon": None},
                },
            )

        @router.post("/api/v2/businessworkspaces")
        async def create_workspace(request: Request) -> Response:
            call = await self.begin(request, OP_CREATE_WORKSPACE)
            node = call.repository.create_workspace(call.session.user, _workspace_creation(call.arguments))
            return self.answer(
                call.session,
                {
                    "links": rendering.links(request.url, "POST"),
                    "results": {"id": node.id, "direct_open": True, "sub_folder_id": 0},
                },
            )

        @router.post("/api/v2/nodes")
        async def create_node(request: Request) -> Response:
            call = await self.begin(request, OP_CREATE_NODE)
            args = call.arguments
            if "original_id" in args.values:
                raise cs_error(400, "Copying nodes is not supported by the simulator")
            node = call.repository.create_node(
                call.session.user,
                subtype=_required_int(args, "type"),
                parent_id=_required_int(args, "parent_id"),
                name=_required_text(args, "name"),
                description=args.text("description") or "",
                upload=args.uploads.get("file"),
                categories=args.mapping("roles", "categories"),
            )
            return self.answer(
                call.session, {"links": rendering.links(request.url, "POST"), "results": rendering.node_result(node)}
            )

        @router.get("/api/v2/nodes/{node_id}")
        async def get_node(request: Request, node_id: str) -> Response:
            call = await self.begin(request, OP_GET_NODE)
            node = call.repository.node(int(node_id))
            call.repository.touch_workspace(call.session.user, node)
            return self.answer(
                call.session, {"links": rendering.links(request.url, "GET"), "results": rendering.node_result(node)}
            )

        @router.delete("/api/v2/nodes/{node_id}")
        async def delete_node(request: Request, node_id: str) -> Response:
            call = await self.begin(request, OP_DELETE_NODE)
            call.repository.delete_node(int(node_id))
            # ASSUMPTION: the spec documents 200 without a body schema; an empty result, as other deletes.
            return self.answer(call.session, {"links": rendering.links(request.url, "DELETE"), "results": {}})

        @router.get("/api/v2/nodes/{node_id}/nodes")
        async def children(request: Request, node_id: str) -> Response:
            call = await self.begin(request, OP_CHILDREN)
            matches = _filter_children(call.repository.children(int(node_id)), request)
            page = _positive(request.query_params.get("page"), 1)
            limit = _positive(request.query_params.get("limit"), DEFAULT_CHILDREN_LIMIT)
            shown = matches[(page - 1) * limit : page * limit]
            return self.answer(
                call.session,
                {
                    "collection": {
                        "paging": rendering.paging(len(matches), page, limit),
                        "sorting": {"sort": [{"key": "sort", "value": "asc_name"}]},
                    },
                    "links": rendering.links(request.url, "GET"),
                    "results": [rendering.node_result(n) for n in shown],
                },
            )

        @router.get("/api/v2/nodes/{node_id}/versions")
        async def list_versions(request: Request, node_id: str) -> Response:
            call = await self.begin(request, OP_LIST_VERSIONS)
            node = call.repository.node(int(node_id))
            return self.answer(
                call.session,
                {
                    "links": rendering.links(request.url, "GET"),
                    "results": [{"data": {"versions": rendering.version_info(node, v)}} for v in node.versions],
                },
            )

        @router.post("/api/v2/nodes/{node_id}/versions")
        async def add_version(request: Request, node_id: str) -> Response:
            call = await self.begin(request, OP_ADD_VERSION)
            args = call.arguments
            version = call.repository.add_version(
                call.session.user,
                int(node_id),
                args.uploads.get("file"),
                description=args.text("description") or "",
                major=args.boolean("add_major_version"),
                categories=args.mapping("roles", "categories"),
            )
            node = call.repository.node(int(node_id))
            return self.answer(
                call.session,
                {
                    "links": rendering.links(request.url, "POST"),
                    "results": {
                        "data": {
                            "properties": rendering.node_properties(node),
                            "versions": rendering.version_info(node, version),
                        }
                    },
                },
            )

        @router.get("/api/v2/nodes/{node_id}/categories")
        async def get_categories(request: Request, node_id: str) -> Response:
            call = await self.begin(request, OP_GET_CATEGORIES)
            node = call.repository.node(int(node_id))
            return self.answer(
                call.session,
                {
                    "links": rendering.links(request.url, "GET"),
                    "results": rendering.category_results(node, call.repository.config),
                },
            )

        @router.post("/api/v2/nodes/{node_id}/categories")
        async def apply_category(request: Request, node_id: str) -> Response:
            call = await self.begin(request, OP_APPLY_CATEGORY)
            values = dict(call.arguments.values)
            category_id = _required_int(call.arguments, "category_id")
            values.pop("category_id", None)
            call.repository.apply_category(int(node_id), category_id, _attribute_values(values))
            return self.answer(call.session, {"links": rendering.links(request.url, "POST"), "results": {}})

        @router.put("/api/v2/nodes/{node_id}/categories/{category_id}/")
        async def update_category(request: Request, node_id: str, category_id: str) -> Response:
            call = await self.begin(request, OP_UPDATE_CATEGORY)
            values = _attribute_values(call.arguments.values)
            call.repository.update_category(int(node_id), int(category_id), values)
            return self.answer(call.session, {"links": rendering.links(request.url, "PUT"), "results": {}})

        add_document_routes(router, self)

        @router.api_route("/api/{rest:path}", methods=["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"])
        async def unmapped(rest: str) -> Response:
            raise cs_error(400, "The REST API URL could not be found in the mappings registry")

        return router


# -- request helpers ------------------------------------------------------------------------------


def _positive(raw: str | None, default: int) -> int:
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise cs_error(400, "One or more parameters are invalid") from exc
    if value < 1:
        raise cs_error(400, "One or more parameters are invalid")
    return value


def _required_int(arguments: Arguments, name: str) -> int:
    value = arguments.integer(name, required=True)
    assert value is not None
    return value


def _required_text(arguments: Arguments, name: str) -> str:
    value = arguments.text(name)
    if not value:
        raise cs_error(400, f"Missing required parameter '{name}'")
    return value


def _attribute_values(values: dict[str, object]) -> dict[str, object]:
    """Arguments that are attribute keys (`{cat}_...`); anything else is not a category value."""
    return {k: v for k, v in values.items() if k[:1].isdigit() and k not in ("metadata_token",)}


def _workspace_creation(arguments: Arguments) -> WorkspaceCreation:
    bo_parts = [arguments.text(k) for k in ("ext_system_id", "bo_type", "bo_id")]
    if any(bo_parts) and not all(bo_parts):
        raise cs_error(400, "ext_system_id, bo_type and bo_id must be given together")
    ext_system_id, bo_type, bo_id = bo_parts
    business_object = BusinessObjectKey(ext_system_id, bo_type, bo_id) if ext_system_id and bo_type and bo_id else None
    categories: dict[int, dict[str, object]] = {}
    for key, values in arguments.mapping("roles", "categories").items():
        if not key.isdigit() or not isinstance(values, dict):
            raise cs_error(
                400, f"Body parameter is invalid: roles.categories.{key} must be an object keyed by category id"
            )
        categories[int(key)] = {str(k): v for k, v in values.items()}
    return WorkspaceCreation(
        name=arguments.text("name"),
        template_id=arguments.integer("template_id"),
        workspace_type_id=arguments.integer("wksp_type_id"),
        parent_id=arguments.integer("parent_id"),
        description=arguments.text("description") or "",
        business_object=business_object,
        categories=categories,
    )


def _search(call: Call, request: Request) -> list[NodeState]:
    query = request.query_params
    ext_system_id = query.get("where_ext_system_id")
    if ext_system_id is not None:
        call.repository.check_business_object_type(ext_system_id, query.get("where_bo_type"))
    expanded = (query.get("expanded_view") or "false").lower() == "true"
    candidates = call.repository.workspaces()
    if not expanded:
        # Without the expanded view only the user's recently accessed workspaces are searched.
        recent = call.repository.recent.get(call.session.user.user_id, [])
        candidates = [n for n in candidates if n.id in recent]

    def wanted(node: NodeState) -> bool:
        bo = node.business_object
        for param, actual in (
            ("where_ext_system_id", bo.ext_system_id if bo else None),
            ("where_bo_type", bo.bo_type if bo else None),
            ("where_bo_id", bo.bo_id if bo else None),
            ("where_workspace_type_id", str(node.workspace_type_id)),
        ):
            expected = query.get(param)
            if expected is not None and expected != actual:
                return False
        return _name_matches(node.name, query.get("where_name"))

    return sorted(
        (n for n in candidates if n.subtype == SUBTYPE_BUSINESS_WORKSPACE and wanted(n)),
        key=lambda n: (n.name.lower(), n.id),
    )


def _name_matches(name: str, where_name: str | None) -> bool:
    if where_name is None:
        return True
    if where_name.startswith("contains_"):
        return where_name[len("contains_") :].lower() in name.lower()
    if where_name.startswith("startswith_"):
        return name.lower().startswith(where_name[len("startswith_") :].lower())
    return name.lower() == where_name.lower()


def _filter_children(children: list[NodeState], request: Request) -> list[NodeState]:
    where_name = request.query_params.get("where_name")
    try:
        types = {int(t) for raw in request.query_params.getlist("where_type") for t in raw.split(",") if t.strip()}
    except ValueError as exc:
        raise cs_error(400, "One or more parameters are invalid: where_type") from exc

    def wanted(node: NodeState) -> bool:
        # ASSUMPTION (as the connector's contract module): `where_name` is a substring filter.
        if where_name is not None and where_name.lower() not in node.name.lower():
            return False
        if not types:
            return True
        return node.subtype in types or (-1 in types and node.is_container) or (-3 in types and not node.is_container)

    ordering = request.query_params.get("sort") or "asc_name"
    ordered = sorted((c for c in children if wanted(c)), key=lambda n: (n.name.lower(), n.id))
    return list(reversed(ordered)) if ordering == "desc_name" else ordered
