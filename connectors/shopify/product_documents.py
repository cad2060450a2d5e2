"""Approved documents (spec sheets, manuals) published on a product, and withdrawn.

Why metafields: in the 2025-01 schema a product's media can only be IMAGE, VIDEO, EXTERNAL_VIDEO or
MODEL_3D (`MediaContentType`), so a PDF cannot be product media; `fileCreate` takes an external URL
for images only, so a PDF file would need a staged upload of its bytes first. A metafield needs
neither: each document is one `json` metafield `casebridge_documents.doc_<document id>` on the
product, holding its title, URL, content type and version. The document id in the key makes
publishing idempotent (`metafieldsSet` upserts by owner, namespace and key: a re-publish replaces
the entry, never duplicates it) and withdrawal a `metafieldsDelete` of that key. The URL must be
one the storefront can reach (e.g. the ECM's published rendition); hosting a copy on Shopify
(`stagedUploadsCreate` → `fileCreate` → `file_reference`) is not done.
"""

from __future__ import annotations

import json

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, ValidationError

from connectors.errors import ContractError, NotFoundError
from connectors.shopify import documents_records as docs
from connectors.shopify.base import AdminBase
from connectors.shopify.client import SYSTEM
from connectors.shopify.customer_records import Metafield
from connectors.shopify.models import Page, Record

DOCUMENTS_NAMESPACE = "casebridge_documents"
_KEY_PREFIX = "doc_"


class ProductDocument(BaseModel):
    """A document to show on a product; `document_id` (the ECM's id) is its stable key."""

    model_config = ConfigDict(frozen=True)

    # Metafield keys are 2-64 letters, digits, `-` and `_` (schema); the prefix takes 4.
    document_id: str = Field(pattern=r"^[A-Za-z0-9_-]{1,60}$")
    title: str = Field(min_length=1, max_length=255)
    url: HttpUrl
    content_type: str = "application/pdf"
    version: int | None = None


class PublishedDocument(ProductDocument):
    """A document as published on the product, with the metafield that carries it."""

    metafield_id: str


class _ProductMetafields(Record):
    id: str
    metafields: Page[Metafield] = Field(default_factory=Page[Metafield])


def _key(document_id: str) -> str:
    return f"{_KEY_PREFIX}{document_id}"


def _published(metafield: Metafield) -> PublishedDocument:
    try:
        return PublishedDocument.model_validate({**json.loads(metafield.value), "metafield_id": metafield.id})
    except (ValueError, ValidationError) as exc:
        raise ContractError(
            f"metafield {metafield.key} does not hold a document", system=SYSTEM, operation="product"
        ) from exc


class ProductDocumentOperations(AdminBase):
    async def product_documents(self, product_gid: str) -> list[PublishedDocument]:
        data = await self.client.execute(
            docs.PRODUCT_METAFIELDS, {"id": product_gid, "namespace": DOCUMENTS_NAMESPACE}, operation="product"
        )
        if data.get("product") is None:
            raise NotFoundError(f"product {product_gid} not found", system=SYSTEM, operation="product")
        found = _ProductMetafields.model_validate(data["product"]).metafields.nodes
        return [_published(m) for m in found if m.key.startswith(_KEY_PREFIX)]

    async def publish_product_document(self, product_gid: str, document: ProductDocument) -> PublishedDocument:
        """Show the document on the product, replacing an earlier publication of the same id."""
        value = document.model_dump(mode="json")
        entry = {
            "ownerId": product_gid,
            "namespace": DOCUMENTS_NAMESPACE,
            "key": _key(document.document_id),
            "type": "json",
            "value": json.dumps(value, separators=(",", ":"), sort_keys=True),
        }
        payload = await self._mutate(docs.SET_METAFIELDS, {"metafields": [entry]}, operation="metafieldsSet")
        [written] = self._required(payload, "metafields", "metafieldsSet")
        return _published(Metafield.model_validate(written))

    async def withdraw_product_document(self, product_gid: str, document_id: str) -> bool:
        """Remove the document from the product; False when it was not there (already withdrawn)."""
        identifier = {"ownerId": product_gid, "namespace": DOCUMENTS_NAMESPACE, "key": _key(document_id)}
        payload = await self._mutate(docs.DELETE_METAFIELDS, {"metafields": [identifier]}, operation="metafieldsDelete")
        deleted = payload.get("deletedMetafields") or []
        return any(d is not None for d in deleted)
