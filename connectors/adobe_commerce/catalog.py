"""Products (status, visibility, content) and prices (base, special, tier) on Adobe Commerce.

`PUT /V1/products/{sku}` also creates a product when the SKU is unknown, so updates read the product
first: a missing SKU is a `NotFoundError`, never an accidental new product. The price endpoints answer
a list of per-row problems (empty when everything was saved); any problem is a `RejectedError`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TypeVar
from urllib.parse import quote

from connectors.adobe_commerce.client import AdobeCommerceClient
from connectors.adobe_commerce.contract import SYSTEM
from connectors.adobe_commerce.error_mapping import render_message
from connectors.adobe_commerce.models import (
    BasePrice,
    Category,
    PriceUpdateResult,
    Product,
    ProductStatus,
    SpecialPrice,
    TierPrice,
    Visibility,
)
from connectors.errors import RejectedError

_P = TypeVar("_P", BasePrice, SpecialPrice, TierPrice)


def _sku(sku: str) -> str:
    return quote(sku, safe="")


def _price_rows(prices: Sequence[BasePrice | SpecialPrice | TierPrice]) -> list[dict[str, object]]:
    """Rows as JSON numbers (pydantic's JSON mode would write `Decimal` as a string)."""
    return [{k: float(v) if isinstance(v, Decimal) else v for k, v in p.model_dump().items()} for p in prices]


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
