"""Products: change content and status (`productUpdate`), publish on or withdraw from sales
channels (`publishablePublish` / `publishableUnpublish`). All repeat-safe: they set a state."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import Field

from connectors.errors import NotFoundError
from connectors.shopify import documents_catalog as docs
from connectors.shopify import documents_order_edits
from connectors.shopify.assumptions import search_value
from connectors.shopify.base import AdminBase
from connectors.shopify.client import SYSTEM
from connectors.shopify.models import InputModel, Node, Page, Record

ProductStatus = Literal["ACTIVE", "ARCHIVED", "DRAFT"]


class ProductUpdate(InputModel):
    """The fields Casebridge changes (`ProductUpdateInput`); unset fields stay as they are."""

    title: str | None = None
    description_html: str | None = None
    tags: list[str] | None = None  # replaces the whole list
    status: ProductStatus | None = None
    handle: str | None = None
    vendor: str | None = None
    product_type: str | None = None


class Variant(Record):
    id: str
    title: str
    sku: str | None = None
    price: Decimal
    inventory_quantity: int | None = None


class _VariantProduct(Record):
    id: str
    title: str
    status: str


class SkuVariant(Variant):
    """A variant found by its SKU, with what decides whether it can be sold."""

    display_name: str = ""
    available_for_sale: bool = False
    product: _VariantProduct

    @property
    def name(self) -> str:
        """What a customer calls it: the product's title, with the variant's unless it is the only one."""
        if not self.title or self.title == "Default Title":  # Shopify's title for a product's only variant
            return self.product.title
        return self.display_name or f"{self.product.title} - {self.title}"


class ResourcePublication(Record):
    is_published: bool
    publish_date: datetime | None = None
    publication: Node


class Product(Record):
    id: str
    title: str
    handle: str
    status: str
    tags: list[str] = Field(default_factory=list)
    description_html: str = ""
    vendor: str = ""
    product_type: str = ""
    published_at: datetime | None = None
    updated_at: datetime | None = None
    variants: Page[Variant] = Field(default_factory=Page[Variant])
    resource_publications: Page[ResourcePublication] = Field(default_factory=Page[ResourcePublication])

    @property
    def publication_ids(self) -> set[str]:
        return {p.publication.id for p in self.resource_publications.nodes if p.is_published}


class Publication(Record):
    id: str
    name: str | None = None
    auto_publish: bool = False
    supports_future_publishing: bool = False


class ProductTypeOf(Record):
    id: str
    product_type: str = ""


class _LineItemNode(Record):
    id: str
    product: ProductTypeOf | None = None  # None: a custom line, or the product was deleted


class _FulfillmentDate(Record):
    created_at: datetime


class OrderProductFacts(Record):
    """An order's date, its customer's email and its lines' product types (`ORDER_PRODUCT_FACTS`)."""

    id: str
    processed_at: datetime
    email: str | None = None
    fulfillments: list[_FulfillmentDate] = Field(default_factory=list)
    line_items: Page[_LineItemNode] = Field(default_factory=Page[_LineItemNode])

    @property
    def last_shipped_at(self) -> datetime | None:
        """When the order's last fulfillment was created (its last units shipped); None: none yet."""
        return max((f.created_at for f in self.fulfillments), default=None)

    def product_types(self) -> dict[str, str]:
        """Product type per line item gid; lines without a product or a type are left out."""
        return {n.id: n.product.product_type for n in self.line_items.nodes if n.product and n.product.product_type}


class ProductOperations(AdminBase):
    async def order_product_facts(self, order_gid: str) -> OrderProductFacts:
        data = await self.client.execute(docs.ORDER_PRODUCT_FACTS, {"id": order_gid}, operation="order")
        if data.get("order") is None:
            raise NotFoundError(f"order {order_gid} not found", system=SYSTEM, operation="order")
        return OrderProductFacts.model_validate(data["order"])

    async def variant_by_sku(self, sku: str) -> SkuVariant | None:
        """The variant with exactly this SKU (Shopify's search is case-insensitive and ignores an
        unsupported filter, so hits are re-checked); None when there is none."""
        data = await self.client.execute(
            documents_order_edits.PRODUCT_VARIANTS_BY_SKU,
            {"query": f"sku:{search_value(sku)}"},
            operation="productVariants",
        )
        found = [SkuVariant.model_validate(n) for n in data["productVariants"]["nodes"]]
        return next((v for v in found if v.sku == sku), None)

    async def get_product(self, product_gid: str) -> Product:
        data = await self.client.execute(docs.GET_PRODUCT, {"id": product_gid}, operation="product")
        if data.get("product") is None:
            raise NotFoundError(f"product {product_gid} not found", system=SYSTEM, operation="product")
        return Product.model_validate(data["product"])

    async def update_product(self, product_gid: str, change: ProductUpdate) -> Product:
        variables = {"product": {"id": product_gid, **change.as_input()}}
        payload = await self._mutate(docs.UPDATE_PRODUCT, variables, operation="productUpdate")
        return Product.model_validate(self._required(payload, "product", "productUpdate"))

    async def publications(self) -> list[Publication]:
        data = await self.client.execute(docs.LIST_PUBLICATIONS, {}, operation="publications")
        return [Publication.model_validate(n) for n in data["publications"]["nodes"]]

    async def publish_product(
        self, product_gid: str, publication_ids: Sequence[str], *, publish_date: datetime | None = None
    ) -> Product:
        entries = [
            {"publicationId": pid, **({"publishDate": publish_date.isoformat()} if publish_date else {})}
            for pid in publication_ids
        ]
        payload = await self._mutate(
            docs.PUBLISH, {"id": product_gid, "input": entries}, operation="publishablePublish"
        )
        return Product.model_validate(self._required(payload, "publishable", "publishablePublish"))

    async def unpublish_product(self, product_gid: str, publication_ids: Sequence[str]) -> Product:
        entries = [{"publicationId": pid} for pid in publication_ids]
        payload = await self._mutate(
            docs.UNPUBLISH, {"id": product_gid, "input": entries}, operation="publishableUnpublish"
        )
        return Product.model_validate(self._required(payload, "publishable", "publishableUnpublish"))
