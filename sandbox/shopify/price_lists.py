"""Price lists: `priceListCreate` (a name, one of the shop's enabled currencies and a percentage
adjustment of the parent prices) and fixed prices per variant (`priceListFixedPricesAdd`,
`priceListFixedPricesUpdate`), every price in the list's currency.

Catalogs (markets, company locations) are not simulated, so a `catalogId` is refused as unknown.
ASSUMPTION: the adjustment bounds (a decrease of at most 100 %, an increase of at most 1000 %) and
the messages are the sandbox's; the codes are Shopify's.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sandbox.shopify.ops_base import OperationsBase, Outcome, money_input, safe_gid
from sandbox.shopify.state import UserError, money
from sandbox.shopify.state_catalog import FixedPrice, PriceList

MAX_DECREASE = 100.0
MAX_INCREASE = 1000.0


@dataclass
class PriceListUpdate:
    """What `priceListFixedPricesUpdate` reports: the list, the prices set, the variants dropped."""

    price_list: PriceList
    added: list[FixedPrice]
    deleted: list[str]  # variant gids


class PriceLists(OperationsBase):
    def price_list_by_gid(self, value: str) -> PriceList | None:
        parsed = safe_gid(value)
        number = parsed.is_a("PriceList") if parsed else None
        return self.shop.price_lists.get(number) if number is not None else None

    def create_price_list(self, data: dict[str, Any]) -> Outcome[PriceList]:
        errors: list[UserError] = []
        name = (data["name"] or "").strip()
        if not name:
            errors.append(UserError("Name can't be blank", ["input", "name"], "BLANK"))
        elif any(p.name.lower() == name.lower() for p in self.shop.price_lists.values()):
            errors.append(UserError("Name has already been taken", ["input", "name"], "TAKEN"))
        currency = data["currency"]
        if currency not in self.shop.enabled_currencies:
            errors.append(
                UserError(
                    f"Currency {currency} is not one of the shop's enabled currencies",
                    ["input", "currency"],
                    "CURRENCY_NOT_SUPPORTED",
                )
            )
        adjustment = data["parent"]["adjustment"]
        value, kind = float(adjustment["value"]), adjustment["type"]
        path = ["input", "parent", "adjustment", "value"]
        if value < 0:
            errors.append(UserError("Adjustment value must be at least 0", path, "INVALID_ADJUSTMENT_MIN_VALUE"))
        elif value > (MAX_DECREASE if kind == "PERCENTAGE_DECREASE" else MAX_INCREASE):
            errors.append(UserError("Adjustment value is too large", path, "INVALID_ADJUSTMENT_MAX_VALUE"))
        if data.get("catalogId"):
            errors.append(UserError("Catalog does not exist", ["input", "catalogId"], "CATALOG_DOES_NOT_EXIST"))
        if errors:
            return Outcome(errors=errors)
        price_list = PriceList(self.shop.next_id("PriceList"), name, currency, kind, value)
        self.shop.price_lists[price_list.id] = price_list
        return Outcome(price_list)

    def add_fixed_prices(self, price_list_gid: str, prices: list[dict[str, Any]]) -> Outcome[list[FixedPrice]]:
        outcome = self.update_fixed_prices(price_list_gid, prices, [], add_path="prices")
        if outcome.value is None:
            return Outcome(errors=outcome.errors)
        return Outcome(outcome.value.added)

    def update_fixed_prices(
        self,
        price_list_gid: str,
        prices: list[dict[str, Any]],
        variant_ids_to_delete: list[str],
        *,
        add_path: str = "pricesToAdd",
    ) -> Outcome[PriceListUpdate]:
        price_list = self.price_list_by_gid(price_list_gid)
        if price_list is None:
            return Outcome(errors=[UserError("Price list does not exist", ["priceListId"], "PRICE_LIST_NOT_FOUND")])
        errors: list[UserError] = []
        planned: list[FixedPrice] = []
        for index, raw in enumerate(prices):
            path = [add_path, str(index)]
            variant = self.shop.variants.get(_number(raw["variantId"], "ProductVariant"))
            if variant is None:
                errors.append(UserError("Variant not found", [*path, "variantId"], "VARIANT_NOT_FOUND"))
                continue
            price = _money(raw["price"])
            compare_at = _money(raw.get("compareAtPrice"))
            for key, value in (("price", price), ("compareAtPrice", compare_at)):
                if value is not None and value[1] != price_list.currency:
                    errors.append(
                        UserError(
                            f"The {key} currency must be the price list's currency ({price_list.currency})",
                            [*path, key, "currencyCode"],
                            "PRICE_LIST_CURRENCY_MISMATCH",
                        )
                    )
            if price is not None and price[0] < 0:
                errors.append(UserError("Price must be greater than or equal to 0", [*path, "price", "amount"]))
            if price is not None:
                planned.append(
                    FixedPrice(
                        variant, money(price[0]), price_list.currency, money(compare_at[0]) if compare_at else None
                    )
                )
        deleting: list[int] = []
        for index, raw_id in enumerate(variant_ids_to_delete):
            number = _number(raw_id, "ProductVariant")
            if number not in self.shop.variants:
                errors.append(UserError("Variant not found", ["variantIdsToDelete", str(index)], "VARIANT_NOT_FOUND"))
            elif number not in price_list.fixed:
                errors.append(
                    UserError(
                        "The variant has no fixed price on this price list",
                        ["variantIdsToDelete", str(index)],
                        "PRICE_NOT_FIXED",
                    )
                )
            else:
                deleting.append(number)
        if errors:
            return Outcome(errors=errors)
        for number in deleting:
            price_list.fixed.pop(number)
        for fixed in planned:
            price_list.fixed[fixed.variant.id] = fixed
        deleted = [self.shop.variants[number].gid for number in deleting]
        return Outcome(PriceListUpdate(price_list, planned, deleted))


def _money(data: dict[str, Any] | None) -> tuple[Decimal, str] | None:
    return money_input({"shopMoney": data}) if data else None


def _number(value: str, type_name: str) -> int:
    parsed = safe_gid(value)
    number = parsed.is_a(type_name) if parsed else None
    return number if number is not None else -1
