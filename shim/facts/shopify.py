"""Shopify's case facts: from the `orders/create` and `returns/request` webhook bodies and the
orders read through the Admin API."""

from __future__ import annotations

from decimal import Decimal

from connectors.shopify.models import Order, RiskSummary
from connectors.shopify.products import OrderProductFacts
from connectors.shopify.webhooks import (
    OrderPayload,
    ReturnedOrderLine,
    ReturnLineItem,
    ReturnRequestPayload,
    WebhookAddress,
)
from routing.facts import OrderFacts
from routing.policy import ReturnsPolicy
from workflows.fulfillment_exception import OrderRef
from workflows.return_case import ReturnFacts, ReturnLineFacts

CENT = Decimal("0.01")


def order_facts(order: OrderPayload, risk: RiskSummary | None = None) -> OrderFacts:
    """The order's routing facts; `risk` is the order's risk analysis, which the webhook body lacks
    (read only when a rule looks at it)."""
    return OrderFacts.model_validate(
        {
            "order_id": str(order.id),
            "order_gid": order.admin_graphql_api_id,
            "order_name": order.name,
            "currency": order.currency,
            "total": order.total_price,
            "subtotal": order.subtotal_price,
            "discount_total": order.total_discounts,
            "risk_level": _risk_level(risk),
            "shipping_country": order.shipping_address.country_code if order.shipping_address else None,
            "customer_email": order.email or (order.customer.email if order.customer else None),
            "customer_tags": _split_tags(order.customer.tags if order.customer else ""),
            "order_tags": _split_tags(order.tags),
            "item_count": sum(line.quantity for line in order.line_items) if order.line_items else None,
            "address_mismatch": addresses_differ(order.billing_address, order.shipping_address),
            "cancelled": order.cancelled_at is not None,
        }
    )


def _risk_level(risk: RiskSummary | None) -> str | None:
    """The highest assessed level; none while the analysis is pending or found nothing."""
    level = risk.highest_level if risk else None
    return level if level in ("LOW", "MEDIUM", "HIGH") else None


def addresses_differ(billing: WebhookAddress | None, shipping: WebhookAddress | None) -> bool | None:
    if billing is None or shipping is None or not billing.country_code or not shipping.country_code:
        return None
    return (billing.country_code.upper(), (billing.zip or "").strip()) != (
        shipping.country_code.upper(),
        (shipping.zip or "").strip(),
    )


def _split_tags(raw: str) -> list[str]:
    return [t.strip() for t in raw.split(",") if t.strip()]


def return_facts(requested: ReturnRequestPayload) -> ReturnFacts:
    """The return as the `returns/request` body has it (the order's date, its customer and the
    products' types come from `with_order_facts`)."""
    first = requested.return_line_items[0].fulfillment_line_item.line_item
    return ReturnFacts(
        return_id=str(requested.id),
        return_gid=requested.admin_graphql_api_id,
        return_name=requested.name,
        order_id=str(requested.order.id),
        order_gid=requested.order.admin_graphql_api_id,
        currency=first.price_set.shop_money.currency_code,
        lines=[_return_line(item) for item in requested.return_line_items],
    )


def _return_line(item: ReturnLineItem) -> ReturnLineFacts:
    ordered = item.fulfillment_line_item.line_item
    return ReturnLineFacts(
        line_item_gid=ordered.admin_graphql_api_id,
        fulfillment_line_item_gid=item.fulfillment_line_item.admin_graphql_api_id,
        title=ordered.title,
        quantity=item.quantity,
        unit_price=_unit_price(ordered),
        reason=item.return_reason.upper(),
        customer_note=item.customer_note or None,
    )


def _unit_price(line: ReturnedOrderLine) -> Decimal:
    """What one unit was paid after the line's discounts: what returning it is worth."""
    discount = sum((d.amount for d in line.discount_allocations), Decimal(0))
    return (line.price_set.shop_money.amount - discount / line.quantity).quantize(CENT)


def with_order_facts(facts: ReturnFacts, order: OrderProductFacts, policy: ReturnsPolicy) -> ReturnFacts:
    """The return's facts with what the policy reads from its order: the order's date (and last
    shipment), its customer's email and the returned products' types (their category)."""
    types = order.product_types() if policy.reads_categories else {}
    lines = [
        line.model_copy(update={"categories": [types[line.line_item_gid]] if line.line_item_gid in types else []})
        for line in facts.lines
    ]
    ordered_at = order.processed_at if policy.reads_order_date else None
    shipped_at = order.last_shipped_at if policy.reads_order_date and policy.window_from == "shipment" else None
    email = order.email if policy.customer_notice is not None else None
    return facts.model_copy(
        update={"lines": lines, "ordered_at": ordered_at, "shipped_at": shipped_at, "customer_email": email}
    )


def order_ref(order: Order) -> OrderRef:
    """The order a fulfillment exception is about, as the Admin API reads it."""
    return OrderRef(
        order_id=order.legacy_resource_id,
        order_gid=order.id,
        order_name=order.name,
        total=order.total_price.shop_money.amount,
        currency=order.total_price.shop_money.currency_code,
        customer_email=order.email,
    )
