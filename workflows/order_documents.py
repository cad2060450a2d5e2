"""An order's documents: from the moment it is placed, the order's business workspace in Extended ECM
holds its record and every transaction document as it appears (shipments, invoices, refunds or
credit memos), and the customer gets the letters for them through the `CustomerLetter` building
block (order confirmation, shipment notice, invoice, refund), each sent once.

One case per order, joined by every later store event about it (`order_changed`): each event reads
the order afresh and files what is new or changed (the archive activity is idempotent), so events
that arrive twice, late or out of order change nothing. The case listens for the policy's
`follow_for` after the last event, then closes with its audit report; a later event (a return's
refund months on) opens it again, and its keyed letters are not sent twice.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, Field
from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.document_models import DocumentKind, WorkspaceSubject, order_workspace
    from activities.transaction_archive import TransactionArchiveActivities
    from activities.transaction_models import ArchivedOrder, ArchiveOrderRequest
    from routing.communications import LetterPurpose
    from routing.policy import OrderDocumentsPolicy

from workflows.case import CaseWorkflow
from workflows.kinds import CaseKind, StartMode
from workflows.messages import HANDLED_EVENTS_MEMO, CaseInput, CaseLabels, CaseResult, CaseStatus
from workflows.retries import API_RETRY, API_TIMEOUT

JOIN_SIGNAL = "order_changed"
MAX_CHANGES_PER_RUN = 200  # then continue as new with what it knows

# The letter each kind of transaction document gets (when the policy lists it).
LETTER_FOR: dict[DocumentKind, LetterPurpose] = {
    DocumentKind.SHIPPING_DOCUMENT: LetterPurpose.SHIPMENT_NOTICE,
    DocumentKind.INVOICE: LetterPurpose.INVOICE,
    DocumentKind.CREDIT_MEMO: LetterPurpose.REFUND,
}


class OrderChange(BaseModel):
    """A store event about the order, as the shim hands it on."""

    event: str  # placed, shipped, invoiced, refunded, cancelled, saved
    reference: str  # the store event's own id: the same event again is recognised
    at: datetime | None = None


class OrderDocumentsInput(CaseInput):
    order_id: str  # the platform's id
    order_name: str
    total: Decimal | None = None
    currency: str | None = None
    change: OrderChange
    policy: OrderDocumentsPolicy
    # Carried across continue-as-new: letters keyed so far, and the events handled.
    lettered: list[str] = Field(default_factory=list)
    handled: list[str] = Field(default_factory=list)


@workflow.defn(name="OrderDocuments")
class OrderDocuments(CaseWorkflow[OrderDocumentsInput], case_type="order-documents", title="Order documents"):
    @workflow.init
    def __init__(self, input: OrderDocumentsInput) -> None:
        self.init_case(input)
        self.pending: list[OrderChange] = []
        self.handled: list[str] = list(input.handled)
        self.lettered: list[str] = list(input.lettered)
        self.changes_this_run = 0
        self.archived: ArchivedOrder | None = None
        self.order_changed(input.change)

    @workflow.signal(name=JOIN_SIGNAL, description="Internal (the shim): another store event about this order.")
    def order_changed(self, change: OrderChange) -> None:
        if change.reference in self.handled or any(c.reference == change.reference for c in self.pending):
            return  # the same event again
        self.pending.append(change)

    def workspace_subject(self) -> WorkspaceSubject | None:
        i = self.input
        return order_workspace(i.store, i.order_id, i.order_name, total=i.total, currency=i.currency)

    @workflow.run
    async def run(self, input: OrderDocumentsInput) -> CaseResult:
        self.record("following the order", f"opened by {input.change.event} ({input.change.reference})")
        await self.run_case(self._follow)
        return CaseResult(case_id=self.case_id, status=self.case_status, detail=self.case_detail)

    async def _follow(self) -> None:
        if self.case_file is not None:
            await self.case_file.open()
        self.set_status(CaseStatus.OPEN, "Following the order's documents")
        while True:
            arrived = await self._next_change()
            if not arrived:
                break
            change = self.pending.pop(0)
            await self._apply(change)
            self.handled.append(change.reference)
            workflow.upsert_memo({HANDLED_EVENTS_MEMO: self.handled[-50:]})
            self.changes_this_run += 1
            if not self.pending and (
                self.changes_this_run >= MAX_CHANGES_PER_RUN or workflow.info().is_continue_as_new_suggested()
            ):
                workflow.continue_as_new(
                    self.input.model_copy(update={"lettered": self.lettered, "handled": self.handled[-200:]})
                )
        documents = len(self.archived.documents) if self.archived else 0
        self.set_status(CaseStatus.APPROVED, f"Order documents complete: {documents} transaction documents")

    async def _next_change(self) -> bool:
        """True when a change is waiting; False once the order has been quiet for `follow_for`."""
        try:
            await workflow.wait_condition(
                lambda: bool(self.pending) or self.abort_requested,
                timeout=self.input.policy.follow_for,
                timeout_summary="quiet period",
            )
        except TimeoutError:
            return False
        self.check_still_wanted("following the order")
        return True

    async def _apply(self, change: OrderChange) -> None:
        i = self.input
        self.record("store event", f"{change.event} ({change.reference})", "store")
        request = ArchiveOrderRequest(tenant=i.opentext_tenant, platform=i.platform, store=i.store, order_id=i.order_id)
        archived = await self.run_step(
            "File the order's documents in ECM",
            lambda: workflow.execute_activity_method(
                TransactionArchiveActivities.archive_order,
                request,
                task_queue=i.store_task_queue or workflow.info().task_queue,
                start_to_close_timeout=API_TIMEOUT,
                retry_policy=API_RETRY,
                summary=f"File the documents of order {i.order_name}",
            ),
            on_skip=None,
        )
        if archived is None:
            return
        self.archived = archived
        self.record("documents filed", f"{archived.filed} new or changed, {archived.unchanged} unchanged")
        letters = i.policy.letters
        if change.event == "placed" and LetterPurpose.ORDER_CONFIRMATION in letters:
            await self._letter(LetterPurpose.ORDER_CONFIRMATION, "order-confirmation", None)
        for document in archived.documents:
            purpose = LETTER_FOR.get(document.kind)
            if purpose is LetterPurpose.REFUND and LetterPurpose.CREDIT_MEMO in letters:
                purpose = LetterPurpose.CREDIT_MEMO  # the store's choice of wording for money back
            if purpose is not None and purpose in letters:
                await self._letter(purpose, f"{document.kind.value}-{document.number}", document.number)

    async def _letter(self, purpose: LetterPurpose, key: str, document: str | None) -> None:
        if key in self.lettered:
            return
        self.lettered.append(key)
        i = self.input
        await self.send_letter(
            purpose, order_id=i.order_id, about=f"order {i.order_name}", content={}, document=document, letter_key=key
        )

    @staticmethod
    def labels_of(i: OrderDocumentsInput) -> CaseLabels:
        return CaseLabels(
            ref=i.order_name,
            team="documents",  # nobody decides: the case files and writes by itself
            amount=i.total,
            currency=i.currency,
            note=f"opened by {i.change.event}",
        )


KIND = CaseKind(
    workflow=OrderDocuments,
    input_model=OrderDocumentsInput,
    start=StartMode.JOIN_OPEN,
    join_signal=JOIN_SIGNAL,
    activities=(TransactionArchiveActivities,),
)
