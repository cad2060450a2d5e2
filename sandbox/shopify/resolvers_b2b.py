"""GraphQL resolvers for companies (locations, contacts) and draft orders.

Registered into `resolvers`' table on import (the executor imports this module).
"""

from __future__ import annotations

from typing import Any

from sandbox.shopify.gid import parse_gid
from sandbox.shopify.resolvers import (
    NODE_LOOKUPS,
    Info,
    _ctx,
    _money_field,
    _mutation,
    _plain,
    _register,
    _user_errors,
    connection,
    money_bag,
    money_v2,
    record_search,
)
from sandbox.shopify.rest_payloads import country_name
from sandbox.shopify.rest_resources import invoice_url
from sandbox.shopify.search import _text_match
from sandbox.shopify.search_terms import FieldMatcher, any_text, number, parse_search, text
from sandbox.shopify.state import ZERO, LineItem, ManualLineDiscount, Order, ShippingLine, ShopState, money
from sandbox.shopify.state_b2b import Company, CompanyAddress, CompanyLocation, DraftOrder, DraftOrderLineItem

# ------------------------------------------------------------------------------ QueryRoot

_COMPANY_FIELDS: dict[str, FieldMatcher[Company]] = {
    "external_id": text(lambda c: c.external_id),
    "name": text(lambda c: c.name),
    "id": number(lambda c: c.id),
}


_COMPANY_NAME: FieldMatcher[Company] = text(lambda c: c.name)


def _companies(_: Any, info: Info, args: dict[str, Any]) -> dict[str, Any]:
    ctx = _ctx(info)
    search = parse_search(args.get("query"), _COMPANY_FIELDS, _COMPANY_NAME)
    record_search(ctx, info, args.get("query"), search.warnings)
    return connection([c for c in ctx.shop.companies.values() if search.predicate(c)], args, info)


_DRAFT_ORDER_FIELDS: dict[str, FieldMatcher[DraftOrder]] = {
    "tag": any_text(lambda d: d.tags),
    "status": text(lambda d: d.status),
    "name": text(lambda d: d.name.lstrip("#")),
    "id": number(lambda d: d.id),
    "customer_id": number(lambda d: d.customer.id if d.customer else None),
    "email": text(lambda d: d.email),
    "source": text(lambda d: d.source_name),
}


def _draft_free_text(draft: DraftOrder, word: str) -> bool:
    """A bare word matches the name (with or without `#`), the email or a tag."""
    return any(_text_match(word, value) for value in (draft.name.lstrip("#"), draft.name, draft.email, *draft.tags))


def _draft_orders(_: Any, info: Info, args: dict[str, Any]) -> dict[str, Any]:
    ctx = _ctx(info)
    search = parse_search(args.get("query"), _DRAFT_ORDER_FIELDS, _draft_free_text)
    record_search(ctx, info, args.get("query"), search.warnings)
    return connection([d for d in ctx.shop.draft_orders.values() if search.predicate(d)], args, info)


def _by_number(kind: str, table: str) -> Any:
    def resolve(_: Any, info: Info, args: dict[str, Any]) -> Any:
        found = parse_gid(args["id"]).is_a(kind)
        return getattr(_ctx(info).shop, table).get(found) if found is not None else None

    return resolve


_register(
    "QueryRoot",
    {
        "company": _by_number("Company", "companies"),
        "companies": _companies,
        "companyLocation": _by_number("CompanyLocation", "company_locations"),
        "companyContact": _by_number("CompanyContact", "company_contacts"),
        "draftOrder": _by_number("DraftOrder", "draft_orders"),
        "draftOrders": _draft_orders,
    },
)

NODE_LOOKUPS.update(
    {
        "Company": lambda shop, n: shop.companies.get(n),
        "CompanyLocation": lambda shop, n: shop.company_locations.get(n),
        "CompanyContact": lambda shop, n: shop.company_contacts.get(n),
        "DraftOrder": lambda shop, n: shop.draft_orders.get(n),
    }
)

# ------------------------------------------------------------------------------ Mutation


