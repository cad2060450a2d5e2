"""A cart or checkout as an abandoned-cart reminder needs it, read from its platform when the
reminder is due: whether it is still abandoned, whom to write to, and what the shopper left. Read
inside activities only: the workflow carries the cart's id, never the shopper or the contents.

A BigCommerce customer who declined abandoned-cart e-mails on the platform
(`accepts_product_review_abandoned_cart_emails` false) counts as refusing e-mail for the reminder.

Adobe Commerce: the quote as an admin reads it (`GET /V1/carts/{cartId}`); `is_active` turns false
once it is ordered (`reserved_order_id` names the order). A guest quote's e-mail is its billing
address's, once the shopper gave one.

Guests: a BigCommerce guest cart carries the e-mail the shopper typed at checkout, so the reminder
goes to it (by e-mail only: a guest has no stored preferences, no postal address on a cart and no
portal account). Shopify's `AbandonedCheckout` has no e-mail field, so a guest's checkout names
nobody and gets no reminder (the webhook's e-mail is not carried through workflow history).
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, Field, JsonValue

from activities.letter_models import Recipient, guest_cart_ref
from casebridge.connections import Connections
from casebridge.stores import Platform
from connectors.errors import NotFoundError


class CartItem(BaseModel):
    sku: str
    name: str
    quantity: int
    amount: Decimal  # the line's total


class CartSnapshot(BaseModel):
    """A cart as the platform has it now. `closed` says why it is no longer abandoned (None: it is)."""

    cart_id: str
    closed: str | None = None
    recipient: Recipient | None = None  # None: nobody to write to (a guest without an e-mail)
    currency: str = ""
    items: list[CartItem] = Field(default_factory=list)
    total: Decimal = Decimal(0)
    recovery_url: str = ""  # the platform's own link back to the cart; "" when it has none
    # The platform's own refusal of cart e-mails (BigCommerce's customer flag
    # `accepts_product_review_abandoned_cart_emails`), beside the preferences Casebridge stores.
    email_declined: bool = False

    def letter_fields(self, fallback_url: str) -> dict[str, JsonValue]:
        """The "Abandoned Cart Reminder"'s driver fields (`cart`)."""
        items: list[JsonValue] = [
            {"sku": i.sku, "name": i.name, "quantity": i.quantity, "amount": str(i.amount)} for i in self.items
        ]
        return {
            "cart": {
                "id": self.cart_id,
                "url": self.recovery_url or fallback_url,
                "items": items,
                "total": str(self.total),
            }
        }


def _name(*parts: str | None) -> str:
    return " ".join(p.strip() for p in parts if p and p.strip()) or "Customer"


async def read_cart(connections: Connections, platform: str, store: str, cart_id: str) -> CartSnapshot:
    match Platform(platform):
        case Platform.SHOPIFY:
            return await _shopify(connections, store, cart_id)
        case Platform.BIGCOMMERCE:
            return await _bigcommerce(connections, store, cart_id)
        case Platform.ADOBE_COMMERCE:
            return await _adobe(connections, store, cart_id)
    raise AssertionError(f"unhandled platform {platform}")


async def _shopify(connections: Connections, store: str, checkout_id: str) -> CartSnapshot:
    checkout = await connections.shopify(store).abandoned_checkout(checkout_id)
    if checkout is None:
        return CartSnapshot(cart_id=checkout_id, closed="Shopify lists no such checkout")
    if checkout.completed_at is not None:
        return CartSnapshot(cart_id=checkout_id, closed="the checkout was completed")
    customer = checkout.customer
    recipient = (
        Recipient(
            customer_ref=customer.id,
            name=_name(customer.first_name, customer.last_name),
            email=customer.email,
            locale=customer.locale or None,
        )
        if customer is not None
        else None
    )
    items = [
        CartItem(
            sku=line.sku or "",
            name=line.title,
            quantity=line.quantity,
            amount=(line.original_unit_price_set.shop_money.amount if line.original_unit_price_set else Decimal(0))
            * line.quantity,
        )
        for line in checkout.line_items.nodes
    ]
    money = checkout.total_price_set.shop_money
    return CartSnapshot(
        cart_id=checkout_id,
        recipient=recipient,
        currency=money.currency_code,
        items=items,
        total=money.amount,
        recovery_url=checkout.abandoned_checkout_url,
    )


async def _bigcommerce(connections: Connections, store: str, cart_id: str) -> CartSnapshot:
    client = connections.bigcommerce(store)
    cart = await client.get_cart(cart_id)
    if cart is None:
        return CartSnapshot(cart_id=cart_id, closed="the cart became an order or was deleted")
    recipient: Recipient | None = None
    email_declined = False
    if cart.customer_id:
        customer = await client.get_customer(cart.customer_id)
        recipient = Recipient(
            customer_ref=str(customer.id),
            name=_name(customer.first_name, customer.last_name),
            email=customer.email or cart.email or None,
        )
        email_declined = not customer.accepts_product_review_abandoned_cart_emails
    elif cart.email:
        recipient = Recipient(customer_ref=guest_cart_ref(cart_id), name="Customer", email=cart.email)
    items = [
        CartItem(sku=i.sku, name=i.name, quantity=i.quantity, amount=(i.sale_price or i.list_price) * i.quantity)
        for i in cart.items
    ]
    return CartSnapshot(
        cart_id=cart_id,
        recipient=recipient,
        currency=cart.currency.code,
        items=items,
        total=cart.cart_amount,
        email_declined=email_declined,
    )


async def _adobe(connections: Connections, store: str, cart_id: str) -> CartSnapshot:
    adobe = connections.adobe_commerce(store)
    try:
        cart = await adobe.carts.get_cart(int(cart_id))
    except NotFoundError:
        return CartSnapshot(cart_id=cart_id, closed="Adobe Commerce has no such cart")
    if not cart.is_active:
        order = f" (order {cart.reserved_order_id})" if cart.reserved_order_id else ""
        return CartSnapshot(cart_id=cart_id, closed=f"the cart was ordered or closed{order}")
    customer, billing = cart.customer, cart.billing_address
    recipient: Recipient | None = None
    if customer is not None and customer.id and not cart.customer_is_guest:
        recipient = Recipient(
            customer_ref=str(customer.id), name=_name(customer.firstname, customer.lastname), email=customer.email
        )
    elif billing is not None and billing.email:
        recipient = Recipient(
            customer_ref=guest_cart_ref(cart_id), name=_name(billing.firstname, billing.lastname), email=billing.email
        )
    items = [
        CartItem(sku=i.sku, name=i.name or i.sku, quantity=int(i.qty), amount=(i.price or Decimal(0)) * i.qty)
        for i in cart.items
    ]
    currency = cart.currency.quote_currency_code if cart.currency else None
    return CartSnapshot(
        cart_id=cart_id,
        recipient=recipient,
        currency=currency or "",
        items=items,
        total=sum((i.amount for i in items), Decimal(0)),
    )
