"""The store side of a return, per platform: approve the return, refund the returned lines, decline.

`ReturnCase` keeps the case's flow (auto-approval, review rounds, evidence) and asks its
`ReturnSide` to change the store, as `OrderReview` does with its `OrderSide`. Each side runs its
external steps through the case's `run_step`, so a refused step parks the case for an operator.
BigCommerce (refund quote, then refund) and Adobe Commerce (RMA authorisation, credit memo) add a
class here and a branch in `return_side_for`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.models import (
        DeclineReturnRequest,
        RefundReturnRequest,
        RefundReturnResult,
        ReturnedLine,
        ReturnStatusRequest,
        ReturnStatusResult,
    )
    from activities.shopify import ShopifyActivities

from workflows.case import API_RETRY, API_TIMEOUT

if TYPE_CHECKING:
    from workflows.return_case import ReturnCase


class ReturnSide(Protocol):
    async def approve(self, how: str) -> None:
        """Accept the return in the store (no money moves yet)."""

    async def refund(self, how: str) -> RefundReturnResult | None:
        """Refund the returned lines, at most once per case; None when an operator skipped it."""

    async def decline(self, how: str) -> None:
        """Decline the return in the store, with the policy's reason."""


def return_side_for(case: ReturnCase) -> ReturnSide:
    platform = case.input.platform
    if platform == "shopify":
        return ShopifyReturnSide(case)
    # Refused at the start rather than half-way: the shim only starts return cases for Shopify yet.
    raise ValueError(f"returns do not support platform {platform!r} yet")


class ShopifyReturnSide:
    """`returnApproveRequest` / `returnDeclineRequest`, and `refundCreate` keyed by the case id."""

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
