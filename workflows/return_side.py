"""The store side of a return, per platform: approve the return, refund the returned lines, decline.

`ReturnCase` keeps the case's flow (auto-approval, review rounds, evidence) and asks its
`ReturnSide` to change the store, as `OrderReview` does with its `OrderSide`. Each side runs its
external steps through the case's `run_step`, so a refused step parks the case for an operator.
Every refund is keyed by the case id (Shopify: the refund's note; BigCommerce: the refund items'
reason; Adobe Commerce: the credit memo's comment) and looked up before writing, so a timed-out or
operator-retried refund never pays twice.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.adobe_commerce import AdobeCommerceActivities
    from activities.bigcommerce import BigCommerceActivities
    from activities.models import (
        AdobeCommentRequest,
        AdobeRefundResult,
        AdobeReturnedItem,
        AdobeReturnRefundRequest,
        AdobeRmaRequest,
        AdobeRmaState,
        AmountRefundRequest,
        AmountRefundResult,
        BigCommerceNoteRequest,
        BigCommerceRefundResult,
        BigCommerceReturnedItem,
        BigCommerceReturnRefundRequest,
        DeclineReturnRequest,
        ItemPrices,
        ItemPricesRequest,
        RefundReturnRequest,
        RefundReturnResult,
        ReplacementLine,
        ReplacementOrderRequest,
        ReplacementOrderResult,
        ReturnedLine,
        ReturnStatusRequest,
        ReturnStatusResult,
    )
    from activities.shopify import ShopifyActivities

from workflows.case import API_RETRY, API_TIMEOUT, store_call

if TYPE_CHECKING:
    from workflows.return_case import ReturnCase


class ReturnSide(Protocol):
    # True when the platform tells the customer about the decision itself (no letter needed).
    notifies_customer: bool

    async def approve(self, how: str) -> None:
        """Accept the return in the store (no money moves yet)."""

    async def refund(self, how: str) -> RefundReturnResult | None:
        """Refund the returned lines, at most once per case; None when an operator skipped it."""

    async def decline(self, how: str) -> None:
        """Decline the return in the store, with the policy's reason."""

    async def replace(self, how: str, lines: list[ReplacementLine]) -> ReplacementOrderResult | None:
        """A free order of `lines` (a replacement or an exchange), once per case, to the returned
        order's addresses; None when the store cannot create one (staff create it) or an operator
        skipped the step."""

    async def price(self, skus: list[str]) -> ItemPrices | None:
        """The catalog's unit price of each SKU it sells; None when an operator skipped the step."""

    async def refund_amount(self, amount: Decimal, how: str) -> AmountRefundResult | None:
        """Pay `amount` back on the returned order once per case; None when an operator skipped it."""


class _ExchangeMoney:
    """Pricing an exchange and paying back a cheaper one's difference: the same two steps on every
    platform, through its own activities (`item_prices`, `refund_amount`)."""

    case: ReturnCase

    @property
    def item_prices(self) -> Any:
        """The platform's `item_prices` activity."""
        raise NotImplementedError

    @property
    def refund_amount_activity(self) -> Any:
        """The platform's `refund_amount` activity."""
        raise NotImplementedError

    async def price(self, skus: list[str]) -> ItemPrices | None:
        i = self.case.input
        return await self.case.run_store_step(
            "price exchange items",
            self.item_prices,
            ItemPricesRequest(store=i.store, order_ref=_order_ref(self.case), skus=skus),
            summary="Price the exchange items in the catalog",
            on_skip=None,
            task_queue=i.store_task_queue,
        )

    async def refund_amount(self, amount: Decimal, how: str) -> AmountRefundResult | None:
        i = self.case.input
        request = AmountRefundRequest(
            store=i.store,
            order_ref=_order_ref(self.case),
            key=f"{i.case_id}/exchange-difference",
            amount=amount,
            reason=f"Return {i.facts.return_name}: exchange for less ({how})"[:255],
            notify_customer=i.policy.notify_customer,
        )
        return await self.case.run_store_step(
            "refund exchange difference",
            self.refund_amount_activity,
            request,
            summary="Pay back the exchange's difference once",
            on_skip=None,
            task_queue=i.store_task_queue,
        )


