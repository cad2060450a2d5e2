"""A free replacement (or exchange) order on Adobe Commerce, at most one per case.

Magento orders are placed from carts, and REST cannot set an item's price, so the order is a guest
cart the integration creates itself (`POST /V1/carts/`: never the shopper's own active cart), with
the returned lines added by SKU, the store's 100%-off coupon applied, the original order's addresses
and email, a shipping method the store offers, and payment method `free`, which Magento accepts only
at a grand total of 0 (a coupon that leaves anything to pay is refused before placing).

The order is a guest order (`customer_is_guest`, the customer's email and name on it): assigning
the quote to the customer account (`PUT /V1/carts/{cartId}` with `customerId`) runs into the
customer's own active cart (refused, or the quote becomes their storefront cart), so it is not done.

Idempotency, on Magento's own semantics: a quote gives at most one order (placing deactivates it)
and the order records it (`quote_id`, searchable with searchCriteria). So before anything is added,
the quote id is written into a comment on the ORIGINAL order, marked `[casebridge:replacement-<key>]`.
Every attempt reads the original's comments first: with a recorded quote it searches the orders
for that `quote_id` and, found, returns that order (`created=False`): a retry after a lost answer
of the place-order call finds the order instead of placing a second one. Without an order it
completes the same quote (items already in it are not added twice; coupon and shipping are set
again), so a fixed configuration (e.g. the coupon) and an operator's retry continue where it
stopped. At the end both orders get a comment naming the other, each written once per key.
"""

from __future__ import annotations

import re
from decimal import Decimal

from activities.models import ReplacementLine, ReplacementOrderRequest, ReplacementOrderResult
from connectors.adobe_commerce.cart_models import CartAddress, ShippingMethod
from connectors.adobe_commerce.carts import FREE_PAYMENT
from connectors.adobe_commerce.connector import AdobeCommerce
from connectors.adobe_commerce.contract import ONCE_MARKER, SYSTEM
from connectors.adobe_commerce.models import Order, OrderAddress
from connectors.errors import ConflictError, ContractError, NotFoundError

OPERATION = "create_replacement_order"
# Carriers in order of preference: the cart price rule must make shipping free otherwise.
PREFERRED_CARRIERS = ("freeshipping", "flatrate")
_RESERVED_QUOTE = re.compile(r"\bquote (\d+)\b")


def _conflict(message: str) -> ConflictError:
    return ConflictError(message, system=SYSTEM, operation=OPERATION)


def reservation_marker(key: str) -> str:
    return ONCE_MARKER.format(key=f"replacement-{key}")


def reserved_quote(original: Order, key: str) -> int | None:
    """The quote an earlier attempt recorded on the original order for this key, if any."""
    marker = reservation_marker(key)
    for history in original.status_histories:
        if history.comment and marker in history.comment:
            found = _RESERVED_QUOTE.search(history.comment)
            if found:
                return int(found.group(1))
    return None


def wanted_skus(original: Order, lines: list[ReplacementLine]) -> dict[str, int]:
    """Quantity per SKU: a line's own SKU, else the SKU of the order item it names."""
    by_item = {str(item.item_id): item.sku for item in original.items}
    wanted: dict[str, int] = {}
    for line in lines:
        sku = line.sku or (by_item.get(line.order_line_ref) if line.order_line_ref else None)
        if not sku:
            raise _conflict(
                f"line {line.title!r} has no SKU and names no item of order {original.increment_id} "
                f"(order_line_ref={line.order_line_ref!r})"
            )
        wanted[sku] = wanted.get(sku, 0) + line.quantity
    return wanted


def cart_address(address: OrderAddress, original: Order) -> CartAddress:
    return CartAddress(
        firstname=address.firstname or original.customer_firstname or "",
        lastname=address.lastname or original.customer_lastname or "",
        street=address.street,
        city=address.city or "",
        postcode=address.postcode or "",
        country_id=address.country_id or "",
        telephone=address.telephone or "",
        email=original.customer_email,  # a guest order's customer is who the billing address names
        region=address.region or "",
        region_id=address.region_id or 0,
        region_code=address.region_code or "",
    )


def pick_shipping(methods: list[ShippingMethod]) -> ShippingMethod:
    offered = [m for m in methods if m.available]
    for carrier in PREFERRED_CARRIERS:
        for method in offered:
            if method.carrier_code == carrier:
                return method
    if not offered:
        raise _conflict("the store offers no shipping method for the replacement's address")
    return offered[0]


