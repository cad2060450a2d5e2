"""Approved documents (spec sheets, manuals) published on an Adobe Commerce product, and withdrawn.

Why a custom attribute: a product's media gallery (`/V1/products/{sku}/media`) takes images and
external videos only, so a PDF cannot be a media entry. The documents are a JSON list in the product
attribute `casebridge_documents` (a textarea attribute provisioned with the integration, like the
customer attributes; ASSUMPTION: its store-view scope is global), written with
`PUT /V1/products/{sku}`. Each entry carries the ECM document id: a publish reads the list, replaces
the entry with that id or adds one, and writes the list back only when it changed; a withdrawal
removes the entry. Read-modify-write without a version check (Magento has none): two publishers of
the same product at once can lose one change, so publishing is meant to run one at a time per product.
"""

from __future__ import annotations

import json
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, TypeAdapter, ValidationError

from connectors.adobe_commerce.client import AdobeCommerceClient
from connectors.adobe_commerce.contract import SYSTEM
from connectors.adobe_commerce.models import Product
from connectors.errors import ContractError

DOCUMENTS_ATTRIBUTE = "casebridge_documents"


class ProductDocument(BaseModel):
    """A document to show on a product; `document_id` (the ECM's id) is its stable key."""

    model_config = ConfigDict(frozen=True)

    document_id: str = Field(pattern=r"^[A-Za-z0-9_-]{1,60}$")
    title: str = Field(min_length=1, max_length=255)
    url: HttpUrl
    content_type: str = "application/pdf"
    version: int | None = None


_DOCUMENTS = TypeAdapter(list[ProductDocument])


def _sku(sku: str) -> str:
    return quote(sku, safe="")


def documents_of(product: Product) -> list[ProductDocument]:
    raw = product.attribute(DOCUMENTS_ATTRIBUTE)
    if raw in (None, ""):
        return []
    try:
        return _DOCUMENTS.validate_python(json.loads(raw))
    except (TypeError, ValueError, ValidationError) as exc:
        raise ContractError(
            f"{DOCUMENTS_ATTRIBUTE} of {product.sku} is not a document list", system=SYSTEM, operation="get_product"
        ) from exc


class AdobeProductDocuments:
    def __init__(self, client: AdobeCommerceClient) -> None:
        self.client = client

    async def product_documents(self, sku: str) -> list[ProductDocument]:
        return documents_of(await self._product(sku))

    async def publish_product_document(self, sku: str, document: ProductDocument) -> ProductDocument:
        """Show the document on the product, replacing an entry with its id; a re-publish of the
        same entry writes nothing."""
        current = documents_of(await self._product(sku))
        if document in current:
            return document
        wanted = [d for d in current if d.document_id != document.document_id] + [document]
        saved = await self._write(sku, wanted, "publish_product_document")
        found = next((d for d in saved if d.document_id == document.document_id), None)
        if found is None:
            raise ContractError(
                f"{DOCUMENTS_ATTRIBUTE} came back without {document.document_id}",
                system=SYSTEM,
                operation="publish_product_document",
            )
        return found

    async def withdraw_product_document(self, sku: str, document_id: str) -> bool:
        """Remove the document from the product; False when it was not there (already withdrawn)."""
        current = documents_of(await self._product(sku))
        remaining = [d for d in current if d.document_id != document_id]
        if len(remaining) == len(current):
            return False
        await self._write(sku, remaining, "withdraw_product_document")
        return True

    async def _product(self, sku: str) -> Product:
        return await self.client.call_as(Product, "get_product", "GET", f"/V1/products/{_sku(sku)}")

    async def _write(self, sku: str, documents: list[ProductDocument], operation: str) -> list[ProductDocument]:
        value = _DOCUMENTS.dump_json(sorted(documents, key=lambda d: d.document_id)).decode()
        body = {"product": {"sku": sku, "custom_attributes": [{"attribute_code": DOCUMENTS_ATTRIBUTE, "value": value}]}}
        saved = await self.client.call_as(Product, operation, "PUT", f"/V1/products/{_sku(sku)}", json=body)
        return documents_of(saved)
