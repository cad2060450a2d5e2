"""An abandoned cart: one small case per cart or checkout (`abandoned-cart/<platform>/<store>/<cart>`)
that sends the "Abandoned Cart Reminder" once the shopper has left it alone for the policy's
`remind_after`, unless it became an order first.

Opened by the cart's event (Shopify `checkouts/create`/`update`, BigCommerce `store/cart/abandoned`);
every later event joins it (`cart_changed`): the same event again changes nothing, a new one moves
the reminder to `remind_after` after it, and one that shows the cart paid (a checkout's
`completed_at`, BigCommerce's `store/cart/converted`) closes the case without a letter. When the
time comes the case checks the platform (`carts.reminder_check`): a cart paid, converted or gone, or
a guest's without an address, gets no letter. The letter is keyed: one per cart, ever, whatever
reopens the case. The workflow carries the cart's id only; the letter's activity reads the shopper
and the contents. A registered shopper's reminder and the case's closing audit report are filed in
their account workspace; a guest's cart files nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field
from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.abandoned_carts import AbandonedCartActivities, CartCheck, CartCheckRequest
    from activities.document_models import customer_workspace
    from routing.abandoned_carts import AbandonedCartPolicy
    from routing.communications import LetterPurpose

from workflows.case import CaseWorkflow
from workflows.case_file import CaseFile
from workflows.kinds import CaseKind, StartMode
from workflows.messages import HANDLED_EVENTS_MEMO, CaseInput, CaseLabels, CaseResult, CaseStatus
from workflows.retries import API_RETRY, API_TIMEOUT

JOIN_SIGNAL = "cart_changed"
REMINDER_KEY = "abandoned-cart-reminder"


class CartEvent(BaseModel):
    """A store event about the cart, as the shim hands it on (no shopper data)."""

    kind: Literal["active", "abandoned", "completed"]  # completed: paid, or made into an order
    reference: str  # the store event's own id: the same event again is recognised
    order_id: str | None = None  # completed: the order it became, when the platform says


class AbandonedCartInput(CaseInput):
    cart_id: str  # Shopify's checkout id, BigCommerce's cart id
    event: CartEvent
    policy: AbandonedCartPolicy
    handled: list[str] = Field(default_factory=list)


@workflow.defn(name="AbandonedCart")
class AbandonedCart(CaseWorkflow[AbandonedCartInput], case_type="abandoned-cart", title="Abandoned cart"):
    @workflow.init
    def __init__(self, input: AbandonedCartInput) -> None:
        self.init_case(input)
        # The opening event: the shim's start memo lists it; its signal (signal-with-start) is a repeat.
        self.handled: list[str] = [*input.handled, input.event.reference]
        self.completed: CartEvent | None = input.event if input.event.kind == "completed" else None
        self.remind_at: datetime = workflow.now() + input.policy.remind_after
        self.record("store event", f"{input.event.kind} ({input.event.reference})", "store")

    @workflow.signal(name=JOIN_SIGNAL, description="Internal (the shim): another store event about this cart.")
    def cart_changed(self, event: CartEvent) -> None:
        if event.reference in self.handled:
            return  # the same event again
        self.handled.append(event.reference)
        workflow.upsert_memo({HANDLED_EVENTS_MEMO: self.handled[-50:]})
        self.record("store event", f"{event.kind} ({event.reference})", "store")
        if event.kind == "completed":
            self.completed = self.completed or event
            return
        self.remind_at = workflow.now() + self.input.policy.remind_after
        if self.case_status is CaseStatus.OPEN:
            self.set_due_at(self.remind_at)

    @workflow.run
    async def run(self, input: AbandonedCartInput) -> CaseResult:
        await self.run_case(self._follow)
        return CaseResult(case_id=self.case_id, status=self.case_status, detail=self.case_detail)

    async def _follow(self) -> None:
        self.set_status(CaseStatus.OPEN, "Waiting before the reminder", due_at=self.remind_at)
        outcome = await self._wait()
        if outcome == "completed":
            order = f" (order {self.completed.order_id})" if self.completed and self.completed.order_id else ""
            self.set_status(CaseStatus.APPROVED, f"The cart became an order{order}: no reminder", due_at=None)
            return
        check = await self.run_step("Check the cart is still abandoned", self._check, on_skip=None)
        if check is None or not check.send:
            reason = check.reason if check is not None else "skipped by an operator"
            self.record("letter not sent", f"{REMINDER_KEY}: {reason}")
            self.set_status(CaseStatus.APPROVED, f"No reminder: {reason}", due_at=None)
            return
        i = self.input
        if check.customer_id is not None and i.files_documents and self.case_file is None:
            # A registered shopper's cart: the reminder and the closing audit report are filed in
            # their account workspace (a guest's cart belongs to no workspace).
            self.case_file = CaseFile(self, customer_workspace(i.store, check.customer_id))
            await self.case_file.open()
        await self.send_letter(
            LetterPurpose.ABANDONED_CART,
            cart_id=i.cart_id,
            about=f"cart {i.cart_id}",
            content={},
            letter_key=REMINDER_KEY,
            cart_url=i.policy.cart_url_for(i.cart_id),
        )
        self.set_status(CaseStatus.APPROVED, "Reminder sent", due_at=None)

    async def _wait(self) -> Literal["due", "completed"]:
        """Until the reminder is due (a new event moves it) or the cart is paid."""
        while self.completed is None:
            now = workflow.now()
            if self.remind_at <= now:
                return "due"
            try:
                await workflow.wait_condition(
                    lambda: self.completed is not None or self.abort_requested,
                    timeout=self.remind_at - now,
                    timeout_summary="reminder due",
                )
            except TimeoutError:
                continue
            self.check_still_wanted("waiting before the reminder")
        return "completed"

    async def _check(self) -> CartCheck:
        i = self.input
        return await workflow.execute_activity_method(
            AbandonedCartActivities.reminder_check,
            CartCheckRequest(platform=i.platform, store=i.store, cart_id=i.cart_id),
            task_queue=i.store_task_queue or workflow.info().task_queue,
            start_to_close_timeout=API_TIMEOUT,
            retry_policy=API_RETRY,
            summary=f"Cart {i.cart_id} still abandoned?",
        )

    @staticmethod
    def labels_of(i: AbandonedCartInput) -> CaseLabels:
        return CaseLabels(ref=f"cart {i.cart_id}", team="marketing", note=f"opened by {i.event.kind}")


KIND = CaseKind(
    workflow=AbandonedCart,
    input_model=AbandonedCartInput,
    start=StartMode.JOIN_OPEN,
    join_signal=JOIN_SIGNAL,
    activities=(AbandonedCartActivities,),
)