def _order_ref(case: ReturnCase) -> str:
    facts = case.input.facts
    return facts.order_gid if case.input.platform == "shopify" else facts.order_id


def _order_kind(case: ReturnCase) -> str:
    """ "replacement" or "exchange": the free order's name in steps, notes and summaries."""
    return str(case.resolution or "replacement")


def _replacement_request(case: ReturnCase, how: str, lines: list[ReplacementLine]) -> ReplacementOrderRequest:
    i = case.input
    return ReplacementOrderRequest(
        store=i.store,
        order_ref=_order_ref(case),
        key=i.case_id,
        lines=lines,
        note=f"Casebridge: {_order_kind(case)} for return {i.facts.return_name} ({how})",
        coupon_code=i.policy.replacement_coupon,
    )


async def _create_free_order(
    case: ReturnCase, activity: Any, how: str, lines: list[ReplacementLine]
) -> ReplacementOrderResult | None:
    """The free order through the platform's activity (on the store's rate-limited queue if any)."""
    return await case.run_store_step(
        f"create {_order_kind(case)} order",
        activity,
        _replacement_request(case, how, lines),
        summary=f"Create the free {_order_kind(case)} order once",
        on_skip=None,
        task_queue=case.input.store_task_queue,
    )


def return_side_for(case: ReturnCase) -> ReturnSide:
    platform = case.input.platform
    if platform == "shopify":
        return ShopifyReturnSide(case)
    if platform == "bigcommerce":
        return BigCommerceReturnSide(case)
    if platform == "adobe-commerce":
        return AdobeReturnSide(case)
    # Refused at the start rather than half-way: the shim only starts return cases for these platforms.
    raise ValueError(f"returns do not support platform {platform!r}")


class ShopifyReturnSide(_ExchangeMoney):
    """`returnApproveRequest` / `returnDeclineRequest`, and `refundCreate` keyed by the case id."""

    notifies_customer = True  # returnApproveRequest / returnDeclineRequest with notifyCustomer

    @property
    def item_prices(self) -> Any:
        return ShopifyActivities.item_prices

    @property
    def refund_amount_activity(self) -> Any:
        return ShopifyActivities.refund_amount

    def __init__(self, case: ReturnCase) -> None:
        self.case = case

    async def approve(self, how: str) -> None:
        i = self.case.input
        await self.case.run_step(
            "approve return",
            lambda: workflow.execute_activity_method(
                ShopifyActivities.approve_return,
                ReturnStatusRequest(
                    store=i.store, return_gid=i.facts.return_gid, notify_customer=i.policy.notify_customer
                ),
                start_to_close_timeout=API_TIMEOUT,
                retry_policy=API_RETRY,
                summary=f"Approve return {i.facts.return_name}",
            ),
            on_skip=None,
        )
        self.case.record("return approved in store", how)

    async def refund(self, how: str) -> RefundReturnResult | None:
        i = self.case.input
        request = RefundReturnRequest(
            store=i.store,
            order_gid=i.facts.order_gid,
            # The case id: one refund per return, whatever retries or operator `retry`s follow.
            key=i.case_id,
            lines=[ReturnedLine(line_item_gid=line.line_item_gid, quantity=line.quantity) for line in i.facts.lines],
            note=f"Return {i.facts.return_name}: {how}"[:200],
            notify_customer=i.policy.notify_customer,
        )
        refund = await self.case.run_step(
            "refund returned lines",
            lambda: workflow.execute_activity_method(
                ShopifyActivities.refund_return,
                request,
                start_to_close_timeout=API_TIMEOUT,
                retry_policy=API_RETRY,
                summary=f"Refund the returned lines of {i.facts.return_name}",
            ),
            on_skip=None,
        )
        if refund is not None:
            found = "" if refund.created else " (found the earlier refund)"
            self.case.record("refunded", f"{refund.amount} {refund.currency}, {refund.refund_id}{found}")
        return refund

    async def decline(self, how: str) -> None:
        i = self.case.input
        result: ReturnStatusResult | None = await self.case.run_step(
            "decline return",
            lambda: workflow.execute_activity_method(
                ShopifyActivities.decline_return,
                DeclineReturnRequest(
                    store=i.store,
                    return_gid=i.facts.return_gid,
                    reason=i.policy.decline_reason,
                    note=f"Casebridge: {how}"[:255],
                    notify_customer=i.policy.notify_customer,
                ),
                start_to_close_timeout=API_TIMEOUT,
                retry_policy=API_RETRY,
                summary=f"Decline return {i.facts.return_name}",
            ),
            on_skip=None,
        )
        self.case.record("return declined in store", how if result is not None else f"{how} (skipped)")

    async def replace(self, how: str, lines: list[ReplacementLine]) -> ReplacementOrderResult | None:
        return await _create_free_order(self.case, ShopifyActivities.create_replacement_order, how, lines)


