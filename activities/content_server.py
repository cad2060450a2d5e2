"""Business workspaces and filing in OpenText Extended ECM (Content Server REST).

A workspace is found by its business object before it is created (Content Server keeps one per
object, and `ensure_business_workspace` looks again after a clash), so duplicate events and retries
never make a second one. A document is filed by name into its folder: the same name adds a version,
and the same content again (a retry after a lost answer) changes nothing, recognised by the content
hash the document category carries. What Content Server answered once and cannot change (a
workspace's id, its folders, a link, the content last filed under a name) is remembered by the
worker process (`activities.ecm_memory`), so an order's later events ask only about what is new.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from temporalio import activity

from activities.case_records import render_case_record
from activities.document_models import (
    CaseRecordRequest,
    FiledDocument,
    OpenWorkspaceRequest,
    WorkspaceRef,
)
from activities.ecm_memory import EcmMemory, KnownDocument
from activities.errors import translate_errors
from casebridge.connections import Connections
from casebridge.ecm_layout import EcmLayout
from casebridge.stores import Platform, RegistryLookupError
from connectors.errors import NotFoundError, TransientError
from connectors.opentext.content_server import ContentServerClient
from connectors.opentext.content_server_models import BusinessObject, BusinessWorkspaceRequest, Node
from routing.documents import DocumentKind

HTML = "text/html"
MAX_NAME_LENGTH = 248  # Content Server's limit for a node name


def node_name(text: str) -> str:
    """`text` as Content Server accepts a node name: no colon (it refuses one; store-made ids such as
    `storefront-returns:RET-1` have them), trimmed, at most 248 characters (the extension kept)."""
    name = " ".join(text.replace(":", "-").split())
    if len(name) <= MAX_NAME_LENGTH:
        return name
    stem, dot, extension = name.rpartition(".")
    if dot and len(extension) <= 8:
        return f"{stem[: MAX_NAME_LENGTH - len(extension) - 1]}.{extension}"
    return name[:MAX_NAME_LENGTH]


@dataclass(frozen=True)
class DocumentToFile:
    """One document to file, as `Filing.file` was asked."""

    workspace: WorkspaceRef
    kind: DocumentKind
    name: str
    content: bytes
    mime_type: str
    case_id: str | None
    business_key: str | None
    description: str | None = None


class Filing:
    """Opening workspaces and filing documents for every activity that files (cases' records, the
    transaction archive, rendered letters): the layout's ids, the find-before-create rules."""

    def __init__(self, connections: Connections) -> None:
        self._connections = connections
        self._memory = EcmMemory()

    async def open_workspace(self, request: OpenWorkspaceRequest) -> WorkspaceRef:
        """The subject's business workspace, created from the layout's template when none exists."""
        subject = request.subject
        layout = self.layout(request.tenant).workspace(subject.kind)
        store = self._connections.registry.store(Platform(request.platform), request.store)
        if store is None or store.ecm_ext_system_id is None:
            raise RegistryLookupError(f"store {request.store} has no ECM external system (ecm_ext_system_id)")
        business_object = BusinessObject(
            ext_system_id=store.ecm_ext_system_id, bo_type=subject.bo_type, bo_id=subject.bo_id
        )
        key = (request.tenant, store.ecm_ext_system_id, subject.bo_type, subject.bo_id)
        known = self._memory.workspaces.get(key)
        if known is not None:
            node_id, name, created = known[0], known[1], False
        else:
            workspace = await self._client(request.tenant).ensure_business_workspace(
                BusinessWorkspaceRequest(
                    template_id=layout.template_id,
                    workspace_type_id=layout.workspace_type_id,
                    name=node_name(subject.title),
                    business_object=business_object,
                    categories=dict(layout.category_values(subject.keys)),
                )
            )
            node_id, name, created = workspace.id, workspace.name, workspace.created
            self._memory.workspaces.put(key, (node_id, name))
        for related in request.related_to:
            # The related workspace (an order's, for a return) is the parent.
            parent = await self.open_workspace(
                OpenWorkspaceRequest(
                    tenant=request.tenant, platform=request.platform, store=request.store, subject=related
                )
            )
            await self.link(request.tenant, parent.node_id, node_id)
        return WorkspaceRef(tenant=request.tenant, kind=subject.kind, node_id=node_id, name=name, created=created)

    async def link(self, tenant: str, parent_id: int, child_id: int) -> None:
        """Relate `child_id` under `parent_id`; linking twice is a no-op (and asked only once per process)."""
        key = (tenant, parent_id, child_id)
        if self._memory.links.get(key):
            return
        await self._client(tenant).link_workspaces(parent_id, child_id)
        self._memory.links.put(key, True)

    async def file(
        self,
        workspace: WorkspaceRef,
        kind: DocumentKind,
        name: str,
        content: bytes,
        *,
        mime_type: str,
        case_id: str | None = None,
        business_key: str | None = None,
        description: str | None = None,
    ) -> FiledDocument:
        """File `content` as `name` in the folder the layout gives `kind`: a new document, a new
        version of the one of that name, or nothing when that one already holds this content."""
        to_file = DocumentToFile(
            workspace, kind, node_name(name), content, mime_type, case_id, business_key, description
        )
        try:
            return await self._file(to_file)
        except NotFoundError as err:
            if not self._memory.forget_workspace(workspace.tenant, workspace.node_id):
                raise
            # Deleted in the ECM after this process learnt of it: the activity's next attempt opens
            # the workspace again (made anew if it is gone) and files there.
            raise TransientError(
                f"workspace {workspace.node_id} ({workspace.name}) or a folder of it was deleted; opening it again",
                system=err.system,
                operation=err.operation,
            ) from err

    async def _file(self, to_file: DocumentToFile) -> FiledDocument:
        workspace, kind, name, content = to_file.workspace, to_file.kind, to_file.name, to_file.content
        layout = self.layout(workspace.tenant)
        folder_path = layout.workspace(workspace.kind).folder_for(kind)
        client = self._client(workspace.tenant)
        folder_id = await self._folder_id(client, workspace, folder_path, kind)
        category = layout.document_category
        digest = hashlib.sha256(content).hexdigest()
        document_key = (workspace.tenant, folder_id, name)
        known = self._memory.documents.get(document_key)
        existing = await client.find_child(folder_id, name)
        if existing is not None and known is not None and known.node_id == existing.id and known.digest == digest:
            # Still there, and this process filed or found this content under the name: unchanged.
            return FiledDocument(
                node_id=known.node_id, name=known.name, folder=folder_path, version=known.version, unchanged=True
            )
        if existing is not None:
            values = (await client.get_categories(existing.id)).get(category.id, {})
            if values.get(category.key(category.content_hash)) == digest:
                versions = await client.list_versions(existing.id)
                number = versions[-1].version_number if versions else 1
                self._memory.documents.put(document_key, KnownDocument(existing.id, existing.name, number, digest))
                return FiledDocument(
                    node_id=existing.id, name=existing.name, folder=folder_path, version=number, unchanged=True
                )
        values_to_set: dict[str, str | None] = {
            category.key(category.kind): kind.value,
            category.key(category.content_hash): digest,
        }
        if to_file.case_id is not None:
            values_to_set[category.key(category.case_id)] = to_file.case_id
        if to_file.business_key is not None:
            values_to_set[category.key(category.business_key)] = to_file.business_key
        document = await client.upload_document(
            folder_id,
            name,
            content,
            mime_type=to_file.mime_type,
            description=to_file.description,
            categories={category.id: values_to_set},
        )
        retention = layout.workspace(workspace.kind).retention.get(kind)
        if retention is not None:  # the same classification again sends nothing
            await client.apply_rm_classification(document.node_id, retention)
        self._memory.documents.put(
            document_key, KnownDocument(document.node_id, document.name, document.version_number, digest)
        )
        return FiledDocument(
            node_id=document.node_id, name=document.name, folder=folder_path, version=document.version_number
        )

    async def find(self, workspace: WorkspaceRef, kind: DocumentKind, name: str) -> Node | None:
        """The document named `name` where the layout files `kind` in the workspace, or None."""
        client = self._client(workspace.tenant)
        path = self.layout(workspace.tenant).workspace(workspace.kind).folder_for(kind)
        folder_id = await self._folder_id(client, workspace, path, kind)
        return await client.find_child(folder_id, node_name(name))

    async def _folder_id(
        self, client: ContentServerClient, workspace: WorkspaceRef, path: str, kind: DocumentKind
    ) -> int:
        if not path.strip("/"):
            return workspace.node_id  # the layout files this kind at the workspace's top
        key = (workspace.tenant, workspace.node_id, path)
        known = self._memory.folders.get(key)
        if known is not None:
            return known
        folder = await client.find_folder(workspace.node_id, path)
        if folder is None:
            raise RegistryLookupError(
                f"workspace {workspace.node_id} ({workspace.name}) has no folder {path!r} for {kind.value} "
                "documents: its template and the layout in config/stores.yaml disagree"
            )
        self._memory.folders.put(key, folder.id)
        return folder.id

    def layout(self, tenant: str) -> EcmLayout:
        settings = self._connections.registry.tenant(tenant).content_server
        if settings is None or settings.layout is None:
            raise RegistryLookupError(f"OpenText tenant {tenant!r} has no ECM layout (content_server.layout)")
        return settings.layout

    def _client(self, tenant: str) -> ContentServerClient:
        return self._connections.content_server(tenant)


class ContentServerActivities:
    def __init__(self, connections: Connections) -> None:
        self._filing = Filing(connections)

    @activity.defn(name="ecm.open_workspace")
    @translate_errors
    async def open_workspace(self, request: OpenWorkspaceRequest) -> WorkspaceRef:
        """The subject's business workspace, created from the layout's template when none exists."""
        return await self._filing.open_workspace(request)

    @activity.defn(name="ecm.file_case_record")
    @translate_errors
    async def file_case_record(self, request: CaseRecordRequest) -> FiledDocument:
        """Render a record of the case (a decision, evidence, the closing audit report) and file it."""
        return await self._filing.file(
            request.workspace,
            request.kind,
            request.name,
            render_case_record(request),
            mime_type=HTML,
            case_id=request.case_id,
        )