class AdobeReplacementOrders:
    def __init__(self, adobe: AdobeCommerce) -> None:
        self._adobe = adobe

    async def create(self, request: ReplacementOrderRequest) -> ReplacementOrderResult:
        if request.coupon_code is None:
            raise _conflict(
                "the store policy names no replacement coupon: Adobe Commerce makes a free order only "
                "with a 100%-off cart price rule's coupon (REST cannot set item prices)"
            )
        sales = self._adobe.sales
        original = await sales.get_order(int(request.order_ref))
        wanted = wanted_skus(original, request.lines)
        quote_id = reserved_quote(original, request.key)
        if quote_id is not None:
            placed = await self._adobe.carts.orders_of_cart(quote_id)
            if placed:
                return await self._finish(original, placed[0], request, created=False)
        else:
            quote_id = await self._reserve_quote(original, request.key)
        order_id, created = await self._checkout(quote_id, original, wanted, request.coupon_code)
        return await self._finish(original, await sales.get_order(order_id), request, created=created)

    async def _reserve_quote(self, original: Order, key: str) -> int:
        """A new guest quote, recorded on the original order before anything is put in it."""
        quote_id = await self._adobe.carts.create_guest_cart()
        comment = f"Casebridge: replacement order for case {key} is prepared in quote {quote_id}."
        added = await self._adobe.sales.add_order_comment_once(original.entity_id, comment, key=f"replacement-{key}")
        if added:
            return quote_id
        # Another attempt recorded its quote in between: that one is the case's.
        recorded = reserved_quote(await self._adobe.sales.get_order(original.entity_id), key)
        if recorded is None:
            raise ContractError("replacement marker found but names no quote", system=SYSTEM, operation=OPERATION)
        return recorded

    async def _checkout(
        self, quote_id: int, original: Order, wanted: dict[str, int], coupon_code: str
    ) -> tuple[int, bool]:
        """Fill the quote (what is missing only), make it free, place it. (order id, placed now)."""
        carts = self._adobe.carts
        cart = await carts.get_cart(quote_id)
        if cart.is_active is False:
            raise _conflict(f"quote {quote_id} of the replacement was ordered, but no order names it")
        have: dict[str, Decimal] = {}
        for line in cart.items:
            have[line.sku] = have.get(line.sku, Decimal(0)) + line.qty
        for sku, qty in wanted.items():
            missing = Decimal(qty) - have.get(sku, Decimal(0))
            if missing > 0:
                await carts.add_item(quote_id, sku, missing)
        await carts.apply_coupon(quote_id, coupon_code)
        billing_source = original.billing_address or original.shipping_address
        shipping_source = original.shipping_address or original.billing_address
        if billing_source is None or shipping_source is None:
            raise _conflict(f"order {original.increment_id} has no address to ship the replacement to")
        shipping, billing = cart_address(shipping_source, original), cart_address(billing_source, original)
        method = pick_shipping(await carts.estimate_shipping_methods(quote_id, shipping))
        details = await carts.set_shipping_information(
            quote_id,
            shipping=shipping,
            billing=billing,
            carrier_code=method.carrier_code,
            method_code=method.method_code,
        )
        if details.totals.grand_total > 0:
            raise _conflict(
                f"coupon {coupon_code} leaves {details.totals.grand_total} to pay on quote {quote_id}: the "
                "replacement rule must take 100% off the items and shipping"
            )
        try:
            return await carts.place_order(quote_id, FREE_PAYMENT), True
        except NotFoundError:
            # The quote is no longer active: an overlapping attempt placed it.
            placed = await carts.orders_of_cart(quote_id)
            if placed:
                return placed[0].entity_id, False
            raise

    async def _finish(
        self, original: Order, order: Order, request: ReplacementOrderRequest, *, created: bool
    ) -> ReplacementOrderResult:
        """Comments naming each other on both orders (once each), then the result."""
        sales = self._adobe.sales
        await sales.add_order_comment_once(
            order.entity_id,
            f"{request.note}. Free replacement for order #{original.increment_id} (case {request.key}).",
            key=f"replacement-{request.key}",
        )
        await sales.add_order_comment_once(
            original.entity_id,
            f"{request.note}: replacement order #{order.increment_id} placed (case {request.key}).",
            key=f"replacement-order-{request.key}",
        )
        return ReplacementOrderResult(
            order_id=str(order.entity_id), order_name=f"#{order.increment_id}", created=created
        )
