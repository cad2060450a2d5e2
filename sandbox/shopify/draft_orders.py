"""Draft orders (B2B quotes, offline orders): `draftOrderCreate` → OPEN, `draftOrderInvoiceSend` →
INVOICE_SENT, `draftOrderComplete` → COMPLETED with a real order (paid in full through the manual
gateway, as completing without `paymentPending` does), `draft_orders/create` and
`draft_orders/update` webhooks.

The buyer is a customer or a company (company + location + contact that belong together). Line
items are either catalogue variants (title and price from the variant) or custom items (title and
`originalUnitPriceWithCurrency`). ASSUMPTION: no tax engine; the messages are the sandbox's wording.

A line's `appliedDiscount` (PERCENTAGE: 0 to 100; FIXED_AMOUNT: at least 0, off each unit; an
`amountWithCurrency`, when given, must be in the draft's currency and equal what the value takes
off the line) lowers the line's and the draft's discounted totals; the completed order carries it
as a `ManualDiscountApplication` allocated to that line. Completing takes the variants' units out
of stock (Shopify: "inventory is reserved for the items in the order"); ASSUMPTION: completion is
not refused for lack of stock. NOT SIMULATED: the draft-level `appliedDiscount` (ignored, as before).
"""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any

from sandbox.shopify import rest_resources
from sandbox.shopify.ops_base import (
    EMAIL_PATTERN,
    Outcome,
    build_address,
    money_input,
    normalize_tags,
    safe_gid,
    sorted_tags,
)
from sandbox.shopify.order_create import OrderCreation
from sandbox.shopify.state import ZERO, Address, Customer, ManualLineDiscount, Order, UserError, money, utcnow
from sandbox.shopify.state_b2b import DraftOrder, DraftOrderLineItem, PurchasingCompany

DRAFT_SOURCE_NAME = "shopify_draft_order"


def _money(data: dict[str, Any] | None) -> tuple[Decimal, str] | None:
    """A `MoneyInput` ({amount, currencyCode}) as (amount, currency)."""
    return money_input({"shopMoney": data}) if data else None


def _address_input(address: Address | None) -> dict[str, Any] | None:
    if address is None:
        return None
    return {
        "firstName": address.first_name,
        "lastName": address.last_name,
        "company": address.company,
        "address1": address.address1,
        "address2": address.address2,
        "city": address.city,
        "provinceCode": address.province_code,
        "zip": address.zip,
        "phone": address.phone,
        "countryCode": address.country_code,
    }


