"""Guest carts (quotes) of a simulated store, checked out over REST as an admin integration does.

* `POST /V1/carts/` creates an empty guest quote; items are added by SKU at the catalog price
  (unknown SKU 404, disabled product 400); adding a SKU again adds to its quantity.
* A coupon names an active cart price rule (`by_percent` of the items, of shipping when the rule
  says so); an unknown coupon or an empty cart is a 404, as `CouponManagement::set` answers.
* Shipping: `flatrate_flatrate` (per item) always, `freeshipping_freeshipping` from the store's
  free-shipping subtotal (after discounts). `shipping-information` refuses an empty cart (400) and a
  method the address does not get (404).
* Payment: `free` only when the grand total is 0, and then nothing else (Magento's ZeroTotal check):
  otherwise 400 "The requested Payment Method is not available.".
* Every change of a regular cart (an item added, shipping set, the order placed) publishes
  `observer.sales_quote_save_after` with the quote's ids and state (`quote_event`; ASSUMPTION: no
  sample payload is vendored, and the shopper's e-mail and address are left out of it).
* Placing makes a real order of the store (`quote_id`, coupon, discounts, a guest customer from the
  billing address) and deactivates the quote: every later call on it is 404 `cartId`, as
  `CartRepository::getActive` answers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sandbox.adobe_commerce import catalog, sales
from sandbox.adobe_commerce.config import CartPriceRuleConfig
from sandbox.adobe_commerce.errors import MagentoError, bad_request, no_such_entity
from sandbox.adobe_commerce.events import QUOTE_SAVED
from sandbox.adobe_commerce.state import (
    ZERO,
    CartItemState,
    CartPriceRuleState,
    CartState,
    OrderAddressState,
    OrderItemState,
    OrderState,
    QuoteAddressState,
    now_text,
)
from sandbox.adobe_commerce.store import Store

FREE = "free"
CHECK_MONEY_ORDER = "checkmo"
FLATRATE = ("flatrate", "flatrate", "Flat Rate", "Fixed")
FREESHIPPING = ("freeshipping", "freeshipping", "Free Shipping", "Free")
GUEST_GROUP = 0  # NOT LOGGED IN
PAYMENT_NOT_AVAILABLE = "The requested Payment Method is not available."
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class ShippingRate:
    carrier_code: str
    method_code: str
    carrier_title: str
    method_title: str
    amount: Decimal

    @property
    def code(self) -> str:
        return f"{self.carrier_code}_{self.method_code}"


@dataclass(frozen=True)
class Totals:
    subtotal: Decimal
    item_discounts: dict[int, Decimal]  # cart item id -> discount of the row
    discount_percent: Decimal
    shipping: Decimal
    shipping_discount: Decimal
    rule: CartPriceRuleState | None

    @property
    def discount(self) -> Decimal:
        return sum(self.item_discounts.values(), ZERO) + self.shipping_discount

    @property
    def grand_total(self) -> Decimal:
        return max(self.subtotal + self.shipping - self.discount, ZERO)


# -- cart price rules -------------------------------------------------------------------------------


def add_rule(store: Store, rule: CartPriceRuleConfig) -> CartPriceRuleState:
    if any(r.coupon_code.lower() == rule.coupon_code.lower() for r in store.state.cart_price_rules.values()):
        raise bad_request("The coupon code isn't unique. Verify the code and try again.")
    state = CartPriceRuleState(
        rule_id=store.state.next_id("salesrule"),
        name=rule.name,
        coupon_code=rule.coupon_code,
        discount_percent=rule.discount_percent,
        apply_to_shipping=rule.apply_to_shipping,
        is_active=rule.is_active,
    )
    store.state.cart_price_rules[state.rule_id] = state
    return state


def _rule_for(store: Store, coupon_code: str) -> CartPriceRuleState | None:
    # Magento matches coupon codes case-insensitively.
    return next(
        (
            r
            for r in store.state.cart_price_rules.values()
            if r.is_active and r.coupon_code.lower() == coupon_code.lower()
        ),
        None,
    )


# -- carts ------------------------------------------------------------------------------------------


def create_guest_cart(store: Store) -> int:
    cart = CartState(
        id=store.state.next_id("cart"),
        customer_id=0,
        customer_email="",
        customer_firstname="",
        customer_lastname="",
        store_id=1,
        company_id=None,
        items=[],
    )
    store.state.carts[cart.id] = cart
    return cart.id


def get_active(store: Store, cart_id: int) -> CartState:
    """The cart if it can still be checked out (a negotiable quote goes through its own workflow)."""
    cart = store.state.carts.get(cart_id)
    if cart is None or not cart.is_active or cart.negotiable is not None:
        raise no_such_entity("cartId", cart_id)
    return cart


def add_item(store: Store, cart_id: int, data: Mapping[str, Any]) -> CartItemState:
    cart = get_active(store, cart_id)
    sku = str(data.get("sku") or "")
    product = catalog.get_product(store, sku)  # 404 for an unknown SKU
    if product.status != 1:
        raise bad_request("Product that you are trying to add is not available.")
    qty = Decimal(str(data["qty"]))
    if qty <= 0:
        raise bad_request('The quantity "%1" is not valid.', [str(data["qty"])])
    item = next((i for i in cart.items if i.sku == product.sku), None)
    if item is None:
        item = CartItemState(store.state.next_id("cart_item"), product.sku, product.name, product.price, qty)
        cart.items.append(item)
    else:
        item.qty += qty
    cart.updated_at = now_text()
    _saved(store, cart)
    return item


def apply_coupon(store: Store, cart_id: int, coupon_code: str) -> bool:
    cart = get_active(store, cart_id)
    if not cart.items:
        raise MagentoError(404, 'The "%1" Cart doesn\'t contain products.', [cart_id])
    rule = _rule_for(store, coupon_code)
    if rule is None:
        raise MagentoError(404, "The coupon code isn't valid. Verify the code and try again.")
    cart.coupon_code = rule.coupon_code
    cart.updated_at = now_text()
    return True


def shipping_rates(store: Store, cart: CartState) -> list[ShippingRate]:
    if not cart.items:
        return []
    qty = sum((i.qty for i in cart.items), ZERO)
    rates = [ShippingRate(*FLATRATE, amount=store.config.flat_rate_per_item * qty)]
    after_discount = _totals(store, cart, shipping=ZERO)
    if after_discount.subtotal - after_discount.discount >= store.config.free_shipping_subtotal:
        rates.append(ShippingRate(*FREESHIPPING, amount=ZERO))
    return rates


def save_shipping_information(store: Store, cart_id: int, data: Mapping[str, Any]) -> CartState:
    cart = get_active(store, cart_id)
    if not cart.items:
        raise bad_request("The shipping method can't be set for an empty cart. Add an item to cart and try again.")
    carrier, method = str(data["shipping_carrier_code"]), str(data["shipping_method_code"])
    if not any(r.code == f"{carrier}_{method}" for r in shipping_rates(store, cart)):
        raise MagentoError(404, "Carrier with such method not found: %1, %2", [carrier, method])
    cart.shipping_address = _address("shipping", data["shipping_address"])
    if data.get("billing_address"):
        cart.billing_address = _address("billing", data["billing_address"])
    cart.shipping_method = f"{carrier}_{method}"
    cart.updated_at = now_text()
    _saved(store, cart)
    return cart


def _address(kind: str, data: Mapping[str, Any]) -> QuoteAddressState:
    return QuoteAddressState(
        address_type=kind,
        firstname=str(data["firstname"]),
        lastname=str(data["lastname"]),
        street=[str(s) for s in data["street"]],
        city=str(data["city"]),
        postcode=str(data["postcode"]),
        country_id=str(data["country_id"]).upper(),
        telephone=str(data["telephone"]),
        email=str(data["email"]),
        region=str(data.get("region") or ""),
        region_id=int(data.get("region_id") or 0),
        region_code=str(data.get("region_code") or ""),
    )


def totals(store: Store, cart: CartState) -> Totals:
    rate = next((r for r in shipping_rates(store, cart) if r.code == cart.shipping_method), None)
    return _totals(store, cart, shipping=rate.amount if rate is not None else ZERO)


def _totals(store: Store, cart: CartState, *, shipping: Decimal) -> Totals:
    rule = _rule_for(store, cart.coupon_code) if cart.coupon_code else None
    percent = rule.discount_percent if rule is not None else ZERO

    def off(amount: Decimal) -> Decimal:
        return (amount * percent / Decimal(100)).quantize(_CENT)

    return Totals(
        subtotal=sum((i.price * i.qty for i in cart.items), ZERO),
        item_discounts={i.item_id: off(i.price * i.qty) for i in cart.items},
        discount_percent=percent,
        shipping=shipping,
        shipping_discount=off(shipping) if rule is not None and rule.apply_to_shipping else ZERO,
        rule=rule,
    )


def payment_methods(store: Store, cart: CartState) -> list[str]:
    """What the checkout offers: `free` alone at a zero total, never `free` otherwise."""
    return [FREE] if totals(store, cart).grand_total <= 0 else [CHECK_MONEY_ORDER]


# -- placing the order ------------------------------------------------------------------------------


def place_order(store: Store, cart_id: int, payment: Mapping[str, Any] | None) -> OrderState:
    cart = get_active(store, cart_id)
    if not cart.items:
        raise bad_request('The "%1" Cart doesn\'t contain products.', [cart_id])
    if cart.shipping_address is None:
        raise bad_request("Please check the shipping address information. %1", ['"street" is required.'])
    if cart.shipping_method is None:
        raise bad_request("The shipping method is missing. Select the shipping method and try again.")
    if cart.billing_address is None:
        raise bad_request("Please check the billing address information. %1", ['"firstname" is required.'])
    method = str((payment or {}).get("method") or "")
    if not method:
        raise bad_request("Enter a valid payment method and try again.")
    if method not in payment_methods(store, cart):
        raise bad_request(PAYMENT_NOT_AVAILABLE)
    order = _order_from(store, cart, method)
    cart.is_active = False
    cart.reserved_order_id = order.entity_id
    cart.updated_at = now_text()
    sales.register_placed_order(store, order)
    _saved(store, cart)
    return order


def quote_event(cart: CartState) -> dict[str, Any]:
    """The `observer.sales_quote_save_after` value: the quote's ids and state."""
    return {
        "entity_id": cart.id,
        "is_active": cart.is_active,
        "customer_id": cart.customer_id or None,
        "customer_is_guest": cart.customer_id == 0,
        "items_count": len(cart.items),
        "reserved_order_id": str(cart.reserved_order_id) if cart.reserved_order_id else None,
        "updated_at": cart.updated_at,
    }


