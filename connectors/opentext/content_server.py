"""Connector for OpenText Extended ECM: Content Server REST (nodes, versions and their content,
categories, search as the change feed), the Business Workspaces API (workspaces by business object,
related workspaces) and Records Management classification.

One client per Content Server and technical user. It logs in with a username and password
(`POST /api/v1/auth`) or exchanges an OTDS bearer token for a ticket (`GET /api/v1/auth`), sends the
ticket as the `OTCSTicket` header, swaps in the fresher ticket each answer carries, and on a 401
logs in again once and repeats the call once. Writes are form-encoded or multipart with their JSON in
the form field `body`, never plain JSON. File content is streamed from bytes, a binary file object
or a path; callers get node ids back (`WorkspaceRef`, `DocumentRef`, `NodeChange`), never content,
except from `download_version`, which exists to read it.

Every method raises only `connectors.errors` types (`system="opentext-ecm"`, `operation` = the
method name). Wire-level assumptions live in `connectors.opentext.content_server_contract`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import mimetypes
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, TypeVar

import httpx
from pydantic import BaseModel, SecretStr, ValidationError

from connectors.errors import (
    ConflictError,
    ContractError,
    NotFoundError,
    TransientError,
    contract_error,
)
from connectors.lifecycle import Closing
from connectors.opentext.content_server_contract import (
    API_ROOT,
    AUTH,
    BODY_FIELD,
    BUSINESS_WORKSPACES,
    CATEGORY_UPDATE,
    DEFAULT_PAGE_SIZE,
    DEFAULT_RETRY_AFTER_SECONDS,
    FILE_PART,
    MAX_PAGES,
    NODES,
    RELATED_ITEMS,
    RELATION_CHILD,
    RM_CLASSIFICATIONS,
    SEARCH,
    SEARCH_SORT,
    SUBTYPE_BUSINESS_WORKSPACE,
    SUBTYPE_DOCUMENT,
    SUBTYPE_FOLDER,
    SYSTEM,
    TICKET_HEADER,
    VERSION_CONTENT,
    WORKSPACE_INFO,
    WORKSPACE_ROOT,
)
from connectors.opentext.content_server_errors import error_for_response, transport_error
from connectors.opentext.content_server_models import (
    AuthTicketEnvelope,
    BusinessObject,
    BusinessWorkspaceRequest,
    CategoriesEnvelope,
    CategoryValue,
    ContentServerCredentials,
    DocumentRef,
    Node,
    NodeChange,
    NodeEnvelope,
    NodeListEnvelope,
    Paging,
    RecordsClassification,
    RecordsDetailsEnvelope,
    RelatedItemsEnvelope,
    RelatedWorkspace,
    SearchEnvelope,
    VersionAddEnvelope,
    VersionContent,
    VersionInfo,
    VersionListEnvelope,
    WorkspaceCreateEnvelope,
    WorkspaceInfoEnvelope,
    WorkspaceRef,
    WorkspaceRootInfo,
    WorkspaceSearchEnvelope,
    wire_category_values,
)
from connectors.retry_after import retry_after_seconds
from connectors.telemetry import ExternalCall, external_call

log = logging.getLogger(__name__)

OTDSTokenProvider = Callable[[], Awaitable[SecretStr]]
"""Returns a valid OTDS access token; called whenever a new ticket is needed (it caches its own)."""

Content = bytes | IO[bytes] | Path
"""Document content: bytes, a binary file object (read from its start) or a path (streamed)."""

_Model = TypeVar("_Model", bound=BaseModel)
_Params = dict[str, str | int]
_MAX_THROTTLE_WAITS = 2


class ContentServerClient(Closing):
    def __init__(
        self,
        base_url: str,
        *,
        credentials: ContentServerCredentials | None = None,
        otds_token: OTDSTokenProvider | None = None,
        timeout: float = 30.0,
        upload_timeout: float = 300.0,
        max_local_wait: float = 5.0,
        page_size: int = DEFAULT_PAGE_SIZE,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        """`base_url` is the Content Server CGI URL, e.g. `https://ecm.example.com/otcs/cs.exe` or
        the sandbox's `http://127.0.0.1:8100/opentext/otcs/cs.exe`. Give exactly one of
        `credentials` (username/password login) and `otds_token` (OTDS bearer exchanged for a ticket).
        """
        if (credentials is None) == (otds_token is None):
            raise ValueError("give exactly one of credentials and otds_token")
        self._api = f"{base_url.rstrip('/')}{API_ROOT}"
        self._credentials = credentials
        self._otds_token = otds_token
        self._upload_timeout = upload_timeout
        self._max_local_wait = max_local_wait
        self._page_size = page_size
        self._http = httpx.AsyncClient(timeout=timeout, transport=transport)
        self._ticket: SecretStr | None = None
        # Which login the ticket belongs to. Tickets rotate on every answer, so a 401 is matched to
        # its session by this number, not by the ticket string it was sent with.
        self._session = 0
        self._login_lock = asyncio.Lock()
        self.ticket_fetches = 0  # logins and token exchanges made so far (observability and tests)

    # -- lifecycle ------------------------------------------------------------------------------

    async def aclose(self) -> None:
        await self._http.aclose()

    async def authenticate(self) -> None:
        """Log in now (otherwise the first call does); useful to check configuration at start-up."""
        with self._span("authenticate", "GET" if self._otds_token else "POST", AUTH):
            await self._current_ticket("authenticate")

    # -- business workspaces --------------------------------------------------------------------

    async def find_business_workspace(self, business_object: BusinessObject) -> WorkspaceRef | None:
        """The workspace linked to `business_object`, or None. Several answers are a conflict that
        an operator must resolve (Content Server keeps one workspace per business object)."""
        operation = "find_business_workspace"
        params: _Params = {
            "where_ext_system_id": business_object.ext_system_id,
            "where_bo_type": business_object.bo_type,
            "where_bo_id": business_object.bo_id,
            "expanded_view": "true",
        }
        nodes = await self._collect_workspaces(operation, params)
        workspaces = [n for n in nodes if n.type == SUBTYPE_BUSINESS_WORKSPACE]
        if len(workspaces) > 1:
            ids = ", ".join(str(w.id) for w in workspaces)
            raise ConflictError(
                f"several workspaces ({ids}) for one business object", system=SYSTEM, operation=operation
            )
        if not workspaces:
            return None
        return WorkspaceRef(
            id=workspaces[0].id, name=workspaces[0].name, business_object=business_object, created=False
        )

    async def create_business_workspace(self, request: BusinessWorkspaceRequest) -> int:
        """Create a workspace from a template (with its folders and category values); returns its
        node id. Not idempotent by itself: `ensure_business_workspace` looks up first."""
        response = await self._call(
            "create_business_workspace",
            "POST",
            BUSINESS_WORKSPACES,
            form={BODY_FIELD: _json(request.to_body())},
        )
        return self._parse(response, WorkspaceCreateEnvelope, "create_business_workspace").results.id

    async def ensure_business_workspace(self, request: BusinessWorkspaceRequest) -> WorkspaceRef:
        """The business object's workspace, created from the template only when none exists yet.

        Safe to repeat after a lost answer: the business object is the natural key. When creation
        clashes ("already exists": a concurrent creator, or a lost answer of an earlier attempt),
        the workspace is looked up again instead of failing."""
        bo = request.business_object
        existing = await self.find_business_workspace(bo)
        if existing is not None:
            return existing
        try:
            workspace_id = await self.create_business_workspace(request)
        except ConflictError:
            existing = await self.find_business_workspace(bo)
            if existing is None:
                raise
            return existing
        return WorkspaceRef(id=workspace_id, name=request.name, business_object=bo, created=True)

    # -- nodes ----------------------------------------------------------------------------------

    async def get_node(self, node_id: int) -> Node:
        response = await self._call("get_node", "GET", f"{NODES}/{int(node_id)}")
        return self._parse(response, NodeEnvelope, "get_node").results.data.properties

    async def list_children(self, node_id: int, *, name: str | None = None, subtype: int | None = None) -> list[Node]:
        """Children of a container, across all pages. `name` narrows the server-side search (a
        substring filter); compare names yourself, or use `find_child`."""
        params: _Params = {}
        if name is not None:
            params["where_name"] = name
        if subtype is not None:
            params["where_type"] = subtype
        return await self._collect_children("list_children", int(node_id), params)

    async def find_child(self, parent_id: int, name: str, *, subtype: int | None = None) -> Node | None:
        """The child of `parent_id` named `name` (and of `subtype`, when given), or None.

        Content Server trims names and keeps them unique per parent regardless of case (ASSUMPTION,
        as the simulator), so the exact name wins and a case-insensitive match is the fallback: the
        node a create of `name` would clash with. The server-side `where_name` filter only narrows
        the listing (a substring filter), every page of which is read."""
        wanted = name.strip()
        params: _Params = {"where_name": wanted}
        if subtype is not None:
            params["where_type"] = subtype
        children = await self._collect_children("find_child", int(parent_id), params)
        exact = next((c for c in children if c.name == wanted), None)
        return exact or next((c for c in children if c.name.casefold() == wanted.casefold()), None)

    async def find_folder(self, workspace_id: int, path: str) -> Node | None:
        """A folder inside a workspace by name, or by a `/`-separated path of names."""
        current = int(workspace_id)
        folder: Node | None = None
        for name in (part for part in path.split("/") if part):
            folder = await self.find_child(current, name, subtype=SUBTYPE_FOLDER)
            if folder is None:
                return None
            current = folder.id
        return folder

    async def create_folder(self, parent_id: int, name: str) -> Node:
        body = {"type": SUBTYPE_FOLDER, "parent_id": int(parent_id), "name": name}
        response = await self._call("create_folder", "POST", NODES, form={BODY_FIELD: _json(body)})
        return self._parse(response, NodeEnvelope, "create_folder").results.data.properties

    # -- documents ------------------------------------------------------------------------------

    async def upload_document(
        self,
        folder_id: int,
        name: str,
        content: Content,
        *,
        mime_type: str | None = None,
        description: str | None = None,
        categories: Mapping[int, Mapping[str, CategoryValue]] | None = None,
    ) -> DocumentRef:
        """Put a document named `name` into `folder_id`; when one of that name is already there,
        add a new version to it instead. Safe to repeat (a repeat adds a version, never a copy)."""
        operation = "upload_document"
        flat = _flat_categories(categories)  # checked before anything is sent
        existing = await self.find_child(folder_id, name, subtype=SUBTYPE_DOCUMENT)
        if existing is not None:
            return await self.add_version(
                existing.id,
                content,
                file_name=name,
                mime_type=mime_type,
                description=description,
                categories=categories,
            )
        body: dict[str, object] = {"type": SUBTYPE_DOCUMENT, "parent_id": int(folder_id), "name": name}
        if description is not None:
            body["description"] = description
        if flat:
            body["roles"] = {"categories": flat}  # flat keys in node creation, unlike workspaces
        try:
            async with _opened(content) as stream:
                response = await self._call(
                    operation,
                    "POST",
                    NODES,
                    form={BODY_FIELD: _json(body)},
                    files={FILE_PART: (name, stream, mime_type or _guess_mime_type(name))},
                )
        except ConflictError:
            # Created meanwhile (or our earlier answer was lost): version the document found now.
            existing = await self.find_child(folder_id, name)
            if existing is None or existing.type != SUBTYPE_DOCUMENT:
                raise
            return await self.add_version(
                existing.id,
                content,
                file_name=name,
                mime_type=mime_type,
                description=description,
                categories=categories,
            )
        node = self._parse(response, NodeEnvelope, operation).results.data.properties
        return DocumentRef(
            node_id=node.id, parent_id=node.parent_id or int(folder_id), name=node.name, version_number=1, created=True
        )

    async def add_version(
        self,
        document_id: int,
        content: Content,
        *,
        file_name: str,
        mime_type: str | None = None,
        description: str | None = None,
        major: bool = False,
        categories: Mapping[int, Mapping[str, CategoryValue]] | None = None,
    ) -> DocumentRef:
        """Add a version to an existing document (`categories` are set on the node with it)."""
        operation = "add_version"
        body: dict[str, object] = {"add_major_version": major}
        if description is not None:
            body["description"] = description
        flat = _flat_categories(categories)
        if flat:
            body["roles"] = {"categories": flat}
        async with _opened(content) as stream:
            response = await self._call(
                operation,
                "POST",
                f"{NODES}/{int(document_id)}/versions",
                form={BODY_FIELD: _json(body)},
                files={FILE_PART: (file_name, stream, mime_type or _guess_mime_type(file_name))},
            )
        data = self._parse(response, VersionAddEnvelope, operation).results.data
        if data.versions is not None:
            number = data.versions.version_number
        else:
            number = max((v.version_number for v in await self.list_versions(document_id)), default=1)
        node = data.properties
        return DocumentRef(
            node_id=int(document_id),
            parent_id=node.parent_id if node is not None and node.parent_id is not None else 0,
            name=node.name if node is not None else file_name,
            version_number=number,
            created=False,
        )

    async def list_versions(self, document_id: int) -> list[VersionInfo]:
        response = await self._call("list_versions", "GET", f"{NODES}/{int(document_id)}/versions")
        envelope = self._parse(response, VersionListEnvelope, "list_versions")
        return sorted((r.data.versions for r in envelope.results), key=lambda v: v.version_number)

    async def download_version(self, document_id: int, version_number: int) -> VersionContent:
        """The content of one version (`list_versions` or a `NodeChange` names the numbers). A
        missing document or version raises `NotFoundError`."""
        path = VERSION_CONTENT.format(node_id=int(document_id), version_number=int(version_number))
        response = await self._call("download_version", "GET", path, accept="*/*")
        return VersionContent(
            node_id=int(document_id),
            version_number=int(version_number),
            file_name=_attachment_name(response.headers.get("content-disposition", "")),
            mime_type=response.headers.get("content-type", "application/octet-stream").split(";")[0].strip(),
            content=response.content,
        )

    # -- related workspaces ---------------------------------------------------------------------

    async def list_related_workspaces(
        self, workspace_id: int, *, rel_type: str | None = None, workspace_type_id: int | None = None
    ) -> list[RelatedWorkspace]:
        """Workspaces related to `workspace_id`, across all pages; `rel_type` (`child` or `parent`,
        as seen from `workspace_id`) and `workspace_type_id` narrow the list."""
        operation = "list_related_workspaces"
        params: _Params = {}
        if rel_type is not None:
            params["where_rel_types"] = rel_type
        if workspace_type_id is not None:
            params["where_workspace_type_ids"] = int(workspace_type_id)
        path = RELATED_ITEMS.format(workspace_id=int(workspace_id))
        related: list[RelatedWorkspace] = []
        for page in range(1, MAX_PAGES + 1):
            response = await self._call(
                operation, "GET", path, params={**params, "page": page, "limit": self._page_size}
            )
            envelope = self._parse(response, RelatedItemsEnvelope, operation)
            related.extend(
                RelatedWorkspace(
                    id=r.data.properties.id,
                    name=r.data.properties.name,
                    rel_type=r.data.properties.rel_type,
                    workspace_type_id=r.data.properties.wnf_wksp_type_id,
                )
                for r in envelope.results
            )
            if _last_page(envelope.paging, page, len(envelope.results)):
                return related
        raise ContractError(f"more than {MAX_PAGES} pages", system=SYSTEM, operation=operation)

    async def link_workspaces(self, parent_id: int, child_id: int) -> bool:
        """Relate two workspaces: `child_id` becomes a child of `parent_id` (and so `parent_id` a
        parent of `child_id`: one relation shows on both sides). True when the relation was
        created, False when it was there already; safe to repeat."""
        existing = await self.list_related_workspaces(parent_id, rel_type=RELATION_CHILD)
        if any(r.id == int(child_id) for r in existing):
            return False
        body = {"rel_bw_id": int(child_id), "rel_type": RELATION_CHILD}
        path = RELATED_ITEMS.format(workspace_id=int(parent_id))
        try:
            await self._call("link_workspaces", "POST", path, form={BODY_FIELD: _json(body)})
        except ConflictError:
            return False  # related meanwhile (or our earlier answer was lost)
        return True

    async def unlink_workspaces(self, parent_id: int, child_id: int) -> bool:
        """Remove the relation `link_workspaces(parent_id, child_id)` made; False when none was."""
        path = f"{RELATED_ITEMS.format(workspace_id=int(parent_id))}/{int(child_id)}"
        try:
            await self._call("unlink_workspaces", "DELETE", path, params={"rel_type": RELATION_CHILD})
        except NotFoundError:
            return False
        return True

    async def workspace_of(self, node_id: int) -> int | None:
        """The id of the business workspace `node_id` lies in (itself, if it is one), or None."""
        path = WORKSPACE_ROOT.format(node_id=int(node_id))
        try:
            response = await self._call("workspace_of", "GET", path)
        except NotFoundError:
            return None
        return self._parse(response, WorkspaceRootInfo, "workspace_of").id

    async def business_objects_of(self, workspace_id: int) -> list[BusinessObject]:
        """The business objects a workspace is linked to (the other way round from
        `find_business_workspace`): none for an unlinked workspace or a node that is no workspace."""
        operation = "business_objects_of"
        path = WORKSPACE_INFO.format(workspace_id=int(workspace_id))
        try:
            response = await self._call(operation, "GET", path, params={"fields": "workspace_references"})
        except NotFoundError:
            return []
        return self._parse(response, WorkspaceInfoEnvelope, operation).business_objects()

    # -- records management ---------------------------------------------------------------------

    async def get_rm_classification(self, node_id: int) -> RecordsClassification:
        """The node's Records Management classification (None when it has none)."""
        envelope = await self._records_details("get_rm_classification", node_id)
        return _classification(node_id, envelope)

    async def apply_rm_classification(
        self, node_id: int, classification_id: int, *, apply_to_sub_items: bool = False
    ) -> RecordsClassification:
        """Classify a node (a document, or a workspace with `apply_to_sub_items`) for retention.
        A node already so classified is left alone; one classified otherwise is reclassified (with
        its metadata token). An unknown classification raises `RejectedError`."""
        operation = "apply_rm_classification"
        envelope = await self._records_details(operation, node_id)
        current = _classification(node_id, envelope)
        if current.classification_id == int(classification_id) and not apply_to_sub_items:
            return current
        body: dict[str, object] = {"class_id": int(classification_id), "apply_to_sub_items": apply_to_sub_items}
        if current.classification_id not in (None, int(classification_id)) and envelope.rm_metadata_token:
            body["rm_metadataToken"] = envelope.rm_metadata_token
        path = RM_CLASSIFICATIONS.format(node_id=int(node_id))
        await self._call(operation, "POST", path, form={BODY_FIELD: _json(body)})
        return _classification(node_id, await self._records_details(operation, node_id))

    async def _records_details(self, operation: str, node_id: int) -> RecordsDetailsEnvelope:
        response = await self._call(operation, "GET", RM_CLASSIFICATIONS.format(node_id=int(node_id)))
        return self._parse(response, RecordsDetailsEnvelope, operation)

    # -- the change feed ------------------------------------------------------------------------

    async def changes_since(
        self,
        since: datetime,
        *,
        subtype: int | None = SUBTYPE_DOCUMENT,
        location_id: int | None = None,
        category_ids: Iterable[int] = (),
        resolve_workspaces: bool = True,
        limit: int | None = None,
    ) -> list[NodeChange]:
        """Nodes (documents by default) modified at or after `since`, oldest first.

        Content Server publishes no webhooks: this searches on the modify date (day precision in
        the index, narrowed to the exact `modify_date` here), across all result pages. A naive
        `since` is read as UTC, as the server's naive times are. The bound is inclusive, so a
        poller keeps the latest `modified_at` it saw as its next `since` and acts idempotently on
        repeats. `location_id` keeps to nodes below a container; `category_ids`
        adds those categories' values of each node (one call per node); `resolve_workspaces` finds
        each node's workspace (one call per distinct parent folder). `limit` stops reading result
        pages once that many nodes are found (the oldest, a page more at most): a poller with a
        backlog reads on from the newest `modified_at` it got."""
        operation = "changes_since"
        since_utc = since.astimezone(UTC) if since.tzinfo else since.replace(tzinfo=UTC)
        clauses = [f"OTModifyDate:>={since_utc:%Y%m%d}"]
        if subtype is not None:
            clauses.append(f"OTSubType:{int(subtype)}")
        if location_id is not None:
            clauses.append(f"OTLocation:{int(location_id)}")
        latest: dict[int, NodeChange] = {}
        for page in range(1, MAX_PAGES + 1):
            form = {
                "where": " and ".join(clauses),
                "sort": SEARCH_SORT,
                "page": str(page),
                "limit": str(self._page_size),
            }
            envelope = self._parse(await self._call(operation, "POST", SEARCH, form=form), SearchEnvelope, operation)
            for hit in envelope.results:
                change = _change(hit.data.properties, hit.data.versions, operation)
                if change.modified_at >= since_utc:
                    # A node modified while the pages are read may show twice: keep its newest state.
                    known = latest.get(change.node_id)
                    if known is None or change.modified_at >= known.modified_at:
                        latest[change.node_id] = change
            if _last_page(envelope.collection.paging, page, len(envelope.results)):
                break
            if limit is not None and len(latest) >= limit:
                break
        else:
            raise ContractError(f"more than {MAX_PAGES} pages", system=SYSTEM, operation=operation)
        changes = sorted(latest.values(), key=lambda c: (c.modified_at, c.node_id))
        wanted = {int(c) for c in category_ids}
        workspaces: dict[int, int | None] = {}
        for change in changes:
            if resolve_workspaces and change.parent_id is not None:
                if change.parent_id not in workspaces:
                    workspaces[change.parent_id] = await self.workspace_of(change.parent_id)
                change.workspace_id = workspaces[change.parent_id]
            if wanted:
                values = await self.get_categories(change.node_id)
                change.categories = {k: v for k, v in values.items() if k in wanted}
        return changes

    # -- categories -----------------------------------------------------------------------------

    async def get_categories(self, node_id: int) -> dict[int, dict[str, Any]]:
        """Category values on a node: category id -> {`{category_id}_{attribute_id}`: value}."""
        response = await self._call("get_categories", "GET", f"{NODES}/{int(node_id)}/categories")
        return self._parse(response, CategoriesEnvelope, "get_categories").by_category()

    async def set_category_values(self, node_id: int, category_id: int, values: Mapping[str, CategoryValue]) -> None:
        """Apply `category_id` with `values`, or update its values when already applied.

        Keys are full attribute keys (`{category_id}_{attribute_id}`); a key of another category
        raises ValueError before anything is sent."""
        wire = wire_category_values(category_id, values)
        try:
            await self._call(
                "set_category_values",
                "POST",
                f"{NODES}/{int(node_id)}/categories",
                form={BODY_FIELD: _json({"category_id": category_id, **wire})},
            )
        except ConflictError:
            # "The attribute group ... already exists": applied before (by the template, or by an
            # earlier attempt of this call), so update its values instead.
            path = CATEGORY_UPDATE.format(node_id=int(node_id), category_id=int(category_id))
            await self._call("set_category_values", "PUT", path, form={BODY_FIELD: _json(wire)})

    # -- paging ---------------------------------------------------------------------------------

    async def _collect_children(self, operation: str, node_id: int, params: _Params) -> list[Node]:
        nodes: list[Node] = []
        for page in range(1, MAX_PAGES + 1):
            response = await self._call(
                operation, "GET", f"{NODES}/{node_id}/nodes", params={**params, "page": page, "limit": self._page_size}
            )
            envelope = self._parse(response, NodeListEnvelope, operation)
            nodes.extend(r.data.properties for r in envelope.results)
            if _last_page(envelope.collection.paging, page, len(envelope.results)):
                return nodes
        raise ContractError(f"more than {MAX_PAGES} pages", system=SYSTEM, operation=operation)

    async def _collect_workspaces(self, operation: str, params: _Params) -> list[Node]:
        nodes: list[Node] = []
        for page in range(1, MAX_PAGES + 1):
            response = await self._call(
                operation, "GET", BUSINESS_WORKSPACES, params={**params, "page": page, "limit": self._page_size}
            )
            envelope = self._parse(response, WorkspaceSearchEnvelope, operation)
            nodes.extend(r.data.properties for r in envelope.results)
            if _last_page(envelope.paging, page, len(envelope.results)):
                return nodes
        raise ContractError(f"more than {MAX_PAGES} pages", system=SYSTEM, operation=operation)

    # -- plumbing -------------------------------------------------------------------------------

    def _span(self, operation: str, method: str, path: str) -> AbstractContextManager[ExternalCall]:
        return external_call(SYSTEM, operation, method=method, path=f"{API_ROOT}{path}")

    async def _call(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        params: _Params | None = None,
        form: dict[str, str] | None = None,
        files: dict[str, tuple[str, bytes | IO[bytes], str]] | None = None,
        accept: str = "application/json",
    ) -> httpx.Response:
        """One API call: ticket, one re-login on 401, short throttle waits, tracing, error mapping."""
        with self._span(operation, method, path) as call:
            response = await self._send(operation, method, f"{self._api}{path}", params, form, files, accept)
            call.answered(response.status_code)
            return response

    async def _send(
        self,
        operation: str,
        method: str,
        url: str,
        params: _Params | None,
        form: dict[str, str] | None,
        files: dict[str, tuple[str, bytes | IO[bytes], str]] | None,
        accept: str,
    ) -> httpx.Response:
        relogged = False
        throttle_waits = 0
        timeout = httpx.USE_CLIENT_DEFAULT if files is None else httpx.Timeout(self._upload_timeout)
        while True:
            ticket, session = await self._current_ticket(operation)
            try:
                # httpx rewinds file objects before each attempt and streams them in chunks.
                response = await self._http.request(
                    method,
                    url,
                    params=params,
                    data=form,
                    files=files,
                    headers={TICKET_HEADER: ticket.get_secret_value(), "Accept": accept},
                    timeout=timeout,
                )
            except httpx.HTTPError as exc:
                raise transport_error(exc, operation) from exc
            log.debug("%s %s -> %s", method, httpx.URL(url).path, response.status_code)
            if response.status_code == 401 and not relogged:
                # Session expired (idle timeout) or ticket revoked: log in again, repeat once.
                self._forget_session(session)
                relogged = True
                continue
            self._take_fresh_ticket(response, session)
            if response.status_code == 429 and throttle_waits < _MAX_THROTTLE_WAITS:
                wait = retry_after_seconds(response)
                wait = DEFAULT_RETRY_AFTER_SECONDS if wait is None else wait
                if wait <= self._max_local_wait:
                    throttle_waits += 1
                    await asyncio.sleep(wait)
                    continue
            if not response.is_success:
                raise error_for_response(response, operation)
            return response

    # -- tickets --------------------------------------------------------------------------------

    async def _current_ticket(self, operation: str) -> tuple[SecretStr, int]:
        ticket = self._ticket
        if ticket is not None:
            return ticket, self._session
        async with self._login_lock:
            # Another call may have logged in while this one waited.
            if self._ticket is None:
                self._ticket = await self._login(operation)
                self._session += 1
            return self._ticket, self._session

    def _forget_session(self, session: int) -> None:
        """Drop the ticket after a 401, unless a newer login already replaced that session."""
        if session == self._session:
            self._ticket = None

    def _take_fresh_ticket(self, response: httpx.Response, session: int) -> None:
        """Content Server hands back a refreshed ticket on answers; the newest one is used next
        (a late answer from a session that has since been replaced is ignored)."""
        fresh = response.headers.get(TICKET_HEADER)
        if fresh and session == self._session:
            self._ticket = SecretStr(fresh)

    async def _login(self, operation: str) -> SecretStr:
        url = f"{self._api}{AUTH}"
        try:
            if self._credentials is not None:
                form = {
                    "username": self._credentials.username,
                    "password": self._credentials.password.get_secret_value(),
                }
                if self._credentials.domain:
                    form["domain"] = self._credentials.domain
                response = await self._http.post(url, data=form, headers={"Accept": "application/json"})
            else:
                assert self._otds_token is not None
                bearer = await self._otds_token()
                response = await self._http.get(
                    url, headers={"Authorization": f"Bearer {bearer.get_secret_value()}", "Accept": "application/json"}
                )
        except httpx.HTTPError as exc:
            raise transport_error(exc, operation) from exc
        log.debug("%s %s -> %s", response.request.method, AUTH, response.status_code)
        if not response.is_success:
            raise error_for_response(response, operation, login=True)
        self.ticket_fetches += 1
        if self._credentials is not None:
            return self._parse(response, AuthTicketEnvelope, operation).ticket
        ticket = response.headers.get(TICKET_HEADER)
        if not ticket:
            raise ContractError(
                f"token exchange answered without an {TICKET_HEADER} header", system=SYSTEM, operation=operation
            )
        return SecretStr(ticket)

    @staticmethod
    def _parse(response: httpx.Response, model: type[_Model], operation: str) -> _Model:
        try:
            raw = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            # Seen right after server restarts: 200 with a truncated body. Worth another attempt.
            raise TransientError(
                "answer is not JSON", system=SYSTEM, operation=operation, status_code=response.status_code
            ) from exc
        try:
            return model.model_validate(raw)
        except ValidationError as exc:
            raise contract_error(
                exc, f"{model.__name__} JSON", system=SYSTEM, operation=operation, status_code=response.status_code
            ) from exc


