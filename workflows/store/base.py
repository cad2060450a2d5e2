"""The `Store` interface: what a case can ask of a commerce platform, grouped by capability.

One adapter per platform implements it (`workflows.store.shopify`, `.bigcommerce`,
`.adobe_commerce`). Every method follows one contract:

- it runs its own step(s) through the case's `run_step`, on the store's rate-limited task queue when
  it has one, so a refused call parks the case for an operator (retry, skip, abort);
- it registers its undo in the case's saga under a typed key (`workflows.saga.Undo`);
- it returns a typed result (None when an operator skipped the step); the case decides the status
  and the wording.

`supports(capability)` says what this store can do for this order; a case never calls a method whose
capability is unsupported (the base methods raise `Unsupported`, a bug in the case, not a parked step).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.models import (
        AmountRefundRequest,
        ItemPrices,
        ItemPricesRequest,
        LineQuantity,
        LinesRefundRequest,
        LinesToCancelRequest,
        OrderLineUnits,
        ReplacementLine,
        ReplacementOrderRequest,
        ReplacementOrderResult,
        SubstituteItemsRequest,
        SubstituteItemsResult,
        Substitution,
    )

from workflows.retries import API_RETRY, API_TIMEOUT
from workflows.saga import Undo

if TYPE_CHECKING:
    from workflows.case import AnyCase

T = TypeVar("T")
A = TypeVar("A")


class Capability(StrEnum):
    HOLD = "hold"  # keep an order from shipping, and release it
    NOTES = "notes"  # staff notes / order comments
    TAGS = "tags"  # order tags
    CANCEL = "cancel"  # cancel an order, refunding what was paid (per the request)
    REFUNDS = "refunds"  # refund an amount once
    RETURNS = "returns"  # approve or decline a return, refund the returned lines once
    RETURN_EMAILS = "return-emails"  # the platform tells the customer about return decisions itself
    FREE_ORDERS = "free-orders"  # a replacement or exchange order at no charge, once
    PRICES = "prices"  # catalog prices by SKU
    CANCEL_LINES = "cancel-lines"  # take lines off an order and refund them once
    SUBSTITUTE_LINES = "substitute-lines"  # replace lines by other items (the customer pays no more)
    SPLIT_SHIPMENT = "split-shipment"  # ship part of an order now, hold the rest


# What a platform without line-level order edits can do: hold, note, cancel and refund an order,
# decide returns, send free orders, read catalog prices, refund cancelled lines.
ORDER_LEVEL = frozenset(
    {
        Capability.HOLD,
        Capability.NOTES,
        Capability.CANCEL,
        Capability.REFUNDS,
        Capability.RETURNS,
        Capability.FREE_ORDERS,
        Capability.PRICES,
        Capability.CANCEL_LINES,
    }
)


class Unsupported(Exception):
    """A case called a capability its store lacks: a bug in the case (check `supports` first)."""


class HoldReason(StrEnum):
    """Why an order is held (Shopify's FulfillmentHoldReason names; other platforms note it)."""

    HIGH_RISK_OF_FRAUD = "HIGH_RISK_OF_FRAUD"
    INVENTORY_OUT_OF_STOCK = "INVENTORY_OUT_OF_STOCK"
    INCORRECT_ADDRESS = "INCORRECT_ADDRESS"
    AWAITING_PAYMENT = "AWAITING_PAYMENT"
    UNKNOWN_DELIVERY_DATE = "UNKNOWN_DELIVERY_DATE"
    OTHER = "OTHER"


@dataclass(frozen=True)
class StoreOrder:
    """The order a case works on, and where its store's activities run."""

    platform: str
    store: str
    order_id: str  # the platform's id (Shopify legacy id as text)
    key: str  # the case id: marks what the case writes, so a retry finds it instead of writing twice
    currency: str = ""
    order_gid: str | None = None  # Shopify
    # The store's own rate-limited queue, or None for the workflow's queue (no request quota).
    task_queue: str | None = None
    # Adobe Commerce: every ordered unit is invoiced, so cancelled lines can be a credit memo.
    fully_invoiced: bool | None = None
    # Adobe Commerce: the 100%-off cart rule that makes a free order (REST cannot set a price).
    free_order_coupon: str | None = None


@dataclass(frozen=True)
class ReturnRef:
    return_id: str
    return_gid: str  # Shopify Return gid; the return id elsewhere
    name: str


@dataclass(frozen=True)
class Refund:
    refund_id: str | None  # None: nothing was left to refund
    amount: Decimal
    currency: str
    created: bool  # False: an earlier attempt's refund was found (or nothing to refund)
    document: str = "refund"  # what the platform calls it: a refund, a credit memo


@dataclass(frozen=True)
class Held:
    placed: bool  # False: nothing of ours was held (someone else's hold, or skipped)
    detail: str


@dataclass(frozen=True)
class CancelRequest:
    reason: str  # Shopify OrderCancelReason: CUSTOMER, FRAUD, INVENTORY, DECLINED, OTHER, STAFF
    refund: bool
    restock: bool
    notify_customer: bool
    note: str  # why, for staff (Shopify's staff note; written as a note/comment elsewhere by the case)
    refund_reason: str


@dataclass(frozen=True)
class Cancellation:
    refund: Refund | None  # the refund the store made and reported
    refunded_by_platform: bool = False  # the platform's cancellation itself refunds (no amount reported)
    refund_skipped: bool = False  # an operator skipped the refund step
    refund_withheld: bool = False  # something was paid, but the request said not to refund
    cancelled: bool = True  # False: nothing was left to cancel (Adobe Commerce: all refunded)


@dataclass(frozen=True)
class LineEdit:
    """What a line edit writes for staff and the customer."""

    restock: bool
    notify_customer: bool
    staff_note: str
    refund_note: str


@dataclass(frozen=True)
class LinesCancelled:
    refund: Refund | None
    skipped: bool = False  # an operator skipped the edit or the refund
    nothing_to_cancel: bool = False  # no order line matched (or an operator skipped finding them)


class Store:
    """The base of every adapter: steps on the store's queue, and `Unsupported` for the rest."""

    # The platform's activity class: the worker registers all its activities, and the generic
    # methods below call its `item_prices`, `refund_amount`, `create_replacement_order`.
    activities: Any
    capabilities: frozenset[Capability] = frozenset()
    refund_document = "refund"  # what the platform calls a refund

    def __init__(self, case: AnyCase, order: StoreOrder) -> None:
        self.case, self.order = case, order
        # True once this case asked the store to cancel the order: the store's report of a
        # cancellation is then our own echo, not a reason to stop.
        self.cancel_sent = False
        self.holding = False  # this case's hold is on the order (its undo is in the saga)
        self.setup()

    def setup(self) -> None:
        """The adapter's own workflow state (what it read or did), set up with the case."""

    def supports(self, capability: Capability) -> bool:
        return capability in self.capabilities

    # --- how adapters run their steps -------------------------------------------------------

    def options(self, summary: str, **overrides: Any) -> dict[str, Any]:
        """One activity's options: timeouts, retries, the store's queue."""
        return {
            "task_queue": self.order.task_queue,
            "start_to_close_timeout": API_TIMEOUT,
            "retry_policy": API_RETRY,
            "summary": summary,
            **overrides,
        }

    async def call(self, activity: Callable[[Any, A], Awaitable[T]], arg: A, summary: str, **overrides: Any) -> T:
        result: T = await workflow.execute_activity_method(activity, arg, **self.options(summary, **overrides))
        return result

    async def step(
        self, step: str, activity: Callable[[Any, A], Awaitable[T]], arg: A, summary: str, **overrides: Any
    ) -> T | None:
        """One activity as one step of the case; None when an operator skipped it."""
        return await self.case.run_step(step, lambda: self.call(activity, arg, summary, **overrides), on_skip=None)

    def unsupported(self, capability: Capability) -> Unsupported:
        return Unsupported(f"{self.order.platform} store {self.order.store} cannot {capability.value}")

    def require(self, capability: Capability) -> None:
        if not self.supports(capability):
            raise self.unsupported(capability)

    @property
    def order_ref(self) -> str:
        """How the platform's activities name the order (Shopify: its gid)."""
        return self.order.order_id

    # --- HOLD ------------------------------------------------------------------------------

    async def hold(self, reason: HoldReason, note: str, *, purpose: str) -> Held:
        """Keep the order from shipping (undo: `Undo.RELEASE_HOLD`). `purpose` names the hold
        ("review", "exception") where the platform holds per app (Shopify hold handles)."""
        raise self.unsupported(Capability.HOLD)

    release_step = "release hold"

    def hold_placed(self, event: str, detail: str) -> Held:
        """Record the case's hold and register its undo (`undo_hold`)."""
        self.holding = True
        self.case.record(event, detail)
        self.case.saga.add(Undo.RELEASE_HOLD, self.undo_hold)
        return Held(placed=True, detail=detail)

    async def release_hold(self) -> bool:
        """Release this case's hold (and forget its undo); False when it had none to release."""
        if not self.holding:
            return False
        await self.case.run_step(self.release_step, self.undo_hold, on_skip=None)
        self.forget_hold()
        return True

    def forget_hold(self) -> None:
        """The hold is gone (released, or the order was cancelled and its hold went with it):
        nothing to undo any more."""
        self.holding = False
        self.case.saga.discard(Undo.RELEASE_HOLD)

    async def undo_hold(self) -> None:
        """The platform's call that releases this case's hold."""
        raise self.unsupported(Capability.HOLD)

    # --- NOTES and TAGS --------------------------------------------------------------------

    async def note(self, text: str, *, notify_customer: bool = False) -> None:
        raise self.unsupported(Capability.NOTES)

    async def tag(self, *, add: list[str], remove: list[str], undoable: bool = False) -> None:
        """Change the order's tags; `undoable` registers taking `add` off again (`Undo.REMOVE_TAGS`)."""
        raise self.unsupported(Capability.TAGS)

    async def mark(
        self,
        note: str,
        *,
        add_tags: list[str] | None = None,
        remove_tags: list[str] | None = None,
        notify_customer: bool = False,
        undoable: bool = False,
    ) -> None:
        """Leave the trail in the platform's own way: tags where it has them, else a note."""
        if self.supports(Capability.TAGS):
            if add_tags or remove_tags:
                await self.tag(add=add_tags or [], remove=remove_tags or [], undoable=undoable)
        elif self.supports(Capability.NOTES):
            await self.note(note, notify_customer=notify_customer)

    # --- CANCEL and REFUNDS ----------------------------------------------------------------

    def refund_made(
        self, refund_id: int | str | None, amount: Decimal, created: bool, currency: str | None = None
    ) -> Refund:
        """The record of a refund the platform made (or had made before) on this order; `currency`
        where the platform's answer names it, else the order's."""
        return Refund(
            refund_id=None if refund_id is None else str(refund_id),
            amount=amount,
            currency=currency or self.order.currency,
            created=created,
            document=self.refund_document,
        )

    async def cancel(self, request: CancelRequest) -> Cancellation:
        """Cancel the order and refund what was paid (per the request) at most once."""
        raise self.unsupported(Capability.CANCEL)

    async def refund_amount(self, amount: Decimal, *, key: str, reason: str, notify_customer: bool) -> Refund | None:
        """Pay `amount` back on the order once per `key` (looked up before paying)."""
        self.require(Capability.REFUNDS)
        request = AmountRefundRequest(
            store=self.order.store,
            order_ref=self.order_ref,
            key=key,
            amount=amount,
            reason=reason[:255],
            notify_customer=notify_customer,
        )
        result = await self.step("refund amount", self.activities.refund_amount, request, "Refund an amount once")
        return (
            None
            if result is None
            else self.refund_made(result.refund_id, result.amount, result.created, result.currency)
        )

    async def refund_lines(
        self, step: str, lines: list[OrderLineUnits], *, key: str, note: str, notify_customer: bool, summary: str
    ) -> Refund | None:
        """Pay back the lines' units once per `key`, priced by the platform (Shopify's line prices,
        BigCommerce's refund quote, an Adobe Commerce credit memo without shipping)."""
        self.require(Capability.REFUNDS)
        request = LinesRefundRequest(
            store=self.order.store,
            order_ref=self.order_ref,
            key=key,
            lines=lines,
            note=note,
            notify_customer=notify_customer,
        )
        result = await self.step(step, self.activities.refund_lines, request, summary)
        return (
            None
            if result is None
            else self.refund_made(result.refund_id, result.amount, result.created, result.currency)
        )

    async def item_prices(self, skus: list[str]) -> ItemPrices | None:
        """The catalog's unit price of each SKU it sells, in the order's currency."""
        self.require(Capability.PRICES)
        request = ItemPricesRequest(store=self.order.store, order_ref=self.order_ref, skus=skus)
        return await self.step("price items", self.activities.item_prices, request, "Price the items in the catalog")

    # --- RETURNS ---------------------------------------------------------------------------

    async def approve_return(self, ret: ReturnRef, note: str, *, notify_customer: bool) -> str | None:
        """Accept the return (no money moves); the platform's status after it, None if skipped."""
        raise self.unsupported(Capability.RETURNS)

    async def decline_return(self, ret: ReturnRef, note: str, *, reason: str, notify_customer: bool) -> str | None:
        raise self.unsupported(Capability.RETURNS)

    async def refund_return(
        self, ret: ReturnRef, lines: list[OrderLineUnits], note: str, *, notify_customer: bool
    ) -> Refund | None:
        """Refund the returned lines at most once per case (keyed by the case)."""
        self.require(Capability.RETURNS)
        return await self.refund_lines(
            "refund returned lines",
            lines,
            key=self.order.key,
            note=note,
            notify_customer=notify_customer,
            summary=f"Refund the returned lines of {ret.name} once",
        )

    # --- FREE_ORDERS -----------------------------------------------------------------------

    async def free_order(self, kind: str, lines: list[ReplacementLine], note: str) -> ReplacementOrderResult | None:
        """A free order of `lines` (`kind`: replacement, exchange) to the order's addresses, once per
        case (Shopify: a draft order with 100% line discounts; BigCommerce: an offline order at
        price 0; Adobe Commerce: a cart of the integration's own with the store's 100%-off coupon)."""
        self.require(Capability.FREE_ORDERS)
        request = ReplacementOrderRequest(
            store=self.order.store,
            order_ref=self.order_ref,
            key=self.order.key,
            lines=lines,
            note=note,
            coupon_code=self.order.free_order_coupon,
        )
        return await self.step(
            f"create {kind} order",
            self.activities.create_replacement_order,
            request,
            f"Create the free {kind} order once",
        )

    # --- line edits ------------------------------------------------------------------------

    async def cancel_lines(self, lines: list[LineQuantity], edit: LineEdit, *, key: str) -> LinesCancelled:
        """Take the lines off the order (or refund them where it cannot be edited), once per `key`.
        The platform first finds the order lines they are (refused when the order has fewer open
        units than the lines name); nothing found is nothing to cancel. The order stays held where
        the platform allows it; the case releases it after."""
        self.require(Capability.CANCEL_LINES)
        request = LinesToCancelRequest(store=self.order.store, order_ref=self.order_ref, lines=lines)
        found = await self.step(
            "find lines to cancel", self.activities.find_lines_to_cancel, request, "Find the order lines to cancel"
        )
        if not found:
            return LinesCancelled(refund=None, nothing_to_cancel=True)
        return await self._cancel_found_lines(found, edit, key=key)

    async def _cancel_found_lines(self, found: Any, edit: LineEdit, *, key: str) -> LinesCancelled:
        """Cancel what the platform's `find_lines_to_cancel` found. Where an order's lines cannot
        be edited (BigCommerce, Adobe Commerce), it found `OrderLineUnits` and their units are
        refunded once while the order is held (BigCommerce then shows Partially Refunded)."""
        refund = await self.refund_lines(
            "refund cancelled lines",
            found,
            key=key,
            note=edit.refund_note,
            notify_customer=edit.notify_customer,
            summary="Refund the cancelled lines once",
        )
        return LinesCancelled(refund=refund, skipped=refund is None)

    async def substitute_lines(
        self, substitutions: list[Substitution], edit: LineEdit, *, key: str
    ) -> SubstituteItemsResult | None:
        """One edit while the order is held: the lines lowered, the substitutes added at no more than
        the price of what they replace; a cheaper one's difference refunded once (per `key`)."""
        self.require(Capability.SUBSTITUTE_LINES)
        request = SubstituteItemsRequest(
            store=self.order.store,
            order_ref=self.order_ref,
            key=key,
            substitutions=substitutions,
            restock=edit.restock,
            notify_customer=edit.notify_customer,
            staff_note=edit.staff_note[:255],
            refund_note=edit.refund_note,
        )
        # Only platforms that can edit a placed order have this activity (see `supports`).
        result: SubstituteItemsResult | None = await self.step(
            "substitute items",
            self.activities.substitute_items,
            request,
            "Edit the order: the substitutes in place of the reported lines",
        )
        return result

    async def split_shipment(self, lines: list[LineQuantity], reason: HoldReason, note: str) -> list[str] | None:
        """Keep `lines` held on their own and release the case's hold on the rest; returns the
        waiting shipments (fulfillment orders), None when an operator skipped it."""
        raise self.unsupported(Capability.SPLIT_SHIPMENT)
