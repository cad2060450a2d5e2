"""JSON of the simulated resources, in each API's conventions.

v2 writes money as strings with four decimals (`"12.3400"`) and dates in RFC 2822
(`Tue, 05 Mar 2019 21:36:59 +0000`); v3 writes numbers and ISO 8601; B2B Edition writes camelCase,
unix timestamps and (for companies) the status as a string. Field names and types follow the
response schemas of the official specs.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from email.utils import format_datetime
from typing import Any

from sandbox.bigcommerce.state import (
    BrandState,
    CompanyState,
    CompanyUserState,
    CustomerGroupState,
    CustomerState,
    HookState,
    MetafieldState,
    OrderProductState,
    OrderState,
    PriceListState,
    PriceRecordState,
    ProductState,
    RefundState,
    RfqState,
    ShipmentState,
    ShippingAddressState,
    StoreState,
)


def v2_money(value: Decimal) -> str:
    return f"{value:.4f}"


def v2_date(value: datetime | None) -> str:
    return format_datetime(value) if value is not None else ""


def v3_money(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def v3_date(value: datetime) -> str:
    return value.isoformat()


def _resource(base: str, path: str) -> dict[str, str]:
    return {"url": f"{base}{path}", "resource": path}


def order_v2(order: OrderState, api_base: str) -> dict[str, Any]:
    """`GET /v2/orders/{id}`; `api_base` is the store's `.../v2` URL for sub-resource links."""
    zero = v2_money(Decimal(0))
    return {
        "id": order.id,
        "customer_id": order.customer_id,
        "date_created": v2_date(order.date_created),
        "date_modified": v2_date(order.date_modified),
        "date_shipped": v2_date(order.date_shipped),
        "status_id": order.status_id,
        "status": order.status,
        "subtotal_ex_tax": v2_money(order.subtotal_ex_tax),
        "subtotal_inc_tax": v2_money(order.subtotal_inc_tax),
        "subtotal_tax": v2_money(order.subtotal_inc_tax - order.subtotal_ex_tax),
        "base_shipping_cost": v2_money(order.shipping_ex_tax),
        "shipping_cost_ex_tax": v2_money(order.shipping_ex_tax),
        "shipping_cost_inc_tax": v2_money(order.shipping_inc_tax),
        "shipping_cost_tax": v2_money(order.shipping_inc_tax - order.shipping_ex_tax),
        "base_handling_cost": zero,
        "handling_cost_ex_tax": zero,
        "handling_cost_inc_tax": zero,
        "handling_cost_tax": zero,
        "base_wrapping_cost": zero,
        "wrapping_cost_ex_tax": zero,
        "wrapping_cost_inc_tax": zero,
        "wrapping_cost_tax": zero,
        "total_ex_tax": v2_money(order.total_ex_tax),
        "total_inc_tax": v2_money(order.total_inc_tax),
        "total_tax": v2_money(order.total_inc_tax - order.total_ex_tax),
        "items_total": order.items_total,
        "items_shipped": order.items_shipped,
        "payment_method": order.payment_method,
        "payment_provider_id": order.payment_provider_id,
        "payment_status": order.payment_status,
        "refunded_amount": v2_money(order.refunded_amount),
        "order_is_digital": False,
        "store_credit_amount": zero,
        "gift_certificate_amount": zero,
        "ip_address": order.ip_address,
        "ip_address_v6": "",
        "geoip_country": "",
        "geoip_country_iso2": "",
        "currency_id": 1,
        "currency_code": order.currency_code,
        "currency_exchange_rate": "1.0000000000",
        "default_currency_id": 1,
        "default_currency_code": order.currency_code,
        "store_default_currency_code": order.currency_code,
        "store_default_to_transactional_exchange_rate": "1.0000000000",
        "staff_notes": order.staff_notes,
        "customer_message": order.customer_message,
        "discount_amount": zero,
        "coupon_discount": zero,
        "shipping_address_count": len(order.addresses),
        "is_deleted": order.is_deleted,
        "ebay_order_id": "0",
        "cart_id": "",
        "billing_address": vars(order.billing) | {"form_fields": []},
        "is_email_opt_in": False,
        "order_source": order.order_source,
        "channel_id": order.channel_id,
        "external_source": order.external_source or None,
        "external_id": None,
        "external_order_id": order.external_order_id,
        "external_merchant_id": None,
        "tax_provider_id": "BasicTaxProvider",
        "customer_locale": "en",
        "products": _resource(api_base, f"/orders/{order.id}/products"),
        "shipping_addresses": _resource(api_base, f"/orders/{order.id}/shipping_addresses"),
        "coupons": _resource(api_base, f"/orders/{order.id}/coupons"),
    }


