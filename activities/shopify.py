"""Shopify activities: thin, idempotent steps over `connectors.shopify`."""

from __future__ import annotations

from decimal import Decimal

from temporalio import activity
from temporalio.exceptions import ApplicationError, ApplicationErrorCategory

from activities import shopify_replacement as replacement
from activities import shopify_substitution as substitution
from activities.errors import translate_errors
from activities.models import (
    AmountRefundRequest,
    AmountRefundResult,
    AwaitCancellationRequest,
    CancelOrderRequest,
    CancelOrderResult,
    DeclineReturnRequest,
    HeldFulfillmentOrder,
    HoldOrderRequest,
    HoldOrderResult,
    ItemPrices,
    ItemPricesRequest,
    LineQuantity,
    LinesRefundRequest,
    LinesRefundResult,
    LinesToCancelRequest,
    ReleaseHoldsRequest,
    ReleaseHoldsResult,
    ReplacementOrderRequest,
    ReplacementOrderResult,
    ReturnStatusRequest,
    ReturnStatusResult,
    ShopifyCancelLinesRequest,
    ShopifyCancelLinesResult,
    ShopifyLineCancelPlan,
    ShopifyLineTarget,
    ShopifySplitShipmentRequest,
    ShopifySplitShipmentResult,
    SubstituteItemsRequest,
    SubstituteItemsResult,
    TagOrderRequest,
)
from casebridge.connections import Connections
from connectors.errors import ConflictError, ContractError, RejectedError
from connectors.shopify.admin import HOLDABLE_STATUSES, ShopifyAdmin
from connectors.shopify.draft_orders import DraftOrderInput, MailingAddressInput
from connectors.shopify.order_edits import AddedVariant, OrderLine, SubstitutionLines
from connectors.shopify.products import SkuVariant
from connectors.shopify.refunds import RefundLine
from connectors.shopify.returns import ReturnDeclineReason
from connectors.shopify.split_shipments import FulfillmentOrderLines
from routing.own_orders import REPLACEMENT_TAG


