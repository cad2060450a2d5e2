"""Products and their publication on sales channels.

Products are seeded (`seed_product`, behind the sandbox admin route: the merchant creates them in the
admin, which sends `products/create`); the API then changes them with
`productUpdate` (title, description, handle, tags, status, vendor, type, SEO) and publishes or
unpublishes them with `publishablePublish`/`publishableUnpublish`. Each real change sends
`products/update`. Collections and categories are not simulated: asking to join one is refused.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Any

from sandbox.shopify import rest_resources
from sandbox.shopify.ops_base import OperationsBase, Outcome, normalize_tags, safe_gid, sorted_tags
from sandbox.shopify.state import UserError, money, utcnow
from sandbox.shopify.state_catalog import DEFAULT_PUBLICATIONS, ONLINE_STORE, Product, ProductVariant, Publication

MAX_TITLE_LENGTH = 255
_NOT_SIMULATED_INPUTS = ("category", "collectionsToJoin", "collectionsToLeave")


def handleize(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "product"


class Catalog(OperationsBase):
    def publications(self) -> list[Publication]:
        """The shop's sales channels, created on first use."""
        if not self.shop.publications:
            for name in DEFAULT_PUBLICATIONS:
                publication = Publication(self.shop.next_id("Publication"), name, auto_publish=name == ONLINE_STORE)
                self.shop.publications[publication.id] = publication
        return list(self.shop.publications.values())

    def product_by_gid(self, value: str) -> Product | None:
        parsed = safe_gid(value)
        number = parsed.is_a("Product") if parsed else None
        return self.shop.products.get(number) if number is not None else None

    def seed_product(self, data: dict[str, Any]) -> Product:
        """A product as the merchant would have made it in the admin (snake_case sandbox input)."""
        self.publications()
        now = utcnow()
        title = str(data["title"])
        product = Product(
            id=self.shop.next_id("Product"),
            title=title,
            handle=self._free_handle(data.get("handle") or handleize(title)),
            status=str(data.get("status") or "ACTIVE").upper(),
            vendor=str(data.get("vendor") or ""),
            product_type=str(data.get("product_type") or ""),
            description_html=str(data.get("description_html") or ""),
            tags=sorted_tags(normalize_tags(list(data.get("tags") or []))),
            created_at=now,
            updated_at=now,
        )
        for position, raw in enumerate(data.get("variants") or [{"title": "Default Title", "price": "0"}], 1):
            variant = ProductVariant(
                id=self.shop.next_id("ProductVariant"),
                product=product,
                title=str(raw.get("title") or "Default Title"),
                price=money(Decimal(str(raw.get("price") or "0"))),
                sku=raw.get("sku"),
                compare_at_price=money(Decimal(str(raw["compare_at_price"]))) if raw.get("compare_at_price") else None,
                inventory_quantity=int(raw.get("inventory_quantity") or 0),
                position=position,
            )
            product.variants.append(variant)
            self.shop.variants[variant.id] = variant
        for name in data.get("published_on") or []:
            publication = next((p for p in self.shop.publications.values() if p.name == name), None)
            if publication is None:
                raise ValueError(f"unknown publication {name!r}")
            self._set_published(product, publication, now)
        self.shop.products[product.id] = product
        self.webhooks.emit(self.shop, "PRODUCTS_CREATE", rest_resources.product_payload(product))
        return product

    def update_product(self, data: dict[str, Any] | None) -> Outcome[Product]:
        data = data or {}
        product = self.product_by_gid(data["id"]) if data.get("id") else None
        if product is None:
            return Outcome(errors=[UserError("Product does not exist", ["id"])])
        errors: list[UserError] = []
        if "title" in data and not (data["title"] or "").strip():
            errors.append(UserError("Title can't be blank", ["title"]))
        elif len(data.get("title") or "") > MAX_TITLE_LENGTH:
            errors.append(UserError(f"Title is too long (maximum is {MAX_TITLE_LENGTH} characters)", ["title"]))
        handle = data.get("handle")
        if handle is not None and any(p.handle == handle and p is not product for p in self.shop.products.values()):
            errors.append(UserError(f"Handle '{handle}' already in use. Please provide a new handle.", ["handle"]))
        for key in _NOT_SIMULATED_INPUTS:
            if data.get(key):
                errors.append(UserError(f"{key} is not simulated by the Casebridge sandbox", [key]))
        if errors:
            return Outcome(errors=errors)

        before = self._snapshot(product)
        for key, attribute in (
            ("title", "title"),
            ("descriptionHtml", "description_html"),
            ("handle", "handle"),
            ("status", "status"),
            ("vendor", "vendor"),
            ("productType", "product_type"),
        ):
            if data.get(key) is not None:
                setattr(product, attribute, data[key])
        if data.get("tags") is not None:
            product.tags = sorted_tags(normalize_tags(data["tags"]))
        self._changed(product, before)
        return Outcome(product)

    def set_publication(self, publishable_gid: str, inputs: list[dict[str, Any]], *, publish: bool) -> Outcome[Product]:
        """`publishablePublish` / `publishableUnpublish` for products."""
        parsed = safe_gid(publishable_gid)
        if parsed is not None and parsed.type_name == "Collection":
            return Outcome(
                errors=[UserError("Publishing collections is not simulated by the Casebridge sandbox", ["id"])]
            )
        product = self.product_by_gid(publishable_gid)
        if product is None:
            return Outcome(errors=[UserError("Resource does not exist", ["id"])])
        self.publications()
        errors: list[UserError] = []
        targets: list[tuple[Publication, datetime]] = []
        now = utcnow()
        for index, raw in enumerate(inputs):
            path = ["input", str(index), "publicationId"]
            parsed_publication = safe_gid(raw["publicationId"]) if raw.get("publicationId") else None
            number = parsed_publication.is_a("Publication") if parsed_publication else None
            publication = self.shop.publications.get(number) if number is not None else None
            if publication is None:
                errors.append(UserError("Publication does not exist", path))
                continue
            when = raw.get("publishDate") or now
            if publish and when > now and not publication.supports_future_publishing:
                errors.append(
                    UserError(
                        f"{publication.name} does not support future publishing", ["input", str(index), "publishDate"]
                    )
                )
                continue
            targets.append((publication, when))
        if not inputs:
            errors.append(UserError("Input can't be blank", ["input"]))
        if errors:
            return Outcome(errors=errors)
        before = self._snapshot(product)
        for publication, when in targets:
            if publish:
                self._set_published(product, publication, when)
            else:
                product.publications.pop(publication.id, None)
                if publication.name == ONLINE_STORE:
                    product.published_at = None
        self._changed(product, before)
        return Outcome(product)

    def _set_published(self, product: Product, publication: Publication, when: datetime) -> None:
        product.publications.setdefault(publication.id, when)
        if publication.name == ONLINE_STORE and product.published_at is None:
            product.published_at = when

    @staticmethod
    def _snapshot(product: Product) -> tuple[dict[str, Any], dict[int, datetime]]:
        return rest_resources.product_payload(product), dict(product.publications)

    def _changed(self, product: Product, before: tuple[dict[str, Any], dict[int, datetime]]) -> None:
        """Bump `updatedAt` and send `products/update`, only when something really changed."""
        if self._snapshot(product) == before:
            return
        product.updated_at = utcnow()
        self.webhooks.emit(self.shop, "PRODUCTS_UPDATE", rest_resources.product_payload(product))

    def _free_handle(self, wanted: str) -> str:
        taken = {p.handle for p in self.shop.products.values()}
        handle, suffix = wanted, 1
        while handle in taken:
            handle, suffix = f"{wanted}-{suffix}", suffix + 1
        return handle
