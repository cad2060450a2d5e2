"""Orders, invoices and credit memos of a simulated store: Magento's order state machine.

* hold: from any state but `holded`, `canceled`, `complete`, `closed`, `payment_review`; the state
  and status before are kept in `hold_before_*`. unhold: only from `holded`, restoring them.
* cancel: answers `false` (not an error, as `OrderManagement::cancel`) when the order is held, in
  payment review, final, or fully invoiced; otherwise cancels what is not invoiced.
* invoice: whatever is not invoiced yet (or the given items); the first invoice carries the
  shipping amount. Invoices are paid at once (offline capture), moving `new` orders to `processing`.
* refund: only invoiced, not yet refunded quantities and at most the money paid and not refunded
  (per invoice for `/V1/invoice/{id}/refund`); a fully refunded order becomes `closed`. Items at
  qty 0 with `adjustment_positive` make an adjustment-only memo, refused (as by Magento) when the
  order has no shipping left to refund.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sandbox.adobe_commerce import b2b, catalog
from sandbox.adobe_commerce.errors import MagentoError, bad_request, entity_not_found
from sandbox.adobe_commerce.events import CREDIT_MEMO_SAVED, INVOICE_SAVED, ORDER_PLACED, ORDER_SAVED
from sandbox.adobe_commerce.rendering import credit_memo_json, invoice_json, order_json
from sandbox.adobe_commerce.state import (
    ZERO,
    CreditMemoState,
    DocumentItem,
    InvoiceState,
    OrderAddressState,
    OrderItemState,
    OrderState,
    StatusHistoryState,
    now_text,
)
from sandbox.adobe_commerce.store import DEFAULT_STATUS, Store
from sandbox.effects import EffectKind

UNHOLDABLE = frozenset({"holded", "canceled", "complete", "closed", "payment_review"})
NOT_INVOICEABLE = UNHOLDABLE
NO_CREDIT_MEMO = frozenset({"holded", "canceled", "closed", "payment_review"})


def get_order(store: Store, order_id: int) -> OrderState:
    order = store.state.orders.get(order_id)
    if order is None:
        raise entity_not_found()
    return order


def _saved(store: Store, order: OrderState) -> None:
    order.updated_at = now_text()
    store.emit(ORDER_SAVED, order_json(order))


def _set_state(order: OrderState, state: str) -> None:
    order.state = state
    order.status = DEFAULT_STATUS[state]


def _amount(store: Store, value: Decimal) -> str:
    return f"${value:.2f}" if store.config.currency == "USD" else f"{value:.2f} {store.config.currency}"


def register_placed_order(store: Store, order: OrderState) -> None:
    """An order placed over REST from a cart (see `carts.place_order`): stored and announced."""
    store.state.orders[order.entity_id] = order
    store.effects(order.entity_id, EffectKind.ORDER_CREATED, order.increment_id, source="cart")
    store.emit(ORDER_PLACED, order_json(order))
    _saved(store, order)


# -- seeding ----------------------------------------------------------------------------------------


def seed_order(store: Store, spec: dict[str, Any]) -> OrderState:
    """An order as if placed in the storefront (admin route; not a REST call)."""
    state = store.state
    entity_id = state.next_id("order")
    items = [
        OrderItemState(
            item_id=state.next_id("order_item"),
            sku=str(line["sku"]),
            name=str(line.get("name", line["sku"])),
            price=Decimal(str(line["price"])),
            qty_ordered=Decimal(str(line.get("qty", 1))),
            product_type=str(line.get("product_type", "simple")),
            # What the storefront's stock check decided for a product that allows backorders.
            qty_backordered=min(Decimal(str(line.get("qty_backordered", 0))), Decimal(str(line.get("qty", 1)))),
        )
        for line in spec["items"]
    ]
    order_state = str(spec.get("state", "new"))
    if order_state not in DEFAULT_STATUS:
        raise bad_request("Unknown order state %1", [order_state])
    status = str(spec.get("status") or DEFAULT_STATUS[order_state])
    if status not in store.statuses_of(order_state):
        raise bad_request('Status "%1" does not belong to state "%2".', [status, order_state])
    order = OrderState(
        entity_id=entity_id,
        increment_id=str(spec.get("increment_id") or state.increment(entity_id)),
        state=order_state,
        status=status,
        customer_email=str(spec.get("customer_email", "buyer@example.test")),
        customer_firstname=str(spec.get("customer_firstname", "Ada")),
        customer_lastname=str(spec.get("customer_lastname", "Buyer")),
        customer_id=spec.get("customer_id"),
        customer_group_id=int(spec.get("customer_group_id", 1)),
        store_id=int(spec.get("store_id", 1)),
        currency=store.config.currency,
        items=items,
        shipping_amount=Decimal(str(spec.get("shipping_amount", 0))),
        ext_order_id=spec.get("ext_order_id"),
    )
    if spec.get("created_at") is not None:
        order.created_at = _placed_at(str(spec["created_at"]))
    order.billing_address = _address("billing", spec.get("billing_address"), order)
    if not all(i.product_type in ("virtual", "downloadable") for i in items):
        order.shipping_address = _address("shipping", spec.get("shipping_address", spec.get("billing_address")), order)
    order.payment_method = str(spec.get("payment_method", "checkmo"))
    if spec.get("company_id") is not None:
        _attach_company(store, order, int(spec["company_id"]))
    state.orders[entity_id] = order
    _ensure_products(store, items)
    if spec.get("invoiced"):
        create_invoice(store, entity_id, {})
    order.updated_at = now_text()
    store.effects(order.entity_id, EffectKind.ORDER_CREATED, order.increment_id, source="seed")
    store.emit(ORDER_PLACED, order_json(order))
    _saved(store, order)
    return order


def _ensure_products(store: Store, items: list[OrderItemState]) -> None:
    """What was ordered is in the catalog, as in a real store (a replacement cart orders by SKU);
    products seeded before the order keep their own data."""
    for item in items:
        if item.sku not in store.state.products:
            catalog.seed_product(store, {"sku": item.sku, "name": item.name, "price": str(item.price)})


def _placed_at(value: str) -> str:
    """An order placed in the past (sandbox seeding only), in Magento's `Y-m-d H:i:s` (UTC)."""
    try:
        datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
    except ValueError as exc:
        raise bad_request("created_at must be Y-m-d H:i:s, got %1", [value]) from exc
    return value