class ShopifyActivities:
    def __init__(self, connections: Connections) -> None:
        self._connections = connections

    @activity.defn(name="shopify.hold_order")
    @translate_errors
    async def hold_order(self, request: HoldOrderRequest) -> HoldOrderResult:
        """Hold every open fulfillment order (Shopify has no order-level hold)."""
        shop = self._connections.shopify(request.store)
        order = await shop.get_order(request.order_gid)
        holds: list[HeldFulfillmentOrder] = []
        not_holdable: list[str] = []
        for fo in order.fulfillment_orders:
            existing = next((h for h in fo.fulfillment_holds if h.handle == request.handle), None)
            if existing is not None:
                holds.append(HeldFulfillmentOrder(fulfillment_order_id=fo.id, hold_id=existing.id))
                continue
            if fo.status not in HOLDABLE_STATUSES:
                not_holdable.append(fo.id)
                continue
            try:
                hold = await shop.hold_fulfillment_order(
                    fo.id, reason=request.reason, reason_notes=request.reason_notes, handle=request.handle
                )
                hold_id = hold.id
            except RejectedError as err:
                # Our handle is already there: an earlier attempt of this step got through after
                # its answer was lost (or overlapped this one). Adopt that hold.
                if not _has_code(err, "DUPLICATE_FULFILLMENT_HOLD_HANDLE"):
                    raise
                hold_id = await _hold_with_handle(shop, request.order_gid, fo.id, request.handle)
            holds.append(HeldFulfillmentOrder(fulfillment_order_id=fo.id, hold_id=hold_id))
        return HoldOrderResult(holds=holds, not_holdable=not_holdable)

    @activity.defn(name="shopify.release_holds")
    @translate_errors
    async def release_holds(self, request: ReleaseHoldsRequest) -> ReleaseHoldsResult:
        """Release only the holds this case placed (found by handle); other apps' holds stay."""
        shop = self._connections.shopify(request.store)
        order = await shop.get_order(request.order_gid)
        released: list[str] = []
        for fo in order.fulfillment_orders:
            ours = [h.id for h in fo.fulfillment_holds if h.handle == request.handle]
            if ours:
                await shop.release_holds(fo.id, ours)
                released.append(fo.id)
        return ReleaseHoldsResult(released=released)

    @activity.defn(name="shopify.tag_order")
    @translate_errors
    async def tag_order(self, request: TagOrderRequest) -> None:
        shop = self._connections.shopify(request.store)
        if request.add:
            await shop.add_tags(request.order_gid, request.add)
        if request.remove:
            await shop.remove_tags(request.order_gid, request.remove)

    @activity.defn(name="shopify.cancel_order")
    @translate_errors
    async def cancel_order(self, request: CancelOrderRequest) -> CancelOrderResult:
        shop = self._connections.shopify(request.store)
        order = await shop.get_order(request.order_gid)
        if order.cancelled_at is not None:
            return CancelOrderResult(job_id=None, already_cancelled=True)
        job = await shop.cancel_order(
            request.order_gid,
            reason=request.reason,
            refund=request.refund,
            restock=request.restock,
            notify_customer=request.notify_customer,
            staff_note=request.staff_note,
        )
        return CancelOrderResult(job_id=job.id)

    @activity.defn(name="shopify.await_cancellation")
    @translate_errors
    async def await_cancellation(self, request: AwaitCancellationRequest) -> None:
        """Succeeds once the asynchronous cancel job is done and the order shows it.

        While it is not, the attempt fails as BENIGN and Temporal retries it on the retry policy's
        interval: the polling happens in the server, not as events in the case's history.
        """
        shop = self._connections.shopify(request.store)
        if request.job_id is not None:
            job = await shop.get_job(request.job_id)
            if not job.done:
                raise _still_waiting("cancel job still running")
        order = await shop.get_order(request.order_gid)
        if order.cancelled_at is None:
            raise _still_waiting("order not cancelled yet")

    @activity.defn(name="shopify.approve_return")
    @translate_errors
    async def approve_return(self, request: ReturnStatusRequest) -> ReturnStatusResult:
        """REQUESTED → OPEN. Repeat-safe: a return already OPEN (an earlier attempt whose answer
        was lost) is success; any other state is a refusal the case parks on."""
        shop = self._connections.shopify(request.store)
        current = await shop.get_return(request.return_gid)
        if current.status == "OPEN":
            return ReturnStatusResult(status=current.status, changed=False)
        if current.status != "REQUESTED":
            raise _not_requested(request.return_gid, current.status, "returnApproveRequest")
        approved = await shop.approve_return(request.return_gid, notify_customer=request.notify_customer)
        return ReturnStatusResult(status=approved.status, changed=True)

    @activity.defn(name="shopify.decline_return")
    @translate_errors
    async def decline_return(self, request: DeclineReturnRequest) -> ReturnStatusResult:
        """REQUESTED → DECLINED with the reason; repeat-safe like `approve_return`."""
        shop = self._connections.shopify(request.store)
        current = await shop.get_return(request.return_gid)
        if current.status == "DECLINED":
            return ReturnStatusResult(status=current.status, changed=False)
        if current.status != "REQUESTED":
            raise _not_requested(request.return_gid, current.status, "returnDeclineRequest")
        reason: ReturnDeclineReason = _decline_reason(request.reason)
        declined = await shop.decline_return(
            request.return_gid, reason, note=request.note, notify_customer=request.notify_customer
        )
        return ReturnStatusResult(status=declined.status, changed=True)

    @activity.defn(name="shopify.refund_lines")
    @translate_errors
    async def refund_lines(self, request: LinesRefundRequest) -> LinesRefundResult:
        """Refund the lines' units once per key (`refund_once` finds an earlier refund by it).

        NO_RESTOCK: the refund only moves money; goods come back through a return or stay cancelled.
        """
        shop = self._connections.shopify(request.store)
        result = await shop.refund_once(
            request.order_ref,
            request.key,
            lines=[RefundLine(line_item_id=line.line_ref, quantity=line.quantity) for line in request.lines],
            note=request.note[:200],
            notify=request.notify_customer,
        )
        money = result.refund.total_refunded_set.shop_money
        return LinesRefundResult(
            refund_id=result.refund.id, amount=money.amount, currency=money.currency_code, created=result.created
        )

    # -- returns: exchanges -----------------------------------------------------------------------

    @activity.defn(name="shopify.item_prices")
    @translate_errors
    async def item_prices(self, request: ItemPricesRequest) -> ItemPrices:
        """The order's currency and each SKU's variant price (both the shop's currency); SKUs
        with no variant are left out. Read only."""
        shop = self._connections.shopify(request.store)
        order = await shop.order_ship_to(request.order_ref)
        prices: dict[str, Decimal] = {}
        for sku in dict.fromkeys(request.skus):  # one lookup per distinct SKU
            variant = await shop.variant_by_sku(sku)
            if variant is not None:
                prices[sku] = variant.price
        return ItemPrices(currency=order.currency_code, prices=prices)

    @activity.defn(name="shopify.refund_amount")
    @translate_errors
    async def refund_amount(self, request: AmountRefundRequest) -> AmountRefundResult:
        """Pay `amount` back (money only) once per `key`: `refund_owed_once` finds an earlier
        refund by it first, and refuses (ConflictError) more than the order's payments have left."""
        shop = self._connections.shopify(request.store)
        result = await shop.refund_owed_once(
            request.order_ref, request.key, request.amount, note=request.reason, notify=request.notify_customer
        )
        money = result.refund.total_refunded_set.shop_money
        return AmountRefundResult(
            refund_id=result.refund.id, amount=money.amount, currency=money.currency_code, created=result.created
        )

    # -- fulfillment exceptions: cancel lines -----------------------------------------------------

    @activity.defn(name="shopify.find_lines_to_cancel")
    @translate_errors
    async def find_lines_to_cancel(self, request: LinesToCancelRequest) -> ShopifyLineCancelPlan:
        """Which order lines the reported SKUs are, what each is lowered to, and what the removed
        units are worth (Shopify's own `suggestedRefund`). Refused (ConflictError) when a SKU is
        not on the order or fewer of its units are still unshipped than are to be cancelled."""
        shop = self._connections.shopify(request.store)
        order = await shop.order_lines(request.order_ref)
        if order.cancelled_at is not None:
            raise ConflictError(f"order {request.order_ref} is cancelled", system="shopify", operation="orderEditBegin")
        targets = _line_targets(order.lines, request.lines)
        suggestion = await shop.suggest_refund(
            request.order_ref,
            [RefundLine(line_item_id=t.line_item_gid, quantity=t.quantity_before - t.quantity_after) for t in targets],
        )
        return ShopifyLineCancelPlan(
            targets=targets,
            refund_amount=suggestion.amount,
            currency=suggestion.amount_set.shop_money.currency_code,
        )

    @activity.defn(name="shopify.cancel_lines")
    @translate_errors
    async def cancel_lines(self, request: ShopifyCancelLinesRequest) -> ShopifyCancelLinesResult:
        """Lower the lines by an order edit, then pay back the removed units once per `key`.

        Repeat-safe: the edit aims at the planned quantities (lines already there are left alone)
        and the refund is found again by its key."""
        shop = self._connections.shopify(request.store)
        edited = await shop.set_line_quantities(
            request.order_gid,
            {t.line_item_gid: t.quantity_after for t in request.targets},
            restock=request.restock,
            notify_customer=request.notify_customer,
            staff_note=request.staff_note,
        )
        if request.refund_amount <= 0:
            return ShopifyCancelLinesResult(edited=edited)  # nothing was paid for them
        result = await shop.refund_owed_once(
            request.order_gid,
            request.key,
            request.refund_amount,
            note=request.refund_note,
            notify=request.notify_customer,
        )
        return ShopifyCancelLinesResult(edited=edited, refund_id=result.refund.id, amount=result.refund.amount)

    # -- fulfillment exceptions: substitute items -------------------------------------------------

    @activity.defn(name="shopify.substitute_items")
    @translate_errors
    async def substitute_items(self, request: SubstituteItemsRequest) -> SubstituteItemsResult:
        """Replace units that cannot ship by other variants (by SKU) in one order edit: the
        original lines lowered, the substitutes added; a dearer substitute discounted per unit to
        what the replaced units cost, a cheaper one's difference refunded once per `key`.

        Repeat-safe: the plan is written on the order before the edit (`shopify_substitution`), so
        a retry after a commit whose answer was lost finds the edit in place and neither adds the
        substitutes again nor refunds twice (the refund is found by its key)."""
        shop = self._connections.shopify(request.store)
        order = await shop.substitution_lines(request.order_ref)
        if order.cancelled_at is not None:
            raise ConflictError(f"order {request.order_ref} is cancelled", system="shopify", operation="orderEditBegin")
        plan = substitution.read_plan(order, request.key)
        applied = False
        if plan is None:
            plan = await self._plan_substitution(shop, order, request)
            await shop.set_custom_attributes(order.id, substitution.with_plan(order, request.key, plan))
        if substitution.state(order, plan) is substitution.EditState.NOT_APPLIED:
            await shop.substitute_lines(
                order.id,
                plan.lowered,
                [
                    AddedVariant(s.variant_gid, s.quantity, s.discount_per_unit, f"Substitute for {s.sku}: same price")
                    for s in plan.substitutes
                ],
                currency=order.currency_code,
                restock=request.restock,
                notify_customer=request.notify_customer,
                staff_note=request.staff_note,
            )
            order = await shop.substitution_lines(request.order_ref)
            applied = True
        result = SubstituteItemsResult.of_plan(
            plan.substitutes, applied=applied, absorbed=plan.absorbed, currency=order.currency_code
        )
        added = substitution.added_lines(order, plan)
        if not added:
            raise ContractError(
                f"order {order.id} shows the substitution but no added line", system="shopify", operation="order"
            )
        suggestion = await shop.suggest_refund(
            order.id, [RefundLine(line_item_id=line.id, quantity=line.current_quantity) for line in added]
        )
        substitute_value = suggestion.subtotal_set.shop_money.amount + suggestion.total_tax_set.shop_money.amount
        owed = plan.replaced_value - substitute_value
        if owed <= 0:
            return result  # dearer or same price: the customer pays what they paid, nothing more
        refund = await shop.refund_owed_once(
            order.id, request.key, owed, note=request.refund_note, notify=request.notify_customer
        )
        return result.model_copy(update={"refund_id": refund.refund.id, "refunded": refund.refund.amount})

    async def _plan_substitution(
        self, shop: ShopifyAdmin, order: SubstitutionLines, request: SubstituteItemsRequest
    ) -> substitution.SubstitutionPlan:
        """Refused (ConflictError) before anything changes: a SKU not on the order or with fewer
        unshipped units than substituted, or a substitute SKU the shop does not sell."""
        wanted = substitution.wanted_lines(request.substitutions)
        lines: list[OrderLine] = list(order.lines)
        targets_of = [_line_targets(lines, wanted[: i + 1]) for i in range(len(wanted))]
        variants: dict[str, SkuVariant] = {}
        for sku in dict.fromkeys(s.substitute_sku for s in request.substitutions):
            variant = await shop.variant_by_sku(sku)
            if variant is None:
                raise ConflictError(
                    f"substitute SKU {sku} is not in the catalog", system="shopify", operation="productVariants"
                )
            if not variant.available_for_sale or variant.product.status != "ACTIVE":
                raise ConflictError(
                    f"substitute SKU {sku} is not available for sale", system="shopify", operation="orderEditAddVariant"
                )
            variants[sku] = variant
        replaced = await shop.suggest_refund(
            order.id,
            [
                RefundLine(line_item_id=t.line_item_gid, quantity=t.quantity_before - t.quantity_after)
                for t in targets_of[-1]
            ],
        )
        paid = replaced.subtotal_set.shop_money.amount + replaced.total_tax_set.shop_money.amount
        return substitution.plan(order, request.substitutions, variants, targets_of, paid)

    # -- fulfillment exceptions: split shipment ---------------------------------------------------

    @activity.defn(name="shopify.split_shipment")
    @translate_errors
    async def split_shipment(self, request: ShopifySplitShipmentRequest) -> ShopifySplitShipmentResult:
        """Release the case's holds and keep only the reported units back: they are split out to a
        fulfillment order of their own (`fulfillmentOrderSplit`), held with `waiting_handle`.

        Repeat-safe: a waiting hold already there means done; fulfillment orders that hold nothing
        but reported units are held whole before anything is split, so a retry after a split whose
        answer was lost holds the split-out order instead of splitting again."""
        shop = self._connections.shopify(request.store)
        orders = await shop.fulfillment_lines(request.order_gid)
        waiting = [fo.id for fo in orders if any(h.handle == request.waiting_handle for h in fo.fulfillment_holds)]
        if waiting:
            return ShopifySplitShipmentResult(waiting=waiting, split=False)
        wanted = {line.sku: 0 for line in request.lines}
        for line in request.lines:
            wanted[line.sku] += line.quantity
        _check_units(orders, wanted)  # refuse before changing anything
        for fo in orders:
            ours = [h.id for h in fo.fulfillment_holds if h.handle == request.case_handle]
            if ours:
                await shop.release_holds(fo.id, ours)
        orders = [fo for fo in await shop.fulfillment_lines(request.order_gid) if fo.status == "OPEN"]
        to_hold: list[str] = []
        split = False
        for fo in orders:  # first the orders holding nothing but reported units: held whole
            units = _units_by_sku(fo)
            if units and all(wanted.get(sku, 0) >= quantity for sku, quantity in units.items()):
                for sku, quantity in units.items():
                    wanted[sku] -= quantity
                to_hold.append(fo.id)
        for fo in orders:
            if fo.id in to_hold:
                continue
            moved: dict[str, int] = {}
            for item in fo.lines:
                take = min(item.remaining_quantity, wanted.get(item.line_item.sku or "", 0))
                if take > 0:
                    moved[item.id] = take
                    wanted[item.line_item.sku or ""] -= take
            if moved:
                to_hold.append(await shop.split_fulfillment_order(fo.id, moved))
                split = True
        for fo_id in to_hold:
            try:
                await shop.hold_fulfillment_order(
                    fo_id, reason=request.reason, reason_notes=request.reason_notes, handle=request.waiting_handle
                )
            except RejectedError as err:
                if not _has_code(err, "DUPLICATE_FULFILLMENT_HOLD_HANDLE"):
                    raise
        return ShopifySplitShipmentResult(waiting=to_hold, split=split)

    @activity.defn(name="shopify.create_replacement_order")
    @translate_errors
    async def create_replacement_order(self, request: ReplacementOrderRequest) -> ReplacementOrderResult:
        """A free replacement of the returned lines, shipped where the order went: a draft order at
        price 0 (tagged with the case's key, looked up before creating) completed into an order.
        Lines order the catalogue's variants where there are any (see `shopify_replacement`).
        A retry finds the draft, and completes it only if no earlier attempt did; a draft that is
        not free is never completed."""
        shop = self._connections.shopify(request.store)
        original = await shop.order_ship_to(request.order_ref)
        address = original.shipping_address
        draft_input = DraftOrderInput(
            line_items=await replacement.draft_lines(shop, request, original.currency_code),
            email=original.email,
            note=request.note,
            tags=[REPLACEMENT_TAG],  # how the shim knows the order as Casebridge's own (not reviewed)
            shipping_address=MailingAddressInput(**address.model_dump()) if address is not None else None,
        )
        result = await shop.create_draft_order_once(f"replacement-{request.key}", draft_input)
        draft = result.draft_order
        if draft.order is None and draft.total.amount != 0:
            raise ConflictError(
                f"replacement draft order {draft.name} totals {draft.total.amount} {draft.total.currency_code}, "
                "not 0: left open for staff",
                system="shopify",
                operation="draftOrderCreate",
            )
        if draft.order is None:
            draft = await shop.complete_draft_order(draft.id, source_name="casebridge")
        if draft.order is None:
            raise ContractError("completed draft order has no order", system="shopify", operation="draftOrderComplete")
        return ReplacementOrderResult(order_id=draft.order.id, order_name=draft.order.name, created=result.created)


