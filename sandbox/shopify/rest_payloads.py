"""REST-shaped resources, the form Shopify serialises webhook bodies in.

Webhook payloads are not GraphQL: they are the (legacy) REST resource - snake_case keys, numeric
`id` plus `admin_graphql_api_id`, amounts as two-decimal strings, tags as one comma-separated
string, lowercase enum values. The shape follows the sample `specs/shopify/webhooks/orders_create.json`.
Everything that serialises an order for a webhook or the admin endpoints goes through `order_payload`,
so the two never disagree.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sandbox.shopify.gid import gid
from sandbox.shopify.state import (
    Address,
    Customer,
    FulfillmentHold,
    FulfillmentOrder,
    LineItem,
    Order,
    ShippingLine,
    TaxLine,
    Transaction,
    money,
)

if TYPE_CHECKING:
    from sandbox.shopify.state_aftersales import Fulfillment, Refund

_COUNTRY_NAMES = {
    "US": "United States",
    "CA": "Canada",
    "GB": "United Kingdom",
    "IE": "Ireland",
    "DE": "Germany",
    "AT": "Austria",
    "CH": "Switzerland",
    "FR": "France",
    "BE": "Belgium",
    "NL": "Netherlands",
    "LU": "Luxembourg",
    "ES": "Spain",
    "PT": "Portugal",
    "IT": "Italy",
    "DK": "Denmark",
    "SE": "Sweden",
    "NO": "Norway",
    "FI": "Finland",
    "PL": "Poland",
    "CZ": "Czechia",
    "AU": "Australia",
    "NZ": "New Zealand",
    "JP": "Japan",
    "CN": "China",
    "IN": "India",
    "BR": "Brazil",
    "MX": "Mexico",
    "ZA": "South Africa",
    "SG": "Singapore",
    "HK": "Hong Kong SAR",
}


def country_name(code: str | None) -> str | None:
    """English country name for the codes the demo uses; other codes fall back to the code itself."""
    if code is None:
        return None
    return _COUNTRY_NAMES.get(code, code)


def amount(value: Decimal) -> str:
    """REST amounts always carry two decimals (`"137.44"`, `"0.00"`)."""
    return f"{money(value):.2f}"


def timestamp(value: datetime | None) -> str | None:
    """REST timestamps carry a UTC offset rather than `Z` (`2025-03-04T15:15:22+00:00`)."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec="seconds")


def tags_string(tags: list[str]) -> str:
    return ", ".join(tags)


def money_set(value: Decimal, currency: str) -> dict[str, Any]:
    """REST `*_set`: the amount in shop and presentment currency (the sandbox has one currency)."""
    return _money_set(value, currency)


def _money_set(value: Decimal, currency: str) -> dict[str, Any]:
    money_value = {"amount": amount(value), "currency_code": currency}
    return {"shop_money": money_value, "presentment_money": dict(money_value)}


def _tax_lines(lines: list[TaxLine], currency: str) -> list[dict[str, Any]]:
    return [
        {
            "title": t.title,
            "rate": float(t.rate),
            "price": amount(t.price),
            "price_set": _money_set(t.price, currency),
            "channel_liable": t.channel_liable,
        }
        for t in lines
    ]


def address_payload(address: Address | None) -> dict[str, Any] | None:
    if address is None:
        return None
    return {
        "first_name": address.first_name,
        "last_name": address.last_name,
        "name": address.name,
        "company": address.company,
        "address1": address.address1,
        "address2": address.address2,
        "city": address.city,
        "province_code": address.province_code,
        "zip": address.zip,
        "country": country_name(address.country_code),
        "country_code": address.country_code,
        "phone": address.phone,
    }


def customer_payload(customer: Customer | None) -> dict[str, Any] | None:
    if customer is None:
        return None
    return {
        "id": customer.id,
        "admin_graphql_api_id": customer.gid,
        "email": customer.email,
        "first_name": customer.first_name,
        "last_name": customer.last_name,
        "phone": customer.phone,
        "note": customer.note,
        "tags": tags_string(customer.tags),
        "tax_exempt": customer.tax_exempt,
        "created_at": timestamp(customer.created_at),
        "updated_at": timestamp(customer.updated_at),
    }