_DEFAULT_ADDRESS: dict[str, Any] = {
    "street": ["1 Market Street"],
    "city": "Austin",
    "postcode": "78701",
    "country_id": "US",
    "region": "Texas",
    "telephone": "+1 512 555 0100",
}


def _address(kind: str, spec: dict[str, Any] | None, order: OrderState) -> OrderAddressState:
    data = {**_DEFAULT_ADDRESS, **(spec or {})}
    street = data["street"]
    return OrderAddressState(
        address_type=kind,
        firstname=str(data.get("firstname", order.customer_firstname)),
        lastname=str(data.get("lastname", order.customer_lastname)),
        street=[str(line) for line in (street if isinstance(street, list) else [street])],
        city=str(data["city"]),
        postcode=str(data["postcode"]),
        country_id=str(data["country_id"]).upper(),
        telephone=str(data["telephone"]),
        email=order.customer_email,
        region=data.get("region"),
    )


def _return_company_credit(store: Store, order: OrderState, amount: Decimal, kind: int, comment: str) -> None:
    """Money of an order paid on account goes back to the company credit (reverted / refunded)."""
    if order.payment_method != "companycredit" or order.company_id is None or amount <= 0:
        return
    credit = b2b.credit_of_company(store, order.company_id)
    b2b.change_balance(
        store,
        credit.id,
        {"operationType": kind, "value": str(amount), "currency": credit.currency_code, "comment": comment},
        increase=True,
    )


def _attach_company(store: Store, order: OrderState, company_id: int) -> None:
    """A company buyer's order; paid "on account" (`companycredit`) it draws on the company credit
    at placement, refused like the storefront refuses it when the credit may not be exceeded."""
    company = b2b.get_company(store, company_id)
    order.company_id, order.company_name = company.id, company.company_name
    if order.payment_method == "companycredit":
        credit = b2b.credit_of_company(store, company_id)
        b2b.change_balance(
            store,
            credit.id,
            {
                "operationType": 3,  # purchased
                "value": str(order.grand_total),
                "currency": credit.currency_code,
                "comment": f"Order #{order.increment_id}",
            },
            increase=False,
        )


# -- state changes ----------------------------------------------------------------------------------


def hold(store: Store, order_id: int) -> bool:
    order = get_order(store, order_id)
    if order.state in UNHOLDABLE:
        raise bad_request("A hold action is not available.")
    order.hold_before_state, order.hold_before_status = order.state, order.status
    _set_state(order, "holded")
    store.effects(order_id, EffectKind.HOLD_PLACED)
    _saved(store, order)
    return True


def unhold(store: Store, order_id: int) -> bool:
    order = get_order(store, order_id)
    if order.state != "holded" or order.hold_before_state is None:
        raise bad_request("You cannot remove the hold.")
    order.state = order.hold_before_state
    order.status = order.hold_before_status or DEFAULT_STATUS[order.state]
    order.hold_before_state = order.hold_before_status = None
    store.effects(order_id, EffectKind.HOLD_RELEASED)
    _saved(store, order)
    return True


