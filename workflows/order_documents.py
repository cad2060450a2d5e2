"""An order's documents: from the moment it is placed, the order's business workspace in Extended ECM
holds its record and every transaction document as it appears (shipments, invoices, refunds or
credit memos), and the customer gets the letters for them through the `CustomerLetter` building
block (order confirmation, shipment notice, invoice, refund), each sent once. A shipment that leaves
ordered units to come gets the partial shipment letter instead of the notice (the archive activity
flags it from the order's quantities; the policy must list it). When the order is placed, Exstream
renders its packing slip, which is filed among the order's shipping documents and not sent: every
platform signals an order's placement, while a request to fulfil it is signalled by Shopify alone
(and only to fulfilment services).

Behavioural letters are timers of the same case (`routing.order_triggers`): the post-purchase
follow-up `follow_up_after` the case first saw a shipment, unless the order was cancelled or fully
refunded by then; a replenishment reminder per policy SKU the order holds, `after` the order was
placed, unless the customer ordered that SKU again meanwhile. Each is checked on the platform when
due (`activities.order_triggers`), keyed, and decided once; the case stays open until they are.

One case per order, joined by every later store event about it (`order_changed`): each event reads
the order afresh and files what is new or changed (the archive activity is idempotent), so events
that arrive twice, late or out of order change nothing. The case listens for the policy's
`follow_for` after the last event, then closes with its audit report; a later event (a return's
refund months on) opens it again, and its keyed letters are not sent twice.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, Field
from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from pydantic import JsonValue

    from activities.document_models import DocumentKind, WorkspaceSubject, order_workspace
    from activities.order_triggers import (
        OrderSkus,
        OrderSkusRequest,
        OrderTriggerActivities,
        OrderTriggerRequest,
        ReorderCheckRequest,
        TriggerCheck,
    )
    from activities.packing_slips import PackingSlipActivities, PackingSlipRequest
    from activities.transaction_archive import TransactionArchiveActivities
    from activities.transaction_models import ArchivedOrder, ArchiveOrderRequest
    from routing.communications import DEFAULT_LETTERS, LetterPurpose
    from routing.policy import OrderDocumentsPolicy

from workflows.case import CaseWorkflow
from workflows.kinds import CaseKind, StartMode
from workflows.messages import HANDLED_EVENTS_MEMO, CaseInput, CaseLabels, CaseResult, CaseStatus
from workflows.retries import API_RETRY, API_TIMEOUT

RequestT = TypeVar("RequestT")
ResultT = TypeVar("ResultT")

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


FOLLOW_UP_KEY = "post-purchase-follow-up"
REPLENISHMENT_KEY = "replenishment-{sku}"


class DueLetter(BaseModel):
    """A behavioural letter the case sends when its time comes (after a check on the platform)."""

    key: str  # the letter's key: one letter per order and key, ever
    purpose: LetterPurpose
    due_at: datetime
    sku: str | None = None  # a replenishment reminder's product


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
    due: list[DueLetter] = Field(default_factory=list)  # behavioural letters still to come
    skus_read: bool = False  # the order's replenishment SKUs were read
    after_purchase_read: bool = False  # the products with documents after purchase were read (letters sent)
    packing_slip_filed: bool = False  # the order's packing slip is in its workspace


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
        self.due: list[DueLetter] = list(input.due)
        self.skus_read = input.skus_read
        self.after_purchase_read = input.after_purchase_read
        self.packing_slip_filed = input.packing_slip_filed
        self.last_change_at = workflow.now()
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
            wake = await self._next_change()
            if wake == "quiet":
                break
            if wake == "due":
                await self._send_due()
                continue
            change = self.pending.pop(0)
            await self._apply(change)
            self.handled.append(change.reference)
            self.last_change_at = workflow.now()
            workflow.upsert_memo({HANDLED_EVENTS_MEMO: self.handled[-50:]})
            self.changes_this_run += 1
            if not self.pending and (
                self.changes_this_run >= MAX_CHANGES_PER_RUN or workflow.info().is_continue_as_new_suggested()
            ):
                workflow.continue_as_new(
                    self.input.model_copy(
                        update={
                            "lettered": self.lettered,
                            "handled": self.handled[-200:],
                            "due": self.due,
                            "skus_read": self.skus_read,
                            "after_purchase_read": self.after_purchase_read,
                            "packing_slip_filed": self.packing_slip_filed,
                        }
                    )
                )
        documents = len(self.archived.documents) if self.archived else 0
        self.set_status(CaseStatus.APPROVED, f"Order documents complete: {documents} transaction documents")

    async def _next_change(self) -> Literal["change", "due", "quiet"]:
        """`change` when a store event is waiting; `due` when a behavioural letter's time has come;
        `quiet` once the order has been quiet for `follow_for` and no letter is still to come."""
        while not self.pending:
            now = workflow.now()
            quiet_end = self.last_change_at + self.input.policy.follow_for
            next_due = min((d.due_at for d in self.due), default=None)
            if next_due is not None and next_due <= now:
                return "due"
            if next_due is None and quiet_end <= now:
                return "quiet"
            wake = min(t for t in (next_due, quiet_end) if t is not None and t > now)
            try:
                await workflow.wait_condition(
                    lambda: bool(self.pending) or self.abort_requested,
                    timeout=wake - now,
                    timeout_summary="letter due" if wake == next_due else "quiet period",
                )
            except TimeoutError:
                continue
            self.check_still_wanted("following the order")
        return "change"

    def _on_store_queue(
        self, activity: Callable[[Any, RequestT], Awaitable[ResultT]], request: RequestT, summary: str
    ) -> Awaitable[ResultT]:
        """A platform or ECM call of this case, on the store's rate-limited queue when it has one."""
        return workflow.execute_activity_method(
            activity,
            request,
            task_queue=self.input.store_task_queue or workflow.info().task_queue,
            start_to_close_timeout=API_TIMEOUT,
            retry_policy=API_RETRY,
            summary=summary,
        )

    async def _apply(self, change: OrderChange) -> None:
        i = self.input
        self.record("store event", f"{change.event} ({change.reference})", "store")
        request = ArchiveOrderRequest(tenant=i.opentext_tenant, platform=i.platform, store=i.store, order_id=i.order_id)
        archived = await self.run_step(
            "File the order's documents in ECM",
            lambda: self._on_store_queue(
                TransactionArchiveActivities.archive_order,
                request,
                f"File the documents of order {i.order_name}",
            ),
            on_skip=None,
        )
        if archived is None:
            return
        self.archived = archived
        self.record("documents filed", f"{archived.filed} new or changed, {archived.unchanged} unchanged")
        await self._schedule_triggers(change, archived)
        letters = i.policy.letters
        if change.event == "placed" and LetterPurpose.ORDER_CONFIRMATION in letters:
            await self._letter(LetterPurpose.ORDER_CONFIRMATION, "order-confirmation", None)
        if change.event == "placed" and LetterPurpose.PACKING_SLIP in letters and not self.packing_slip_filed:
            await self._packing_slip()
        after_purchase = i.policy.warranty or i.policy.product_documents
        if change.event == "placed" and after_purchase and not self.after_purchase_read:
            await self._after_purchase()
        for document in archived.documents:
            purpose = LETTER_FOR.get(document.kind)
            if purpose is LetterPurpose.REFUND and LetterPurpose.CREDIT_MEMO in letters:
                purpose = LetterPurpose.CREDIT_MEMO  # the store's choice of wording for money back
            if (
                purpose is LetterPurpose.SHIPMENT_NOTICE
                and document.partial
                and LetterPurpose.PARTIAL_SHIPMENT in letters
            ):
                purpose = LetterPurpose.PARTIAL_SHIPMENT  # keyed as the shipment: one letter or the other
            if purpose is not None and purpose in letters:
                await self._letter(purpose, f"{document.kind.value}-{document.number}", document.number)

    async def _letter(
        self, purpose: LetterPurpose, key: str, document: str | None, content: dict[str, JsonValue] | None = None
    ) -> None:
        if key in self.lettered:
            return
        self.lettered.append(key)
        i = self.input
        await self.send_letter(
            purpose,
            order_id=i.order_id,
            about=f"order {i.order_name}",
            content=content or {},
            document=document,
            letter_key=key,
        )

    async def _packing_slip(self) -> None:
        """The order's packing slip, rendered and filed once per run of the case; the activity files a
        new version at most when asked again (a later run, a retry)."""
        i = self.input
        communication = (
            i.communications.communication_for(LetterPurpose.PACKING_SLIP)
            if i.communications is not None
            else DEFAULT_LETTERS[LetterPurpose.PACKING_SLIP]
        )
        request = PackingSlipRequest(
            tenant=i.opentext_tenant,
            platform=i.platform,
            store=i.store,
            order_id=i.order_id,
            communication=communication,
        )
        filed = await self.run_step(
            "File the order's packing slip",
            lambda: self._on_store_queue(
                PackingSlipActivities.file_packing_slip,
                request,
                f"Render and file the packing slip of order {i.order_name}",
            ),
            on_skip=None,
        )
        self.packing_slip_filed = True
        if filed is not None:
            change = "already there" if filed.unchanged else f"version {filed.version}"
            self.record("packing slip filed", f"{filed.name} in {filed.folder} ({change})")

    # --- behavioural letters ------------------------------------------------------------------

    def _expecting(self, key: str) -> bool:
        return key in self.lettered or any(d.key == key for d in self.due)

    async def _schedule_triggers(self, change: OrderChange, archived: ArchivedOrder) -> None:
        """The follow-up once a shipment is seen, the replenishment reminders once the order's SKUs
        are read; none (and none still to come) once the order is cancelled."""
        policy = self.input.policy
        if change.event == "cancelled":  # none now, and none later
            for dropped in self.due:
                self.lettered.append(dropped.key)
                self.record("letter not sent", f"{dropped.key}: the order was cancelled")
            self.due = []
            self.skus_read = True
            if FOLLOW_UP_KEY not in self.lettered:
                self.lettered.append(FOLLOW_UP_KEY)
            return
        shipped = any(d.kind is DocumentKind.SHIPPING_DOCUMENT for d in archived.documents)
        if policy.follow_up_after is not None and shipped and not self._expecting(FOLLOW_UP_KEY):
            due_at = workflow.now() + policy.follow_up_after
            self.due.append(DueLetter(key=FOLLOW_UP_KEY, purpose=LetterPurpose.POST_PURCHASE_FOLLOW_UP, due_at=due_at))
            self.record("letter due", f"{FOLLOW_UP_KEY} at {due_at.isoformat()}")
        if policy.replenishment and not self.skus_read:
            await self._schedule_replenishment()

    async def _schedule_replenishment(self) -> None:
        i = self.input
        held = await self._held_skus([r.sku for r in i.policy.replenishment], "replenishment products")
        self.skus_read = True
        if held is None:
            return
        for reminder in i.policy.replenishment:
            key = REPLENISHMENT_KEY.format(sku=reminder.sku)
            if reminder.sku in held.skus and not self._expecting(key):
                due_at = held.placed_at + reminder.after
                self.due.append(
                    DueLetter(key=key, purpose=LetterPurpose.REPLENISHMENT_REMINDER, due_at=due_at, sku=reminder.sku)
                )
                self.record("letter due", f"{key} at {due_at.isoformat()}")

    async def _after_purchase(self) -> None:
        """The "Warranty Terms" and the "Product Information" (policy and compliance documents) of
        each product the order holds that the policy names, once, when it is placed: the workflow
        names the product and the policy's words; the letter's activity picks the customer's
        region's."""
        i = self.input
        skus = {w.sku for w in i.policy.warranty} | {d.sku for d in i.policy.product_documents}
        held = await self._held_skus(sorted(skus), "products with documents after purchase")
        self.after_purchase_read = True
        if held is None:
            return
        for warranty in (w for w in i.policy.warranty if w.sku in held.skus):
            content: dict[str, JsonValue] = {
                "product": {"sku": warranty.sku},
                "warranty": {"months": warranty.months, "terms": warranty.terms},
                "termsByRegion": dict(warranty.regions),
            }
            await self._letter(LetterPurpose.WARRANTY_TERMS, f"warranty-{warranty.sku}", None, content)
        for document in (d for d in i.policy.product_documents if d.sku in held.skus):
            content = {
                "product": {"sku": document.sku},
                "information": {"kind": document.kind, "title": document.title, "text": document.text},
                "textByRegion": dict(document.regions),
            }
            await self._letter(LetterPurpose.PRODUCT_INFORMATION, document.key, None, content)

    async def _held_skus(self, skus: list[str], what: str) -> OrderSkus | None:
        """Which of `skus` the order holds, and when it was placed; None when an operator skipped
        the step."""
        i = self.input
        request = OrderSkusRequest(platform=i.platform, store=i.store, order_id=i.order_id, skus=skus)
        return await self.run_step(
            f"Read the order's {what}",
            lambda: self._on_store_queue(
                OrderTriggerActivities.order_skus,
                request,
                f"Which {what} order {i.order_name} holds",
            ),
            on_skip=None,
        )

    async def _send_due(self) -> None:
        """The earliest due letter: checked on the platform, then sent, or recorded as not sent."""
        letter = min(self.due, key=lambda d: d.due_at)
        self.due.remove(letter)
        check = await self.run_step(f"Check before the {letter.key} letter", lambda: self._check(letter), on_skip=None)
        if check is None or not check.send:
            self.lettered.append(letter.key)  # decided: not sent, and never again
            reason = check.reason if check is not None else "skipped by an operator"
            self.record("letter not sent", f"{letter.key}: {reason}")
            return
        i = self.input
        content: dict[str, JsonValue]
        if letter.purpose is LetterPurpose.POST_PURCHASE_FOLLOW_UP:
            content = {"feedbackUrl": i.policy.feedback_url_for(i.order_id)}
        else:
            reminder = next(r for r in i.policy.replenishment if r.sku == letter.sku)
            content = {"product": {"sku": reminder.sku}, "reorderUrl": reminder.reorder_url_for(i.order_id)}
        await self._letter(letter.purpose, letter.key, None, content)

    async def _check(self, letter: DueLetter) -> TriggerCheck:
        i = self.input
        order = OrderTriggerRequest(platform=i.platform, store=i.store, order_id=i.order_id)
        if letter.sku is None:
            return await self._on_store_queue(
                OrderTriggerActivities.follow_up_check,
                order,
                f"Order {i.order_name} still wants a follow-up?",
            )
        reorder = ReorderCheckRequest(**order.model_dump(), sku=letter.sku, until=workflow.now())
        return await self._on_store_queue(
            OrderTriggerActivities.reorder_check,
            reorder,
            f"Ordered {letter.sku} again since order {i.order_name}?",
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
    activities=(TransactionArchiveActivities, OrderTriggerActivities, PackingSlipActivities),
)