class DraftOrders(OrderCreation):
    def draft_order_by_gid(self, value: str) -> DraftOrder | None:
        parsed = safe_gid(value)
        number = parsed.is_a("DraftOrder") if parsed else None
        return self.shop.draft_orders.get(number) if number is not None else None

    def create_draft_order(self, data: dict[str, Any]) -> Outcome[DraftOrder]:
        errors: list[UserError] = []
        currency = data.get("presentmentCurrencyCode") or self.shop.currency
        if currency not in self.shop.enabled_currencies:
            errors.append(UserError(f"Currency {currency} is not enabled for this shop", ["presentmentCurrencyCode"]))
        email = data.get("email")
        if email and not EMAIL_PATTERN.match(email):
            errors.append(UserError("Email is invalid", ["email"]))
        lines = self._plan_draft_lines(data.get("lineItems") or [], currency, errors)
        customer, company = self._plan_buyer(data.get("purchasingEntity"), errors)
        shipping = data.get("shippingLine") or {}
        shipping_price = _money(shipping.get("priceWithCurrency"))
        if shipping_price is not None and shipping_price[1] != currency:
            errors.append(UserError(f"Shipping price must be in {currency}", ["shippingLine", "priceWithCurrency"]))
        if errors:
            return Outcome(errors=errors)

        for line in lines:
            line.id = self.shop.next_id("DraftOrderLineItem")
        now = utcnow()
        buyer = customer or (company.contact.customer if company and company.contact else None)
        draft = DraftOrder(
            id=self.shop.next_id("DraftOrder"),
            name=f"#D{self.shop.next_draft_number()}",
            currency=currency,
            line_items=lines,
            email=email or (buyer.email if buyer else None),
            phone=data.get("phone"),
            note=data.get("note"),
            tags=sorted_tags(normalize_tags(data.get("tags") or [])),
            customer=buyer,
            purchasing_company=company,
            shipping_address=build_address(self.shop, data.get("shippingAddress")),
            billing_address=build_address(self.shop, data.get("billingAddress")),
            shipping_title=shipping.get("title"),
            shipping_price=money(shipping_price[0]) if shipping_price else ZERO,
            po_number=data.get("poNumber"),
            source_name=data.get("sourceName"),
            tax_exempt=bool(data.get("taxExempt")),
            custom_attributes=[(a["key"], a["value"]) for a in data.get("customAttributes") or []],
            invoice_token=secrets.token_hex(16),
            created_at=now,
            updated_at=now,
        )
        self.shop.draft_orders[draft.id] = draft
        if company is not None:
            company.company.draft_order_ids.append(draft.id)
        self.webhooks.emit(self.shop, "DRAFT_ORDERS_CREATE", rest_resources.draft_order_payload(draft, self.shop))
        return Outcome(draft)

    def send_invoice(self, draft_gid: str, email: dict[str, Any] | None) -> Outcome[DraftOrder]:
        draft = self.draft_order_by_gid(draft_gid)
        if draft is None:
            return Outcome(errors=[UserError("Draft order does not exist", ["id"])])
        if draft.status == "COMPLETED":
            return Outcome(errors=[UserError("Draft order has been completed; its invoice can't be sent", ["id"])])
        recipient = (email or {}).get("to") or draft.email
        if not recipient:
            return Outcome(errors=[UserError("To can't be blank", ["email", "to"])])
        if not EMAIL_PATTERN.match(recipient):
            return Outcome(errors=[UserError("To is invalid", ["email", "to"])])
        draft.status = "INVOICE_SENT"
        draft.invoice_sent_at = draft.updated_at = utcnow()
        self.webhooks.emit(self.shop, "DRAFT_ORDERS_UPDATE", rest_resources.draft_order_payload(draft, self.shop))
        return Outcome(draft)

    def complete_draft_order(self, draft_gid: str, source_name: str | None) -> Outcome[DraftOrder]:
        draft = self.draft_order_by_gid(draft_gid)
        if draft is None:
            return Outcome(errors=[UserError("Draft order does not exist", ["id"])])
        if draft.status == "COMPLETED":
            return Outcome(errors=[UserError("Draft order has already been completed", ["id"])])
        outcome = self.create_order(
            self._order_input(draft, source_name),
            purchasing_company=draft.purchasing_company,
            line_discounts=[li.applied_discount for li in draft.line_items],
        )
        order = outcome.value
        if order is None:
            return Outcome(errors=outcome.errors)
        for li in draft.line_items:
            if li.variant_id in self.shop.variants:
                self.shop.variants[li.variant_id].inventory_quantity -= li.quantity
        draft.status = "COMPLETED"
        draft.completed_at = draft.updated_at = utcnow()
        draft.order_id = order.id
        self.webhooks.emit(self.shop, "DRAFT_ORDERS_UPDATE", rest_resources.draft_order_payload(draft, self.shop))
        return Outcome(draft)

    def draft_order_order(self, draft: DraftOrder) -> Order | None:
        return self.shop.orders.get(draft.order_id) if draft.order_id is not None else None

    # ---------------------------------------------------------------- planning (no writes)

    def _plan_draft_lines(
        self, raw: list[dict[str, Any]], currency: str, errors: list[UserError]
    ) -> list[DraftOrderLineItem]:
        if not raw:
            errors.append(UserError("Line items can't be blank", ["lineItems"]))
        lines: list[DraftOrderLineItem] = []
        for index, item in enumerate(raw):
            path = ["lineItems", str(index)]
            if item["quantity"] < 1:
                errors.append(UserError("Quantity must be greater than or equal to 1", [*path, "quantity"]))
            price = _money(item.get("originalUnitPriceWithCurrency"))
            if price is not None and price[1] != currency:
                errors.append(
                    UserError(
                        f"Price must be in the draft order's currency ({currency})",
                        [*path, "originalUnitPriceWithCurrency"],
                    )
                )
            if price is not None and price[0] < 0:
                errors.append(
                    UserError("Price must be greater than or equal to 0", [*path, "originalUnitPriceWithCurrency"])
                )
            line = DraftOrderLineItem(
                id=0,
                title=item.get("title") or "",
                quantity=max(int(item["quantity"]), 0),
                price=money(price[0]) if price else ZERO,
                currency=currency,
                sku=item.get("sku"),
                requires_shipping=item.get("requiresShipping", True) is not False,
                taxable=item.get("taxable", True) is not False,
                uuid=item.get("uuid") or secrets.token_hex(8),
            )
            if item.get("variantId"):
                parsed = safe_gid(item["variantId"])
                number = parsed.is_a("ProductVariant") if parsed else None
                variant = self.shop.variants.get(number) if number is not None else None
                if variant is None:
                    errors.append(UserError("Product variant does not exist", [*path, "variantId"]))
                    continue
                line.custom = False
                line.variant_id, line.product_id = variant.id, variant.product.id
                line.title, line.variant_title = variant.product.title, variant.title
                line.sku, line.vendor = variant.sku, variant.product.vendor or None
                if price is None:
                    if currency != self.shop.currency:
                        errors.append(
                            UserError(
                                "A price in the draft order's currency is required",
                                [*path, "originalUnitPriceWithCurrency"],
                            )
                        )
                    line.price = variant.price
            elif not line.title:
                errors.append(UserError("Title can't be blank for a custom line item", [*path, "title"]))
            if item.get("appliedDiscount"):
                line.applied_discount = _applied_discount(
                    item["appliedDiscount"], line, currency, [*path, "appliedDiscount"], errors
                )
            lines.append(line)
        return lines

    def _plan_buyer(
        self, raw: dict[str, Any] | None, errors: list[UserError]
    ) -> tuple[Customer | None, PurchasingCompany | None]:
        if not raw:
            return None, None
        path = ["purchasingEntity"]
        if raw.get("customerId") and raw.get("purchasingCompany"):
            errors.append(UserError("Specify either a customer or a purchasing company, not both", path))
            return None, None
        if raw.get("customerId"):
            parsed = safe_gid(raw["customerId"])
            number = parsed.is_a("Customer") if parsed else None
            customer = self.shop.customers.get(number) if number is not None else None
            if customer is None:
                errors.append(UserError("Customer does not exist", [*path, "customerId"]))
            return customer, None
        buyer = raw.get("purchasingCompany")
        if not buyer:
            return None, None
        path = [*path, "purchasingCompany"]
        company = self.shop.companies.get(_number(buyer["companyId"], "Company"))
        location = self.shop.company_locations.get(_number(buyer["companyLocationId"], "CompanyLocation"))
        contact = self.shop.company_contacts.get(_number(buyer["companyContactId"], "CompanyContact"))
        if company is None:
            errors.append(UserError("Company does not exist", [*path, "companyId"]))
            return None, None
        if location is None or location.company is not company:
            errors.append(UserError("Company location does not belong to the company", [*path, "companyLocationId"]))
            return None, None
        if contact is None or contact.company is not company:
            errors.append(UserError("Company contact does not belong to the company", [*path, "companyContactId"]))
            return None, None
        return None, PurchasingCompany(company, location, contact)

    @staticmethod
    def _order_input(draft: DraftOrder, source_name: str | None) -> dict[str, Any]:
        """The `orderCreate` input a completed draft becomes: same lines, paid in full."""

        def price(amount: Decimal) -> dict[str, Any]:
            return {"shopMoney": {"amount": amount, "currencyCode": draft.currency}}

        data: dict[str, Any] = {
            "currency": draft.currency,
            "email": draft.email,
            "phone": draft.phone,
            "note": draft.note,
            "tags": list(draft.tags),
            "poNumber": draft.po_number,
            "sourceName": source_name or draft.source_name or DRAFT_SOURCE_NAME,
            "financialStatus": "PAID",
            "customAttributes": [{"key": k, "value": v} for k, v in draft.custom_attributes],
            "shippingAddress": _address_input(draft.shipping_address),
            "billingAddress": _address_input(draft.billing_address),
            "lineItems": [
                {
                    "title": li.title,
                    "quantity": li.quantity,
                    "priceSet": price(li.price),
                    "sku": li.sku,
                    "variantTitle": li.variant_title,
                    "vendor": li.vendor,
                    "requiresShipping": li.requires_shipping,
                    "taxable": li.taxable,
                    **({"variantId": f"gid://shopify/ProductVariant/{li.variant_id}"} if li.variant_id else {}),
                    **({"productId": f"gid://shopify/Product/{li.product_id}"} if li.product_id else {}),
                }
                for li in draft.line_items
            ],
        }
        if draft.shipping_title or draft.shipping_price:
            data["shippingLines"] = [
                {"title": draft.shipping_title or "Shipping", "priceSet": price(draft.shipping_price)}
            ]
        if draft.customer is not None:
            data["customer"] = {"toAssociate": {"id": draft.customer.gid}}
        if draft.total_price > 0:
            data["transactions"] = [
                {"kind": "SALE", "status": "SUCCESS", "gateway": "manual", "amountSet": price(draft.total_price)}
            ]
        return data


