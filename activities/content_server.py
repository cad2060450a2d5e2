"""Business workspaces and filing in OpenText Extended ECM (Content Server REST).

A workspace is found by its business object before it is created (Content Server keeps one per
object, and `ensure_business_workspace` looks again after a clash), so duplicate events and retries
never make a second one. A document is filed by name into its folder: the same name adds a version,
and the same content again (a retry after a lost answer) changes nothing, recognised by the content
hash the document category carries.
"""

from __future__ import annotations

import hashlib

from temporalio import activity

from activities.case_records import render_case_record
from activities.document_models import (
    CaseRecordRequest,
    FiledDocument,
    OpenWorkspaceRequest,
    WorkspaceRef,
)
from activities.errors import translate_errors
from casebridge.connections import Connections
from casebridge.ecm_layout import EcmLayout
from casebridge.stores import Platform, RegistryLookupError
from connectors.opentext.content_server import ContentServerClient
from connectors.opentext.content_server_models import BusinessObject, BusinessWorkspaceRequest
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


class Filing:
    """Opening workspaces and filing documents for every activity that files (cases' records, the
    transaction archive, rendered letters): the layout's ids, the find-before-create rules."""

    def __init__(self, connections: Connections) -> None:
        self._connections = connections

    async def open_workspace(self, request: OpenWorkspaceRequest) -> WorkspaceRef:
        """The subject's business workspace, created from the layout's template when none exists."""
        subject = request.subject
        layout = self.layout(request.tenant).workspace(subject.kind)
        store = self._connections.registry.store(Platform(request.platform), request.store)
        if store is None or store.ecm_ext_system_id is None:
            raise RegistryLookupError(f"store {request.store} has no ECM external system (ecm_ext_system_id)")
        workspace = await self._client(request.tenant).ensure_business_workspace(
            BusinessWorkspaceRequest(
                template_id=layout.template_id,
                workspace_type_id=layout.workspace_type_id,
                name=node_name(subject.title),
                business_object=BusinessObject(
                    ext_system_id=store.ecm_ext_system_id, bo_type=subject.bo_type, bo_id=subject.bo_id
                ),
                categories=dict(layout.category_values(subject.keys)),
            )
        )
        for related in request.related_to:
            # The related workspace (an order's, for a return) is the parent; linking twice is a no-op.
            parent = await self.open_workspace(
                OpenWorkspaceRequest(
                    tenant=request.tenant, platform=request.platform, store=request.store, subject=related
                )
            )
            await self._client(request.tenant).link_workspaces(parent.node_id, workspace.id)
        return WorkspaceRef(
            tenant=request.tenant,
            kind=subject.kind,
            node_id=workspace.id,
            name=workspace.name,
            created=workspace.created,
        )

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
    ) -> FiledDocument:
        """File `content` as `name` in the folder the layout gives `kind`: a new document, a new
        version of the one of that name, or nothing when that one already holds this content."""
        name = node_name(name)
        layout = self.layout(workspace.tenant)
        folder_path = layout.workspace(workspace.kind).folder_for(kind)
        client = self._client(workspace.tenant)
        folder_id = await self._folder_id(client, workspace, folder_path, kind)
        category = layout.document_category
        digest = hashlib.sha256(content).hexdigest()
        existing = await client.find_child(folder_id, name)
        if existing is not None:
            values = (await client.get_categories(existing.id)).get(category.id, {})
            if values.get(category.key(category.content_hash)) == digest:
                versions = await client.list_versions(existing.id)
                number = versions[-1].version_number if versions else 1
                return FiledDocument(
                    node_id=existing.id, name=existing.name, folder=folder_path, version=number, unchanged=True
                )
        values_to_set: dict[str, str | None] = {
            category.key(category.kind): kind.value,
            category.key(category.content_hash): digest,
        }
        if case_id is not None:
            values_to_set[category.key(category.case_id)] = case_id
        if business_key is not None:
            values_to_set[category.key(category.business_key)] = business_key
        document = await client.upload_document(
            folder_id, name, content, mime_type=mime_type, categories={category.id: values_to_set}
        )
        retention = layout.workspace(workspace.kind).retention.get(kind)
        if retention is not None:  # the same classification again sends nothing
            await client.apply_rm_classification(document.node_id, retention)
        return FiledDocument(
            node_id=document.node_id, name=document.name, folder=folder_path, version=document.version_number
        )

    @staticmethod
    async def _folder_id(client: ContentServerClient, workspace: WorkspaceRef, path: str, kind: DocumentKind) -> int:
        if not path.strip("/"):
            return workspace.node_id  # the layout files this kind at the workspace's top
        folder = await client.find_folder(workspace.node_id, path)
        if folder is None:
            raise RegistryLookupError(
                f"workspace {workspace.node_id} ({workspace.name}) has no folder {path!r} for {kind.value} "
                "documents: its template and the layout in config/stores.yaml disagree"
            )
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