def cancel(store: Store, order_id: int) -> bool:
    order = get_order(store, order_id)
    if order.state in UNHOLDABLE or not any(i.qty_to_invoice > 0 for i in order.items):
        return False
    canceled = ZERO
    for item in order.items:
        canceled += item.price * item.qty_to_invoice
        item.qty_canceled += item.qty_to_invoice
    if order.total_invoiced == 0:
        canceled += order.shipping_amount
    order.total_canceled += canceled
    _return_company_credit(store, order, canceled, 6, f"Order #{order.increment_id} canceled")  # reverted
    _set_state(order, "canceled")
    store.effects(order_id, EffectKind.ORDER_CANCELLED)
    _saved(store, order)
    return True


def add_comment(store: Store, order_id: int, history: dict[str, Any]) -> bool:
    order = get_order(store, order_id)
    status = history.get("status") or None
    if status is not None and status not in store.statuses_of(order.state):
        raise bad_request('The "%1" status doesn\'t belong to the "%2" order state.', [status, order.state])
    order.histories.append(
        StatusHistoryState(
            entity_id=store.state.next_id("status_history"),
            parent_id=order.entity_id,  # the path decides, as Magento sets the order on the history
            comment=str(history.get("comment", "")),
            status=status or order.status,
            is_customer_notified=int(history.get("is_customer_notified") or 0),
            is_visible_on_front=int(history.get("is_visible_on_front") or 0),
        )
    )
    if status is not None:
        order.status = status
    store.effects(order_id, EffectKind.NOTE_WRITTEN, order.histories[-1].entity_id, note=order.histories[-1].comment)
    _saved(store, order)
    return True


# -- invoices ---------------------------------------------------------------------------------------


def _requested_lines(order: OrderState, items: list[dict[str, Any]]) -> list[tuple[OrderItemState, Decimal]]:
    lines = []
    for entry in items:
        item = order.item(int(entry.get("order_item_id", 0)))
        if item is None:
            raise bad_request("The creditmemo contains product item that is not part of the original order.")
        lines.append((item, Decimal(str(entry.get("qty", 0)))))
    return lines


def create_invoice(store: Store, order_id: int, body: dict[str, Any]) -> int:
    order = get_order(store, order_id)
    if order.state in NOT_INVOICEABLE or not any(i.qty_to_invoice > 0 for i in order.items):
        raise bad_request("The order does not allow an invoice to be created.")
    requested = body.get("items") or []
    if requested:
        lines = _requested_lines(order, requested)
        for item, qty in lines:
            if qty > item.qty_to_invoice:
                raise bad_request(
                    'The quantity to invoice must not be greater than the uninvoiced quantity for product SKU "%1".',
                    [item.sku],
                )
    else:
        lines = [(i, i.qty_to_invoice) for i in order.items if i.qty_to_invoice > 0]
    lines = [(item, qty) for item, qty in lines if qty > 0]
    if not lines:
        raise bad_request("The invoice can't be created without products. Add products and try again.")
    state = store.state
    shipping = order.shipping_amount - order.shipping_invoiced
    invoice = InvoiceState(
        entity_id=state.next_id("invoice"),
        increment_id="",
        order_id=order.entity_id,
        items=[DocumentItem(state.next_id("invoice_item"), i.item_id, i.sku, i.name, i.price, qty) for i, qty in lines],
        shipping_amount=shipping,
        state=2,
    )
    invoice.increment_id = state.increment(invoice.entity_id)
    for item, qty in lines:
        item.qty_invoiced += qty
    order.shipping_invoiced += shipping
    order.total_invoiced += invoice.grand_total
    order.total_paid += invoice.grand_total
    if order.state in ("new", "pending_payment"):
        _set_state(order, "processing")
    state.invoices[invoice.entity_id] = invoice
    store.emit(INVOICE_SAVED, invoice_json(invoice))
    _saved(store, order)
    return invoice.entity_id


# -- credit memos -----------------------------------------------------------------------------------


def _invoice_refundable(store: Store, invoice: InvoiceState) -> dict[int, Decimal]:
    """Quantity per order item still refundable against this invoice."""
    refunded: dict[int, Decimal] = {}
    for memo in store.state.credit_memos.values():
        if memo.invoice_id == invoice.entity_id:
            for line in memo.items:
                refunded[line.order_item_id] = refunded.get(line.order_item_id, ZERO) + line.qty
    return {line.order_item_id: line.qty - refunded.get(line.order_item_id, ZERO) for line in invoice.items}


