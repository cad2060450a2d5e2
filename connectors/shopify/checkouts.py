"""Abandoned checkouts (Admin GraphQL `abandonedCheckouts`): what an abandoned-cart reminder reads
when it is due, to see whether the shopper paid meanwhile (`completedAt`) and what they left.

ASSUMPTION: `abandonedCheckouts(query:)` filters on `id:` (Shopify's search docs for the query list
it; the schema does not); the hit is re-checked here, since Shopify ignores a filter it cannot read.
`AbandonedCheckout` has no e-mail field: a guest's checkout names nobody to write to.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from connectors.shopify.base import AdminBase
from connectors.shopify.models import MoneyBag, Page, Record

ABANDONED_CHECKOUT = """
query CasebridgeAbandonedCheckout($query: String!) {
  abandonedCheckouts(first: 1, query: $query) {
    nodes {
      id name abandonedCheckoutUrl createdAt updatedAt completedAt
      customer { id email firstName lastName locale }
      totalPriceSet { shopMoney { amount currencyCode } }
      lineItems(first: 50) { nodes { title quantity sku originalUnitPriceSet { shopMoney { amount currencyCode } } } }
    }
  }
}
"""


class CheckoutCustomer(Record):
    id: str
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    locale: str | None = None


class CheckoutLineItem(Record):
    title: str
    quantity: int
    sku: str | None = None
    original_unit_price_set: MoneyBag | None = None


class AbandonedCheckout(Record):
    id: str  # gid://shopify/AbandonedCheckout/<id>
    name: str
    abandoned_checkout_url: str
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None = None
    customer: CheckoutCustomer | None = None
    total_price_set: MoneyBag
    line_items: Page[CheckoutLineItem] = Field(default_factory=Page[CheckoutLineItem])

    @property
    def legacy_id(self) -> str:
        return self.id.rsplit("/", 1)[-1]


class CheckoutOperations(AdminBase):
    async def abandoned_checkout(self, checkout_id: str) -> AbandonedCheckout | None:
        """The checkout of that numeric id (the webhook's `id`), or None when Shopify lists none."""
        if not checkout_id.isdigit():
            raise ValueError(f"not a Shopify checkout id: {checkout_id!r}")
        data = await self.client.execute(
            ABANDONED_CHECKOUT, {"query": f"id:{checkout_id}"}, operation="abandonedCheckouts"
        )
        found = [AbandonedCheckout.model_validate(n) for n in data["abandonedCheckouts"]["nodes"]]
        return next((c for c in found if c.legacy_id == checkout_id), None)
