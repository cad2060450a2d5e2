"""Reads for the transaction archive (and a customer's later orders): one page of the orders created
in a date range, oldest first, optionally of one customer only.

An order's products, shipments and refunds come from `OrdersApi.list_order_products`,
`OrdersApi.list_shipments` and `PaymentsApi.list_refunds`. BigCommerce has no invoice object (an
order's payment is on the order itself), so nothing here reads invoices.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime

from connectors.bigcommerce.contract import ORDERS_BY_CREATION, PAGE_LIMIT, SYSTEM
from connectors.bigcommerce.models import Order
from connectors.bigcommerce.rest import RestBase, parse_list
from connectors.errors import ContractError


@dataclass(frozen=True)
class CreatedOrdersPage:
    """One page of orders by creation time; `more` says whether the next page may hold any."""

    orders: list[Order]
    more: bool


class OrderArchiveApi(RestBase):
    async def orders_created_page(
        self,
        created_from: datetime,
        created_to: datetime,
        *,
        page: int,
        limit: int,
        customer_id: int | None = None,
    ) -> CreatedOrdersPage:
        """Page `page` (from 1) of the orders created in `[created_from, created_to)`, oldest first,
        `limit` per page (at most 250), of customer `customer_id` only when given (v2's
        `customer_id` filter); `more` is False only on the last page. The reported
        `date_created` is re-checked, in case the bounds are not read as `contract` assumes: a page
        may then hold fewer orders than `limit` before the last one."""
        if not 1 <= limit <= PAGE_LIMIT or page < 1:
            raise ValueError(f"page must be at least 1 and limit between 1 and {PAGE_LIMIT}")
        params: dict[str, str | int] = {
            # Whole seconds, both bounds inclusive: exactly the seconds in `[created_from, created_to)`.
            "min_date_created": _iso_seconds(math.ceil(created_from.timestamp())),
            "max_date_created": _iso_seconds(math.ceil(created_to.timestamp()) - 1),
            "sort": ORDERS_BY_CREATION,
            "page": page,
            "limit": limit,
        }
        if customer_id is not None:
            params["customer_id"] = customer_id
        body = await self._v2_call("orders_created_page", "GET", "/orders", params=params)
        if body is None:  # v2 answers a page past the end with 204
            return CreatedOrdersPage([], more=False)
        if not isinstance(body, list):
            raise ContractError("expected a JSON array", system=SYSTEM, operation="orders_created_page")
        orders = parse_list(Order, body, "orders_created_page")
        if any(o.date_created is None for o in orders):
            raise ContractError("order without date_created", system=SYSTEM, operation="orders_created_page")
        in_range = [
            o
            for o in orders
            if o.date_created is not None
            and created_from <= o.date_created < created_to
            and (customer_id is None or o.customer_id == customer_id)
        ]
        return CreatedOrdersPage(in_range, more=len(body) == limit)


def _iso_seconds(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")