def order_product_v2(product: OrderProductState) -> dict[str, Any]:
    tax = product.price_inc_tax - product.price_ex_tax
    return {
        "id": product.id,
        "order_id": product.order_id,
        "product_id": product.product_id,
        "variant_id": product.variant_id or 0,
        "order_address_id": product.order_address_id,
        "name": product.name,
        "name_customer": product.name,
        "name_merchant": product.name,
        "sku": product.sku,
        "type": "physical",
        "base_price": v2_money(product.price_ex_tax),
        "price_ex_tax": v2_money(product.price_ex_tax),
        "price_inc_tax": v2_money(product.price_inc_tax),
        "price_tax": v2_money(tax),
        "base_total": v2_money(product.total_ex_tax),
        "total_ex_tax": v2_money(product.total_ex_tax),
        "total_inc_tax": v2_money(product.total_inc_tax),
        "total_tax": v2_money(tax * product.quantity),
        "quantity": product.quantity,
        "quantity_shipped": product.quantity_shipped,
        "quantity_refunded": product.quantity_refunded,
        # A line removed by an order edit (quantity 0) was not refunded.
        "is_refunded": 0 < product.quantity <= product.quantity_refunded,
        "refund_amount": v2_money(product.refund_amount),
        "return_id": 0,
        "is_bundled_product": False,
        "applied_discounts": [],
        "product_options": [],
        "configurable_fields": [],
    }


def shipping_address_v2(address: ShippingAddressState, order: OrderState, api_base: str) -> dict[str, Any]:
    items = [p for p in order.products if p.order_address_id == address.id]
    return vars(address.address) | {
        "id": address.id,
        "order_id": address.order_id,
        "items_total": sum(p.quantity for p in items),
        "items_shipped": sum(p.quantity_shipped for p in items),
        "shipping_method": address.shipping_method,
        "base_cost": v2_money(address.cost_ex_tax),
        "cost_ex_tax": v2_money(address.cost_ex_tax),
        "cost_inc_tax": v2_money(address.cost_inc_tax),
        "cost_tax": v2_money(address.cost_inc_tax - address.cost_ex_tax),
        "cost_tax_class_id": 2,
        "base_handling_cost": v2_money(Decimal(0)),
        "handling_cost_ex_tax": v2_money(Decimal(0)),
        "handling_cost_inc_tax": v2_money(Decimal(0)),
        "handling_cost_tax": v2_money(Decimal(0)),
        "handling_cost_tax_class_id": 2,
        "shipping_zone_id": 1,
        "shipping_zone_name": "United States",
        "form_fields": [],
        "shipping_quotes": _resource(api_base, f"/orders/{order.id}/shipping_addresses/{address.id}/shipping_quotes"),
    }


