"""The lines of a free Shopify replacement or exchange order (a draft order completed at 0).

A line orders the catalogue's variant whenever there is one, so the store's inventory and
fulfilment see the item: the returned line's own variant when `order_line_ref` names a line of the
returned order that has one (and the line names no other SKU), else the variant whose SKU is the
line's `sku`. Shopify prices a variant line from the catalogue (it ignores
`originalUnitPriceWithCurrency` there), so such a line is made free by a 100 % line discount.
Without a variant (a custom item on the order, a deleted variant, an unknown SKU) the line is a
custom item at price 0, titled and SKU'd as the request says.
"""

from __future__ import annotations

from decimal import Decimal

from activities.models import ReplacementLine, ReplacementOrderRequest
from connectors.shopify.admin import ShopifyAdmin
from connectors.shopify.draft_orders import DraftOrderAppliedDiscountInput, DraftOrderLine
from connectors.shopify.models import MoneyInput
from connectors.shopify.order_edits import PricedOrderLine

DISCOUNT_TITLE = "Casebridge replacement"
FREE = DraftOrderAppliedDiscountInput(value=100, value_type="PERCENTAGE", title=DISCOUNT_TITLE)


async def draft_lines(shop: ShopifyAdmin, request: ReplacementOrderRequest, currency: str) -> list[DraftOrderLine]:
    returned = await _returned_lines(shop, request)
    by_sku: dict[str, str | None] = {}  # SKU -> variant gid, each SKU looked up once
    lines: list[DraftOrderLine] = []
    for line in request.lines:
        own = returned.get(line.order_line_ref or "")
        variant_id = _own_variant(line, own)
        sku = line.sku or (own.sku if own is not None else None)
        if variant_id is None and line.sku:
            if line.sku not in by_sku:
                found = await shop.variant_by_sku(line.sku)
                by_sku[line.sku] = found.id if found is not None else None
            variant_id = by_sku[line.sku]
        if variant_id is not None:
            lines.append(DraftOrderLine(variant_id=variant_id, quantity=line.quantity, applied_discount=FREE))
        else:
            free = MoneyInput(amount=Decimal(0), currency_code=currency)
            lines.append(
                DraftOrderLine(
                    title=line.title, quantity=line.quantity, sku=sku or None, original_unit_price_with_currency=free
                )
            )
    return lines


async def _returned_lines(shop: ShopifyAdmin, request: ReplacementOrderRequest) -> dict[str, PricedOrderLine]:
    """The returned order's lines by gid; read only when a line names one. ASSUMPTION: a line
    beyond the order's first 50 (the read's page) is treated as having no variant."""
    if not any(line.order_line_ref for line in request.lines):
        return {}
    order = await shop.substitution_lines(request.order_ref)
    return {line.id: line for line in order.lines}


def _own_variant(line: ReplacementLine, own: PricedOrderLine | None) -> str | None:
    """The returned line's variant, unless the line asks for another SKU (an exchange)."""
    if own is None or own.variant is None:
        return None
    if line.sku and line.sku != own.sku:
        return None
    return own.variant.id