def refund(store: Store, order_id: int, body: dict[str, Any], invoice: InvoiceState | None = None) -> int:
    order = get_order(store, order_id)
    if order.state in NO_CREDIT_MEMO or order.total_paid - order.total_refunded <= 0:
        raise bad_request("The order does not allow a creditmemo to be created.")
    refundable = {i.item_id: i.qty_to_refund for i in order.items}
    if invoice is not None:
        per_invoice = _invoice_refundable(store, invoice)
        refundable = {k: min(v, per_invoice.get(k, ZERO)) for k, v in refundable.items()}
    requested = body.get("items") or []
    if requested:
        lines = _requested_lines(order, requested)
        for item, qty in lines:
            if qty > refundable.get(item.item_id, ZERO):
                raise bad_request(
                    'The quantity to creditmemo must not be greater than the unrefunded quantity for product SKU "%1".',
                    [item.sku],
                )
    else:
        lines = [(i, refundable[i.item_id]) for i in order.items if refundable[i.item_id] > 0]
    lines = [(item, qty) for item, qty in lines if qty > 0]
    arguments = body.get("arguments") or {}
    remaining_shipping = order.shipping_invoiced - order.shipping_refunded
    if invoice is not None:
        remaining_shipping = min(remaining_shipping, invoice.shipping_amount)
    shipping = Decimal(str(arguments.get("shipping_amount", remaining_shipping)))
    if shipping > remaining_shipping:
        raise bad_request("Maximum shipping amount allowed to refund is: %1", [_amount(store, remaining_shipping)])
    adjustment_positive = Decimal(str(arguments.get("adjustment_positive", 0)))
    adjustment_negative = Decimal(str(arguments.get("adjustment_negative", 0)))
    state = store.state
    memo = CreditMemoState(
        entity_id=state.next_id("creditmemo"),
        increment_id="",
        order_id=order.entity_id,
        invoice_id=invoice.entity_id if invoice is not None else None,
        items=[DocumentItem(state.next_id("creditmemo_item"), i.item_id, i.sku, i.name, i.price, q) for i, q in lines],
        shipping_amount=shipping,
        adjustment_positive=adjustment_positive,
        adjustment_negative=adjustment_negative,
    )
    available = order.total_paid - order.total_refunded
    if invoice is not None:
        available = min(available, invoice.grand_total - invoice.refunded)
    if memo.grand_total <= 0:
        raise bad_request("The credit memo's total must be positive.")
    if not lines and order.shipping_amount - order.shipping_refunded <= 0:
        # Magento's QuantityValidator: a memo refunding no unit (an adjustment-only one) needs
        # shipping left to refund on the order, even when it refunds none of it.
        raise bad_request("You can't create a creditmemo without products.")
    if memo.grand_total > available:
        raise bad_request("The most money available to refund is %1.", [_amount(store, available)])
    memo.increment_id = state.increment(memo.entity_id)
    comment = body.get("comment")
    if isinstance(comment, dict) and comment.get("comment"):
        memo.comments.append(
            {
                "comment": comment["comment"],
                "is_customer_notified": 1 if body.get("notify") else 0,
                "is_visible_on_front": int(comment.get("is_visible_on_front") or 0),
            }
        )
    for item, qty in lines:
        item.qty_refunded += qty
    order.shipping_refunded += shipping
    order.total_refunded += memo.grand_total
    if invoice is not None:
        invoice.refunded += memo.grand_total
    state.credit_memos[memo.entity_id] = memo
    _return_company_credit(store, order, memo.grand_total, 5, f"Credit memo #{memo.increment_id}")  # refunded
    how = "online" if body.get("isOnline") else "offline"
    order.histories.append(
        StatusHistoryState(
            entity_id=state.next_id("status_history"),
            parent_id=order.entity_id,
            comment=f"We refunded {_amount(store, memo.grand_total)} {how}.",
            status=order.status,
            is_customer_notified=1 if body.get("notify") else 0,
            is_visible_on_front=0,
        )
    )
    if order.total_refunded >= order.total_paid and not any(i.qty_to_invoice > 0 for i in order.items):
        _set_state(order, "closed")
    store.effects(order.entity_id, EffectKind.REFUND_CREATED, memo.entity_id, amount=str(memo.grand_total))
    store.emit(CREDIT_MEMO_SAVED, credit_memo_json(memo))
    _saved(store, order)
    return memo.entity_id


def refund_invoice(store: Store, invoice_id: int, body: dict[str, Any]) -> int:
    invoice = store.state.invoices.get(invoice_id)
    if invoice is None:
        raise MagentoError(404, "The entity that was requested doesn't exist. Verify the entity and try again.")
    return refund(store, invoice.order_id, body, invoice)
