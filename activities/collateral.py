"""Approved collateral from Extended ECM to the storefronts: spec sheets, manuals, installation guides
and marketing documents a reviewer approved in a product's business workspace are shown on that
product on its platform (`activities.collateral_publishing`), and taken off when the reviewer
withdraws them.

Content Server publishes no webhooks, so `CollateralFeed.collateral_changes` reads its change feed
(`ContentServerClient.changes_since`) and keeps, of the documents modified since a time, those of
product workspaces (business object type `product`) of external systems this deployment serves, in
the layout's collateral folder or of document kind `collateral`, with the reviewer's status
Approved or Withdrawn. A draft changes nothing on the storefront: a new version under review leaves
the approved one published. The workspace's business object names the product: its external
system the store (`Store.ecm_ext_system_id`), its id the product as the platform knows it (a
Shopify product gid or number, a BigCommerce product id, an Adobe Commerce SKU).
"""

from __future__ import annotations

from typing import Any

from temporalio import activity

from activities.collateral_models import (
    ChangesPage,
    ChangesRequest,
    CollateralChange,
    Handled,
    ProductRef,
    ReviewStatus,
    UnplacedDocument,
    review_state,
)
from activities.errors import translate_errors
from casebridge.connections import Connections
from casebridge.ecm_layout import EcmLayout
from casebridge.stores import RegistryLookupError, Store, store_task_queue
from connectors.opentext.content_server import ContentServerClient
from connectors.opentext.content_server_models import BusinessObject, NodeChange
from routing.documents import DocumentKind, WorkspaceKind

PRODUCT_BO_TYPE = "product"  # the business object type of product workspaces in every external system
SCAN_LIMIT = 500  # changed documents examined per read, so one activity stays short
# Changed documents taken from the search per read (the oldest): a backlog (the first run, a long
# pause) is read in slices. A slice ends between two modify times, so more than this many documents
# modified in one second would keep the feed from moving on.
READ_LIMIT = 2000


class _Examined:
    """What one read has looked up already: folders' workspaces, workspaces' business objects and
    collateral folders (a page's documents mostly share them)."""

    def __init__(self) -> None:
        self.workspace_of: dict[int, int | None] = {}
        self.business_objects: dict[int, list[BusinessObject]] = {}
        self.collateral_folder: dict[int, int | None] = {}


