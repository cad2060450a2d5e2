"""The shop's catalogue: products with their variants, the publications (sales channels) they are
published on, and price lists with fixed and relative prices.

Products are seeded by tests and the demo through the sandbox admin route (creating products by
GraphQL is not simulated); afterwards they change only through the simulated mutations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import ClassVar

from sandbox.shopify.gid import gid
from sandbox.shopify.state import money, utcnow

# Every shop starts with these sales channels' publications (names as Shopify shows them).
DEFAULT_PUBLICATIONS = ("Online Store", "Point of Sale", "Shop")
ONLINE_STORE = "Online Store"


@dataclass
class ProductVariant:
    TYPENAME: ClassVar[str] = "ProductVariant"
    id: int
    product: Product
    title: str
    price: Decimal
    sku: str | None = None
    compare_at_price: Decimal | None = None
    inventory_quantity: int = 0
    position: int = 1
    taxable: bool = True
    barcode: str | None = None
    created_at: datetime = field(default_factory=utcnow)
    updated_at: datetime = field(default_factory=utcnow)

    @property
    def gid(self) -> str:
        return gid("ProductVariant", self.id)

    @property
    def display_name(self) -> str:
        return f"{self.product.title} - {self.title}"


@dataclass
class Product:
    TYPENAME: ClassVar[str] = "Product"
    id: int
    title: str
    handle: str
    status: str = "ACTIVE"  # ProductStatus
    vendor: str = ""
    product_type: str = ""
    description_html: str = ""
    tags: list[str] = field(default_factory=list)
    variants: list[ProductVariant] = field(default_factory=list)
    # publication id → when the product was published there
    publications: dict[int, datetime] = field(default_factory=dict)
    published_at: datetime | None = None  # on the Online Store
    created_at: datetime = field(default_factory=utcnow)
    updated_at: datetime = field(default_factory=utcnow)

    @property
    def gid(self) -> str:
        return gid("Product", self.id)

    @property
    def total_inventory(self) -> int:
        return sum(v.inventory_quantity for v in self.variants)


@dataclass
class Publication:
    TYPENAME: ClassVar[str] = "Publication"
    id: int
    name: str
    auto_publish: bool = False
    supports_future_publishing: bool = False

    @property
    def gid(self) -> str:
        return gid("Publication", self.id)


@dataclass
class FixedPrice:
    variant: ProductVariant
    price: Decimal
    currency: str
    compare_at_price: Decimal | None = None
    origin_type: str = "FIXED"  # PriceListPriceOriginType


@dataclass
class PriceList:
    TYPENAME: ClassVar[str] = "PriceList"
    id: int
    name: str
    currency: str
    adjustment_type: str  # PriceListAdjustmentType
    adjustment_value: float
    fixed: dict[int, FixedPrice] = field(default_factory=dict)  # variant id → fixed price

    @property
    def gid(self) -> str:
        return gid("PriceList", self.id)

    def relative_price(self, variant: ProductVariant) -> Decimal:
        """The parent adjustment applied to the variant's own price (same currency only)."""
        factor = Decimal(str(self.adjustment_value)) / 100
        if self.adjustment_type == "PERCENTAGE_DECREASE":
            return money(variant.price * (1 - factor))
        return money(variant.price * (1 + factor))
