"""Orders, order comments, invoices and credit memos (refunds) on Adobe Commerce.

There are no idempotency keys in the REST API, so writes a retry may repeat are made safe here:
hold, unhold and cancel treat "already in the target state" as success (Magento refuses or answers
`false` in that case, so the order is re-read to tell "already done" from "not allowed"). A refund
is not repeat-safe by itself: callers that may retry one should compare `credit_memos_for_order`
(or the order's `total_refunded`) with what they meant to refund before asking again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

from connectors.adobe_commerce.client import AdobeCommerceClient
from connectors.adobe_commerce.contract import ONCE_MARKER, STATE_CANCELED, STATE_HOLDED, SYSTEM
from connectors.adobe_commerce.models import (
    CreditMemo,
    Invoice,
    Order,
    RefundItem,
    RefundOutcome,
    SearchResult,
    StatusHistory,
)
from connectors.adobe_commerce.search import Filter, search_all, where
from connectors.errors import ConflictError, ContractError, NotFoundError, RejectedError

# Whether the order reached the state an action aims for (used to recognise "already done").
_Reached = Callable[[Order], bool]


def _flag(value: bool) -> int:
    return 1 if value else 0


def _money(value: Decimal | float | None) -> float | None:
    return None if value is None else float(value)


class AdobeSales:
    def __init__(self, client: AdobeCommerceClient) -> None:
        self.client = client

    # -- orders -----------------------------------------------------------------------------------

    async def get_order(self, order_id: int) -> Order:
        return await self.client.call_as(Order, "get_order", "GET", f"/V1/orders/{int(order_id)}")

    async def find_orders(self, groups: Sequence[Sequence[Filter]]) -> list[Order]:
        """Orders matching the filter groups (ANDed; filters in a group ORed), across pages."""
        return await search_all(self.client, Order, "find_orders", "/V1/orders", groups)

    async def find_order_by_increment_id(self, increment_id: str) -> Order | None:
        """The order with this number (what customers see, e.g. `000000123`), if any."""
        orders = await search_all(self.client, Order, "find_orders", "/V1/orders", where("increment_id", increment_id))
        return orders[0] if orders else None

    async def hold_order(self, order_id: int) -> bool:
        """Put the order on hold. True when this call held it, False when it was already held."""
        return await self._transition("hold_order", order_id, "hold", reached=lambda o: o.state == STATE_HOLDED)

    async def unhold_order(self, order_id: int) -> bool:
        """Release a hold. True when this call released it, False when the order was not held."""
        return await self._transition("unhold_order", order_id, "unhold", reached=lambda o: o.state != STATE_HOLDED)

    async def cancel_order(self, order_id: int) -> bool:
        """Cancel the order. True when this call cancelled it, False when it already was cancelled;
        `ConflictError` when Commerce will not cancel it (e.g. fully invoiced, or held)."""
        return await self._transition("cancel_order", order_id, "cancel", reached=lambda o: o.state == STATE_CANCELED)

    async def _transition(self, operation: str, order_id: int, action: str, *, reached: _Reached) -> bool:
        path = f"/V1/orders/{int(order_id)}/{action}"
        try:
            answer = await self.client.call(operation, "POST", path)
        except NotFoundError:
            raise
        except RejectedError as exc:
            # Magento refuses a transition the order cannot make, including "already there".
            order = await self.get_order(order_id)
            if reached(order):
                return False
            raise ConflictError(
                f"order {order.increment_id} is {order.state}: {exc.message}",
                system=SYSTEM,
                operation=operation,
                status_code=exc.status_code,
                details=exc.details,
            ) from exc
        if answer is True:
            return True
        if answer is False:  # cancel answers false instead of an error
            order = await self.get_order(order_id)
            if reached(order):
                return False
            raise ConflictError(
                f"order {order.increment_id} cannot be {action}ed in state {order.state}",
                system=SYSTEM,
                operation=operation,
            )
        raise ContractError(f"{action} answered {answer!r}, not a boolean", system=SYSTEM, operation=operation)

    # -- comments ---------------------------------------------------------------------------------

    async def add_order_comment(
        self,
        order_id: int,
        comment: str,
        *,
        status: str | None = None,
        notify_customer: bool = False,
        visible_on_front: bool = False,
    ) -> None:
        """Add a status-history comment; `status` (a status of the current state) switches the status."""
        history: dict[str, object] = {
            "comment": comment,
            "is_customer_notified": _flag(notify_customer),
            "is_visible_on_front": _flag(visible_on_front),
            "parent_id": int(order_id),
        }
        if status is not None:
            history["status"] = status
        answer = await self.client.call(
            "add_order_comment", "POST", f"/V1/orders/{int(order_id)}/comments", json={"statusHistory": history}
        )
        if answer is not True:
            raise RejectedError(f"comment not added (answer {answer!r})", system=SYSTEM, operation="add_order_comment")

    async def add_order_comment_once(
        self, order_id: int, comment: str, *, key: str, notify_customer: bool = False, visible_on_front: bool = False
    ) -> bool:
        """Add a comment carrying `key`'s marker unless the order has it already (a retried call).
        True when this call added it."""
        marked = f"{comment} {ONCE_MARKER.format(key=key)}"
        order = await self.get_order(order_id)
        if any(h.comment and ONCE_MARKER.format(key=key) in h.comment for h in order.status_histories):
            return False
        await self.add_order_comment(
            order_id, marked, notify_customer=notify_customer, visible_on_front=visible_on_front
        )
        return True

    async def order_comments(self, order_id: int) -> list[StatusHistory]:
        result = await self.client.call_as(
            SearchResult[StatusHistory], "order_comments", "GET", f"/V1/orders/{int(order_id)}/comments"
        )
        return result.items

    # -- invoices ---------------------------------------------------------------------------------

    async def create_invoice(
        self,
        order_id: int,
        *,
        items: Sequence[RefundItem] = (),
        capture: bool = True,
        notify: bool = False,
        comment: str | None = None,
    ) -> int:
        """Invoice the order (all of it when `items` is empty); returns the invoice id."""
        body: dict[str, object] = {"capture": capture, "notify": notify}
        if items:
            body["items"] = [{"order_item_id": i.order_item_id, "qty": float(i.qty)} for i in items]
        if comment is not None:
            body["comment"] = {"comment": comment, "is_visible_on_front": 0}
        return await self.client.call_as(int, "create_invoice", "POST", f"/V1/order/{int(order_id)}/invoice", json=body)

    async def invoices_for_order(self, order_id: int) -> list[Invoice]:
        return await search_all(self.client, Invoice, "invoices_for_order", "/V1/invoices", where("order_id", order_id))

    # -- credit memos -----------------------------------------------------------------------------

    async def credit_memos_for_order(self, order_id: int) -> list[CreditMemo]:
        return await search_all(
            self.client, CreditMemo, "credit_memos_for_order", "/V1/creditmemos", where("order_id", order_id)
        )

    async def refund_once(self, order_id: int, *, key: str, comment: str, notify: bool = False) -> RefundOutcome:
        """Offline credit memo for everything paid and not yet refunded, at most once per `key`.

        The memo's comment carries `key`'s marker; the order's credit memos are read first, so a
        call repeated after a lost answer returns the first memo instead of refunding again.
        """
        marker = ONCE_MARKER.format(key=key)
        for memo in await self.credit_memos_for_order(order_id):
            if any(c.comment and marker in c.comment for c in memo.comments):
                return RefundOutcome(credit_memo=memo, created=False)
        order = await self.get_order(order_id)
        if (order.total_paid or 0) - (order.total_refunded or 0) <= 0:
            return RefundOutcome(credit_memo=None, created=False)
        memo_id = await self.refund_order(order_id, notify=notify, comment=f"{comment} {marker}")
        memos = {m.entity_id: m for m in await self.credit_memos_for_order(order_id)}
        if memo_id not in memos:
            raise ContractError(f"credit memo {memo_id} not found after the refund", system=SYSTEM, operation="refund")
        return RefundOutcome(credit_memo=memos[memo_id], created=True)

    async def refund_items_once(
        self, order_id: int, items: Sequence[RefundItem], *, key: str, comment: str, notify: bool = False
    ) -> RefundOutcome:
        """Offline credit memo for `items` only (no shipping), at most once per `key`: the item-level
        variant of `refund_once`, for returned lines. The marker in the memo's comment is looked up
        before writing, so a call repeated after a lost answer returns the first memo."""
        if not items:
            raise ValueError("refund_items_once needs at least one item")
        marker = ONCE_MARKER.format(key=key)
        existing = await self._memo_with_marker(order_id, marker)
        if existing is not None:
            return RefundOutcome(credit_memo=existing, created=False)
        memo_id = await self.refund_order(
            order_id, items=items, shipping_amount=Decimal(0), notify=notify, comment=f"{comment} {marker}"
        )
        memos = {m.entity_id: m for m in await self.credit_memos_for_order(order_id)}
        if memo_id not in memos:
            raise ContractError(f"credit memo {memo_id} not found after the refund", system=SYSTEM, operation="refund")
        return RefundOutcome(credit_memo=memos[memo_id], created=True)

    async def refund_adjustment_once(
        self, order: Order, amount: Decimal, *, key: str, comment: str, notify: bool = False
    ) -> RefundOutcome:
        """Offline credit memo of `amount` as an adjustment refund (no item, no shipping), at most
        once per `key`: how a merchant pays money back without returning anything. The marker in the
        memo's comment is looked up before writing, as in `refund_items_once`. More than is left to
        refund on the invoiced order is a `RejectedError` ("The most money available to refund ...")."""
        marker = ONCE_MARKER.format(key=key)
        order_id = order.entity_id
        existing = await self._memo_with_marker(order_id, marker)
        if existing is not None:
            return RefundOutcome(credit_memo=existing, created=False)
        # Every item at quantity 0: without `items` Magento refunds every refundable unit as well.
        items = [RefundItem(order_item_id=item.item_id, qty=Decimal(0)) for item in order.items]
        memo_id = await self.refund_order(
            order_id,
            items=items,
            shipping_amount=Decimal(0),
            adjustment_positive=amount,
            notify=notify,
            comment=f"{comment} {marker}",
        )
        return RefundOutcome(credit_memo=await self._created_memo(order_id, memo_id), created=True)

    async def _created_memo(self, order_id: int, memo_id: int) -> CreditMemo:
        for memo in await self.credit_memos_for_order(order_id):
            if memo.entity_id == memo_id:
                return memo
        raise ContractError(f"credit memo {memo_id} not found after the refund", system=SYSTEM, operation="refund")

    async def _memo_with_marker(self, order_id: int, marker: str) -> CreditMemo | None:
        for memo in await self.credit_memos_for_order(order_id):
            if any(c.comment and marker in c.comment for c in memo.comments):
                return memo
        return None

    async def refund_order(
        self,
        order_id: int,
        *,
        items: Sequence[RefundItem] = (),
        shipping_amount: Decimal | None = None,
        adjustment_positive: Decimal | None = None,
        adjustment_negative: Decimal | None = None,
        return_to_stock_items: Sequence[int] = (),
        notify: bool = False,
        comment: str | None = None,
    ) -> int:
        """Offline refund (credit memo) of invoiced items; returns the credit memo id. Asking for more
        than was invoiced and not yet refunded is a `RejectedError`."""
        body = _refund_body(
            items, shipping_amount, adjustment_positive, adjustment_negative, return_to_stock_items, notify, comment
        )
        return await self.client.call_as(int, "refund_order", "POST", f"/V1/order/{int(order_id)}/refund", json=body)

    async def refund_invoice(
        self,
        invoice_id: int,
        *,
        items: Sequence[RefundItem] = (),
        online: bool = False,
        shipping_amount: Decimal | None = None,
        adjustment_positive: Decimal | None = None,
        adjustment_negative: Decimal | None = None,
        return_to_stock_items: Sequence[int] = (),
        notify: bool = False,
        comment: str | None = None,
    ) -> int:
        """Refund against one invoice (`online` goes through the payment gateway); credit memo id."""
        body = _refund_body(
            items, shipping_amount, adjustment_positive, adjustment_negative, return_to_stock_items, notify, comment
        )
        body["isOnline"] = online
        return await self.client.call_as(
            int, "refund_invoice", "POST", f"/V1/invoice/{int(invoice_id)}/refund", json=body
        )


def _refund_body(
    items: Sequence[RefundItem],
    shipping_amount: Decimal | None,
    adjustment_positive: Decimal | None,
    adjustment_negative: Decimal | None,
    return_to_stock_items: Sequence[int],
    notify: bool,
    comment: str | None,
) -> dict[str, object]:
    body: dict[str, object] = {"notify": notify, "appendComment": comment is not None}
    if items:
        body["items"] = [{"order_item_id": i.order_item_id, "qty": float(i.qty)} for i in items]
    if comment is not None:
        body["comment"] = {"comment": comment, "is_visible_on_front": 0}
    arguments: dict[str, object] = {
        key: value
        for key, value in (
            ("shipping_amount", _money(shipping_amount)),
            ("adjustment_positive", _money(adjustment_positive)),
            ("adjustment_negative", _money(adjustment_negative)),
        )
        if value is not None
    }
    if return_to_stock_items:
        arguments["extension_attributes"] = {"return_to_stock_items": [int(i) for i in return_to_stock_items]}
    if arguments:
        body["arguments"] = arguments
    return body