def shipment_v2(shipment: ShipmentState, order: OrderState) -> dict[str, Any]:
    address = order.address(shipment.order_address_id)
    return {
        "id": shipment.id,
        "order_id": shipment.order_id,
        "customer_id": shipment.customer_id,
        "order_address_id": shipment.order_address_id,
        "date_created": v2_date(shipment.date_created),
        "tracking_number": shipment.tracking_number,
        "merchant_shipping_cost": v2_money(Decimal(0)),
        "shipping_method": address.shipping_method if address else "",
        "shipping_provider": shipment.shipping_provider,
        "tracking_carrier": shipment.tracking_carrier,
        "tracking_link": "",
        "generated_tracking_link": "",
        "comments": shipment.comments,
        "billing_address": vars(order.billing),
        "shipping_address": vars(address.address) if address else {},
        "items": [{"order_product_id": i, "product_id": p, "quantity": q} for i, p, q in shipment.items],
    }


# -- v3 ---------------------------------------------------------------------------------------------


def refund_v3(refund: RefundState) -> dict[str, Any]:
    return {
        "id": refund.id,
        "order_id": refund.order_id,
        "user_id": 0,
        "created": v3_date(refund.created),
        "reason": refund.reason or "",
        "total_amount": v3_money(refund.total_amount),
        "total_tax": 0.0,
        "uses_merchant_override_values": False,
        "items": [
            {
                "item_type": item.item_type,
                "item_id": item.item_id,
                "quantity": item.quantity,
                "requested_amount": v3_money(item.amount),
                "reason": item.reason or "",
            }
            for item in refund.items
        ],
        "payments": [
            {
                "id": p.id,
                "provider_id": p.provider_id,
                "amount": v3_money(p.amount),
                "offline": p.offline,
                "is_declined": False,
                "declined_message": "",
            }
            for p in refund.payments
        ],
    }


def quote_v3(order_id: int, total: Decimal, methods: list[list[dict[str, Any]]]) -> dict[str, Any]:
    return {
        "order_id": order_id,
        "total_refund_amount": v3_money(total),
        "total_refund_tax_amount": 0.0,
        "rounding": 0.0,
        "adjustment": 0.0,
        "tax_inclusive": True,
        "refund_methods": [[option | {"amount": v3_money(option["amount"])} for option in m] for m in methods],
    }


def metafield_v3(metafield: MetafieldState, client_id: str) -> dict[str, Any]:
    return {
        "id": metafield.id,
        "namespace": metafield.namespace,
        "key": metafield.key,
        "value": metafield.value,
        "permission_set": metafield.permission_set,
        "description": metafield.description,
        "resource_type": "order",
        "resource_id": metafield.resource_id,
        "date_created": v3_date(metafield.date_created),
        "date_modified": v3_date(metafield.date_modified),
        "owner_client_id": client_id,
    }


def product_v3(product: ProductState) -> dict[str, Any]:
    return product.extra | {
        "id": product.id,
        "name": product.name,
        "type": product.type,
        "sku": product.sku,
        "description": product.description,
        "price": v3_money(product.price),
        "sale_price": v3_money(product.sale_price),
        "calculated_price": v3_money(product.sale_price or product.price),
        "is_visible": product.is_visible,
        "is_featured": product.is_featured,
        "availability": product.availability,
        "availability_description": product.availability_description,
        "inventory_level": product.inventory_level,
        "categories": list(product.categories),
        "brand_id": product.brand_id,
        "base_variant_id": product.base_variant_id,
        "date_created": v3_date(product.date_created),
        "date_modified": v3_date(product.date_modified),
    }


def brand_v3(brand: BrandState) -> dict[str, Any]:
    # ASSUMPTION: the storefront URL BigCommerce gives a brand it was not given one for is
    # `/brands/<Name-With-Dashes>.html`, as the spec's example shows.
    return {
        "id": brand.id,
        "name": brand.name,
        "page_title": brand.page_title,
        "meta_keywords": list(brand.meta_keywords),
        "meta_description": brand.meta_description,
        "search_keywords": brand.search_keywords,
        "image_url": "",
        "custom_url": {"url": f"/brands/{'-'.join(brand.name.split())}.html", "is_customized": False},
    }


