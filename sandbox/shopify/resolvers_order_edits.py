"""GraphQL resolvers for order editing: `orderEditBegin`, `orderEditSetQuantity`,
`orderEditAddVariant`, `orderEditAddLineItemDiscount`, `orderEditCommit` and the `CalculatedOrder` /
`CalculatedLineItem` they answer with (see `order_edits`); `productVariants` (searched by `sku:`,
what an edit adds by); and `fulfillmentOrderSplit` (see `fulfillment_order_splits`).

Registered into `resolvers`' table on import (the executor imports this module).
"""

from __future__ import annotations

from typing import Any

from sandbox.shopify.order_edits import CalculatedLineItem, CalculatedOrder, StagedDiscount
from sandbox.shopify.resolvers import (
    NODE_LOOKUPS,
    Info,
    _ctx,
    _mutation,
    _plain,
    _register,
    _user_errors,
    connection,
    money_bag,
    money_v2,
    record_search,
)
from sandbox.shopify.search_terms import FieldMatcher, number, parse_search, text
from sandbox.shopify.state import ZERO, money
from sandbox.shopify.state_catalog import ProductVariant


@_mutation("userErrors")
def _order_edit_begin(_: Any, info: Info, args: dict[str, Any]) -> dict[str, Any]:
    outcome = _ctx(info).ops.begin_order_edit(args["id"])
    return {"calculatedOrder": outcome.value, "userErrors": _user_errors(outcome.errors)}


@_mutation("userErrors")
def _order_edit_set_quantity(_: Any, info: Info, args: dict[str, Any]) -> dict[str, Any]:
    outcome = _ctx(info).ops.set_order_edit_quantity(
        args["id"], args["lineItemId"], int(args["quantity"]), restock=bool(args.get("restock"))
    )
    item = outcome.value
    return {
        "calculatedLineItem": item,
        "calculatedOrder": item.calculated if item else None,
        "userErrors": _user_errors(outcome.errors),
    }


@_mutation("userErrors")
def _order_edit_add_variant(_: Any, info: Info, args: dict[str, Any]) -> dict[str, Any]:
    outcome = _ctx(info).ops.add_order_edit_variant(
        args["id"], args["variantId"], int(args["quantity"]), allow_duplicates=bool(args.get("allowDuplicates"))
    )
    item = outcome.value
    return {
        "calculatedLineItem": item,
        "calculatedOrder": item.calculated if item else None,
        "userErrors": _user_errors(outcome.errors),
    }


@_mutation("userErrors")
def _order_edit_add_line_item_discount(_: Any, info: Info, args: dict[str, Any]) -> dict[str, Any]:
    outcome = _ctx(info).ops.add_order_edit_line_discount(args["id"], args["lineItemId"], dict(args["discount"]))
    item = outcome.value
    return {
        "addedDiscountStagedChange": _staged_change(item) if item else None,
        "calculatedLineItem": item,
        "calculatedOrder": item.calculated if item else None,
        "userErrors": _user_errors(outcome.errors),
    }


@_mutation("userErrors")
def _order_edit_commit(_: Any, info: Info, args: dict[str, Any]) -> dict[str, Any]:
    outcome = _ctx(info).ops.commit_order_edit(
        args["id"], notify_customer=bool(args.get("notifyCustomer")), staff_note=args.get("staffNote")
    )
    return {"order": outcome.value, "userErrors": _user_errors(outcome.errors)}


@_mutation("userErrors")
def _fulfillment_order_split(_: Any, info: Info, args: dict[str, Any]) -> dict[str, Any]:
    outcome = _ctx(info).ops.split_fulfillment_orders(args["fulfillmentOrderSplits"])
    return {"fulfillmentOrderSplits": outcome.value, "userErrors": _user_errors(outcome.errors)}


_register(
    "Mutation",
    {
        "fulfillmentOrderSplit": _fulfillment_order_split,
        "orderEditBegin": _order_edit_begin,
        "orderEditSetQuantity": _order_edit_set_quantity,
        "orderEditAddVariant": _order_edit_add_variant,
        "orderEditAddLineItemDiscount": _order_edit_add_line_item_discount,
        "orderEditCommit": _order_edit_commit,
    },
)


def _line_items(calculated: CalculatedOrder) -> list[CalculatedLineItem]:
    return [CalculatedLineItem(calculated, line) for line in calculated.order.line_items]