def line_item_payload(item: LineItem, currency: str) -> dict[str, Any]:
    return {
        "id": item.id,
        "admin_graphql_api_id": item.gid,
        "product_id": item.product_id,
        "variant_id": item.variant_id,
        "sku": item.sku,
        "title": item.title,
        "name": item.name,
        "variant_title": item.variant_title,
        "vendor": item.vendor,
        "quantity": item.quantity,
        "current_quantity": item.current_quantity,
        "fulfillable_quantity": item.unfulfilled_quantity,
        "fulfillment_status": _line_fulfillment_status(item),
        "requires_shipping": item.requires_shipping,
        "taxable": item.taxable,
        "gift_card": item.gift_card,
        "price": amount(item.price),
        "price_set": _money_set(item.price, currency),
        # Shopify reports discounts per line in `discount_allocations`; `total_discount` stays 0.
        "total_discount": "0.00",
        "discount_allocations": (
            [{"amount": amount(item.discount), "discount_application_index": 0}] if item.discount else []
        ),
        "tax_lines": _tax_lines(item.tax_lines, currency),
        "properties": [{"name": k, "value": v} for k, v in item.properties],
    }


def _line_fulfillment_status(item: LineItem) -> str | None:
    if item.fulfilled_quantity == 0:
        return None
    return "partial" if item.unfulfilled_quantity else "fulfilled"


def _order_fulfillment_status(order: Order) -> str | None:
    """REST `fulfillment_status`: null while nothing shipped, then `partial` or `fulfilled`."""
    status = order.display_fulfillment_status
    return {"FULFILLED": "fulfilled", "PARTIALLY_FULFILLED": "partial"}.get(status)


def _shipping_line_payload(line: ShippingLine, currency: str) -> dict[str, Any]:
    return {
        "id": line.id,
        "title": line.title,
        "code": line.code,
        "price": amount(line.price),
        "discounted_price": amount(line.price - line.discount),
        "source": line.source,
        "tax_lines": _tax_lines(line.tax_lines, currency),
    }


def order_payload(order: Order) -> dict[str, Any]:
    """The REST Order resource: the body of `orders/*` webhooks."""
    currency = order.currency
    return {
        "id": order.id,
        "admin_graphql_api_id": order.gid,
        "name": order.name,
        "order_number": order.order_number,
        "number": order.number,
        "confirmation_number": confirmation_number(order.id),
        "email": order.email,
        "contact_email": order.contact_email,
        "phone": order.phone,
        "created_at": timestamp(order.created_at),
        "updated_at": timestamp(order.updated_at),
        "processed_at": timestamp(order.processed_at),
        "cancelled_at": timestamp(order.cancelled_at),
        "cancel_reason": order.cancel_reason.lower() if order.cancel_reason else None,
        "closed_at": timestamp(order.closed_at),
        "confirmed": True,
        "test": order.test,
        "currency": currency,
        "presentment_currency": currency,
        "financial_status": order.financial_status.lower(),
        "fulfillment_status": _order_fulfillment_status(order),
        "source_name": order.source_name,
        "source_identifier": order.source_identifier,
        "source_url": order.source_url,
        "tags": tags_string(order.tags),
        "note": order.note,
        "note_attributes": [{"name": k, "value": v} for k, v in order.custom_attributes],
        "po_number": order.po_number,
        "buyer_accepts_marketing": order.buyer_accepts_marketing,
        "taxes_included": order.taxes_included,
        "total_line_items_price": amount(order.total_line_items_price),
        "subtotal_price": amount(order.subtotal),
        "total_discounts": amount(order.total_discounts),
        "total_shipping_price_set": _money_set(order.total_shipping, currency),
        "total_tax": amount(order.total_tax),
        "total_price": amount(order.total_price),
        "total_outstanding": amount(order.total_outstanding),
        "current_total_price": amount(order.current_total_price),
        "subtotal_price_set": _money_set(order.subtotal, currency),
        "total_discounts_set": _money_set(order.total_discounts, currency),
        "total_tax_set": _money_set(order.total_tax, currency),
        "total_price_set": _money_set(order.total_price, currency),
        "current_total_price_set": _money_set(order.current_total_price, currency),
        "payment_gateway_names": sorted({t.gateway for t in order.transactions}),
        "customer": customer_payload(order.customer),
        "company": (
            {"id": order.purchasing_company.company.id, "location_id": order.purchasing_company.location.id}
            if order.purchasing_company
            else None
        ),
        "billing_address": address_payload(order.billing_address),
        "shipping_address": address_payload(order.shipping_address),
        "line_items": [line_item_payload(li, currency) for li in order.line_items],
        "shipping_lines": [_shipping_line_payload(s, currency) for s in order.shipping_lines],
        "tax_lines": _tax_lines(order.tax_lines, currency),
        "discount_codes": [{"code": d.code, "amount": amount(d.amount), "type": d.kind} for d in order.discount_codes],
        "fulfillments": [fulfillment_payload(f) for f in order.fulfillments],
        "refunds": [refund_payload(r) for r in order.refunds],
    }


