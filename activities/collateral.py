"""Approved collateral from Extended ECM to the storefronts: spec sheets, manuals, installation guides
and marketing documents a reviewer approved in a product's business workspace are shown on that
product on its platform, and taken off when the reviewer withdraws them.

Content Server publishes no webhooks, so `CollateralFeed.collateral_changes` reads its change feed
(`ContentServerClient.changes_since`) and keeps, of the documents modified since a time, those of
product workspaces (business object type `product`) of external systems this deployment serves, in
the layout's collateral folder or of document kind `collateral`, with the reviewer's status
Approved or Withdrawn. A draft changes nothing on the storefront: a new version under review leaves
the approved one published. The workspace's business object names the product: its external
system the store (`Store.ecm_ext_system_id`), its id the product as the platform knows it (a
Shopify product gid or number, a BigCommerce product id, an Adobe Commerce SKU).

`CollateralPublishing` publishes or withdraws one document on its product; the platform connectors
are idempotent by the document id (the ECM node id), so a repeat changes nothing.

The link published: Content Server's own document URLs need an ECM login, which shoppers do not
have, so the tenant names where its approved documents are publicly delivered
(`content_server.collateral.public_url`, a template with `{node_id}` and `{version}`). ASSUMPTION:
the deployment publishes each approved version there (a CDN or share service fed by the ECM); no
OpenText spec describes one. The version is part of the link so that the storefront keeps showing
exactly what was approved, even once a newer draft version exists.
"""

from __future__ import annotations

import mimetypes
from pathlib import PurePosixPath
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.collateral_models import (
    ChangesPage,
    ChangesRequest,
    CollateralChange,
    Handled,
    ProductRef,
    PublishOutcome,
    PublishRequest,
    ReviewStatus,
    UnplacedDocument,
    review_state,
)
from activities.errors import translate_errors
from casebridge.connections import Connections
from casebridge.ecm_layout import EcmLayout
from casebridge.stores import CollateralSettings, Platform, RegistryLookupError, Store, store_task_queue
from connectors.adobe_commerce.product_documents import ProductDocument as AdobeDocument
from connectors.bigcommerce.product_documents import MAX_CUSTOM_FIELD_LENGTH
from connectors.bigcommerce.product_documents import ProductDocument as BigCommerceDocument
from connectors.opentext.content_server import ContentServerClient
from connectors.opentext.content_server_models import BusinessObject, NodeChange
from connectors.shopify.product_documents import ProductDocument as ShopifyDocument
from routing.documents import DocumentKind, WorkspaceKind

PRODUCT_BO_TYPE = "product"  # the business object type of product workspaces in every external system
SHOPIFY_PRODUCT_GID = "gid://shopify/Product/"
SCAN_LIMIT = 500  # changed documents examined per read, so one activity stays short

_Document = TypeVar("_Document", bound=BaseModel)


def document_title(name: str) -> str:
    """The storefront's title for a document: its name without a file extension."""
    path = PurePosixPath(name)
    title = path.stem if path.suffix and len(path.suffix) <= 6 else name
    return title.strip()[:MAX_CUSTOM_FIELD_LENGTH] or name[:MAX_CUSTOM_FIELD_LENGTH]


def public_url(settings: CollateralSettings, change: CollateralChange) -> str:
    return settings.public_url.format(node_id=change.node_id, version=change.version)


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
        changes = await client.changes_since(request.since, resolve_workspaces=False)
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


class CollateralPublishing:
    """Publishes and withdraws documents on products (calls a store: runs on its queue)."""

    def __init__(self, connections: Connections) -> None:
        self._connections = connections

    @activity.defn(name="collateral.publish")
    @translate_errors
    async def publish(self, request: PublishRequest) -> PublishOutcome:
        """Show the approved document on its product (replacing an earlier version of it there)."""
        change = request.change
        url = public_url(self._settings(request.tenant), change)
        document_id = str(change.node_id)
        title = document_title(change.name)
        content_type = mimetypes.guess_type(change.name)[0] or "application/octet-stream"
        product = change.product
        platform = Platform(product.platform)
        if platform is Platform.SHOPIFY:
            shopify = _document(
                ShopifyDocument,
                document_id=document_id,
                title=title,
                url=url,
                content_type=content_type,
                version=change.version,
            )
            await self._connections.shopify(product.store).publish_product_document(_shopify_gid(product), shopify)
        elif platform is Platform.BIGCOMMERCE:
            bigcommerce = _document(BigCommerceDocument, document_id=document_id, title=title, url=url)
            await self._connections.bigcommerce(product.store).publish_product_document(
                _bigcommerce_id(product), bigcommerce
            )
        else:
            adobe = _document(
                AdobeDocument,
                document_id=document_id,
                title=title,
                url=url,
                content_type=content_type,
                version=change.version,
            )
            await self._connections.adobe_commerce(product.store).product_documents.publish_product_document(
                product.product_id, adobe
            )
        return PublishOutcome(action="published", url=url)

    @activity.defn(name="collateral.withdraw")
    @translate_errors
    async def withdraw(self, request: PublishRequest) -> PublishOutcome:
        """Take the withdrawn document off its product; nothing to do when it is not there."""
        change = request.change
        product = change.product
        document_id = str(change.node_id)
        platform = Platform(product.platform)
        if platform is Platform.SHOPIFY:
            shopify = self._connections.shopify(product.store)
            removed = await shopify.withdraw_product_document(_shopify_gid(product), document_id)
        elif platform is Platform.BIGCOMMERCE:
            bigcommerce = self._connections.bigcommerce(product.store)
            removed = await bigcommerce.withdraw_product_document(_bigcommerce_id(product), document_id)
        else:
            adobe = self._connections.adobe_commerce(product.store).product_documents
            removed = await adobe.withdraw_product_document(product.product_id, document_id)
        return PublishOutcome(action="withdrawn" if removed else "not published")

    def _settings(self, tenant: str) -> CollateralSettings:
        content_server = self._connections.registry.tenant(tenant).content_server
        if content_server is None or content_server.collateral is None:
            raise RegistryLookupError(f"OpenText tenant {tenant!r} publishes no collateral (content_server.collateral)")
        return content_server.collateral


def _document(model: type[_Document], **fields: Any) -> _Document:
    """The platform's document entry; one it refuses (a URL too long for a custom field, say) fails
    for good: retrying cannot change it."""
    try:
        return model(**fields)
    except ValidationError as exc:
        raise ApplicationError(
            f"document {fields['document_id']} cannot be published: {exc.errors()[0]['msg']}",
            type="UnpublishableDocument",
            non_retryable=True,
        ) from exc


def _shopify_gid(product: ProductRef) -> str:
    """A Shopify product workspace may be keyed by the product's gid or by its number."""
    if product.product_id.startswith(SHOPIFY_PRODUCT_GID):
        return product.product_id
    if product.product_id.isdigit():
        return f"{SHOPIFY_PRODUCT_GID}{product.product_id}"
    raise _not_a_product(product)


def _bigcommerce_id(product: ProductRef) -> int:
    if not product.product_id.isdigit():
        raise _not_a_product(product)
    return int(product.product_id)


def _not_a_product(product: ProductRef) -> ApplicationError:
    return ApplicationError(
        f"product workspace id {product.product_id!r} names no {product.platform} product",
        type="InvalidProductReference",
        non_retryable=True,
    )
