"""`orderCreate`: validate the whole input first, then build the order, its fulfillment order and
Shopify's risk assessment, and announce it with `orders/create`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sandbox.effects import EffectKind
from sandbox.shopify import rest_payloads, risk
from sandbox.shopify.ops_base import (
    EMAIL_PATTERN,
    OperationsBase,
    Outcome,
    build_address,
    money_input,
    normalize_tags,
    safe_gid,
    sorted_tags,
)
from sandbox.shopify.state import (
    SELF_APP_ID,
    ZERO,
    Customer,
    DiscountCode,
    FulfillmentOrder,
    FulfillmentOrderLineItem,
    LineItem,
    ManualLineDiscount,
    Order,
    ShippingLine,
    TaxLine,
    Transaction,
    UserError,
    money,
    utcnow,
)
from sandbox.shopify.state_b2b import CompanyLocation, PurchasingCompany


class OrderCreation(OperationsBase):
    def create_order(
        self,
        data: dict[str, Any],
        *,
        purchasing_company: PurchasingCompany | None = None,
        line_discounts: Sequence[ManualLineDiscount | None] = (),
    ) -> Outcome[Order]:
        """`orderCreate(order:)`. A line item needs a `title` or a `variantId` and is priced by its
        `priceSet` (0 when absent), as `orderCreate` does; a variant id is kept as a number, so
        restocking a refunded unit finds the catalogue's variant when it exists.
        `purchasing_company` is set when a B2B draft order is completed, `line_discounts` (one per
        line item, in order) when its lines carry an `appliedDiscount`: `orderCreate` itself has
        no line discounts. An input's `companyLocationId` makes the order that location's company's
        (a B2B order imported with its buyer)."""
        shop = self.shop
        errors: list[UserError] = []
        currency = str(data.get("currency") or shop.currency)

        def err(message: str, path: list[str], code: str = "INVALID") -> None:
            errors.append(UserError(message, ["order", *path], code))

        email = data.get("email")
        if email is not None and not EMAIL_PATTERN.match(email):
            err("Email is invalid", ["email"])
        processed_at = data.get("processedAt")
        if processed_at is not None and processed_at > utcnow() + timedelta(seconds=1):
            err("Processed at must not be in the future", ["processedAt"], "PROCESSED_AT_INVALID")
        if data.get("fulfillment") is not None or data.get("fulfillmentStatus") is not None:
            err("Creating already fulfilled orders is not simulated by the sandbox", ["fulfillmentStatus"])

        raw_items: list[dict[str, Any]] = data.get("lineItems") or []
        if not raw_items:
            err("An order must have at least one line item", ["lineItems"])
        lines: list[LineItem] = []
        for index, raw in enumerate(raw_items):
            path = ["lineItems", str(index)]
            if raw["quantity"] < 1:
                err("Quantity must be greater than or equal to 1", [*path, "quantity"])
            variant = safe_gid(raw["variantId"]) if raw.get("variantId") else None
            if raw.get("variantId") and (variant is None or variant.is_a("ProductVariant") is None):
                err("Variant id is invalid", [*path, "variantId"])
            if not raw.get("title") and variant is None:
                err("Title can't be blank for a line item without a variant", [*path, "title"])
            service = raw.get("fulfillmentService")
            if service is not None and service != "manual":
                err(
                    f"Fulfillment service '{service}' does not exist",
                    [*path, "fulfillmentService"],
                    "FULFILLMENT_SERVICE_INVALID",
                )
            price = ZERO
            price_input = money_input(raw.get("priceSet"))
            if price_input is not None:
                price, price_currency = price_input
                if price_currency != currency:
                    err(f"Price currency must be the order currency ({currency})", [*path, "priceSet"])
                if price < 0:
                    err("Price must be greater than or equal to 0", [*path, "priceSet"])
            product = safe_gid(raw["productId"]) if raw.get("productId") else None
            variant_number = variant.is_a("ProductVariant") if variant else None
            item = LineItem(
                id=0,
                title=raw.get("title") or f"Product variant {variant_number}",
                quantity=max(int(raw["quantity"]), 0),
                price=money(price),
                currency=currency,
                sku=raw.get("sku"),
                variant_id=variant_number,
                product_id=product.numeric if product else None,
                variant_title=raw.get("variantTitle"),
                vendor=raw.get("vendor"),
                requires_shipping=raw.get("requiresShipping", True) is not False,
                taxable=raw.get("taxable", True) is not False,
                gift_card=bool(raw.get("giftCard")),
                properties=[(p["name"], p["value"]) for p in raw.get("properties") or []],
            )
            item.tax_lines = self._tax_lines(raw.get("taxLines"), item.original_total, currency, path, err)
            lines.append(item)

        shipping_lines: list[ShippingLine] = []
        for index, raw in enumerate(data.get("shippingLines") or []):
            price_input = money_input(raw["priceSet"])
            price = price_input[0] if price_input else ZERO
            if price_input and price_input[1] != currency:
                err(
                    f"Price currency must be the order currency ({currency})", ["shippingLines", str(index), "priceSet"]
                )
            shipping_lines.append(
                ShippingLine(
                    id=0,
                    title=raw["title"],
                    price=money(price),
                    currency=currency,
                    code=raw.get("code"),
                    source=raw.get("source"),
                    tax_lines=self._tax_lines(raw.get("taxLines"), price, currency, ["shippingLines", str(index)], err),
                )
            )

        discount = self._discount(data.get("discountCode"), currency, err)
        customer_plan = self._plan_customer(data.get("customer"), err)
        location = self._plan_company_location(data.get("companyLocationId"), err)
        transactions = self._transactions(data.get("transactions") or [], currency, err)
        order_taxes = self._tax_lines(
            data.get("taxLines"), sum((li.original_total for li in lines), ZERO), currency, [], err
        )
        if errors:
            return Outcome(errors=errors)

        # ---- every check passed: build and store
        for item in lines:
            item.id = shop.next_id("LineItem")
        for shipping in shipping_lines:
            shipping.id = shop.next_id("ShippingLine")
        number = shop.next_order_number()
        now = utcnow()
        order = Order(
            id=shop.next_id("Order"),
            number=number,
            name=data.get("name") or f"#{1000 + number}",
            currency=currency,
            email=email,
            phone=data.get("phone"),
            created_at=now,
            updated_at=now,
            processed_at=processed_at or now,
            closed_at=data.get("closedAt"),
            note=data.get("note"),
            tags=sorted_tags(normalize_tags(data.get("tags") or [])),
            custom_attributes=[(a["key"], a["value"]) for a in data.get("customAttributes") or []],
            po_number=data.get("poNumber"),
            source_name=data.get("sourceName") or str(SELF_APP_ID),
            source_identifier=data.get("sourceIdentifier"),
            source_url=data.get("sourceUrl"),
            test=bool(data.get("test")),
            taxes_included=bool(data.get("taxesIncluded")),
            buyer_accepts_marketing=bool(data.get("buyerAcceptsMarketing")),
            shipping_address=build_address(shop, data.get("shippingAddress")),
            billing_address=build_address(shop, data.get("billingAddress")),
            line_items=lines,
            shipping_lines=shipping_lines,
            tax_lines=order_taxes,
        )
        if discount is not None:
            self._apply_discount(order, discount)
        self._apply_line_discounts(order, line_discounts)
        for tx in transactions:
            tx.id = shop.next_id("OrderTransaction")
        order.transactions = transactions
        order.financial_status = data.get("financialStatus") or self._derived_financial_status(order)
        order.customer = self._apply_customer(customer_plan)
        if order.customer is not None:
            order.customer.order_ids.append(order.id)
        fo = FulfillmentOrder(
            id=shop.next_id("FulfillmentOrder"),
            order=order,
            line_items=[
                FulfillmentOrderLineItem(shop.next_id("FulfillmentOrderLineItem"), li, li.quantity, li.quantity)
                for li in lines
            ],
            created_at=now,
            updated_at=now,
        )
        order.fulfillment_orders.append(fo)
        shop.fulfillment_orders[fo.id] = fo
        order.risk_assessments.append(risk.assess(order))
        for tx in order.transactions:
            tx.order_id = order.id
        if purchasing_company is None and location is not None:
            purchasing_company = self._purchasing_company(location, order.customer)
        if purchasing_company is not None:
            order.purchasing_company = purchasing_company
            purchasing_company.company.order_ids.append(order.id)
        shop.orders[order.id] = order
        self.effects(order.id, EffectKind.ORDER_CREATED, order.id, source=order.source_name)
        self.webhooks.emit(shop, "ORDERS_CREATE", rest_payloads.order_payload(order))
        return Outcome(order)

    def _tax_lines(
        self,
        raw: list[dict[str, Any]] | None,
        base: Decimal,
        currency: str,
        path: list[str],
        err: Callable[..., None],
    ) -> list[TaxLine]:
        out: list[TaxLine] = []
        for index, line in enumerate(raw or []):
            rate = Decimal(line["rate"])
            price_input = money_input(line.get("priceSet"))
            if price_input is not None and price_input[1] != currency:
                err(f"Tax currency must be the order currency ({currency})", [*path, "taxLines", str(index)])
            price = price_input[0] if price_input else base * rate
            out.append(TaxLine(line["title"], rate, money(price), line.get("channelLiable"), currency))
        return out

    def _discount(self, raw: dict[str, Any] | None, currency: str, err: Callable[..., None]) -> DiscountCode | None:
        if not raw:
            return None
        given = [
            k
            for k in ("itemPercentageDiscountCode", "itemFixedDiscountCode", "freeShippingDiscountCode")
            if raw.get(k) is not None
        ]
        if len(given) != 1:
            err("Exactly one type of discount code can be applied to an order", ["discountCode"])
            return None
        body = raw[given[0]]
        if given[0] == "itemPercentageDiscountCode":
            percentage = Decimal(str(body.get("percentage") or 0))
            if not ZERO <= percentage <= 100:
                err("Percentage must be between 0 and 100", ["discountCode", given[0], "percentage"])
            return DiscountCode(body["code"], "percentage", percentage)
        if given[0] == "itemFixedDiscountCode":
            amount_input = money_input(body.get("amountSet"))
            value = amount_input[0] if amount_input else ZERO
            if amount_input and amount_input[1] != currency:
                err(
                    f"Discount currency must be the order currency ({currency})",
                    ["discountCode", given[0], "amountSet"],
                )
            if value < 0:
                err("Amount must be greater than or equal to 0", ["discountCode", given[0], "amountSet"])
            return DiscountCode(body["code"], "fixed_amount", value)
        return DiscountCode(body["code"], "shipping", ZERO)

    @staticmethod
    def _apply_line_discounts(order: Order, discounts: Sequence[ManualLineDiscount | None]) -> None:
        """Each line's own discount becomes one of the order's discount applications (numbered
        in line order) allocated to that line alone."""
        applied = [(item, d) for item, d in zip(order.line_items, discounts, strict=False) if d is not None]
        for index, (item, line_discount) in enumerate(applied):
            item.manual_discount = replace(line_discount, index=index)
            item.discount = line_discount.amount_for(item.price, item.quantity)

    @staticmethod
    def _apply_discount(order: Order, discount: DiscountCode) -> None:
        """Allocate the code over the lines (or shipping), rounding the remainder onto the last line."""
        if discount.kind == "shipping":
            for shipping in order.shipping_lines:
                shipping.discount = shipping.price
            discount.amount = money(sum((s.discount for s in order.shipping_lines), ZERO))
        else:
            base = order.total_line_items_price
            target = money(base * discount.value / 100) if discount.kind == "percentage" else min(discount.value, base)
            allocated = ZERO
            for index, item in enumerate(order.line_items):
                if index == len(order.line_items) - 1:
                    item.discount = money(target - allocated)
                else:
                    item.discount = money(target * item.original_total / base) if base else ZERO
                allocated += item.discount
            discount.amount = money(target)
        order.discount_codes.append(discount)

    def _plan_company_location(self, raw: str | None, err: Callable[..., None]) -> CompanyLocation | None:
        if raw is None:
            return None
        parsed = safe_gid(raw)
        number = parsed.is_a("CompanyLocation") if parsed else None
        location = self.shop.company_locations.get(number) if number is not None else None
        if location is None:
            # ASSUMPTION: the message and code (the schema's OrderCreateUserErrorCode has no code
            # for it, so INVALID).
            err("Company location does not exist", ["companyLocationId"])
        return location

    @staticmethod
    def _purchasing_company(location: CompanyLocation, customer: Customer | None) -> PurchasingCompany:
        """The order's buyer: the location's company, with the contact that is the order's customer.
        ASSUMPTION: a customer who is no contact of the company is accepted, the purchasing entity
        then names no contact (Shopify documents neither case for `orderCreate`)."""
        contact = next((c for c in location.company.contacts if customer is not None and c.customer is customer), None)
        return PurchasingCompany(location.company, location, contact)

    def _plan_customer(
        self, raw: dict[str, Any] | None, err: Callable[..., None]
    ) -> tuple[Customer | None, dict[str, Any] | None]:
        """Resolve `customer` without writing: an existing customer and/or the attributes to upsert."""
        if not raw:
            return None, None
        upsert, associate = raw.get("toUpsert"), raw.get("toAssociate")
        if upsert is not None and associate is not None:
            err("Provide either toAssociate or toUpsert, not both", ["customer"], "REDUNDANT_CUSTOMER_FIELDS")
            return None, None
        if associate is not None:
            found = self._find_customer(associate.get("id"), associate.get("email"))
            if found is None:
                err("Customer does not exist", ["customer", "toAssociate"])
            return found, None
        if upsert is None:
            return None, None
        if upsert.get("email") is not None and not EMAIL_PATTERN.match(upsert["email"]):
            err("Email is invalid", ["customer", "toUpsert", "email"])
        existing = None
        if upsert.get("id"):
            existing = self._find_customer(upsert["id"], None)
            if existing is None:
                err("Customer does not exist", ["customer", "toUpsert", "id"])
        elif upsert.get("email"):
            existing = self.shop.customer_by_email(upsert["email"])
        return existing, upsert

    def _find_customer(self, raw_id: str | None, email: str | None) -> Customer | None:
        if raw_id:
            parsed = safe_gid(raw_id)
            number = parsed.is_a("Customer") if parsed else None
            return self.shop.customers.get(number) if number is not None else None
        if email:
            return self.shop.customer_by_email(email)
        return None

    def _apply_customer(self, plan: tuple[Customer | None, dict[str, Any] | None]) -> Customer | None:
        customer, upsert = plan
        if upsert is None:
            return customer
        if customer is None:
            customer = Customer(id=self.shop.next_id("Customer"), email=upsert.get("email"))
            self.shop.customers[customer.id] = customer
        for key, attr in (
            ("email", "email"),
            ("firstName", "first_name"),
            ("lastName", "last_name"),
            ("phone", "phone"),
            ("note", "note"),
        ):
            if upsert.get(key) is not None:
                setattr(customer, attr, upsert[key])
        if upsert.get("tags") is not None:
            customer.tags = sorted_tags(normalize_tags(upsert["tags"]))
        if upsert.get("taxExempt") is not None:
            customer.tax_exempt = bool(upsert["taxExempt"])
        customer.updated_at = utcnow()
        return customer

    def _transactions(self, raw: list[dict[str, Any]], currency: str, err: Callable[..., None]) -> list[Transaction]:
        out: list[Transaction] = []
        for index, tx in enumerate(raw):
            amount_input = money_input(tx["amountSet"])
            assert amount_input is not None  # amountSet is MoneyBagInput!
            value, tx_currency = amount_input
            if tx_currency != currency:
                err(
                    f"Transaction currency must be the order currency ({currency})",
                    ["transactions", str(index), "amountSet"],
                )
            if value < 0:
                err("Amount must be greater than or equal to 0", ["transactions", str(index), "amountSet"])
            out.append(
                Transaction(
                    id=0,
                    kind=tx.get("kind") or "SALE",
                    status=tx.get("status") or "SUCCESS",
                    amount=money(value),
                    currency=currency,
                    gateway=tx.get("gateway") or "manual",
                    authorization_code=tx.get("authorizationCode"),
                    test=bool(tx.get("test")),
                    processed_at=tx.get("processedAt") or utcnow(),
                )
            )
        return out

    @staticmethod
    def _derived_financial_status(order: Order) -> str:
        """Without an explicit `financialStatus`, Shopify derives it from the transactions."""
        paid = order.total_received
        authorized = sum(
            (t.amount for t in order.transactions if t.status == "SUCCESS" and t.kind == "AUTHORIZATION"), ZERO
        )
        if paid > 0:
            return "PAID" if paid >= order.total_price else "PARTIALLY_PAID"
        if authorized > 0:
            return "AUTHORIZED"
        return "PENDING"