def _payload(key: str, outcome: Any) -> dict[str, Any]:
    return {key: outcome.value, "userErrors": _user_errors(outcome.errors)}


_register(
    "Mutation",
    {
        "companyCreate": _mutation("userErrors")(
            lambda _s, info, args: _payload("company", _ctx(info).ops.create_company(args["input"]))
        ),
        "companyLocationCreate": _mutation("userErrors")(
            lambda _s, info, args: _payload(
                "companyLocation", _ctx(info).ops.create_location(args["companyId"], args["input"])
            )
        ),
        "companyAssignMainContact": _mutation("userErrors")(
            lambda _s, info, args: _payload(
                "company", _ctx(info).ops.assign_main_contact(args["companyId"], args["companyContactId"])
            )
        ),
        "draftOrderCreate": _mutation("userErrors")(
            lambda _s, info, args: _payload("draftOrder", _ctx(info).ops.create_draft_order(args["input"]))
        ),
        "draftOrderInvoiceSend": _mutation("userErrors")(
            lambda _s, info, args: _payload("draftOrder", _ctx(info).ops.send_invoice(args["id"], args.get("email")))
        ),
        "draftOrderComplete": _mutation("userErrors")(
            lambda _s, info, args: _payload(
                "draftOrder", _ctx(info).ops.complete_draft_order(args["id"], args.get("sourceName"))
            )
        ),
    },
)

# ------------------------------------------------------------------------------ companies


def _orders_of(ids: list[int], shop: ShopState) -> list[Order]:
    return [shop.orders[i] for i in ids if i in shop.orders]


def _spent(orders: list[Order], shop: ShopState) -> dict[str, Any]:
    return money_v2(sum((o.net_payment for o in orders), ZERO), shop.currency)


def _count(value: int) -> dict[str, Any]:
    return {"count": value, "precision": "EXACT"}


_register(
    "Company",
    {
        "contacts": lambda c, info, args: connection(c.contacts, args, info),
        "locations": lambda c, info, args: connection(c.locations, args, info),
        "contactsCount": _plain(lambda c: _count(len(c.contacts))),
        "contactCount": _plain(lambda c: len(c.contacts)),
        "locationsCount": _plain(lambda c: _count(len(c.locations))),
        "ordersCount": _plain(lambda c: _count(len(c.order_ids))),
        "orders": lambda c, info, args: connection(_orders_of(c.order_ids, _ctx(info).shop), args, info),
        "draftOrders": lambda c, info, args: connection(
            [d for i in c.draft_order_ids if (d := _ctx(info).shop.draft_orders.get(i))], args, info
        ),
        "totalSpent": lambda c, info, _args: _spent(_orders_of(c.order_ids, _ctx(info).shop), _ctx(info).shop),
        "defaultCursor": _plain(lambda c: str(c.id)),
        "lifetimeDuration": _plain(lambda _c: "less than a minute"),
        "hasTimelineComment": _plain(lambda _c: False),
        "defaultRole": _plain(lambda _c: None),
    },
)

_register(
    "CompanyContact",
    {
        "isMainContact": _plain(lambda c: c.is_main_contact),
        "lifetimeDuration": _plain(lambda _c: "less than a minute"),
    },
)


def _location_orders(location: CompanyLocation, shop: ShopState) -> list[Order]:
    return [
        o
        for o in _orders_of(location.company.order_ids, shop)
        if o.purchasing_company is not None and o.purchasing_company.location is location
    ]