# -- helpers --------------------------------------------------------------------------------------


def _json(value: object) -> str:
    return json.dumps(value, separators=(",", ":"))


def _flat_categories(categories: Mapping[int, Mapping[str, CategoryValue]] | None) -> dict[str, object]:
    """Category values as node creation and versions take them: one flat map of attribute keys."""
    flat: dict[str, object] = {}
    for category_id, values in (categories or {}).items():
        flat.update(wire_category_values(category_id, values))
    return flat


def _classification(node_id: int, envelope: RecordsDetailsEnvelope) -> RecordsClassification:
    data = envelope.data[0] if envelope.data else None
    return RecordsClassification(
        node_id=int(node_id),
        classification_id=data.rmclassification_id if data else None,
        record_date=data.record_date if data else None,
        file_status=data.file_status if data else None,
    )


def _change(node: Node, version: VersionInfo | None, operation: str) -> NodeChange:
    if not node.modify_date:
        raise ContractError(f"search hit {node.id} has no modify_date", system=SYSTEM, operation=operation)
    try:
        modified = datetime.fromisoformat(node.modify_date)
    except ValueError as exc:
        raise ContractError(
            f"search hit {node.id} has an unreadable modify_date", system=SYSTEM, operation=operation
        ) from exc
    return NodeChange(
        node_id=node.id,
        name=node.name,
        subtype=node.type,
        parent_id=node.parent_id,
        workspace_id=None,
        modified_at=modified if modified.tzinfo else modified.replace(tzinfo=UTC),
        version_number=version.version_number if version is not None else None,
    )


def _attachment_name(disposition: str) -> str | None:
    """The file name of a `Content-Disposition: attachment; filename="..."` header."""
    _, found, rest = disposition.partition("filename=")
    if not found:
        return None
    return rest.split(";")[0].strip().strip('"') or None


def _guess_mime_type(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def _last_page(paging: Paging, page: int, count: int) -> bool:
    return count == 0 or page >= paging.page_total


@contextlib.asynccontextmanager
async def _opened(content: Content) -> AsyncIterator[bytes | IO[bytes]]:
    """A path is opened for the duration of the call and streamed from disk, never read whole."""
    if isinstance(content, Path):
        with content.open("rb") as stream:
            yield stream
    else:
        yield content
