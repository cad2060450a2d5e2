"""GraphQL resolvers for `abandonedCheckouts` and the `AbandonedCheckout` type (see
`sandbox.shopify.checkouts` for what is ASSUMPTION). Registered into `resolvers`' table on import."""

from __future__ import annotations

from typing import Any

from sandbox.shopify.checkouts import Checkout
from sandbox.shopify.resolvers import Info, _ctx, _register, connection, money_bag, record_search
from sandbox.shopify.search_terms import FieldMatcher, number, parse_search, text

_CHECKOUT_FIELDS: dict[str, FieldMatcher[Checkout]] = {
    "id": number(lambda c: c.id),
    "status": text(lambda c: "closed" if c.completed_at else "open"),
}


def _abandoned_checkouts(_: Any, info: Info, args: dict[str, Any]) -> dict[str, Any]:
    ctx = _ctx(info)
    search = parse_search(args.get("query"), _CHECKOUT_FIELDS, None)
    record_search(ctx, info, args.get("query"), search.warnings)
    found = sorted((c for c in ctx.shop.checkouts.values() if search.predicate(c)), key=lambda c: c.id)
    return connection(found, args, info)


def _line_items(checkout: Checkout, info: Info, args: dict[str, Any]) -> dict[str, Any]:
    lines = [
        {
            "id": f"gid://shopify/AbandonedCheckoutLineItem/{checkout.id}{index}",
            "title": line.title,
            "quantity": line.quantity,
            "sku": line.sku,
            "originalUnitPriceSet": money_bag(line.price, checkout.currency),
            "originalTotalPriceSet": money_bag(line.price * line.quantity, checkout.currency),
        }
        for index, line in enumerate(checkout.lines)
    ]
    return connection(lines, args, info)


_register(
    "QueryRoot",
    {"abandonedCheckouts": _abandoned_checkouts},
)
_register(
    "AbandonedCheckout",
    {
        "customer": lambda c, info, _a: _ctx(info).shop.customers.get(c.customer_id) if c.customer_id else None,
        "lineItems": _line_items,
        "lineItemsQuantity": lambda c, _i, _a: sum(line.quantity for line in c.lines),
        "name": lambda c, _i, _a: f"#{c.id}",
        "totalPriceSet": lambda c, _i, _a: money_bag(c.total, c.currency),
        "subtotalPriceSet": lambda c, _i, _a: money_bag(c.total, c.currency),
        "totalLineItemsPriceSet": lambda c, _i, _a: money_bag(c.total, c.currency),
    },
)