_register(
    "CompanyLocation",
    {
        "buyerExperienceConfiguration": _plain(
            lambda loc: {
                "checkoutToDraft": loc.checkout_to_draft,
                "editableShippingAddress": loc.editable_shipping_address,
                "paymentTermsTemplate": None,
                "deposit": None,
            }
        ),
        "taxSettings": _plain(
            lambda loc: {
                "taxExempt": loc.tax_exempt,
                "taxExemptions": [],
                "taxRegistrationId": loc.tax_registration_id,
            }
        ),
        "taxExemptions": _plain(lambda _loc: []),
        "orders": lambda loc, info, args: connection(_location_orders(loc, _ctx(info).shop), args, info),
        "ordersCount": lambda loc, info, _args: _count(len(_location_orders(loc, _ctx(info).shop))),
        "orderCount": lambda loc, info, _args: len(_location_orders(loc, _ctx(info).shop)),
        "totalSpent": lambda loc, info, _args: _spent(_location_orders(loc, _ctx(info).shop), _ctx(info).shop),
        "defaultCursor": _plain(lambda loc: str(loc.id)),
        "hasTimelineComment": _plain(lambda _loc: False),
        "inCatalog": _plain(lambda _loc: False),
        "market": _plain(lambda _loc: None),
    },
)