def customer_v3(customer: CustomerState) -> dict[str, Any]:
    return {
        "id": customer.id,
        "email": customer.email,
        "first_name": customer.first_name,
        "last_name": customer.last_name,
        "company": customer.company,
        "phone": customer.phone,
        "notes": customer.notes,
        "customer_group_id": customer.customer_group_id,
        "registration_ip_address": "",
        "tax_exempt_category": "",
        "date_created": v3_date(customer.date_created),
        "date_modified": v3_date(customer.date_modified),
        "address_count": 0,
        "attribute_count": 0,
        "authentication": {"force_password_reset": False},
        "accepts_product_review_abandoned_cart_emails": customer.accepts_product_review_abandoned_cart_emails,
        "origin_channel_id": 1,
        "channel_ids": None,
    }


def customer_group_v2(group: CustomerGroupState) -> dict[str, Any]:
    return {
        "id": group.id,
        "name": group.name,
        "is_default": group.is_default,
        "is_group_for_guests": group.is_group_for_guests,
        "category_access": group.category_access,
        "discount_rules": group.discount_rules,
        "date_created": v2_date(group.date_created),
        "date_modified": v2_date(group.date_modified),
    }


def price_list_v3(price_list: PriceListState) -> dict[str, Any]:
    return {
        "id": price_list.id,
        "name": price_list.name,
        "active": price_list.active,
        "date_created": v3_date(price_list.date_created),
        "date_modified": v3_date(price_list.date_modified),
    }


def price_record_v3(record: PriceRecordState) -> dict[str, Any]:
    calculated = record.sale_price if record.sale_price is not None else record.price
    return {
        "price_list_id": record.price_list_id,
        "variant_id": record.variant_id,
        "product_id": record.product_id,
        "sku": record.sku,
        "currency": record.currency,
        "price": v3_money(record.price),
        "sale_price": v3_money(record.sale_price),
        "retail_price": v3_money(record.retail_price),
        "map_price": v3_money(record.map_price),
        "calculated_price": v3_money(calculated),
        "date_created": v3_date(record.date_created),
        "date_modified": v3_date(record.date_modified),
    }


def hook_v3(hook: HookState, store: StoreState) -> dict[str, Any]:
    return {
        "id": hook.id,
        "client_id": store.config.client_id,
        "store_hash": store.config.store_hash,
        "scope": hook.scope,
        "destination": hook.destination,
        "headers": hook.headers or None,
        "is_active": hook.is_active,
        "created_at": hook.created_at,
        "updated_at": hook.updated_at,
    }