def _applied_discount(
    raw: dict[str, Any], line: DraftOrderLineItem, currency: str, path: list[str], errors: list[UserError]
) -> ManualLineDiscount | None:
    """A line's `DraftOrderAppliedDiscountInput`, checked against the line's (already known) price."""
    value = Decimal(str(raw["value"]))
    found = len(errors)
    if value < 0:
        errors.append(UserError("Value must be greater than or equal to 0", [*path, "value"]))
    if raw["valueType"] == "PERCENTAGE" and value > 100:
        errors.append(UserError("Value must be less than or equal to 100", [*path, "value"]))
    if len(errors) > found:
        return None
    discount = ManualLineDiscount(
        value_type=raw["valueType"], value=value, title=raw.get("title"), description=raw.get("description")
    )
    given = _money(raw.get("amountWithCurrency"))
    if given is not None and given[1] != currency:
        errors.append(
            UserError(f"Amount must be in the draft order's currency ({currency})", [*path, "amountWithCurrency"])
        )
    elif given is not None and money(given[0]) != discount.amount_for(line.price, line.quantity):
        errors.append(
            UserError("Amount must correspond to that calculated from the value", [*path, "amountWithCurrency"])
        )
    return discount


def _number(value: str, type_name: str) -> int:
    parsed = safe_gid(value)
    number = parsed.is_a(type_name) if parsed else None
    return number if number is not None else -1