def _store_options(case: ReturnCase, summary: str) -> dict[str, Any]:
    return store_call(summary, case.input.store_task_queue)


class BigCommerceReturnSide(_ExchangeMoney):
    """BigCommerce has no returns API: approval and decline are staff notes on the order (the
    return itself lives in the form or RMA app that reported it); the refund is a refund quote then
    a refund of the returned products by quantity, marked with the case id so it happens once.
    Activities run on the store's rate-limited queue (its request quota is shared by every app).
    """

    notifies_customer = False  # no returns API: only a staff note

    @property
    def item_prices(self) -> Any:
        return BigCommerceActivities.item_prices

    @property
    def refund_amount_activity(self) -> Any:
        return BigCommerceActivities.refund_amount

    def __init__(self, case: ReturnCase) -> None:
        self.case = case
        self.order_id = int(case.input.facts.order_id)

    async def approve(self, how: str) -> None:
        name = self.case.input.facts.return_name
        await self.case.run_step(
            "note return approved", lambda: self._note(f"Casebridge: return {name} approved ({how})"), on_skip=None
        )
        self.case.record("return approved in store", how)

    async def refund(self, how: str) -> RefundReturnResult | None:
        i = self.case.input
        request = BigCommerceReturnRefundRequest(
            store=i.store,
            order_id=self.order_id,
            key=i.case_id,  # one refund per return, whatever retries or operator `retry`s follow
            reason=f"Return {i.facts.return_name}: {how}",
            items=[
                BigCommerceReturnedItem(order_product_id=int(line.line_item_gid), quantity=line.quantity)
                for line in i.facts.lines
            ],
        )

        async def refund() -> BigCommerceRefundResult:
            result: BigCommerceRefundResult = await workflow.execute_activity_method(
                BigCommerceActivities.refund_return_items,
                request,
                **_store_options(self.case, f"Refund the returned products of {i.facts.return_name} once"),
            )
            return result

        result = await self.case.run_step("refund returned lines", refund, on_skip=None)
        if result is None:
            return None
        found = "" if result.created else " (found the earlier refund)"
        self.case.record("refunded", f"{result.amount} {i.facts.currency}, refund {result.refund_id}{found}")
        return RefundReturnResult(
            refund_id=str(result.refund_id), amount=result.amount, currency=i.facts.currency, created=result.created
        )

    async def decline(self, how: str) -> None:
        name = self.case.input.facts.return_name
        await self.case.run_step(
            "note return declined", lambda: self._note(f"Casebridge: return {name} declined ({how})"), on_skip=None
        )
        self.case.record("return declined in store", how)

    async def _note(self, note: str) -> None:
        await workflow.execute_activity_method(
            BigCommerceActivities.append_staff_note,
            BigCommerceNoteRequest(store=self.case.input.store, order_id=self.order_id, note=note),
            **_store_options(self.case, "Append a staff note"),
        )

    async def replace(self, how: str, lines: list[ReplacementLine]) -> ReplacementOrderResult | None:
        return await _create_free_order(self.case, BigCommerceActivities.create_replacement_order, how, lines)