def _added_line_items(calculated: CalculatedOrder) -> list[CalculatedLineItem]:
    return [CalculatedLineItem(calculated, line) for line in calculated.added]


def _subtotal(calculated: CalculatedOrder) -> Any:
    lines = _line_items(calculated) + _added_line_items(calculated)
    total = sum((li.line.discounted_unit_price * li.quantity for li in lines), ZERO)
    return money(total)


def _pricing_value(discount: StagedDiscount, currency: str) -> dict[str, Any]:
    if discount.fixed_per_unit is not None:
        return {"__typename": "MoneyV2", **money_v2(discount.fixed_per_unit, currency)}
    return {"__typename": "PricingPercentageValue", "percentage": discount.percentage}


def _staged_change(item: CalculatedLineItem) -> dict[str, Any] | None:
    discount = item.staged_discount
    if discount is None:
        return None
    return {
        "id": discount.gid,
        "description": discount.description or "",
        "value": _pricing_value(discount, item.line.currency),
    }


def _discount_allocations(item: CalculatedLineItem) -> list[dict[str, Any]]:
    discount = item.staged_discount
    if discount is None:
        return []
    return [{"allocatedAmountSet": money_bag(item.line.discount, item.line.currency), "discountApplication": discount}]


_register(
    "CalculatedOrder",
    {
        "originalOrder": _plain(lambda c: c.order),
        "lineItems": lambda c, info, args: connection(_line_items(c), args, info),
        "addedLineItems": lambda c, info, args: connection(_added_line_items(c), args, info),
        "addedDiscountApplications": lambda c, info, args: connection(list(c.discounts.values()), args, info),
        "subtotalLineItemsQuantity": _plain(lambda c: sum(li.quantity for li in _line_items(c))),
        "subtotalPriceSet": _plain(lambda c: money_bag(_subtotal(c), c.order.currency)),
    },
)

_register(
    "CalculatedLineItem",
    {
        "sku": _plain(lambda li: li.line.sku),
        "title": _plain(lambda li: li.line.title),
        "variantTitle": _plain(lambda li: li.line.variant_title),
        "variant": lambda li, info, _args: _ctx(info).shop.variants.get(li.line.variant_id or -1),
        "restockable": _plain(lambda li: li.line.variant_id is not None),
        "hasStagedLineItemDiscount": _plain(lambda li: li.staged_discount is not None),
        "calculatedDiscountAllocations": _plain(_discount_allocations),
        "discountAllocations": _plain(_discount_allocations),
        "originalUnitPriceSet": _plain(lambda li: money_bag(li.line.price, li.line.currency)),
        "discountedUnitPriceSet": _plain(lambda li: money_bag(li.line.discounted_unit_price, li.line.currency)),
        "editableSubtotalSet": _plain(
            lambda li: money_bag(li.line.discounted_unit_price * li.editable_quantity, li.line.currency)
        ),
        "uneditableSubtotalSet": _plain(
            lambda li: money_bag(li.line.discounted_unit_price * li.line.fulfilled_quantity, li.line.currency)
        ),
    },
)

_register(
    "CalculatedManualDiscountApplication",
    {
        "allocationMethod": _plain(lambda d: "EACH" if d.fixed_per_unit is not None else "ACROSS"),
        "appliedTo": _plain(lambda _d: "LINE"),
        "targetSelection": _plain(lambda _d: "EXPLICIT"),
        "targetType": _plain(lambda _d: "LINE_ITEM"),
        "value": lambda d, info, _args: _pricing_value(d, _ctx(info).shop.currency),
    },
)

NODE_LOOKUPS.update({"CalculatedOrder": lambda shop, n: shop.calculated_orders.get(n)})

# ------------------------------------------------------------------------------ productVariants

_VARIANT_FIELDS: dict[str, FieldMatcher[ProductVariant]] = {
    "sku": text(lambda v: v.sku),
    "title": text(lambda v: v.title),
    "barcode": text(lambda v: v.barcode),
    "product_id": number(lambda v: v.product.id),
    "id": number(lambda v: v.id),
}


def _product_variants(_: Any, info: Info, args: dict[str, Any]) -> dict[str, Any]:
    ctx = _ctx(info)
    search = parse_search(args.get("query"), _VARIANT_FIELDS, text(lambda v: v.display_name))
    record_search(ctx, info, args.get("query"), search.warnings)
    return connection([v for v in ctx.shop.variants.values() if search.predicate(v)], args, info)


_register("QueryRoot", {"productVariants": _product_variants})
