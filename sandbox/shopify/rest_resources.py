"""REST-shaped bodies of the webhooks for returns, disputes, companies, draft orders and products.

Same conventions as `rest_payloads` (snake_case, numeric `id` + `admin_graphql_api_id`, two-decimal
amount strings, lowercase enums, offset timestamps). `dispute_payload` follows the
`disputes_create.json` sample in `specs/shopify/webhooks/` key for key. ASSUMPTION: the other shapes follow
Shopify's published webhook examples for their topics (no sample in `specs/`); receivers
should only rely on ids, status and the fields they then read back over GraphQL.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from sandbox.shopify.rest_payloads import (
    address_payload,
    amount,
    customer_payload,
    line_item_payload,
    money_set,
    tags_string,
    timestamp,
)
from sandbox.shopify.state import ShopState
from sandbox.shopify.state_aftersales import Dispute, Return
from sandbox.shopify.state_b2b import Company, CompanyAddress, CompanyContact, CompanyLocation, DraftOrder
from sandbox.shopify.state_catalog import Product


def _day(value: date | None) -> str | None:
    """Dispute dates are sent as midnight UTC timestamps, as in the sample."""
    if value is None:
        return None
    return timestamp(datetime.combine(value, time(0, 0), tzinfo=UTC))


def dispute_payload(dispute: Dispute) -> dict[str, Any]:
    return {
        "id": dispute.id,
        "order_id": dispute.order.id,
        "type": dispute.kind.lower(),
        "amount": amount(dispute.amount),
        "currency": dispute.currency,
        "reason": dispute.reason.lower(),
        "network_reason_code": dispute.network_reason_code,
        "status": dispute.status.lower(),
        "evidence_due_by": _day(dispute.evidence_due_by),
        "evidence_sent_on": _day(dispute.evidence_sent_on),
        "finalized_on": _day(dispute.finalized_on),
        "initiated_at": timestamp(dispute.initiated_at),
    }


def return_payload(ret: Return) -> dict[str, Any]:
    order = ret.order
    return {
        "id": ret.id,
        "admin_graphql_api_id": ret.gid,
        "name": ret.name,
        "status": ret.status.lower(),
        "order": {"id": order.id, "admin_graphql_api_id": order.gid},
        "total_return_line_items": ret.total_quantity,
        "return_line_items": [
            {
                "id": item.id,
                "admin_graphql_api_id": item.gid,
                "quantity": item.quantity,
                "return_reason": item.return_reason.lower(),
                "return_reason_note": "",
                "customer_note": item.customer_note,
                "fulfillment_line_item": {
                    "id": item.fulfillment_line_item.id,
                    "admin_graphql_api_id": item.fulfillment_line_item.gid,
                    "line_item": line_item_payload(item.fulfillment_line_item.line_item, order.currency),
                },
            }
            for item in ret.line_items
        ],
        "exchange_line_items": [],
        "decline": (
            {"reason": ret.decline_reason.lower(), "note": ret.decline_note} if ret.decline_reason is not None else None
        ),
    }


def company_payload(company: Company) -> dict[str, Any]:
    return {
        "admin_graphql_api_id": company.gid,
        "name": company.name,
        "note": company.note,
        "external_id": company.external_id,
        "main_contact_admin_graphql_api_id": company.main_contact.gid if company.main_contact else None,
        "created_at": timestamp(company.created_at),
        "updated_at": timestamp(company.updated_at),
        "customer_since": timestamp(company.customer_since),
    }


def _company_address(address: CompanyAddress | None) -> dict[str, Any] | None:
    if address is None:
        return None
    return {
        "admin_graphql_api_id": address.gid,
        "address1": address.address1,
        "address2": address.address2,
        "city": address.city,
        "zip": address.zip,
        "zone_code": address.zone_code,
        "country_code": address.country_code,
        "recipient": address.recipient,
        "first_name": address.first_name,
        "last_name": address.last_name,
        "phone": address.phone,
        "company_admin_graphql_api_id": None,
    }


def company_location_payload(location: CompanyLocation) -> dict[str, Any]:
    return {
        "admin_graphql_api_id": location.gid,
        "name": location.name,
        "external_id": location.external_id,
        "phone": location.phone,
        "locale": location.locale,
        "note": location.note,
        "tax_exemptions": [],
        "tax_registration": {"tax_id": location.tax_registration_id} if location.tax_registration_id else None,
        "buyer_experience_configuration": {
            "checkout_to_draft": location.checkout_to_draft,
            "editable_shipping_address": location.editable_shipping_address,
            "pay_now_only": True,
        },
        "billing_address": _company_address(location.billing_address),
        "shipping_address": _company_address(location.shipping_address),
        "company": company_payload(location.company),
        "created_at": timestamp(location.created_at),
        "updated_at": timestamp(location.updated_at),
    }


def company_contact_payload(contact: CompanyContact) -> dict[str, Any]:
    return {
        "admin_graphql_api_id": contact.gid,
        "customer_admin_graphql_api_id": contact.customer.gid,
        "title": contact.title,
        "locale": contact.locale,
        "company": company_payload(contact.company),
        "created_at": timestamp(contact.created_at),
        "updated_at": timestamp(contact.updated_at),
    }


def draft_order_payload(draft: DraftOrder, shop: ShopState) -> dict[str, Any]:
    currency = draft.currency
    company = draft.purchasing_company
    return {
        "id": draft.id,
        "admin_graphql_api_id": draft.gid,
        "name": draft.name,
        "status": draft.status.lower(),
        "email": draft.email,
        "note": draft.note,
        "tags": tags_string(draft.tags),
        "currency": currency,
        "taxes_included": False,
        "tax_exempt": draft.tax_exempt,
        "subtotal_price": amount(draft.subtotal),
        "total_tax": "0.00",
        "total_price": amount(draft.total_price),
        "total_price_set": money_set(draft.total_price, currency),
        "invoice_url": invoice_url(draft, shop),
        "invoice_sent_at": timestamp(draft.invoice_sent_at),
        "completed_at": timestamp(draft.completed_at),
        "order_id": draft.order_id,
        "source_name": draft.source_name,
        "po_number": draft.po_number,
        "created_at": timestamp(draft.created_at),
        "updated_at": timestamp(draft.updated_at),
        "customer": customer_payload(draft.customer),
        "company": {"id": company.company.id, "location_id": company.location.id} if company else None,
        "shipping_address": address_payload(draft.shipping_address),
        "billing_address": address_payload(draft.billing_address),
        "shipping_line": (
            {"title": draft.shipping_title, "price": amount(draft.shipping_price)} if draft.shipping_title else None
        ),
        "note_attributes": [{"name": k, "value": v} for k, v in draft.custom_attributes],
        "line_items": [
            {
                "id": li.id,
                "admin_graphql_api_id": li.gid,
                "variant_id": li.variant_id,
                "product_id": li.product_id,
                "title": li.title,
                "variant_title": li.variant_title,
                "name": li.name,
                "sku": li.sku,
                "vendor": li.vendor,
                "quantity": li.quantity,
                "price": amount(li.price),
                "applied_discount": (
                    {
                        "title": li.applied_discount.title,
                        "description": li.applied_discount.description,
                        "value": str(li.applied_discount.value),
                        "value_type": li.applied_discount.value_type.lower(),
                        "amount": amount(li.discount),
                    }
                    if li.applied_discount
                    else None
                ),
                "custom": li.custom,
                "requires_shipping": li.requires_shipping,
                "taxable": li.taxable,
            }
            for li in draft.line_items
        ],
    }


def invoice_url(draft: DraftOrder, shop: ShopState) -> str:
    return f"https://{shop.domain}/invoices/{draft.invoice_token}"


def product_payload(product: Product) -> dict[str, Any]:
    return {
        "id": product.id,
        "admin_graphql_api_id": product.gid,
        "title": product.title,
        "body_html": product.description_html,
        "vendor": product.vendor,
        "product_type": product.product_type,
        "handle": product.handle,
        "status": product.status.lower(),
        "tags": tags_string(product.tags),
        "published_at": timestamp(product.published_at),
        "published_scope": "global",
        "template_suffix": None,
        "created_at": timestamp(product.created_at),
        "updated_at": timestamp(product.updated_at),
        "variants": [
            {
                "id": v.id,
                "admin_graphql_api_id": v.gid,
                "product_id": product.id,
                "title": v.title,
                "price": amount(v.price),
                "compare_at_price": amount(v.compare_at_price) if v.compare_at_price is not None else None,
                "sku": v.sku,
                "position": v.position,
                "inventory_quantity": v.inventory_quantity,
                "taxable": v.taxable,
                "barcode": v.barcode,
            }
            for v in product.variants
        ],
        "options": [],
        "images": [],
        "image": None,
    }