def _has_code(err: RejectedError, code: str) -> bool:
    details = err.details if isinstance(err.details, list) else []
    return any(isinstance(d, dict) and d.get("code") == code for d in details)


async def _hold_with_handle(shop: ShopifyAdmin, order_gid: str, fulfillment_order_id: str, handle: str) -> str:
    order = await shop.get_order(order_gid)
    for fo in order.fulfillment_orders:
        for hold in fo.fulfillment_holds:
            if fo.id == fulfillment_order_id and hold.handle == handle:
                return hold.id
    raise ContractError(
        f"Shopify reported hold handle {handle} as taken but the fulfillment order has no such hold",
        system="shopify",
        operation="fulfillmentOrderHold",
    )


def _not_requested(return_gid: str, status: str, operation: str) -> ConflictError:
    return ConflictError(
        f"return {return_gid} is {status}; only a requested return can be decided",
        system="shopify",
        operation=operation,
    )


def _decline_reason(value: str) -> ReturnDeclineReason:
    if value == "RETURN_PERIOD_ENDED":
        return "RETURN_PERIOD_ENDED"
    if value == "FINAL_SALE":
        return "FINAL_SALE"
    return "OTHER"


def _still_waiting(message: str) -> ApplicationError:
    return ApplicationError(message, type="StillWaiting", category=ApplicationErrorCategory.BENIGN)


