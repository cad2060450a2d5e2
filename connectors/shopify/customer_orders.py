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
      lineItems(first: 50) { nodes { sku } }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""

# Pages of `PAGE_SIZE` orders with 50 lines each stay within the single query cost limit (1000).
PAGE_SIZE = 10


class _Sku(Record):
    sku: str | None = None


class CustomerOrder(Record):
    """One of the customer's orders: when, whether cancelled, and the SKUs of its first 50 lines."""

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


class CustomerOrdersPage(Record):
    """One page of the customer's orders, oldest first; `next_cursor` continues it (None: the end)."""

    nodes: list[CustomerOrder] = Field(default_factory=list)
    page_info: _PageInfo = Field(default_factory=_PageInfo)

    @property
    def next_cursor(self) -> str | None:
        return self.page_info.end_cursor if self.page_info.has_next_page else None


class CustomerOrderOperations(AdminBase):
    async def customer_orders_between(
        self, customer_gid: str, created_from: datetime, created_to: datetime, *, after: str | None = None
    ) -> CustomerOrdersPage:
        """A page of the customer's orders created in `[created_from, created_to)`, oldest first;
        `after` is the previous page's `next_cursor`."""
        customer_id = customer_gid.rsplit("/", 1)[-1]
        if not customer_id.isdigit():
            raise ValueError(f"not a Shopify customer id: {customer_gid!r}")
        query = f"customer_id:{customer_id} {created_range_query(created_from, created_to)}"
        data = await self.client.execute(
            CUSTOMER_ORDERS, {"first": PAGE_SIZE, "after": after, "query": query}, operation="orders"
        )
        page = CustomerOrdersPage.model_validate(data["orders"])
        if page.page_info.has_next_page and page.page_info.end_cursor is None:
            raise ContractError("orders page without a cursor", system=SYSTEM, operation="orders")
        page.nodes = [
            o
            for o in page.nodes
            if o.customer is not None
            and o.customer.id.rsplit("/", 1)[-1] == customer_id
            and created_from <= o.created_at < created_to
        ]
        return page