def _formatted_address(address: CompanyAddress, _info: Info, args: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    if args.get("withName") and address.recipient:
        lines.append(address.recipient)
    if args.get("withCompanyName"):
        lines.append(address.company_name)
    lines += [p for p in (address.address1, address.address2) if p]
    area = " ".join(p for p in (address.city, address.zone_code, address.zip) if p)
    if area:
        lines.append(area)
    lines.append(country_name(address.country_code) or address.country_code)
    return lines


_register(
    "CompanyAddress",
    {
        "country": _plain(lambda a: country_name(a.country_code)),
        "province": _plain(lambda a: a.zone_code),
        "formattedAddress": _formatted_address,
        "formattedArea": _plain(
            lambda a: ", ".join(p for p in (a.city, a.zone_code, country_name(a.country_code)) if p) or None
        ),
    },
)

# ------------------------------------------------------------------------------ draft orders


def _draft_money(getter: Any) -> Any:
    return _money_field(getter, lambda d: d.currency)


def _purchasing_entity(draft_or_order: DraftOrder | Order) -> Any:
    if draft_or_order.purchasing_company is not None:
        return draft_or_order.purchasing_company
    return draft_or_order.customer


def _shipping_line(draft: DraftOrder) -> ShippingLine | None:
    if not draft.shipping_title and not draft.shipping_price:
        return None
    return ShippingLine(
        id=0, title=draft.shipping_title or "Shipping", price=draft.shipping_price, currency=draft.currency
    )


_register(
    "DraftOrder",
    {
        "lineItems": lambda d, info, args: connection(d.line_items, args, info),
        "note2": _plain(lambda d: d.note),
        "purchasingEntity": _plain(_purchasing_entity),
        "invoiceUrl": lambda d, info, _args: invoice_url(d, _ctx(info).shop),
        "order": lambda d, info, _args: _ctx(info).ops.draft_order_order(d),
        "currencyCode": _plain(lambda d: d.currency),
        "presentmentCurrencyCode": _plain(lambda d: d.currency),
        "customAttributes": _plain(lambda d: [{"key": k, "value": v} for k, v in d.custom_attributes]),
        "shippingLine": _plain(_shipping_line),
        "subtotalPriceSet": _draft_money(lambda d: d.subtotal),
        "subtotalPrice": _plain(lambda d: d.subtotal),
        "lineItemsSubtotalPrice": _draft_money(lambda d: d.subtotal),
        "totalLineItemsPriceSet": _draft_money(lambda d: d.line_items_total),
        "totalShippingPriceSet": _draft_money(lambda d: d.shipping_price),
        "totalShippingPrice": _plain(lambda d: d.shipping_price),
        "totalPriceSet": _draft_money(lambda d: d.total_price),
        "totalPrice": _plain(lambda d: d.total_price),
        "totalTaxSet": _draft_money(lambda _d: ZERO),
        "totalTax": _plain(lambda _d: ZERO),
        "totalDiscountsSet": _draft_money(lambda d: d.total_discounts),
        "totalQuantityOfLineItems": _plain(lambda d: sum(li.quantity for li in d.line_items)),
        "ready": _plain(lambda _d: True),
        "visibleToCustomer": _plain(lambda _d: True),
        "taxesIncluded": _plain(lambda _d: False),
        "defaultCursor": _plain(lambda d: str(d.id)),
        "invoiceEmailTemplateSubject": _plain(lambda d: f"Invoice {d.name}"),
        "billingAddressMatchesShippingAddress": _plain(
            lambda d: (
                (d.billing_address.country_code if d.billing_address else None)
                == (d.shipping_address.country_code if d.shipping_address else None)
            )
        ),
    },
)


def _line_money(getter: Any) -> Any:
    return _money_field(getter, lambda li: li.currency)


def _draft_line_discount(item: DraftOrderLineItem) -> dict[str, Any] | None:
    discount = item.applied_discount
    if discount is None:
        return None
    return {
        "title": discount.title,
        "description": discount.description or "",
        "value": float(discount.value),
        "valueType": discount.value_type,
        "amountSet": money_bag(item.discount, item.currency),
        "amountV2": money_v2(item.discount, item.currency),
        "amount": item.discount,
    }


def _variant(item: DraftOrderLineItem, info: Info, _args: dict[str, Any]) -> Any:
    return _ctx(info).shop.variants.get(item.variant_id or -1)


_register(
    "DraftOrderLineItem",
    {
        "variant": _variant,
        "product": lambda li, info, _args: _ctx(info).shop.products.get(li.product_id or -1),
        "originalUnitPriceSet": _line_money(lambda li: li.price),
        "originalUnitPriceWithCurrency": _plain(lambda li: money_v2(li.price, li.currency)),
        "originalTotalSet": _line_money(lambda li: li.total),
        "discountedTotalSet": _line_money(lambda li: li.discounted_total),
        "discountedTotal": _plain(lambda li: li.discounted_total),
        "approximateDiscountedUnitPriceSet": _line_money(lambda li: money(li.discounted_total / li.quantity)),
        "discountedUnitPriceSet": _line_money(lambda li: money(li.discounted_total / li.quantity)),
        "discountedUnitPrice": _plain(lambda li: money(li.discounted_total / li.quantity)),
        "totalDiscountSet": _line_money(lambda li: li.discount),
        "totalDiscount": _plain(lambda li: li.discount),
        "appliedDiscount": _plain(_draft_line_discount),
        "isGiftCard": _plain(lambda _li: False),
        "customAttributes": _plain(lambda _li: []),
        "taxLines": _plain(lambda _li: []),
    },
)

# A completed draft's line discounts on its order (`ManualDiscountApplication`s); other orders'
# lines answer no allocations, as before.


def _pricing_value(discount: ManualLineDiscount, currency: str) -> dict[str, Any]:
    if discount.value_type == "FIXED_AMOUNT":
        return {"__typename": "MoneyV2", **money_v2(discount.value, currency)}
    return {"__typename": "PricingPercentageValue", "percentage": float(discount.value)}


def _application(discount: ManualLineDiscount, currency: str) -> dict[str, Any]:
    # ASSUMPTION: how Shopify files a draft line's discount on the order (one line, chosen by the
    # merchant); the title falls back to the description, then to Shopify's "Custom discount".
    return {
        "__typename": "ManualDiscountApplication",
        "index": discount.index,
        "title": discount.title or discount.description or "Custom discount",
        "description": discount.description,
        "value": _pricing_value(discount, currency),
        "allocationMethod": "ONE",
        "targetSelection": "EXPLICIT",
        "targetType": "LINE_ITEM",
    }


def _line_allocations(item: LineItem) -> list[dict[str, Any]]:
    if item.manual_discount is None:
        return []
    return [
        {
            "allocatedAmountSet": money_bag(item.discount, item.currency),
            "allocatedAmount": money_v2(item.discount, item.currency),
            "discountApplication": _application(item.manual_discount, item.currency),
        }
    ]


def _order_discount_applications(order: Order, info: Info, args: dict[str, Any]) -> dict[str, Any]:
    applied = [li.manual_discount for li in order.line_items if li.manual_discount is not None]
    return connection([_application(d, order.currency) for d in applied], args, info)


_register("LineItem", {"discountAllocations": _plain(_line_allocations)})
_register(
    "Order",
    {"purchasingEntity": _plain(_purchasing_entity), "discountApplications": _order_discount_applications},
)
