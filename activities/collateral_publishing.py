"""Publishing approved collateral on a product, and withdrawing it (`activities.collateral` finds
what changed). The platform connectors are idempotent by the document id (the ECM node id), so a
repeat changes nothing: a Shopify `json` metafield, a BigCommerce custom field, an entry of Adobe
Commerce's `casebridge_documents` attribute.

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

from activities.collateral_models import CollateralChange, ProductRef, PublishOutcome, PublishRequest
from activities.errors import translate_errors
from casebridge.connections import Connections
from casebridge.stores import CollateralSettings, Platform, RegistryLookupError
from connectors.adobe_commerce.product_documents import ProductDocument as AdobeDocument
from connectors.bigcommerce.product_documents import MAX_CUSTOM_FIELD_LENGTH
from connectors.bigcommerce.product_documents import ProductDocument as BigCommerceDocument
from connectors.shopify.product_documents import ProductDocument as ShopifyDocument

SHOPIFY_PRODUCT_GID = "gid://shopify/Product/"

_Document = TypeVar("_Document", bound=BaseModel)


def document_title(name: str) -> str:
    """The storefront's title for a document: its name without a file extension."""
    path = PurePosixPath(name)
    title = path.stem if path.suffix and len(path.suffix) <= 6 else name
    return title.strip()[:MAX_CUSTOM_FIELD_LENGTH] or name[:MAX_CUSTOM_FIELD_LENGTH]


def public_url(settings: CollateralSettings, change: CollateralChange) -> str:
    return settings.public_url.format(node_id=change.node_id, version=change.version)


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