class AdobeReturnSide(_ExchangeMoney):
    """Adobe Commerce returns are RMAs: approval authorises every item for its requested quantity,
    a decline denies them (Magento then closes the RMA), each with an order comment for the trail;
    the refund is an offline credit memo for the returned items only (no shipping), marked with the
    case id in its comment and looked up before writing, so it is made once.
    """

    notifies_customer = False  # RMA status changes through REST send no customer email

    @property
    def item_prices(self) -> Any:
        return AdobeCommerceActivities.item_prices

    @property
    def refund_amount_activity(self) -> Any:
        return AdobeCommerceActivities.refund_amount

    def __init__(self, case: ReturnCase) -> None:
        self.case = case
        self.order_id = int(case.input.facts.order_id)
        self.rma_id = int(case.input.facts.return_id)

    async def approve(self, how: str) -> None:
        name = self.case.input.facts.return_name
        state = await self.case.run_step(
            "authorize return",
            lambda: self._rma(AdobeCommerceActivities.authorize_return, "Authorise the RMA"),
            on_skip=None,
        )
        await self.case.run_step(
            "comment return authorized",
            lambda: self._comment(f"Casebridge: return {name} authorised ({how})", "return-authorized"),
            on_skip=None,
        )
        self.case.record("return authorised in store", f"RMA {state.status if state else 'skipped'}; {how}")

    async def refund(self, how: str) -> RefundReturnResult | None:
        i = self.case.input
        request = AdobeReturnRefundRequest(
            store=i.store,
            order_id=self.order_id,
            key=i.case_id,
            comment=f"Return {i.facts.return_name}: {how}",
            items=[
                AdobeReturnedItem(order_item_id=int(line.line_item_gid), quantity=line.quantity)
                for line in i.facts.lines
            ],
            notify_customer=i.policy.notify_customer,
        )

        async def refund() -> AdobeRefundResult:
            result: AdobeRefundResult = await workflow.execute_activity_method(
                AdobeCommerceActivities.refund_return_items,
                request,
                **_store_options(self.case, f"Credit memo for the returned items of {i.facts.return_name}, once"),
            )
            return result

        result = await self.case.run_step("refund returned items", refund, on_skip=None)
        if result is None:
            return None
        found = "" if result.created else " (found the earlier credit memo)"
        self.case.record("refunded", f"{result.amount} {i.facts.currency}, credit memo {result.credit_memo_id}{found}")
        return RefundReturnResult(
            refund_id=str(result.credit_memo_id),
            amount=result.amount,
            currency=i.facts.currency,
            created=result.created,
        )

    async def decline(self, how: str) -> None:
        name = self.case.input.facts.return_name
        state = await self.case.run_step(
            "deny return", lambda: self._rma(AdobeCommerceActivities.deny_return, "Deny the RMA's items"), on_skip=None
        )
        await self.case.run_step(
            "comment return declined",
            lambda: self._comment(f"Casebridge: return {name} declined ({how})", "return-declined"),
            on_skip=None,
        )
        self.case.record("return declined in store", f"RMA {state.status if state else 'skipped'}; {how}")

    async def _rma(self, activity: Any, summary: str) -> AdobeRmaState:
        state: AdobeRmaState = await workflow.execute_activity_method(
            activity,
            AdobeRmaRequest(store=self.case.input.store, rma_id=self.rma_id),
            **_store_options(self.case, summary),
        )
        return state

    async def _comment(self, text: str, step: str) -> None:
        await workflow.execute_activity_method(
            AdobeCommerceActivities.add_comment_once,
            AdobeCommentRequest(
                store=self.case.input.store,
                order_id=self.order_id,
                comment=text,
                key=f"{self.case.input.case_id}#{step}",  # a retried comment is found, not written twice
                notify_customer=self.case.input.policy.notify_customer,
            ),
            **_store_options(self.case, "Add an order comment"),
        )

    async def replace(self, how: str, lines: list[ReplacementLine]) -> ReplacementOrderResult | None:
        """An order through a cart (Adobe Commerce REST has no admin "create order"), made free by
        the store's replacement coupon (REST cannot set an item's price). A store whose policy
        names no coupon, and cases recorded before this existed, leave the order to staff."""
        i = self.case.input
        if i.policy.replacement_coupon is None or not workflow.patched("adobe-replacement-orders"):
            return None
        return await _create_free_order(self.case, AdobeCommerceActivities.create_replacement_order, how, lines)
