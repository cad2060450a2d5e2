"""Approved documents (spec sheets, manuals) published on a catalog product as custom fields, and
withdrawn (products_catalog.v3 `/catalog/products/{product_id}/custom-fields`).

A custom field is a name and a value shown on the product page: the name is the document's title
and the value its URL, with the document's id in the URL's fragment (`#casebridge-doc=<id>`), which
browsers do not send to the server, so the link still works. That marker is the stable key: a
publish finds the field carrying it and updates it (or creates one), a withdrawal deletes it. Both
parts are limited to 250 characters (spec); longer ones are refused here, before sending. Product
images were not used: they take images only.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, field_validator

from connectors.bigcommerce.contract import SYSTEM
from connectors.bigcommerce.models import _Response
from connectors.bigcommerce.rest import RestBase, parse, segment
from connectors.errors import RejectedError

MARKER = "#casebridge-doc="
MAX_CUSTOM_FIELD_LENGTH = 250  # `customFieldPost.name` / `.value`


class ProductDocument(BaseModel):
    """A document to show on a product; `document_id` (the ECM's id) is its stable key."""

    model_config = ConfigDict(frozen=True)

    document_id: str = Field(pattern=r"^[A-Za-z0-9_-]{1,60}$")
    title: str = Field(min_length=1, max_length=MAX_CUSTOM_FIELD_LENGTH)
    url: HttpUrl

    @field_validator("url")
    @classmethod
    def _no_fragment(cls, url: HttpUrl) -> HttpUrl:
        if url.fragment:
            raise ValueError("the URL's fragment carries the document id: it must not have one")
        return url


class CustomField(_Response):
    id: int
    name: str
    value: str


class PublishedDocument(BaseModel):
    document_id: str
    title: str
    url: str
    custom_field_id: int


def _value(document: ProductDocument) -> str:
    return f"{document.url}{MARKER}{document.document_id}"


def _published(custom_field: CustomField) -> PublishedDocument | None:
    """The document a custom field carries, or None for a field Casebridge did not write."""
    url, marker, document_id = custom_field.value.rpartition(MARKER)
    if not marker or not urlsplit(url).scheme:
        return None
    return PublishedDocument(document_id=document_id, title=custom_field.name, url=url, custom_field_id=custom_field.id)


class ProductDocumentsApi(RestBase):
    async def product_documents(self, product_id: int) -> list[PublishedDocument]:
        fields = await self._v3_list(
            "product_documents", f"/catalog/products/{segment(product_id)}/custom-fields", CustomField
        )
        return [doc for doc in (_published(f) for f in fields) if doc is not None]

    async def publish_product_document(self, product_id: int, document: ProductDocument) -> PublishedDocument:
        """Show the document on the product; a re-publish updates the field it was published in."""
        operation = "publish_product_document"
        value = _value(document)
        if len(value) > MAX_CUSTOM_FIELD_LENGTH:
            raise RejectedError(
                f"URL and marker are {len(value)} characters; a custom field holds {MAX_CUSTOM_FIELD_LENGTH}",
                system=SYSTEM,
                operation=operation,
            )
        base = f"/catalog/products/{segment(product_id)}/custom-fields"
        body = {"name": document.title, "value": value}
        existing = await self._published_field(product_id, document.document_id)
        if existing is None:
            data = await self._v3_data(operation, "POST", base, json=body)
        elif (existing.title, existing.url) != (document.title, str(document.url)):
            data = await self._v3_data(operation, "PUT", f"{base}/{segment(existing.custom_field_id)}", json=body)
        else:
            return existing
        published = _published(parse(CustomField, data, operation))
        if published is None:
            raise RejectedError("the custom field came back without its marker", system=SYSTEM, operation=operation)
        return published

    async def withdraw_product_document(self, product_id: int, document_id: str) -> bool:
        """Remove the document from the product; False when it was not there (already withdrawn)."""
        existing = await self._published_field(product_id, document_id)
        if existing is None:
            return False
        path = f"/catalog/products/{segment(product_id)}/custom-fields/{segment(existing.custom_field_id)}"
        await self._v3_data("withdraw_product_document", "DELETE", path)
        return True

    async def _published_field(self, product_id: int, document_id: str) -> PublishedDocument | None:
        return next((d for d in await self.product_documents(product_id) if d.document_id == document_id), None)
