"""Order domain of the simulator: creation, status changes, shipments, refund quotes and refunds.

Every change returns the webhook events it causes (`store/order/created`, `.../statusUpdated`,
`.../updated`, `.../refund/created`, `store/shipment/created`); the simulator hands them to the
hook dispatcher. Refusals raise `StoreError` with BigCommerce's status code and a message in its
style; the route renders it in the shape of the API that was called.

Behaviour where BigCommerce documents nothing precise (sandbox choices, kept deliberately strict):
* `POST /v2/orders` without `status_id` creates a Pending (1) order; `customer_id` must exist
  (0 = guest); only channel 1 exists; consignments (pickup orders) are not simulated.
* `PUT /v2/orders/{id}` with `products` edits the lines as `sandbox.bigcommerce.order_edits` says.
* Shipments are refused (400) for orders that are Incomplete, Refunded, Cancelled or Declined.
* Refunds need a paid order (not Incomplete/Pending/Declined/Awaiting Payment), must follow a quote
  for the same items when the store says so, and may not exceed what remains refundable (422).
  A full refund moves the order to Refunded (4), a partial one to Partially Refunded (14), except
  that a Cancelled order stays Cancelled (only its `payment_status` changes).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from email.utils import parsedate_to_datetime
from typing import Any

from sandbox.bigcommerce.errors import StoreError, invalid, not_found
from sandbox.bigcommerce.order_edits import edit_products
from sandbox.bigcommerce.state import (
    ORDER_STATUSES,
    ZERO,
    AddressState,
    MetafieldState,
    OrderProductState,
    OrderState,
    QuoteRecord,
    RefundItemState,
    RefundPaymentState,
    RefundState,
    ShipmentState,
    ShippingAddressState,
    StoreState,
    now,
)
from sandbox.effects import EffectKind, EffectRecorder, no_effects

CENT = Decimal("0.01")
UNPAID_STATUSES = frozenset({0, 1, 6, 7})
UNSHIPPABLE_STATUSES = frozenset({0, 4, 5, 6})
# PUT /v2/orders/{id} fields the sandbox applies; others the spec allows are refused as unsimulated.
_SIMPLE_ORDER_FIELDS = ("staff_notes", "customer_message", "payment_method", "external_source", "order_source")
_UNSIMULATED_ORDER_FIELDS = ("fees", "consignments", "shipping_addresses")


@dataclass
class Event:
    scope: str
    data: dict[str, Any]


def money(value: object, field: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise invalid(f"The field '{field}' is invalid.", field) from exc
    if not amount.is_finite() or amount < 0:
        raise invalid(f"The field '{field}' is invalid.", field)
    return amount


def _date_created(value: object, default: datetime) -> datetime:
    """`date_created` on POST: RFC-2822, settable to migrate historical orders (the spec's words)."""
    if value is None or value == "":
        return default
    try:
        parsed = parsedate_to_datetime(str(value))
    except (TypeError, ValueError) as exc:
        raise invalid("The field 'date_created' is invalid.", "date_created") from exc
    if parsed.tzinfo is None:
        raise invalid("The field 'date_created' is invalid.", "date_created")
    return parsed.astimezone(UTC)


def _order_event(scope: str, order: OrderState, **extra: Any) -> Event:
    return Event(scope, {"type": "order", "id": order.id, **extra})


# Casebridge's hold is "Manual Verification Required"; 5 is Cancelled.
HOLD_STATUS, CANCELLED_STATUS = 12, 5


class OrderBook:
    def __init__(self, store: StoreState, effects: EffectRecorder = no_effects) -> None:
        self.store = store
        self.effects = effects  # the world's side-effect ledger, bound to this store

    def get(self, order_id: int) -> OrderState:
        order = self.store.orders.get(order_id)
        if order is None:
            raise not_found("order", order_id)
        return order

    # -- creation -------------------------------------------------------------------------------

    def create(self, body: dict[str, Any], *, order_source: str = "external") -> tuple[OrderState, list[Event]]:
        if body.get("consignments"):
            raise StoreError(400, "sandbox: pickup consignments are not simulated; send products instead.")
        raw_products = body.get("products") or []
        if not raw_products:
            raise invalid("The field 'products' is required.", "products")
        if not isinstance(body.get("billing_address"), dict):
            raise invalid("The field 'billing_address' is required.", "billing_address")
        customer_id = int(body.get("customer_id") or 0)
        if customer_id and customer_id not in self.store.customers:
            raise invalid(f"The customer ID {customer_id} does not exist.", "customer_id")
        channel_id = int(body.get("channel_id") or 1)
        if channel_id != 1:
            raise invalid(f"The channel ID {channel_id} does not exist or is not enabled.", "channel_id")
        status_id = int(body.get("status_id", 1))
        self._check_status(status_id)
        stamp = now()
        order = OrderState(
            id=self.store.next_id("order", 100),
            customer_id=customer_id,
            status_id=status_id,
            billing=AddressState.from_json(body["billing_address"]),
            date_created=_date_created(body.get("date_created"), stamp),
            date_modified=stamp,
            channel_id=channel_id,
            currency_code=self.store.config.currency_code,
            staff_notes=str(body.get("staff_notes") or ""),
            customer_message=str(body.get("customer_message") or ""),
            external_source=str(body.get("external_source") or ""),
            external_order_id=str(body.get("external_order_id") or ""),
            order_source=order_source,
            payment_method=str(body.get("payment_method") or "Manual"),
            payment_provider_id=body.get("payment_provider_id") or None,
            payment_status=str(body.get("payment_status") or ""),
        )
        raw_addresses = body.get("shipping_addresses") or [body["billing_address"]]
        for index, raw in enumerate(raw_addresses):
            shipping = money(body.get("shipping_cost_inc_tax") or 0, "shipping_cost_inc_tax") if index == 0 else ZERO
            shipping_ex = (
                money(body.get("shipping_cost_ex_tax") or shipping, "shipping_cost_ex_tax") if index == 0 else ZERO
            )
            order.addresses.append(
                ShippingAddressState(
                    id=self.store.next_id("order_address", 1),
                    order_id=order.id,
                    address=AddressState.from_json(raw),
                    shipping_method=str(raw.get("shipping_method") or "Flat Rate"),
                    cost_ex_tax=shipping_ex,
                    cost_inc_tax=shipping,
                )
            )
        for raw in raw_products:
            order.products.append(self._order_product(order, raw))
        self.store.orders[order.id] = order
        self.effects(
            order.id, EffectKind.ORDER_CREATED, order.id, source=order_source, external=order.external_order_id
        )
        return order, [_order_event("store/order/created", order)]

    def _order_product(self, order: OrderState, raw: dict[str, Any]) -> OrderProductState:
        quantity = int(raw.get("quantity") or 0)
        if quantity < 1:
            raise invalid("The field 'quantity' must be at least 1.", "products.quantity")
        product_id = raw.get("product_id")
        if product_id is not None:
            catalog = self.store.products.get(int(product_id))
            if catalog is None:
                raise invalid(f"The product ID {product_id} does not exist.", "products.product_id")
            price_inc = money(raw.get("price_inc_tax", catalog.price), "price_inc_tax")
            price_ex = money(raw.get("price_ex_tax", price_inc), "price_ex_tax")
            name, sku, variant = catalog.name, catalog.sku, catalog.base_variant_id
        else:
            missing = [f for f in ("name", "price_inc_tax", "price_ex_tax") if raw.get(f) in (None, "")]
            if missing:
                raise invalid(f"A custom product needs {', '.join(missing)}.", "products")
            price_inc = money(raw["price_inc_tax"], "price_inc_tax")
            price_ex = money(raw["price_ex_tax"], "price_ex_tax")
            name, sku, variant = str(raw["name"]), str(raw.get("sku") or ""), None
        return OrderProductState(
            id=self.store.next_id("order_product", 1),
            order_id=order.id,
            product_id=int(product_id or 0),
            variant_id=variant,
            order_address_id=order.addresses[0].id,
            name=name,
            sku=sku,
            quantity=quantity,
            price_ex_tax=price_ex,
            price_inc_tax=price_inc,
        )

    def _added_product(self, order: OrderState, raw: dict[str, Any]) -> OrderProductState:
        """A line added by `PUT /v2/orders/{id}`: as on creation, plus the variant and options
        checks (the sandbox's catalog products are simple: one base variant, no options)."""
        product_id = raw.get("product_id")
        catalog = self.store.products.get(int(product_id)) if product_id is not None else None
        if catalog is not None:
            variant_id = raw.get("variant_id")
            if variant_id is not None and variant_id != catalog.base_variant_id:
                raise invalid(f"The variant ID {variant_id} does not belong to product {catalog.id}.", "variant_id")
            options = raw.get("product_options") or []
            if options:
                raise invalid(f"The product ID {catalog.id} has no option {options[0].get('id')}.", "product_options")
        line = self._order_product(order, raw)
        if catalog is not None and raw.get("name"):
            line.name = str(raw["name"])  # the catalog name is only the default
        return line

    # -- updates and status ---------------------------------------------------------------------

    @staticmethod
    def _check_status(status_id: int) -> None:
        if status_id not in ORDER_STATUSES:
            raise invalid(f"The field 'status_id' is invalid: {status_id} is not an order status.", "status_id")

    def update(self, order_id: int, body: dict[str, Any]) -> tuple[OrderState, list[Event]]:
        order = self.get(order_id)
        unsimulated = [f for f in _UNSIMULATED_ORDER_FIELDS if f in body]
        if unsimulated:
            raise StoreError(400, f"sandbox: updating {', '.join(unsimulated)} is not simulated.")
        if "external_merchant_id" in body:
            raise StoreError(400, "The field 'external_merchant_id' cannot be updated.")
        if "status_id" in body:
            self._check_status(int(body["status_id"]))
        events: list[Event] = []
        # Before the other fields: a refused product edit must leave the whole order as it was.
        changed = "products" in body and edit_products(
            order, body["products"], lambda raw: self._added_product(order, raw), money
        )
        if changed:
            self.effects(order.id, EffectKind.ORDER_EDITED)
        for name in _SIMPLE_ORDER_FIELDS:
            if name in body and getattr(order, name) != str(body[name] or ""):
                setattr(order, name, str(body[name] or ""))
                changed = True
                if name == "staff_notes":
                    self.effects(order.id, EffectKind.NOTE_WRITTEN, None, note=order.staff_notes)
        if "billing_address" in body:
            order.billing = AddressState.from_json(body["billing_address"])
            changed = True
        if "customer_id" in body:
            customer_id = int(body["customer_id"] or 0)
            if customer_id and customer_id not in self.store.customers:
                raise invalid(f"The customer ID {customer_id} does not exist.", "customer_id")
            changed |= order.customer_id != customer_id
            order.customer_id = customer_id
        if "status_id" in body:
            new_status = int(body["status_id"])
            self._check_status(new_status)
            events.extend(self.set_status(order, new_status))
        if changed or events:
            order.date_modified = now()
            events.append(_order_event("store/order/updated", order))
        return order, events

    def set_status(self, order: OrderState, new_status: int) -> list[Event]:
        """Any status may be set through the API, as on BigCommerce; a repeat changes nothing."""
        if order.status_id == new_status:
            return []
        previous, order.status_id = order.status_id, new_status
        order.date_modified = now()
        if new_status == CANCELLED_STATUS:
            kind = EffectKind.ORDER_CANCELLED
        elif new_status == HOLD_STATUS:
            kind = EffectKind.HOLD_PLACED
        elif previous == HOLD_STATUS:
            kind = EffectKind.HOLD_RELEASED
        else:
            kind = EffectKind.STATUS_CHANGED
        self.effects(order.id, kind, None, previous_status=previous, new_status=new_status)
        return [
            _order_event(
                "store/order/statusUpdated", order, status={"previous_status_id": previous, "new_status_id": new_status}
            )
        ]

    # -- shipments ------------------------------------------------------------------------------

    def create_shipment(self, order_id: int, body: dict[str, Any]) -> tuple[ShipmentState, list[Event]]:
        order = self.get(order_id)
        if order.status_id in UNSHIPPABLE_STATUSES:
            raise StoreError(400, f"An order with status '{order.status}' cannot be shipped.")
        address = order.address(int(body.get("order_address_id") or 0))
        if address is None:
            raise StoreError(400, "The field 'order_address_id' is invalid.")
        raw_items = body.get("items") or []
        if not raw_items:
            raise StoreError(400, "The field 'items' is required.")
        items: list[tuple[OrderProductState, int]] = []
        for raw in raw_items:
            product = order.product(int(raw.get("order_product_id") or 0))
            quantity = int(raw.get("quantity") or 0)
            if product is None:
                raise StoreError(400, f"The order product {raw.get('order_product_id')} does not belong to the order.")
            if quantity < 1 or quantity > product.quantity - product.quantity_shipped:
                raise StoreError(400, f"The quantity {quantity} exceeds the unshipped quantity of item {product.id}.")
            items.append((product, quantity))
        for product, quantity in items:
            product.quantity_shipped += quantity
        shipment = ShipmentState(
            id=self.store.next_id("shipment", 1),
            order_id=order.id,
            customer_id=order.customer_id,
            order_address_id=address.id,
            date_created=now(),
            tracking_number=str(body.get("tracking_number") or ""),
            shipping_provider=str(body.get("shipping_provider") or ""),
            tracking_carrier=str(body.get("tracking_carrier") or ""),
            comments=str(body.get("comments") or ""),
            items=[(p.id, p.product_id, q) for p, q in items],
        )
        order.shipments.append(shipment)
        order.date_shipped = shipment.date_created
        events = [Event("store/shipment/created", {"type": "shipment", "id": shipment.id, "orderId": order.id})]
        events.extend(self.set_status(order, 2 if order.items_shipped >= order.items_total else 3))
        return shipment, events

    # -- refunds --------------------------------------------------------------------------------

    def _refund_lines(self, order: OrderState, raw_items: list[dict[str, Any]]) -> list[RefundItemState]:
        if order.status_id in UNPAID_STATUSES:
            raise invalid(f"An order with status '{order.status}' has no payment to refund.", "order")
        lines: list[RefundItemState] = []
        for raw in raw_items:
            kind = str(raw.get("item_type"))
            item_id = int(raw.get("item_id") or 0)
            reason = raw.get("reason")
            if kind == "PRODUCT":
                product = order.product(item_id)
                quantity = int(raw.get("quantity") or 0)
                if product is None:
                    raise invalid(f"Order product {item_id} does not belong to order {order.id}.", "items.item_id")
                if quantity < 1 or quantity > product.quantity - product.quantity_refunded:
                    raise invalid(f"Quantity {quantity} exceeds the refundable quantity of item {item_id}.", "items")
                amount = product.price_inc_tax * quantity
                lines.append(RefundItemState(kind, item_id, quantity, amount.quantize(CENT), reason))
            elif kind in ("SHIPPING", "HANDLING"):
                address = order.address(item_id)
                if address is None:
                    raise invalid(f"Order address {item_id} does not belong to order {order.id}.", "items.item_id")
                amount = money(raw.get("amount", 0), "items.amount")
                available = address.cost_inc_tax - address.refunded if kind == "SHIPPING" else ZERO
                if amount > available:
                    raise invalid(f"The {kind.lower()} amount {amount} exceeds what remains ({available}).", "items")
                lines.append(RefundItemState(kind, item_id, None, amount.quantize(CENT), reason))
            elif kind == "ORDER":
                if item_id != order.id:
                    raise invalid("For item_type ORDER, item_id must be the order id.", "items.item_id")
                amount = money(raw.get("amount", 0), "items.amount")
                lines.append(RefundItemState(kind, item_id, None, amount.quantize(CENT), reason))
            else:
                raise invalid(f"sandbox: refunds of item_type {kind} are not simulated.", "items.item_type")
        total = sum((line.amount for line in lines), ZERO)
        if total > order.refundable:
            raise invalid(
                f"The refund amount {total} exceeds the amount remaining to refund ({order.refundable}).", "items"
            )
        return lines

    def _methods(self, order: OrderState, total: Decimal) -> list[list[dict[str, Any]]]:
        methods: list[list[dict[str, Any]]] = []
        if order.payment_provider_id:
            methods.append([self._option(order.payment_provider_id, order.payment_method, total, offline=False)])
        if order.customer_id:
            methods.append([self._option("storecredit", "Store Credit", total, offline=False)])
        methods.append([self._option("custom", "Custom", total, offline=True)])
        return methods

    @staticmethod
    def _option(provider_id: str, description: str, amount: Decimal, *, offline: bool) -> dict[str, Any]:
        return {
            "provider_id": provider_id,
            "provider_description": description,
            "amount": amount,
            "offline": offline,
            "offline_provider": offline,
            "offline_reason": "This is an offline payment provider." if offline else "",
        }

    @staticmethod
    def _providers(methods: list[list[dict[str, Any]]]) -> dict[str, bool]:
        return {option["provider_id"]: bool(option["offline"]) for method in methods for option in method}

    @staticmethod
    def _items_key(lines: list[RefundItemState]) -> tuple[tuple[str, int, int, str], ...]:
        return tuple(sorted((line.item_type, line.item_id, line.quantity or 0, str(line.amount)) for line in lines))

    def quote(self, order_id: int, raw_items: list[dict[str, Any]]) -> tuple[OrderState, Decimal, list[Any]]:
        """(order, total, refund_methods); remembers the quote for the refund that follows."""
        order = self.get(order_id)
        lines = self._refund_lines(order, raw_items)
        total = sum((line.amount for line in lines), ZERO)
        methods = self._methods(order, total)
        order.last_quote = QuoteRecord(self._items_key(lines), total, self._providers(methods))
        return order, total, methods

    def refund(
        self, order_id: int, raw_items: list[dict[str, Any]], raw_payments: list[dict[str, Any]]
    ) -> tuple[RefundState, list[Event]]:
        order = self.get(order_id)
        lines = self._refund_lines(order, raw_items)
        total = sum((line.amount for line in lines), ZERO)
        quote = order.last_quote
        if self.store.config.require_refund_quote and (quote is None or quote.items_key != self._items_key(lines)):
            raise invalid("Create a refund quote for these items before refunding them.", "items")
        offered = quote.providers if quote is not None else self._providers(self._methods(order, total))
        payments: list[RefundPaymentState] = []
        for raw in raw_payments:
            provider = str(raw.get("provider_id") or "")
            if provider not in offered:
                raise invalid(f"The payment provider '{provider}' is not available for this refund.", "payments")
            payments.append(
                RefundPaymentState(
                    id=self.store.next_id("refund_payment", 1),
                    provider_id=provider,
                    amount=money(raw.get("amount", 0), "payments.amount").quantize(CENT),
                    offline=bool(raw.get("offline", offered[provider])),
                )
            )
        paid = sum((p.amount for p in payments), ZERO)
        if not payments or paid != total.quantize(CENT):
            raise invalid(f"The payment amounts ({paid}) must equal the refund total ({total}).", "payments")
        for line in lines:
            if line.item_type == "PRODUCT":
                product = order.product(line.item_id)
                assert product is not None and line.quantity is not None
                product.quantity_refunded += line.quantity
                product.refund_amount += line.amount
            elif line.item_type == "SHIPPING":
                address = order.address(line.item_id)
                assert address is not None
                address.refunded += line.amount
        refund = RefundState(
            id=self.store.next_id("refund", 1),
            order_id=order.id,
            created=now(),
            reason=next((line.reason for line in lines if line.reason), None),
            total_amount=total.quantize(CENT),
            items=lines,
            payments=payments,
        )
        order.refunds.append(refund)
        self.effects(order.id, EffectKind.REFUND_CREATED, refund.id, amount=str(refund.total_amount))
        order.date_modified = refund.created
        fully = order.refundable == 0
        order.payment_status = "refunded" if fully else "partially refunded"
        events = [_order_event("store/order/refund/created", order, refund={"refund_id": refund.id})]
        if order.status_id != 5:
            events.extend(self.set_status(order, 4 if fully else 14))
        return refund, events

    # -- metafields -----------------------------------------------------------------------------

    def add_metafield(self, order_id: int, body: dict[str, Any]) -> MetafieldState:
        order = self.get(order_id)
        namespace, key = str(body["namespace"]), str(body["key"])
        if any(m.namespace == namespace and m.key == key for m in order.metafields):
            raise StoreError(409, f"A metafield with namespace '{namespace}' and key '{key}' already exists.")
        stamp = now()
        metafield = MetafieldState(
            id=self.store.next_id("metafield", 1),
            resource_id=order.id,
            namespace=namespace,
            key=key,
            value=str(body["value"]),
            permission_set=str(body["permission_set"]),
            description=str(body.get("description") or ""),
            date_created=stamp,
            date_modified=stamp,
        )
        order.metafields.append(metafield)
        return metafield

    def metafield(self, order_id: int, metafield_id: int) -> MetafieldState:
        order = self.get(order_id)
        found = next((m for m in order.metafields if m.id == metafield_id), None)
        if found is None:
            raise not_found("metafield", metafield_id)
        return found

    def update_metafield(self, order_id: int, metafield_id: int, body: dict[str, Any]) -> MetafieldState:
        metafield = self.metafield(order_id, metafield_id)
        order = self.get(order_id)
        namespace, key = str(body.get("namespace", metafield.namespace)), str(body.get("key", metafield.key))
        if any(m.id != metafield.id and m.namespace == namespace and m.key == key for m in order.metafields):
            raise StoreError(409, f"A metafield with namespace '{namespace}' and key '{key}' already exists.")
        metafield.namespace, metafield.key = namespace, key
        metafield.value = str(body.get("value", metafield.value))
        metafield.permission_set = str(body.get("permission_set", metafield.permission_set))
        metafield.description = str(body.get("description", metafield.description))
        metafield.date_modified = now()
        return metafield

    def delete_metafield(self, order_id: int, metafield_id: int) -> None:
        metafield = self.metafield(order_id, metafield_id)
        self.get(order_id).metafields.remove(metafield)