class CollateralFeed:
    """Reads the ECM's change feed for collateral (Content Server only: runs on the shared queue)."""

    def __init__(self, connections: Connections) -> None:
        self._connections = connections

    @activity.defn(name="collateral.changes")
    @translate_errors
    async def collateral_changes(self, request: ChangesRequest) -> ChangesPage:
        """Approved and withdrawn collateral modified at or after `request.since`, oldest first, at
        most `limit` (a page ends only between two modify times, so a re-read from `read_to` misses
        nothing and `handled` leaves out what was done)."""
        layout = self._layout(request.tenant)
        client = self._connections.content_server(request.tenant)
        stores = self._stores_by_system(request.tenant)
        changes = await client.changes_since(request.since, resolve_workspaces=False, limit=READ_LIMIT)
        examined = _Examined()
        page = ChangesPage(changes=[], read_to=None, more=False)
        scanned = 0
        for change in changes:
            full = len(page.changes) >= request.limit or scanned >= SCAN_LIMIT
            if full and page.read_to is not None and change.modified_at > page.read_to:
                page.more = True
                break
            page.read_to = change.modified_at
            known = request.handled.get(change.node_id)
            if known == Handled(modified_at=change.modified_at):
                continue  # no collateral of a served product, and not changed since
            scanned += 1
            reviewed = await self._collateral(client, layout, stores, change, request.base_task_queue, examined)
            if reviewed is None:
                page.passed[change.node_id] = Handled(modified_at=change.modified_at)
                continue
            state, found = reviewed
            if known == state:
                continue  # read again: dealt with in this state already
            if not found:
                page.passed[change.node_id] = state  # a draft: looked at again if its state changes
            for item in found:
                if isinstance(item, CollateralChange):
                    page.changes.append(item)
                else:
                    page.unplaced.append(UnplacedDocument(node_id=change.node_id, handled=state, reason=item))
        if len(changes) >= READ_LIMIT:
            page.more = True  # the search had more: read on from `read_to`
        return page

    async def _collateral(
        self,
        client: ContentServerClient,
        layout: EcmLayout,
        stores: dict[str, list[Store]],
        change: NodeChange,
        base_task_queue: str,
        examined: _Examined,
    ) -> tuple[Handled, list[CollateralChange | str]] | None:
        """The collateral's review state, and what to publish or withdraw on each product its
        workspace stands for, or the reason one cannot be placed (its external system names several
        stores); nothing to do for a draft. None when the document is no collateral of a product of
        this deployment's stores."""
        if change.parent_id is None:
            return None
        if change.parent_id not in examined.workspace_of:
            examined.workspace_of[change.parent_id] = await client.workspace_of(change.parent_id)
        workspace_id = examined.workspace_of[change.parent_id]
        if workspace_id is None:
            return None
        if workspace_id not in examined.business_objects:
            examined.business_objects[workspace_id] = await client.business_objects_of(workspace_id)
        products = [
            bo
            for bo in examined.business_objects[workspace_id]
            if bo.bo_type == PRODUCT_BO_TYPE and bo.ext_system_id in stores
        ]
        if not products:
            return None
        category = layout.document_category
        values: dict[str, Any] = (await client.get_categories(change.node_id)).get(category.id, {})
        kind = values.get(category.key(category.kind))
        if kind != DocumentKind.COLLATERAL and (
            kind or change.parent_id != await self._collateral_folder(client, layout, workspace_id, examined)
        ):
            return None  # filed as another kind, or placed outside the collateral folder
        status = values.get(category.key(category.status))
        version = change.version_number or await self._latest_version(client, change.node_id)
        state = Handled(modified_at=change.modified_at, state=review_state(status, version))
        if status == ReviewStatus.APPROVED:
            reviewed = ReviewStatus.APPROVED
        elif status == ReviewStatus.WITHDRAWN:
            reviewed = ReviewStatus.WITHDRAWN
        else:
            return state, []  # a draft, or no review yet
        found: list[CollateralChange | str] = []
        for product in products:  # a workspace may stand for the product on several stores
            candidates = stores[product.ext_system_id]
            if len(candidates) != 1:
                names = ", ".join(sorted(s.id for s in candidates))
                found.append(
                    f"document {change.node_id}: external system {product.ext_system_id} is several stores ({names})"
                )
                continue
            store = candidates[0]
            queue = None if store.activities_per_second is None else store_task_queue(base_task_queue, store)
            found.append(
                CollateralChange(
                    node_id=change.node_id,
                    name=change.name,
                    version=version,
                    modified_at=change.modified_at,
                    status=reviewed,
                    workspace_id=workspace_id,
                    product=ProductRef(
                        platform=store.platform.value, store=store.id, product_id=product.bo_id, task_queue=queue
                    ),
                )
            )
        return state, found

    @staticmethod
    async def _collateral_folder(
        client: ContentServerClient, layout: EcmLayout, workspace_id: int, examined: _Examined
    ) -> int | None:
        if workspace_id not in examined.collateral_folder:
            path = layout.workspace(WorkspaceKind.PRODUCT).folder_for(DocumentKind.COLLATERAL)
            if not path.strip("/"):
                examined.collateral_folder[workspace_id] = workspace_id  # filed at the workspace's top
            else:
                folder = await client.find_folder(workspace_id, path)
                examined.collateral_folder[workspace_id] = folder.id if folder else None
        return examined.collateral_folder[workspace_id]

    @staticmethod
    async def _latest_version(client: ContentServerClient, node_id: int) -> int:
        versions = await client.list_versions(node_id)
        return versions[-1].version_number if versions else 1

    def _stores_by_system(self, tenant: str) -> dict[str, list[Store]]:
        """The tenant's stores by the ECM external system they are known as."""
        stores: dict[str, list[Store]] = {}
        for store in self._connections.registry.stores:
            if store.opentext_tenant == tenant and store.ecm_ext_system_id is not None:
                stores.setdefault(store.ecm_ext_system_id, []).append(store)
        return stores

    def _layout(self, tenant: str) -> EcmLayout:
        settings = self._connections.registry.tenant(tenant).content_server
        if settings is None or settings.layout is None:
            raise RegistryLookupError(f"OpenText tenant {tenant!r} has no ECM layout (content_server.layout)")
        return settings.layout
