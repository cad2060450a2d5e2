"""Checkouts: what a shopper left at the payment step, announced by `checkouts/create` and
`checkouts/update` webhooks and listed by the Admin GraphQL `abandonedCheckouts` query (both in the
vendored 2025-01 schema: `WebhookSubscriptionTopic.CHECKOUTS_CREATE`/`CHECKOUTS_UPDATE`,
`QueryRoot.abandonedCheckouts`, type `AbandonedCheckout`).

The webhook body is the REST checkout resource; no sample payload is vendored, so its fields are
ASSUMPTION after Shopify's REST Checkout reference: id, token, cart_token, email, line_items,
abandoned_checkout_url, completed_at, customer, created_at, updated_at, currency, prices.

ASSUMPTION: a completed checkout stays listed by `abandonedCheckouts` with `completedAt` set (the
schema has the field; Shopify's admin shows recovered checkouts), and `query` filters on `id:`
and `status:` (`open` = not completed, `closed` = completed), as Shopify's search docs list.
Completing a checkout here makes no order (the sandbox seeds orders with `orderCreate`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sandbox.shopify.gid import gid
from sandbox.shopify.ops_base import OperationsBase
from sandbox.shopify.state import Customer, utcnow


@dataclass
class CheckoutLine:
    title: str
    quantity: int
    price: Decimal
    sku: str | None = None
    variant_id: int | None = None
    product_id: int | None = None


@dataclass
class Checkout:
    id: int
    token: str
    cart_token: str
    email: str | None
    customer_id: int | None
    lines: list[CheckoutLine]
    currency: str
    abandoned_checkout_url: str
    created_at: datetime = field(default_factory=utcnow)
    updated_at: datetime = field(default_factory=utcnow)
    completed_at: datetime | None = None

    TYPENAME = "AbandonedCheckout"

    @property
    def gid(self) -> str:
        return gid("AbandonedCheckout", self.id)

    @property
    def total(self) -> Decimal:
        return sum((line.price * line.quantity for line in self.lines), Decimal(0))


def _money(amount: Decimal) -> str:
    return f"{amount:.2f}"


def checkout_payload(checkout: Checkout, customer: Customer | None) -> dict[str, Any]:
    """The REST checkout resource a `checkouts/*` webhook carries."""
    return {
        "id": checkout.id,
        "token": checkout.token,
        "cart_token": checkout.cart_token,
        "email": checkout.email,
        "abandoned_checkout_url": checkout.abandoned_checkout_url,
        "completed_at": checkout.completed_at.isoformat() if checkout.completed_at else None,
        "created_at": checkout.created_at.isoformat(),
        "updated_at": checkout.updated_at.isoformat(),
        "currency": checkout.currency,
        "presentment_currency": checkout.currency,
        "subtotal_price": _money(checkout.total),
        "total_price": _money(checkout.total),
        "line_items": [
            {
                "title": line.title,
                "quantity": line.quantity,
                "price": _money(line.price),
                "sku": line.sku,
                "variant_id": line.variant_id,
                "product_id": line.product_id,
            }
            for line in checkout.lines
        ],
        "customer": {
            "id": customer.id,
            "email": customer.email,
            "first_name": customer.first_name,
            "last_name": customer.last_name,
            "admin_graphql_api_id": gid("Customer", customer.id),
        }
        if customer is not None
        else None,
    }


class Checkouts(OperationsBase):
    def open_checkout(
        self, *, email: str | None, customer_id: int | None, lines: list[CheckoutLine], currency: str
    ) -> Checkout:
        """A shopper reaches the checkout: `checkouts/create`."""
        number = self.shop.next_id("Checkout")
        token = uuid.uuid4().hex
        checkout = Checkout(
            id=number,
            token=token,
            cart_token=uuid.uuid4().hex,
            email=email,
            customer_id=customer_id,
            lines=lines,
            currency=currency,
            # ASSUMPTION: the recovery link's shape (Shopify's is `/<shop id>/checkouts/<token>/recover?key=`).
            abandoned_checkout_url=f"https://{self.shop.domain}/checkouts/{token}/recover?key={uuid.uuid4().hex}",
        )
        self.shop.checkouts[number] = checkout
        self._announce(checkout, "CHECKOUTS_CREATE")
        return checkout

    def update_checkout(self, checkout: Checkout, *, lines: list[CheckoutLine] | None = None) -> Checkout:
        """The shopper changes the checkout (or just touches it): `checkouts/update`."""
        if lines is not None:
            checkout.lines = lines
        checkout.updated_at = utcnow()
        self._announce(checkout, "CHECKOUTS_UPDATE")
        return checkout

    def complete_checkout(self, checkout: Checkout) -> Checkout:
        """The shopper pays: `completed_at` is set and announced by `checkouts/update` (ASSUMPTION:
        Shopify sends the update; `orders/create` for the order is not simulated here)."""
        if checkout.completed_at is None:
            checkout.completed_at = checkout.updated_at = utcnow()
            self._announce(checkout, "CHECKOUTS_UPDATE")
        return checkout

    def _announce(self, checkout: Checkout, topic: str) -> None:
        customer = self.shop.customers.get(checkout.customer_id) if checkout.customer_id else None
        self.webhooks.emit(self.shop, topic, checkout_payload(checkout, customer))
