"""REST-shaped resources, the form Shopify serialises webhook bodies in.

Webhook payloads are not GraphQL: they are the (legacy) REST resource - snake_case keys, numeric
`id` plus `admin_graphql_api_id`, amounts as two-decimal strings, tags as one comma-separated
string, lowercase enum values. The shape follows the sample `orders_create.json` in the shared
specs. Everything that serialises an order for a webhook or the admin endpoints goes through
`order_payload`, so the two never disagree.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

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
    money,
)

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
        "fulfillable_quantity": item.current_quantity,
        "fulfillment_status": None,
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
        "fulfillment_status": None,
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
        "company": None,
        "billing_address": address_payload(order.billing_address),
        "shipping_address": address_payload(order.shipping_address),
        "line_items": [line_item_payload(li, currency) for li in order.line_items],
        "shipping_lines": [_shipping_line_payload(s, currency) for s in order.shipping_lines],
        "tax_lines": _tax_lines(order.tax_lines, currency),
        "discount_codes": [{"code": d.code, "amount": amount(d.amount), "type": d.kind} for d in order.discount_codes],
        "fulfillments": [],
        "refunds": [],
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