def _line_targets(lines: list[OrderLine], wanted: list[LineQuantity]) -> list[ShopifyLineTarget]:
    """Spread each SKU's units over the order's lines of that SKU that still have unshipped units."""
    after = {line.id: line.current_quantity for line in lines}
    for want in wanted:
        left = want.quantity
        for line in lines:
            if line.sku != want.sku or left <= 0:
                continue
            unshipped = line.unfulfilled_quantity - (line.current_quantity - after[line.id])
            taken = min(max(unshipped, 0), left)
            after[line.id] -= taken
            left -= taken
        if left > 0:
            known = any(line.sku == want.sku for line in lines)
            found = f"only {want.quantity - left} unshipped" if known else "SKU not"
            raise ConflictError(
                f"{want.quantity} x {want.sku}: {found} on the order",
                system="shopify",
                operation="orderEditSetQuantity",
            )
    return [
        ShopifyLineTarget(
            line_item_gid=line.id,
            sku=line.sku or "",
            quantity_before=line.current_quantity,
            quantity_after=after[line.id],
        )
        for line in lines
        if after[line.id] != line.current_quantity
    ]


def _units_by_sku(fo: FulfillmentOrderLines) -> dict[str, int]:
    units: dict[str, int] = {}
    for item in fo.lines:
        if item.remaining_quantity > 0:
            sku = item.line_item.sku or ""
            units[sku] = units.get(sku, 0) + item.remaining_quantity
    return units


def _check_units(orders: list[FulfillmentOrderLines], wanted: dict[str, int]) -> None:
    """Refused (ConflictError) when the unshipped units of a SKU are fewer than reported."""
    for sku, quantity in wanted.items():
        unshipped = sum(_units_by_sku(fo).get(sku, 0) for fo in orders if fo.status in ("OPEN", "ON_HOLD", "SCHEDULED"))
        if unshipped < quantity:
            raise ConflictError(
                f"{quantity} x {sku}: only {unshipped} waiting to ship on the order",
                system="shopify",
                operation="fulfillmentOrderSplit",
            )
