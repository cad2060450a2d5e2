"""Adobe Commerce's case facts: from the order read through the REST API (its I/O events are
re-read, not trusted for the details) and from an RMA."""

from __future__ import annotations

from decimal import Decimal

from casebridge.stores import Platform
from connectors.adobe_commerce.connector import AdobeCommerce
from connectors.adobe_commerce.contract import STATE_CANCELED
from connectors.adobe_commerce.models import Order, OrderItem, Rma, RmaItem, RmaItemStatus
from routing.facts import OrderFacts
from routing.policy import OrderReviewRules, return_reason_code
from workflows.fulfillment_exception import OrderRef
from workflows.return_case import ReturnFacts, ReturnLineFacts

PAID_ON_ACCOUNT = "companycredit"  # Magento B2B's "Payment on Account" method code


async def order_facts(adobe: AdobeCommerce, order: Order, rules: OrderReviewRules) -> OrderFacts:
    """The order's routing facts; the company credit is read only when a rule looks at it."""
    shipping, billing = order.shipping_address, order.billing_address
    discount = -(order.discount_amount or Decimal(0))
    return OrderFacts(
        order_id=str(order.entity_id),
        order_name=f"#{order.increment_id}",
        currency=order.order_currency_code or "USD",
        total=order.grand_total,
        # Magento's subtotal is before the discount; the facts' subtotal is after it.
        subtotal=max((order.subtotal or order.grand_total) - discount, Decimal(0)),
        discount_total=discount,
        risk_level=None,  # Adobe Commerce has no built-in fraud analysis
        shipping_country=(shipping.country_id if shipping else None) or (billing.country_id if billing else None),
        customer_email=order.customer_email,
        item_count=int(sum((i.qty_ordered for i in order.items), Decimal(0))),
        address_mismatch=(
            None
            if shipping is None or billing is None
            else (shipping.country_id, shipping.postcode) != (billing.country_id, billing.postcode)
        ),
        credit_exceeded_by=await _credit_exceeded_by(adobe, order) if rules.company_credit_exceeded else None,
        cancelled=order.state == STATE_CANCELED,
        customer_tags=await _customer_group(adobe, order) if rules.customer_tags else [],
    )


async def _customer_group(adobe: AdobeCommerce, order: Order) -> list[str]:
    """Adobe Commerce has no customer tags; the customer group ("Wholesale", a "VIP" group the
    merchant added) plays that part, so its name is matched against the policy's `customer_tags`."""
    if not order.customer_group_id:  # 0 / None: a guest
        return []
    return [(await adobe.customers.get_group(order.customer_group_id)).code]


async def _credit_exceeded_by(adobe: AdobeCommerce, order: Order) -> Decimal | None:
    """Paid on account, the order has drawn on the company credit already: what the available
    limit is below zero is how far it went beyond the limit."""
    if order.company_id is None or order.payment is None or order.payment.method != PAID_ON_ACCOUNT:
        return None
    credit = await adobe.b2b.get_credit(order.company_id)
    available = credit.available_limit if credit.available_limit is not None else Decimal(0)
    return max(-available, Decimal(0))


def return_facts(rma: Rma, order: Order) -> ReturnFacts | None:
    """The RMA's pending items priced from the order's items; None when nothing is pending."""
    items = {i.item_id: i for i in order.items}
    lines = [
        _return_line(item, items[item.order_item_id])
        for item in rma.items
        if item.status == RmaItemStatus.PENDING and item.order_item_id in items
    ]
    if not lines:
        return None
    return ReturnFacts(
        return_id=str(rma.entity_id),
        return_gid=str(rma.entity_id),
        return_name=f"RMA #{rma.increment_id}",
        order_id=str(order.entity_id),
        order_gid=str(order.entity_id),
        currency=order.order_currency_code or "USD",
        lines=lines,
        customer_email=order.customer_email,
        customer_name=_customer_name(order),
    )


def _return_line(item: RmaItem, ordered: OrderItem) -> ReturnLineFacts:
    code = return_reason_code(Platform.ADOBE_COMMERCE.value, item.reason)
    return ReturnLineFacts(
        line_item_gid=str(ordered.item_id),
        title=ordered.name or ordered.sku,
        quantity=item.qty_requested,
        unit_price=ordered.price or Decimal(0),
        reason=code,
        platform_reason=item.reason if item.reason and item.reason != code else None,
    )


def order_ref(order: Order) -> OrderRef:
    """The order a fulfillment exception is about; whether it is fully invoiced decides whether
    `cancel-lines` is offered (Magento refunds lines only by credit memo)."""
    return OrderRef(
        order_id=str(order.entity_id),
        order_name=f"#{order.increment_id}",
        total=order.grand_total,
        currency=order.order_currency_code,
        customer_email=order.customer_email,
        customer_name=_customer_name(order),
        fully_invoiced=bool(order.items) and all(i.qty_invoiced >= i.qty_ordered for i in order.items),
    )


def _customer_name(order: Order) -> str | None:
    return " ".join(n for n in (order.customer_firstname, order.customer_lastname) if n) or None