def v3_collection(items: list[dict[str, Any]], page: int, limit: int, total: int) -> dict[str, Any]:
    total_pages = max((total + limit - 1) // limit, 1)
    links: dict[str, str] = {"current": f"?page={page}&limit={limit}"}
    if page > 1:
        links["previous"] = f"?page={page - 1}&limit={limit}"
    if page < total_pages:
        links["next"] = f"?page={page + 1}&limit={limit}"
    return {
        "data": items,
        "meta": {
            "pagination": {
                "total": total,
                "count": len(items),
                "per_page": limit,
                "current_page": page,
                "total_pages": total_pages,
                "links": links,
            }
        },
    }


# -- B2B Edition ------------------------------------------------------------------------------------


def company_b2b(company: CompanyState, *, group_id_as_string: bool) -> dict[str, Any]:
    group: object = company.bc_group_id
    if group_id_as_string:
        group = str(company.bc_group_id) if company.bc_group_id is not None else ""
    return {
        "companyId": company.id,
        "companyName": company.name,
        "companyEmail": company.email,
        "companyPhone": company.phone,
        "companyStatus": str(company.status),
        "bcGroupId": group,
        "bcGroupName": company.bc_group_name,
        "catalogId": "",
        "catalogName": "",
        "parentCompany": {"id": 0, "name": ""},
        "priceListAssign": [],
        "extraFields": [],
        "createdAt": str(company.created_at),
        "updatedAt": str(company.updated_at),
    }


def credit_b2b(company: CompanyState) -> dict[str, Any]:
    credit = company.credit
    return {
        "creditEnabled": credit.enabled,
        "creditCurrency": credit.currency,
        "availableCredit": float(credit.available),
        "limitPurchases": credit.limit_purchases,
        "creditHold": credit.hold,
    }


def rfq_summary_b2b(rfq: RfqState) -> dict[str, Any]:
    return {
        "quoteId": rfq.id,
        "quoteNumber": rfq.quote_number,
        "quoteTitle": rfq.title,
        "referenceNumber": "",
        "status": rfq.status,
        "company": rfq.company_name,
        "salesRep": rfq.sales_rep,
        "createdBy": rfq.sales_rep,
        "bcOrderId": rfq.bc_order_id,
        "orderId": rfq.bc_order_id,
        "channelId": 1,
        "channelName": "Default",
        "subtotal": float(rfq.subtotal),
        "createdAt": rfq.created_at,
        "updatedAt": rfq.updated_at,
        "expiredAt": rfq.expired_at,
        "currency": {"token": "$", "location": "left", "currencyCode": rfq.currency_code, "decimalPlaces": 2},
        "extraFields": [],
    }


def rfq_detail_b2b(rfq: RfqState) -> dict[str, Any]:
    summary = rfq_summary_b2b(rfq)
    summary.pop("quoteId")
    return summary | {
        "notes": rfq.notes,
        "discount": float(rfq.discount),
        "grandTotal": float(rfq.grand_total),
        "legalTerms": "",
        "displayDiscount": False,
        "allowCheckout": rfq.status in (0, 2, 3),
        "productList": rfq.lines,
        "discountType": 0,
        "discountValue": float(rfq.discount),
        "shippingTotal": 0.0,
        "taxTotal": 0.0,
        "totalAmount": float(rfq.grand_total),
    }


def order_b2b(order: OrderState, company_id: int) -> dict[str, Any]:
    """An order as B2B Edition's `GET /orders` lists it (`orderData_ALL`, with `showExtra` fields).

    ASSUMPTION: the B2B Edition order id is not the BigCommerce one; the sandbox derives it from
    the BigCommerce id (offset), and leaves PO number, cart and extra fields empty."""
    created, updated = int(order.date_created.timestamp()), int(order.date_modified.timestamp())
    return {
        "id": order.id + B2B_ORDER_ID_OFFSET,
        "bcOrderId": order.id,
        "totalIncTax": v3_money(order.total_inc_tax),
        "poNumber": "",
        "status": order.status,
        "customStatus": order.status,
        "cartId": "",
        "items": order.items_total,
        "usdIncTax": v3_money(order.total_inc_tax),  # ASSUMPTION: the sandbox's stores sell in USD
        "companyId": company_id,
        "currencyCode": order.currency_code,
        "money": [
            {
                "currencyLocation": "left",
                "currencyToken": "$",
                "decimalToken": ".",
                "decimalPlaces": 2,
                "thousandsToken": ",",
            }
        ],
        "statusCode": order.status_id,
        "isArchived": order.is_deleted,
        "channelId": order.channel_id,
        "channelName": "",
        "extraInfo": [],
        "extraFields": [],
        "createdAt": created,
        "updatedAt": updated,
    }


B2B_ORDER_ID_OFFSET = 500_000


def user_b2b(user: CompanyUserState, customer: CustomerState) -> dict[str, Any]:
    """A company user as B2B Edition's `GET /users` lists it (`userResponse`); name, e-mail and phone
    are the storefront customer's."""
    return {
        "id": user.id,
        "firstName": customer.first_name,
        "lastName": customer.last_name,
        "email": customer.email,
        "phoneNumber": customer.phone,
        "role": user.role,
        "companyId": user.company_id,
        "uuid": "",
        "extraFields": [],
        "createdAt": user.created_at,
        "updatedAt": user.created_at,
        "customerId": customer.id,
        "companyRoleName": {0: "Admin", 1: "Senior Buyer", 2: "Junior Buyer"}[user.role],
        "channelList": [],
    }