def transaction_payload(tx: Transaction, order_id: int) -> dict[str, Any]:
    return {
        "id": tx.id,
        "admin_graphql_api_id": tx.gid,
        "order_id": order_id,
        "parent_id": tx.parent_id,
        "kind": tx.kind.lower(),
        "gateway": tx.gateway,
        "status": tx.status.lower(),
        "amount": amount(tx.amount),
        "currency": tx.currency,
        "authorization": tx.authorization_code,
        "created_at": timestamp(tx.created_at),
        "processed_at": timestamp(tx.processed_at),
        "test": tx.test,
    }


def fulfillment_payload(fulfillment: Fulfillment) -> dict[str, Any]:
    """The REST Fulfillment resource (`fulfillments/create`, and inside the order)."""
    order = fulfillment.order
    tracking = fulfillment.tracking[0] if fulfillment.tracking else None
    return {
        "id": fulfillment.id,
        "admin_graphql_api_id": fulfillment.gid,
        "order_id": order.id,
        "name": fulfillment.name,
        "status": fulfillment.status.lower(),
        "service": "manual",
        "shipment_status": None,
        "location_id": None,
        "created_at": timestamp(fulfillment.created_at),
        "updated_at": timestamp(fulfillment.updated_at),
        "tracking_company": tracking.company if tracking else None,
        "tracking_number": tracking.number if tracking else None,
        "tracking_numbers": [t.number for t in fulfillment.tracking if t.number],
        "tracking_url": tracking.url if tracking else None,
        "tracking_urls": [t.url for t in fulfillment.tracking if t.url],
        "line_items": [
            {**line_item_payload(item.line_item, order.currency), "quantity": item.quantity}
            for item in fulfillment.line_items
        ],
    }


def refund_payload(refund: Refund) -> dict[str, Any]:
    """The REST Refund resource, after the `refunds_create.json` sample in `specs/shopify/webhooks/`."""
    order = refund.order
    currency = order.currency
    adjustments: list[dict[str, Any]] = []
    if refund.shipping_adjustment_id is not None:
        adjustments.append(
            {
                "id": refund.shipping_adjustment_id,
                "order_id": order.id,
                "refund_id": refund.id,
                "kind": "shipping_refund",
                "reason": "Shipping refund",
                "amount": amount(-refund.shipping_amount),
                "tax_amount": amount(-refund.shipping_tax),
                "amount_set": _money_set(-refund.shipping_amount, currency),
                "tax_amount_set": _money_set(-refund.shipping_tax, currency),
            }
        )
    return {
        "id": refund.id,
        "admin_graphql_api_id": refund.gid,
        "order_id": order.id,
        "created_at": timestamp(refund.created_at),
        "processed_at": timestamp(refund.created_at),
        "note": refund.note,
        "restock": any(item.restocked for item in refund.line_items),
        "user_id": None,  # made by an app, not a staff member
        "refund_line_items": [
            {
                "id": item.id,
                "line_item_id": item.line_item.id,
                "quantity": item.quantity,
                "restock_type": item.restock_type.lower(),
                "location_id": item.location_id,
                "subtotal": float(item.subtotal),
                "total_tax": float(item.total_tax),
                "subtotal_set": _money_set(item.subtotal, currency),
                "total_tax_set": _money_set(item.total_tax, currency),
                "line_item": line_item_payload(item.line_item, currency),
            }
            for item in refund.line_items
        ],
        "transactions": [transaction_payload(tx, order.id) for tx in refund.transactions],
        "order_adjustments": adjustments,
        "duties": [],
        "return": None,
    }


def hold_payload(hold: FulfillmentHold, requesting_app_id: int) -> dict[str, Any]:
    return {
        "id": hold.gid,
        "reason": hold.reason.lower(),
        "reason_notes": hold.reason_notes,
        "handle": hold.handle,
        "held_by_requesting_app": hold.app_id == requesting_app_id,
    }


def fulfillment_order_payload(fo: FulfillmentOrder, requesting_app_id: int) -> dict[str, Any]:
    """The thin fulfillment-order object the `fulfillment_orders/*` topics carry (gids, not numbers).

    ASSUMPTION: modelled on Shopify's published examples for these topics; they do not repeat the
    order, so a receiver reads `fulfillmentOrder(id) { order { id } }` when it needs it.
    """
    return {
        "id": fo.gid,
        "status": fo.status.lower(),
        "fulfillment_holds": [hold_payload(h, requesting_app_id) for h in fo.holds],
    }


def fulfillment_order_line_items_payload(items: list[tuple[int, int]]) -> list[dict[str, Any]]:
    return [{"id": gid("FulfillmentOrderLineItem", item_id), "quantity": qty} for item_id, qty in items]


def confirmation_number(order_id: int) -> str:
    """A stable 9-character code derived from the id (Shopify's are random, never reused)."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    value, out = order_id * 2654435761 % (32**9), []
    for _ in range(9):
        value, digit = divmod(value, 32)
        out.append(alphabet[digit])
    return "".join(out)
