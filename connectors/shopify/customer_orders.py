"""A customer's orders since a moment, with the SKUs they hold: what a replenishment reminder checks
before it is sent (did the customer order the product again?).

ASSUMPTION: `orders(query:)` supports `customer_id:` (listed in Shopify's filter docs for orders,
not in the schema); every hit is re-checked here, because Shopify ignores a filter it cannot read
and would list every order. The search index lags writes by a few seconds (see `assumptions`).
"""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from connectors.errors import ContractError
from connectors.shopify.base import AdminBase
from connectors.shopify.client import SYSTEM
from connectors.shopify.models import Node, Page, Record
from connectors.shopify.order_archive import created_range_query

CUSTOMER_ORDERS = """
query CasebridgeCustomerOrders($first: Int!, $after: String, $query: String!) {
  orders(first: $first, after: $after, query: $query, sortKey: CREATED_AT) {
    nodes {
      id legacyResourceId name createdAt cancelledAt
      customer { id }
      lineItems(first: 100) { nodes { sku } }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""

MAX_PAGES = 10  # 500 orders of one customer in the window: beyond, the answer is "ordered again"


class _Sku(Record):
    sku: str | None = None


class CustomerOrder(Record):
    """One of the customer's orders: when, whether cancelled, and the SKUs of its first 100 lines."""

    id: str
    legacy_resource_id: str
    name: str
    created_at: datetime
    cancelled_at: datetime | None = None
    customer: Node | None = None
    line_items: Page[_Sku] = Field(default_factory=Page[_Sku])

    @property
    def skus(self) -> set[str]:
        return {line.sku for line in self.line_items.nodes if line.sku}


class _PageInfo(Record):
    has_next_page: bool = False
    end_cursor: str | None = None


class _CustomerOrdersPage(Record):
    nodes: list[CustomerOrder] = Field(default_factory=list)
    page_info: _PageInfo = Field(default_factory=_PageInfo)


class CustomerOrderOperations(AdminBase):
    async def customer_orders_between(
        self, customer_gid: str, created_from: datetime, created_to: datetime, *, first: int = 50
    ) -> list[CustomerOrder]:
        """The customer's orders created in `[created_from, created_to)`, oldest first (up to
        `MAX_PAGES` pages of `first`; `ContractError` past that, rather than a silent cut)."""
        customer_id = customer_gid.rsplit("/", 1)[-1]
        if not customer_id.isdigit():
            raise ValueError(f"not a Shopify customer id: {customer_gid!r}")
        query = f"customer_id:{customer_id} {created_range_query(created_from, created_to)}"
        found: list[CustomerOrder] = []
        after: str | None = None
        for _ in range(MAX_PAGES):
            data = await self.client.execute(
                CUSTOMER_ORDERS, {"first": first, "after": after, "query": query}, operation="orders"
            )
            page = _CustomerOrdersPage.model_validate(data["orders"])
            found += [
                o
                for o in page.nodes
                if o.customer is not None
                and o.customer.id.rsplit("/", 1)[-1] == customer_id
                and created_from <= o.created_at < created_to
            ]
            if not page.page_info.has_next_page:
                return found
            after = page.page_info.end_cursor
            if after is None:
                raise ContractError("orders page without a cursor", system=SYSTEM, operation="orders")
        raise ContractError(
            f"more than {MAX_PAGES * first} orders of one customer in the range", system=SYSTEM, operation="orders"
        )
