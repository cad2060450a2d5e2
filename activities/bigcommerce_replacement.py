"""The products of a free BigCommerce replacement or exchange order (`POST /v2/orders`, price 0).

A line orders a catalog product whenever there is one, so the store's inventory and fulfilment see
the item: the returned order product's own product (and variant) when `order_line_ref` names a
product of the returned order that is still in the catalog (and the line names no other SKU), else
the product whose SKU is the line's `sku`. A catalog product takes a price override
(`price_inc_tax` / `price_ex_tax`, orders.v2 `orderCatalogProduct_Post`), set to 0. Without one (a
custom product on the order, a deleted product, an unknown SKU) the line is a custom product at 0,
named and SKU'd as the request says.
"""

from __future__ import annotations

from decimal import Decimal

from activities.models import ReplacementLine, ReplacementOrderRequest
from connectors.bigcommerce.client import BigCommerceClient
from connectors.bigcommerce.models import OrderLine, OrderProduct
from connectors.errors import NotFoundError

FREE = Decimal(0)


async def order_lines(client: BigCommerceClient, request: ReplacementOrderRequest, order_id: int) -> list[OrderLine]:
    returned = await _returned_products(client, request, order_id)
    in_catalog: dict[int, bool] = {}  # product id -> still in the catalog, each read once
    by_sku: dict[str, int | None] = {}  # SKU -> product id, each looked up once
    lines: list[OrderLine] = []
    for line in request.lines:
        own = _own_product(line, returned.get(line.order_line_ref or ""))
        if own is not None and own.product_id not in in_catalog:
            in_catalog[own.product_id] = await _exists(client, own.product_id)
        if own is not None and in_catalog[own.product_id]:
            lines.append(_catalog_line(own.product_id, own.variant_id or None, line.quantity))
            continue
        if line.sku and line.sku not in by_sku:
            found = await client.find_product_by_sku(line.sku)
            by_sku[line.sku] = found.id if found is not None else None
        product_id = by_sku.get(line.sku) if line.sku else None
        if product_id is not None:
            lines.append(_catalog_line(product_id, None, line.quantity))
            continue
        returned_sku = returned[line.order_line_ref].sku if line.order_line_ref in returned else None
        lines.append(
            OrderLine(
                name=line.title,
                sku=line.sku or returned_sku or None,
                quantity=line.quantity,
                price_inc_tax=FREE,
                price_ex_tax=FREE,
            )
        )
    return lines


def _catalog_line(product_id: int, variant_id: int | None, quantity: int) -> OrderLine:
    return OrderLine(
        product_id=product_id, variant_id=variant_id, quantity=quantity, price_inc_tax=FREE, price_ex_tax=FREE
    )


async def _returned_products(
    client: BigCommerceClient, request: ReplacementOrderRequest, order_id: int
) -> dict[str, OrderProduct]:
    """The returned order's products by id (as `order_line_ref` names them); read only when a
    line names one."""
    if not any(line.order_line_ref for line in request.lines):
        return {}
    return {str(p.id): p for p in await client.list_order_products(order_id)}


def _own_product(line: ReplacementLine, own: OrderProduct | None) -> OrderProduct | None:
    """The returned order product when it is a catalog product, unless the line asks for another
    SKU (an exchange)."""
    if own is None or not own.product_id:  # product_id 0: a custom product
        return None
    if line.sku and line.sku != own.sku:
        return None
    return own


async def _exists(client: BigCommerceClient, product_id: int) -> bool:
    try:
        await client.get_product(product_id)
    except NotFoundError:
        return False
    return True
