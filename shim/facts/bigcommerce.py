"""BigCommerce's case facts: from the order read through the connector (its thin webhooks carry
only ids) and from a return form's request."""

from __future__ import annotations

from decimal import Decimal

from casebridge.stores import Platform
from connectors.bigcommerce.client import BigCommerceClient
from connectors.bigcommerce.contract import STATUS_CANCELLED
from connectors.bigcommerce.models import Order, OrderProduct
from routing.facts import OrderFacts
from routing.policy import OrderReviewRules, return_reason_code
from shim.return_form import ReturnFormLine, ReturnRequestEvent
from workflows.fulfillment_exception import OrderRef
from workflows.return_case import ExchangeItem, ReturnFacts, ReturnLineFacts


class InvalidReturnLines(ValueError):
    """Return lines that are not in the order or ask for more than is still returnable."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))


async def order_facts(client: BigCommerceClient, order: Order, rules: OrderReviewRules) -> OrderFacts:
    """The order's routing facts; sub-resources are read only when a rule looks at them (each
    read spends the store's request quota, shared with every other app)."""
    order_id = order.id
    country, mismatch = None, None
    if rules.restricted_countries or rules.address_mismatch:
        addresses = await client.list_shipping_addresses(order_id)
        country = addresses[0].country_iso2 if addresses else None
        billing = order.billing_address
        if addresses and billing is not None and billing.country_iso2:
            mismatch = any(
                (a.country_iso2, a.zip.strip()) != (billing.country_iso2, billing.zip.strip()) for a in addresses
            )
    if not country and order.billing_address is not None:
        country = order.billing_address.country_iso2 or None
    return OrderFacts(
        order_id=str(order.id),
        order_name=f"#{order.id}",
        currency=order.currency_code,
        total=order.total_inc_tax,
        # BigCommerce's subtotal is before the discount; the facts' subtotal is after it (as on
        # Shopify), so that discount_pct = discount / (subtotal + discount).
        subtotal=max(order.subtotal_inc_tax - order.discount_amount, Decimal(0)),
        discount_total=order.discount_amount,
        risk_level=None,  # BigCommerce has no risk analysis
        shipping_country=country,
        customer_email=_customer_email(order),
        customer_tags=await _customer_tags(client, order, rules),
        item_count=order.items_total,
        address_mismatch=mismatch,
        cancelled=order.status_id == STATUS_CANCELLED,
    )


async def _customer_tags(client: BigCommerceClient, order: Order, rules: OrderReviewRules) -> list[str]:
    """BigCommerce has no customer tags; its customer groups (e.g. "VIP", "Wholesale") play that
    part, so the group's name is matched against the policy's `customer_tags`."""
    if not rules.customer_tags or not order.customer_id:
        return []
    customer = await client.get_customer(order.customer_id)
    if not customer.customer_group_id:
        return []
    group = await client.get_customer_group(customer.customer_group_id)
    return [group.name]


def return_facts(
    return_id: str, requested: ReturnRequestEvent, order: Order, products: list[OrderProduct]
) -> ReturnFacts:
    """The return's facts, priced from the order (what BigCommerce refunds per unit).

    Raises `InvalidReturnLines` naming every line that is not in the order or asks for more than
    is still returnable."""
    by_id = {p.id: p for p in products}
    problems: list[str] = []
    lines: list[ReturnLineFacts] = []
    for line in requested.lines:
        product = by_id.get(line.order_product_id)
        if product is None:
            problems.append(f"order product {line.order_product_id} is not in order {order.id}")
        elif line.quantity > (returnable := product.quantity - product.quantity_refunded):
            problems.append(
                f"order product {product.id}: {line.quantity} returned, only {returnable} of "
                f"{product.quantity} ordered can still be returned"
            )
        else:
            note = None if lines else requested.customer_note  # one note per return, not per line
            lines.append(_return_line(line, product, note))
    if problems:
        raise InvalidReturnLines(problems)
    return ReturnFacts(
        return_id=return_id,
        return_gid=return_id,  # no return object in BigCommerce: the source's reference stands for it
        return_name=f"#{order.id}-{requested.reference}",
        order_id=str(order.id),
        order_gid=str(order.id),
        currency=order.currency_code or "USD",
        lines=lines,
        customer_email=_customer_email(order),
        customer_name=_customer_name(order),
        exchange_items=[
            ExchangeItem(sku=item.sku, quantity=item.quantity, title=item.name or "")
            for item in requested.exchange_items
        ],
    )


def _return_line(line: ReturnFormLine, product: OrderProduct, customer_note: str | None) -> ReturnLineFacts:
    code = return_reason_code(Platform.BIGCOMMERCE.value, line.reason)
    return ReturnLineFacts(
        line_item_gid=str(product.id),
        title=product.name,
        quantity=line.quantity,
        unit_price=product.price_inc_tax,
        reason=code,
        customer_note=customer_note,
        platform_reason=line.reason if line.reason != code else None,
    )


def order_ref(order: Order) -> OrderRef:
    return OrderRef(
        order_id=str(order.id),
        order_name=f"#{order.id}",
        total=order.total_inc_tax,
        currency=order.currency_code,
        customer_email=_customer_email(order),
        customer_name=_customer_name(order),
    )


def _customer_email(order: Order) -> str | None:
    return (order.billing_address.email or None) if order.billing_address else None


def _customer_name(order: Order) -> str | None:
    billing = order.billing_address
    return (f"{billing.first_name} {billing.last_name}".strip() or None) if billing else None
