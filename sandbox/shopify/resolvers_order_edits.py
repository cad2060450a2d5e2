"""GraphQL resolvers for order editing: `orderEditBegin`, `orderEditSetQuantity`, `orderEditCommit`
and the `CalculatedOrder` / `CalculatedLineItem` they answer with (see `order_edits`); and
`fulfillmentOrderSplit` (see `fulfillment_order_splits`).

Registered into `resolvers`' table on import (the executor imports this module).
"""

from __future__ import annotations

from typing import Any

from sandbox.shopify.order_edits import CalculatedLineItem, CalculatedOrder
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
)
from sandbox.shopify.state import ZERO, money


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
        "orderEditCommit": _order_edit_commit,
    },
)


def _line_items(calculated: CalculatedOrder) -> list[CalculatedLineItem]:
    return [CalculatedLineItem(calculated, line) for line in calculated.order.line_items]


def _subtotal(calculated: CalculatedOrder) -> Any:
    total = sum((li.line.discounted_unit_price * li.quantity for li in _line_items(calculated)), ZERO)
    return money(total)


_register(
    "CalculatedOrder",
    {
        "originalOrder": _plain(lambda c: c.order),
        "lineItems": lambda c, info, args: connection(_line_items(c), args, info),
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

NODE_LOOKUPS.update({"CalculatedOrder": lambda shop, n: shop.calculated_orders.get(n)})
