"""Products (status, visibility, content) and prices (base, special, tier) on Adobe Commerce.

`PUT /V1/products/{sku}` also creates a product when the SKU is unknown, so updates read the product
first: a missing SKU is a `NotFoundError`, never an accidental new product. The price endpoints answer
a list of per-row problems (empty when everything was saved); any problem is a `RejectedError`.

`unit_prices` is what a shopper pays per unit today: the product's price, or a special price of the
store that applies now when it is lower (Magento's final price takes the lower of the two).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TypeVar
from urllib.parse import quote

from connectors.adobe_commerce.client import AdobeCommerceClient
from connectors.adobe_commerce.contract import SYSTEM
from connectors.adobe_commerce.error_mapping import render_message
from connectors.adobe_commerce.models import (
    AttributeOption,
    BasePrice,
    Category,
    PriceUpdateResult,
    Product,
    ProductStatus,
    SpecialPrice,
    TierPrice,
    Visibility,
)
from connectors.errors import NotFoundError, RejectedError

_P = TypeVar("_P", BasePrice, SpecialPrice, TierPrice)


def _sku(sku: str) -> str:
    return quote(sku, safe="")


def _price_rows(prices: Sequence[BasePrice | SpecialPrice | TierPrice]) -> list[dict[str, object]]:
    """Rows as JSON numbers (pydantic's JSON mode would write `Decimal` as a string)."""
    return [{k: float(v) if isinstance(v, Decimal) else v for k, v in p.model_dump().items()} for p in prices]


def _special_window(price: SpecialPrice) -> tuple[datetime, datetime] | None:
    """The moments a special price applies from and until (a date-only `price_to` is inclusive of
    that day); None when Magento's dates cannot be read. Read as UTC: see `contract.py`."""
    try:
        start = datetime.fromisoformat(price.price_from)
        end = datetime.fromisoformat(price.price_to)
    except ValueError:
        return None
    if len(price.price_to.strip()) == len("YYYY-MM-DD"):
        end += timedelta(days=1) - timedelta(microseconds=1)
    return start, end


def special_applies(price: SpecialPrice, *, store_id: int, at: datetime) -> bool:
    """Whether a special price row applies in this store (its own or all stores, id 0) at `at` (naive UTC)."""
    window = _special_window(price)
    return price.store_id in (0, store_id) and window is not None and window[0] <= at <= window[1]


def _raise_for_results(results: list[PriceUpdateResult], operation: str) -> None:
    if results:
        text = "; ".join(render_message(r.message, r.parameters) for r in results)
        raise RejectedError(text, system=SYSTEM, operation=operation, details=[r.model_dump() for r in results])


class AdobeCatalog:
    def __init__(self, client: AdobeCommerceClient) -> None:
        self.client = client

    # -- products ----------------------------------------------------------------------------------

    async def get_product(self, sku: str) -> Product:
        return await self.client.call_as(Product, "get_product", "GET", f"/V1/products/{_sku(sku)}")

    async def attribute_options(self, attribute_code: str) -> list[AttributeOption]:
        """The options of a product select attribute (e.g. `manufacturer`), whose ids products hold."""
        return await self.client.call_as(
            list[AttributeOption],
            "attribute_options",
            "GET",
            f"/V1/products/attributes/{_sku(attribute_code)}/options",
        )

    async def option_label(self, attribute_code: str, value: str) -> str | None:
        """The label of the attribute's option `value` (an id a product holds), or None."""
        options = await self.attribute_options(attribute_code)
        return next((o.label.strip() or None for o in options if o.value == value and value), None)

    async def find_product(self, sku: str) -> Product | None:
        """The product with this SKU; None when the catalog does not know it (404)."""
        try:
            return await self.get_product(sku)
        except NotFoundError:
            return None

    async def unit_prices(self, skus: Sequence[str], *, store_id: int, at: datetime) -> dict[str, Decimal]:
        """Today's unit price of each SKU the catalog knows (unknown SKUs and products without a
        price are left out): one product read per distinct SKU, then one special-price read for
        those found. `at` is a naive UTC moment, as Magento writes dates."""
        prices: dict[str, Decimal] = {}
        for sku in dict.fromkeys(skus):
            product = await self.find_product(sku)
            if product is not None and product.price is not None:
                prices[sku] = product.price
        if prices:
            for special in await self.special_prices(list(prices)):
                if special.sku in prices and special_applies(special, store_id=store_id, at=at):
                    prices[special.sku] = min(prices[special.sku], special.price)
        return prices

    async def get_category(self, category_id: int) -> Category:
        return await self.client.call_as(Category, "get_category", "GET", f"/V1/categories/{int(category_id)}")

    async def update_product(
        self,
        sku: str,
        *,
        name: str | None = None,
        status: ProductStatus | None = None,
        visibility: Visibility | None = None,
        attributes: Mapping[str, str] | None = None,
    ) -> Product:
        """Change only what is given (`attributes` are custom attributes, e.g. `description`)."""
        await self.get_product(sku)  # NotFoundError instead of creating a product by accident
        product: dict[str, object] = {"sku": sku}
        if name is not None:
            product["name"] = name
        if status is not None:
            product["status"] = int(status)
        if visibility is not None:
            product["visibility"] = int(visibility)
        if attributes:
            product["custom_attributes"] = [{"attribute_code": k, "value": v} for k, v in attributes.items()]
        return await self.client.call_as(
            Product,
            "update_product",
            "PUT",
            f"/V1/products/{_sku(sku)}",
            json={"product": product, "saveOptions": True},
        )

    # -- prices ------------------------------------------------------------------------------------

    async def update_base_prices(self, prices: Sequence[BasePrice]) -> None:
        await self._update("update_base_prices", "POST", "/V1/products/base-prices", prices)

    async def base_prices(self, skus: Sequence[str]) -> list[BasePrice]:
        return await self._information(BasePrice, "base_prices", "/V1/products/base-prices-information", skus)

    async def update_special_prices(self, prices: Sequence[SpecialPrice]) -> None:
        await self._update("update_special_prices", "POST", "/V1/products/special-price", prices)

    async def special_prices(self, skus: Sequence[str]) -> list[SpecialPrice]:
        return await self._information(SpecialPrice, "special_prices", "/V1/products/special-price-information", skus)

    async def update_tier_prices(self, prices: Sequence[TierPrice]) -> None:
        """Add or update these tier prices; other tiers of the SKUs stay."""
        await self._update("update_tier_prices", "POST", "/V1/products/tier-prices", prices)

    async def replace_tier_prices(self, prices: Sequence[TierPrice]) -> None:
        """Replace every tier price of the SKUs involved with these."""
        await self._update("replace_tier_prices", "PUT", "/V1/products/tier-prices", prices)

    async def tier_prices(self, skus: Sequence[str]) -> list[TierPrice]:
        return await self._information(TierPrice, "tier_prices", "/V1/products/tier-prices-information", skus)

    async def _update(
        self, operation: str, method: str, path: str, prices: Sequence[BasePrice | SpecialPrice | TierPrice]
    ) -> None:
        results = await self.client.call_as(
            list[PriceUpdateResult], operation, method, path, json={"prices": _price_rows(prices)}
        )
        _raise_for_results(results, operation)

    async def _information(self, model: type[_P], operation: str, path: str, skus: Sequence[str]) -> list[_P]:
        return await self.client.call_as(list[model], operation, "POST", path, json={"skus": list(skus)})  # type: ignore[valid-type]
