"""JSON of simulated entities, shaped like the 2.4.9 schema's `*-interface` objects."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sandbox.adobe_commerce.state import (
    ZERO,
    CartPriceRuleState,
    CartState,
    CategoryState,
    CompanyState,
    CreditHistoryState,
    CreditMemoState,
    CreditState,
    DocumentItem,
    InvoiceState,
    OrderAddressState,
    OrderState,
    ProductState,
    QuoteAddressState,
    QuoteCommentState,
    RmaState,
    StatusHistoryState,
)

JSON = dict[str, Any]


def money(value: Decimal) -> float:
    return float(round(value, 4))


def history_json(h: StatusHistoryState) -> JSON:
    return {
        "entity_id": h.entity_id,
        "parent_id": h.parent_id,
        "comment": h.comment,
        "created_at": h.created_at,
        "entity_name": "order",
        "is_customer_notified": h.is_customer_notified,
        "is_visible_on_front": h.is_visible_on_front,
        "status": h.status,
    }


def order_json(o: OrderState) -> JSON:
    return {
        "entity_id": o.entity_id,
        "increment_id": o.increment_id,
        "state": o.state,
        "status": o.status,
        "hold_before_state": o.hold_before_state,
        "hold_before_status": o.hold_before_status,
        "customer_id": o.customer_id,
        "customer_email": o.customer_email,
        "customer_firstname": o.customer_firstname,
        "customer_lastname": o.customer_lastname,
        "customer_group_id": o.customer_group_id,
        "customer_is_guest": 1 if o.customer_id is None else 0,
        "store_id": o.store_id,
        "order_currency_code": o.currency,
        "base_currency_code": o.currency,
        "subtotal": money(o.subtotal),
        "base_subtotal": money(o.subtotal),
        "shipping_amount": money(o.shipping_amount),
        # Magento stores the discount negative; the shipping part is also on its own.
        "discount_amount": money(-o.discount_amount),
        "base_discount_amount": money(-o.discount_amount),
        "shipping_discount_amount": money(o.shipping_discount_amount),
        **({"coupon_code": o.coupon_code, "discount_description": o.coupon_code} if o.coupon_code else {}),
        "applied_rule_ids": o.applied_rule_ids,
        **({"quote_id": o.quote_id} if o.quote_id is not None else {}),
        "shipping_description": o.shipping_method,
        "tax_amount": 0.0,
        "grand_total": money(o.grand_total),
        "base_grand_total": money(o.grand_total),
        "total_paid": money(o.total_paid),
        "total_invoiced": money(o.total_invoiced),
        "total_refunded": money(o.total_refunded),
        "total_canceled": money(o.total_canceled),
        "total_qty_ordered": money(sum((i.qty_ordered for i in o.items), ZERO)),
        "ext_order_id": o.ext_order_id,
        "created_at": o.created_at,
        "updated_at": o.updated_at,
        "items": [
            {
                "item_id": i.item_id,
                "order_id": o.entity_id,
                "sku": i.sku,
                "name": i.name,
                "product_type": i.product_type,
                "price": money(i.price),
                "base_price": money(i.price),
                "row_total": money(i.row_total),
                "discount_amount": money(i.discount_amount),
                "discount_percent": money(i.discount_percent),
                "qty_ordered": money(i.qty_ordered),
                "qty_invoiced": money(i.qty_invoiced),
                "qty_refunded": money(i.qty_refunded),
                "qty_canceled": money(i.qty_canceled),
                "qty_shipped": money(i.qty_shipped),
                # Magento leaves it unset (null) unless the checkout backordered units.
                **({"qty_backordered": money(i.qty_backordered)} if i.qty_backordered > 0 else {}),
                "store_id": o.store_id,
            }
            for i in o.items
        ],
        "status_histories": [history_json(h) for h in reversed(o.histories)],  # newest first, as Magento
        **({"billing_address": address_json(o, o.billing_address)} if o.billing_address else {}),
        "payment": {
            "method": o.payment_method,
            "account_status": None,
            "additional_information": [],
            "cc_last4": None,
            "amount_ordered": money(o.grand_total),
            "amount_paid": money(o.total_paid),
            "amount_refunded": money(o.total_refunded),
            "parent_id": o.entity_id,
        },
        "extension_attributes": _order_extension(o),
    }


def address_json(o: OrderState, a: OrderAddressState) -> JSON:
    return {
        "address_type": a.address_type,
        "parent_id": o.entity_id,
        "firstname": a.firstname,
        "lastname": a.lastname,
        "street": list(a.street),
        "city": a.city,
        "postcode": a.postcode,
        "country_id": a.country_id,
        "telephone": a.telephone,
        "email": a.email or o.customer_email,
        **({"region": a.region} if a.region else {}),
    }


def _order_extension(o: OrderState) -> JSON:
    """Shipping address under `shipping_assignments` (as Magento's REST answer has it) and, for a
    B2B buyer, `company_order_attributes`."""
    extension: JSON = {}
    if o.shipping_address is not None:
        extension["shipping_assignments"] = [
            {
                "shipping": {
                    "address": address_json(o, o.shipping_address),
                    "method": o.shipping_method,
                    "total": {"shipping_amount": money(o.shipping_amount)},
                },
                "items": [{"item_id": i.item_id, "sku": i.sku, "qty_ordered": money(i.qty_ordered)} for i in o.items],
            }
        ]
    if o.company_id is not None:
        extension["company_order_attributes"] = {
            "order_id": o.entity_id,
            "company_id": o.company_id,
            "company_name": o.company_name or "",
        }
    return extension


def _document_items(items: list[DocumentItem]) -> list[JSON]:
    return [
        {
            "entity_id": i.entity_id,
            "order_item_id": i.order_item_id,
            "sku": i.sku,
            "name": i.name,
            "price": money(i.price),
            "base_price": money(i.price),
            "row_total": money(i.row_total),
            "qty": money(i.qty),
        }
        for i in items
    ]


def invoice_json(inv: InvoiceState) -> JSON:
    return {
        "entity_id": inv.entity_id,
        "increment_id": inv.increment_id,
        "order_id": inv.order_id,
        "state": inv.state,
        "subtotal": money(inv.subtotal),
        "shipping_amount": money(inv.shipping_amount),
        "grand_total": money(inv.grand_total),
        "base_grand_total": money(inv.grand_total),
        "base_total_refunded": money(inv.refunded),
        "total_qty": money(sum((i.qty for i in inv.items), ZERO)),
        "created_at": inv.created_at,
        "items": _document_items(inv.items),
        "comments": [],
    }


def credit_memo_json(cm: CreditMemoState) -> JSON:
    return {
        "entity_id": cm.entity_id,
        "increment_id": cm.increment_id,
        "order_id": cm.order_id,
        "invoice_id": cm.invoice_id,
        "state": cm.state,
        "subtotal": money(cm.subtotal),
        "shipping_amount": money(cm.shipping_amount),
        "adjustment_positive": money(cm.adjustment_positive),
        "adjustment_negative": money(cm.adjustment_negative),
        "grand_total": money(cm.grand_total),
        "base_grand_total": money(cm.grand_total),
        "created_at": cm.created_at,
        "items": _document_items(cm.items),
        "comments": cm.comments,
    }


def rma_json(r: RmaState) -> JSON:
    return {
        "entity_id": r.entity_id,
        "increment_id": r.increment_id,
        "order_id": r.order_id,
        "order_increment_id": r.order_increment_id,
        "store_id": r.store_id,
        "customer_id": r.customer_id,
        "date_requested": r.date_requested,
        "customer_custom_email": r.customer_custom_email,
        "status": r.status,
        "items": [
            {
                "entity_id": i.entity_id,
                "rma_entity_id": r.entity_id,
                "order_item_id": i.order_item_id,
                "qty_requested": i.qty_requested,
                "qty_authorized": i.qty_authorized,
                "qty_approved": i.qty_approved,
                "qty_returned": i.qty_returned,
                "reason": i.reason,
                "condition": i.condition,
                "resolution": i.resolution,
                "status": i.status,
            }
            for i in r.items
        ],
        "comments": r.comments,
        "tracks": r.tracks,
    }


def company_json(c: CompanyState) -> JSON:
    return {
        "id": c.id,
        "status": c.status,
        "company_name": c.company_name,
        "legal_name": c.legal_name,
        "company_email": c.company_email,
        "vat_tax_id": c.vat_tax_id,
        "reseller_id": c.reseller_id,
        "comment": c.comment,
        "street": c.street,
        "city": c.city,
        "country_id": c.country_id,
        "region": c.region,
        "region_id": c.region_id,
        "postcode": c.postcode,
        "telephone": c.telephone,
        "customer_group_id": c.customer_group_id,
        "sales_representative_id": c.sales_representative_id,
        "reject_reason": c.reject_reason,
        "rejected_at": c.rejected_at,
        "super_user_id": c.super_user_id,
        "extension_attributes": {"applicable_payment_method": 0, "use_config_settings": 1},
    }


def credit_json(c: CreditState) -> JSON:
    return {
        "id": c.id,
        "company_id": c.company_id,
        "credit_limit": money(c.credit_limit),
        "balance": money(c.balance),
        "currency_code": c.currency_code,
        "exceed_limit": c.exceed_limit,
        "available_limit": money(c.available_limit),
    }


def credit_history_json(h: CreditHistoryState) -> JSON:
    return {
        "id": h.id,
        "company_credit_id": h.company_credit_id,
        "type": h.type,
        "amount": money(h.amount),
        "balance": money(h.balance),
        "credit_limit": money(h.credit_limit),
        "available_limit": money(h.available_limit),
        "currency_credit": h.currency_credit,
        "currency_operation": h.currency_operation,
        "rate": 1.0,
        "rate_credit": 1.0,
        "comment": h.comment,
        "datetime": h.datetime,
    }


def cart_json(c: CartState, currency: str = "") -> JSON:
    extension: JSON = {"company_id": c.company_id} if c.company_id is not None else {}
    n = c.negotiable
    if n is not None:
        negotiated = _negotiated_total(c)
        extension["negotiable_quote"] = {
            "quote_id": c.id,
            "is_regular_quote": True,
            "status": n.status,
            "negotiated_price_type": n.negotiated_price_type or 0,
            "negotiated_price_value": money(n.negotiated_price_value or ZERO),
            "shipping_price": money(n.shipping_price),
            "quote_name": n.quote_name,
            "expiration_period": n.expiration_period,
            "email_notification_status": 0,
            "has_unconfirmed_changes": False,
            "is_shipping_tax_changed": False,
            "is_customer_price_changed": False,
            "notifications": 0,
            "applied_rule_ids": "",
            "is_address_draft": False,
            "deleted_sku": "",
            "creator_id": n.creator_id,
            "creator_type": 3,
            "original_total_price": money(c.original_total),
            "base_original_total_price": money(c.original_total),
            "negotiated_total_price": money(negotiated),
            "base_negotiated_total_price": money(negotiated),
        }
    return {
        "id": c.id,
        "created_at": c.created_at,
        "updated_at": c.updated_at,
        "is_active": c.is_active and c.negotiable is None,
        "is_virtual": False,
        "customer_is_guest": c.customer_id == 0,
        "reserved_order_id": str(c.reserved_order_id or ""),
        **({"billing_address": quote_address_json(c.billing_address)} if c.billing_address else {}),
        "items": [
            {
                "item_id": i.item_id,
                "sku": i.sku,
                "qty": money(i.qty),
                "name": i.name,
                "price": money(i.price),
                "product_type": "simple",
                "quote_id": str(c.id),
            }
            for i in c.items
        ],
        "items_count": len(c.items),
        "items_qty": money(sum((i.qty for i in c.items), ZERO)),
        "customer": {
            "id": c.customer_id,
            "email": c.customer_email,
            "firstname": c.customer_firstname,
            "lastname": c.customer_lastname,
            "store_id": c.store_id,
            "website_id": 1,
        },
        "store_id": c.store_id,
        **({"currency": {"quote_currency_code": currency, "base_currency_code": currency}} if currency else {}),
        "extension_attributes": extension,
    }


def quote_address_json(a: QuoteAddressState) -> JSON:
    return {
        "address_type": a.address_type,
        "firstname": a.firstname,
        "lastname": a.lastname,
        "street": list(a.street),
        "city": a.city,
        "postcode": a.postcode,
        "country_id": a.country_id,
        "region": a.region,
        "region_id": a.region_id,
        "region_code": a.region_code,
        "telephone": a.telephone,
        "email": a.email,
    }


def _negotiated_total(c: CartState) -> Decimal:
    n = c.negotiable
    total = c.original_total
    if n is None or n.negotiated_price_type is None or n.negotiated_price_value is None:
        return total
    if n.negotiated_price_type == 1:  # percentage discount
        return total * (Decimal(100) - n.negotiated_price_value) / Decimal(100)
    if n.negotiated_price_type == 2:  # amount discount
        return max(total - n.negotiated_price_value, ZERO)
    return n.negotiated_price_value  # 3: proposed total


def quote_comment_json(c: QuoteCommentState) -> JSON:
    return {
        "entity_id": c.entity_id,
        "parent_id": c.parent_id,
        "creator_type": c.creator_type,
        "is_decline": c.is_decline,
        "is_draft": c.is_draft,
        "creator_id": c.creator_id,
        "comment": c.comment,
        "created_at": c.created_at,
        "attachments": [],
    }


def product_json(p: ProductState) -> JSON:
    return {
        "id": p.id,
        "sku": p.sku,
        "name": p.name,
        "attribute_set_id": p.attribute_set_id,
        "price": money(p.price),
        "status": p.status,
        "visibility": p.visibility,
        "type_id": p.type_id,
        "created_at": p.created_at,
        "updated_at": p.updated_at,
        **({"weight": money(p.weight)} if p.weight is not None else {}),
        "extension_attributes": {
            "website_ids": [1],
            **(
                {"category_links": [{"position": 0, "category_id": str(c)} for c in p.category_ids]}
                if p.category_ids
                else {}
            ),
        },
        "product_links": [],
        "options": [],
        "media_gallery_entries": [],
        "tier_prices": [],
        "custom_attributes": [{"attribute_code": k, "value": v} for k, v in p.custom_attributes.items()],
    }


def category_json(c: CategoryState, children: list[int]) -> JSON:
    """`GET /V1/categories/{categoryId}` (`catalog-data-category-interface`)."""
    return {
        "id": c.id,
        "parent_id": c.parent_id,
        "name": c.name,
        "is_active": c.is_active,
        "position": c.position,
        "level": c.level,
        "children": ",".join(str(i) for i in children),
        "created_at": c.created_at,
        "updated_at": c.updated_at,
        "path": c.path,
        "available_sort_by": [],
        "include_in_menu": c.include_in_menu,
        "custom_attributes": [],
    }


def rule_json(r: CartPriceRuleState) -> JSON:
    """A cart price rule as the sandbox admin shows it (a subset of `sales-rule-data-rule-interface`)."""
    return {
        "rule_id": r.rule_id,
        "name": r.name,
        "is_active": r.is_active,
        "coupon_type": "SPECIFIC_COUPON",
        "coupon_code": r.coupon_code,
        "simple_action": "by_percent",
        "discount_amount": money(r.discount_percent),
        "apply_to_shipping": r.apply_to_shipping,
    }
