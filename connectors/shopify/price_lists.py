"""Price lists: create one (a currency and a percentage adjustment of the base prices), then set
fixed prices per variant. Setting a fixed price is repeat-safe (it overwrites)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Literal

from pydantic import Field

from connectors.errors import NotFoundError
from connectors.shopify import documents_catalog as docs
from connectors.shopify.base import AdminBase
from connectors.shopify.client import SYSTEM
from connectors.shopify.models import InputModel, Money, MoneyInput, Node, Page, Record

AdjustmentType = Literal["PERCENTAGE_DECREASE", "PERCENTAGE_INCREASE"]


class FixedPriceInput(InputModel):
    """`PriceListPriceInput`: a variant's price in the list's currency."""

    variant_id: str
    price: MoneyInput
    compare_at_price: MoneyInput | None = None


class PriceListPrice(Record):
    origin_type: str
    price: Money
    compare_at_price: Money | None = None
    variant: Node


class Adjustment(Record):
    type: str
    value: float


class PriceListParent(Record):
    adjustment: Adjustment


class PriceList(Record):
    id: str
    name: str
    currency: str
    fixed_prices_count: int = 0
    parent: PriceListParent | None = None
    prices: Page[PriceListPrice] = Field(default_factory=Page[PriceListPrice])

    def fixed_price(self, variant_gid: str) -> Money | None:
        return next((p.price for p in self.prices.nodes if p.variant.id == variant_gid), None)


class PriceListOperations(AdminBase):
    async def create_price_list(
        self,
        name: str,
        currency: str,
        *,
        adjustment_type: AdjustmentType = "PERCENTAGE_DECREASE",
        adjustment_value: Decimal | float = 0,
    ) -> PriceList:
        variables = {
            "input": {
                "name": name,
                "currency": currency,
                "parent": {"adjustment": {"type": adjustment_type, "value": float(adjustment_value)}},
            }
        }
        payload = await self._mutate(docs.CREATE_PRICE_LIST, variables, operation="priceListCreate")
        return PriceList.model_validate(self._required(payload, "priceList", "priceListCreate"))

    async def get_price_list(self, price_list_gid: str) -> PriceList:
        data = await self.client.execute(docs.GET_PRICE_LIST, {"id": price_list_gid}, operation="priceList")
        if data.get("priceList") is None:
            raise NotFoundError(f"price list {price_list_gid} not found", system=SYSTEM, operation="priceList")
        return PriceList.model_validate(data["priceList"])

    async def add_fixed_prices(self, price_list_gid: str, prices: Sequence[FixedPriceInput]) -> list[PriceListPrice]:
        payload = await self._mutate(
            docs.ADD_FIXED_PRICES,
            {"priceListId": price_list_gid, "prices": [p.as_input() for p in prices]},
            operation="priceListFixedPricesAdd",
        )
        return [PriceListPrice.model_validate(p) for p in payload.get("prices") or []]

    async def update_fixed_prices(
        self,
        price_list_gid: str,
        *,
        add: Sequence[FixedPriceInput] = (),
        delete_variant_ids: Sequence[str] = (),
    ) -> PriceList:
        """Set some fixed prices and drop others in one call; returns the list afterwards."""
        payload = await self._mutate(
            docs.UPDATE_FIXED_PRICES,
            {
                "priceListId": price_list_gid,
                "pricesToAdd": [p.as_input() for p in add],
                "variantIdsToDelete": list(delete_variant_ids),
            },
            operation="priceListFixedPricesUpdate",
        )
        return PriceList.model_validate(self._required(payload, "priceList", "priceListFixedPricesUpdate"))