def _saved(store: Store, cart: CartState) -> None:
    if cart.negotiable is None:  # negotiable quotes have events of their own
        store.emit(QUOTE_SAVED, quote_event(cart))


def _order_from(store: Store, cart: CartState, payment_method: str) -> OrderState:
    state = store.state
    summed = totals(store, cart)
    billing = cart.billing_address
    assert billing is not None and cart.shipping_address is not None
    entity_id = state.next_id("order")
    order = OrderState(
        entity_id=entity_id,
        increment_id=state.increment(entity_id),
        state="new",
        status="pending",
        # A guest checkout: the customer is who the billing address names (QuoteManagement::placeOrder).
        customer_email=billing.email,
        customer_firstname=billing.firstname,
        customer_lastname=billing.lastname,
        customer_id=None,
        customer_group_id=GUEST_GROUP,
        store_id=cart.store_id,
        currency=store.config.currency,
        items=[
            OrderItemState(
                item_id=state.next_id("order_item"),
                sku=i.sku,
                name=i.name,
                price=i.price,
                qty_ordered=i.qty,
                discount_amount=summed.item_discounts[i.item_id],
                discount_percent=summed.discount_percent,
            )
            for i in cart.items
        ],
        shipping_amount=summed.shipping,
        shipping_discount_amount=summed.shipping_discount,
        shipping_method=cart.shipping_method or "",
        payment_method=payment_method,
        quote_id=cart.id,
        coupon_code=cart.coupon_code,
        applied_rule_ids=str(summed.rule.rule_id) if summed.rule is not None else "",
    )
    order.billing_address = _order_address(billing)
    order.shipping_address = _order_address(cart.shipping_address)
    return order


def _order_address(a: QuoteAddressState) -> OrderAddressState:
    return OrderAddressState(
        address_type=a.address_type,
        firstname=a.firstname,
        lastname=a.lastname,
        street=list(a.street),
        city=a.city,
        postcode=a.postcode,
        country_id=a.country_id,
        telephone=a.telephone,
        email=a.email,
        region=a.region or None,
    )
