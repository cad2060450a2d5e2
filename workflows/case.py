"""What every case type shares: status with search attributes and UI details, the audit trail,
operator commands, parking a failed step as NEEDS_ATTENTION, the store's cancellation of the order,
and the frame of `run()`.

A case type subclasses `CaseWorkflow`, calls `init_case()` from its `@workflow.init`, runs its
steps inside `run_case()` (abort, store cancellation, compensation, waiting for handlers) and each
external step through `run_step()` (its store adapter's methods do that themselves). A step that
fails for good (a non-retryable error, or retries exhausted) does not fail the workflow: the case
parks and waits for an operator to send `retry`, `skip` or `abort` (Temporal UI "Send signal", or
`temporal workflow signal --workflow-id <id> --name retry`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from enum import Enum
from typing import Any, Generic, Protocol, TypeVar

from pydantic import JsonValue, ValidationError
from temporalio import workflow
from temporalio.common import RawValue, SearchAttributeUpdate, WorkflowIDReusePolicy
from temporalio.exceptions import ActivityError, WorkflowAlreadyStartedError
from temporalio.workflow import ParentClosePolicy

from workflows import case_metrics
from workflows import search_attributes as sa
from workflows.case_file import CaseFile
from workflows.customer_letter import CustomerLetter, LetterInput, letter_search_attributes
from workflows.failures import describe_failure
from workflows.messages import (
    MAX_OPERATOR_TEXT,
    Attention,
    AuditEntry,
    CaseInput,
    CaseLabels,
    CaseStatus,
    CaseView,
    OperatorAction,
    OperatorCommand,
    OperatorNote,
    ReviewDecision,
    StoreCancellation,
)

with workflow.unsafe.imports_passed_through():
    from activities.document_models import WorkspaceSubject
    from activities.letter_models import LETTER_ID_PREFIX, SendLetterRequest
    from routing.communications import LetterPurpose

from workflows.saga import Saga, Undo, compensation_step, is_compensation_step
from workflows.store import store_for
from workflows.store.base import Store, StoreOrder

T = TypeVar("T")
InputT = TypeVar("InputT", bound=CaseInput)


class Unchanged(Enum):
    """`set_status(..., due_at=UNCHANGED)`: the due time stays as it is."""

    UNCHANGED = "unchanged"


UNCHANGED = Unchanged.UNCHANGED


def check_operator_text(command: OperatorCommand) -> None:
    """Refuse (ValueError) an operator's name or note beyond what the audit trail keeps."""
    for field, text in (("operator", command.operator), ("note", command.note)):
        if len(text) > MAX_OPERATOR_TEXT:
            raise ValueError(f"{field} is longer than {MAX_OPERATOR_TEXT} characters")


def _when(moment: datetime) -> str:
    """A time as operators read it in the UI: to the minute, in UTC."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


class PlacedOrder(Protocol):
    """The order a case's facts name, as `use_store` reads it (Shopify also has a gid)."""

    @property
    def order_id(self) -> str: ...
    @property
    def order_gid(self) -> str | None: ...
    @property
    def currency(self) -> str | None: ...


class CaseAborted(Exception):
    """An operator chose `abort` for a parked step."""


class CaseInterrupted(Exception):
    """While the case waited for an operator, its reason to exist went away (see `interrupted`)."""


class CaseWorkflow(Generic[InputT]):
    """The base of every case type: `class OrderReview(ReviewedCase[OrderReviewInput],
    case_type="order-review", title="Order review")`."""

    case_type: str = "case"
    case_title: str = "Case"  # how the UI's summary names the kind: "Order review #1042, ..."
    input: InputT
    _store: Store | None = None  # the order's store, for case types that work on one
    case_file: CaseFile | None = None  # the case's ECM workspace, when its store files documents
    letters_sent: int = 0  # numbers the case's letters

    def __init_subclass__(cls, *, case_type: str | None = None, title: str | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if case_type is not None:
            cls.case_type = case_type
        if title is not None:
            cls.case_title = title

    def init_case(self, case_input: InputT) -> None:
        self.input = case_input
        self.case_id = case_input.case_id
        self.case_status = CaseStatus.OPEN
        self.case_detail = "Case opened"
        self.audit_trail: list[AuditEntry] = []
        self.attention: Attention | None = None
        self.due_at: datetime | None = None
        self._operator_action: tuple[OperatorAction, OperatorCommand] | None = None
        # An `abort` while nothing is parked: the case stops at its next wait (see `abort_requested`).
        self.abort_request: OperatorCommand | None = None
        self.saga = Saga(self.record, self._park_compensation)
        # The store cancelled the order outside Casebridge while the case needed it.
        self.store_cancellation: StoreCancellation | None = None
        # Every OpenText process the case's reviews used: a new review never takes one of them.
        self.review_processes: list[str] = []
        self.closed_counted = False  # the closed-cases metric counts a case once, however it ends
        subject = self.workspace_subject() if case_input.files_documents else None
        if subject is not None:
            self.case_file = CaseFile(self, subject, self.related_workspaces())

    # --- customer letters --------------------------------------------------------------------

    async def send_letter(
        self,
        purpose: LetterPurpose,
        *,
        order_id: str | None = None,
        about: str,
        content: dict[str, JsonValue],
        tenant: str | None = None,
        communication: str | None = None,
        document: str | None = None,
        letter_key: str | None = None,
        cart_id: str | None = None,
        cart_url: str = "",
    ) -> None:
        """A letter to the order's customer through the `CustomerLetter` building block, when the
        store's policy has communications; the letter goes on by itself (it is never waited for) and
        files its rendered copy in the case's workspace. `document` names the order's transaction
        document the letter is about (a shipment, a refund); `letter_key` makes its id stable (one
        letter per key, ever) instead of numbered. A letter about a cart (an abandoned-cart reminder)
        names `cart_id` instead of `order_id`, and `cart_url` for a cart without a link of its own."""
        i = self.input
        policy = i.communications
        if policy is None:
            self.record("no letter", "the store's policy has no communications: the platform tells the customer")
            return
        if letter_key is not None:
            letter_id = f"{LETTER_ID_PREFIX}{self.case_id}/{letter_key}"
        else:
            self.letters_sent += 1
            run = workflow.info().first_execution_run_id[:8]  # a reused case id never reuses a letter id
            letter_id = f"{LETTER_ID_PREFIX}{self.case_id}/{run}/{self.letters_sent}"
        name = communication or policy.communication_for(purpose)
        request = SendLetterRequest(
            letter_id=letter_id,
            tenant=tenant or i.opentext_tenant,
            platform=i.platform,
            store=i.store,
            order_id=order_id,
            cart_id=cart_id,
            cart_url=cart_url,
            purpose=purpose,
            communication=name,
            policy=policy,
            content=content,
            document=document,
            workspace=self.case_file.workspace if self.case_file is not None else None,
        )
        try:
            await workflow.start_child_workflow(
                CustomerLetter.run,
                LetterInput(request=request, ref=about, case_id=self.case_id, store_task_queue=i.store_task_queue),
                id=letter_id,
                parent_close_policy=ParentClosePolicy.ABANDON,
                # A keyed letter is sent once, ever: a later run of the case finds it sent.
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                search_attributes=letter_search_attributes(),
                static_summary=f"{name} for {about}",
            )
        except WorkflowAlreadyStartedError:
            self.record("letter already sent", f"{name}: {letter_id}")
            return
        self.record("letter started", f"{name}: {letter_id}")

    # --- audit and status ------------------------------------------------------------------

    def record(self, event: str, detail: str = "", actor: str = "casebridge") -> None:
        self.audit_trail.append(AuditEntry(at=workflow.now(), event=event, detail=detail, actor=actor))

    def set_status(self, status: CaseStatus, detail: str, *, due_at: datetime | Unchanged | None = UNCHANGED) -> None:
        """The new status (and due time, when given) in one search-attribute update: each update is
        an event in the history and a write to the visibility store."""
        closed = status.is_final and not self.closed_counted
        self.closed_counted = self.closed_counted or status.is_final
        case_metrics.status_changed(
            self.case_type, self.input.platform, self.case_status.value, status.value, closed=closed
        )
        self.case_status = status
        self.case_detail = detail
        self.record(f"status {status.value}", detail)
        if status.is_final and self.due_at is not None:
            due_at = None  # a closed case is never overdue in "CaseDueAt < now" queries
        updates: list[SearchAttributeUpdate[Any]] = [sa.CASE_STATUS.value_set(status.value)]
        if not isinstance(due_at, Unchanged):
            self.due_at = due_at
            updates.append(self._due_update(due_at))
        workflow.upsert_search_attributes(updates)
        workflow.set_current_details(self.details_markdown())

    def set_due_at(self, due_at: datetime | None) -> None:
        self.due_at = due_at
        workflow.upsert_search_attributes([self._due_update(due_at)])

    @staticmethod
    def _due_update(due_at: datetime | None) -> SearchAttributeUpdate[Any]:
        return sa.CASE_DUE_AT.value_set(due_at) if due_at else sa.CASE_DUE_AT.value_unset()

    @staticmethod
    def labels_of(case_input: Any) -> CaseLabels | None:
        """How operators find and read a case of this type, from its input alone (search attributes,
        the UI's summary and details); None: no header."""
        return None

    def labels(self) -> CaseLabels | None:
        return self.labels_of(self.input)

    def workspace_subject(self) -> WorkspaceSubject | None:
        """The business workspace the case files its records into (None: it files none); read in
        `init_case`, from the input alone."""
        return None

    def related_workspaces(self) -> list[WorkspaceSubject]:
        """The workspaces the case's own belongs under, linked as its parents (a return's order)."""
        return []

    def details_markdown(self) -> str:
        """The live details of the Temporal UI: what the case is about, then its status."""
        labels = self.labels()
        lines = []
        if labels is not None:
            summary = labels.summary(self.case_title, self.input.platform, self.input.store)
            lines += [f"### {summary}", *labels.details, ""]
        lines.append(f"**Status:** {self.case_status.value}")
        if self.attention is not None:
            # The status detail repeats the failure: say it once, with since when and what to do.
            undoing = is_compensation_step(self.attention.step)
            lines += [
                "",
                f"**Waiting for an operator** since {_when(self.attention.since)}: step *{self.attention.step}* "
                f"failed: {self.attention.reason}",
                "",
                "Run the update `retry` (undo it again), `skip` (leave it in place, go on undoing) or `abort` "
                "(stop undoing: what is left stays in place)."
                if undoing
                else "Run the update `retry` (after fixing the cause), `skip` (it was done by hand) or `abort` "
                "(undo the case).",
            ]
        else:
            lines += ["", self.case_detail]
            if self.due_at is not None and not self.case_status.is_final:
                lines += ["", f"**Due:** {_when(self.due_at)}"]
        return "\n".join(lines)

    def view(self) -> CaseView:
        return CaseView(
            case_id=self.case_id,
            case_type=self.case_type,
            status=self.case_status,
            detail=self.case_detail,
            attention=self.attention,
            due_at=self.due_at,
        )

    # --- operator commands -----------------------------------------------------------------
    # Updates answer the operator (the CLI and UI show the case view, or the reason a command is
    # refused); the signals of the same names are for tools that cannot wait for an answer, and
    # record a refusal in the audit trail instead.

    @workflow.update(name="retry", description="Operator: run the parked step again (after fixing its cause).")
    async def retry_update(self, command: OperatorCommand) -> CaseView:
        return await self._operator_update(OperatorAction.RETRY, command)

    @workflow.update(name="skip", description="Operator: count the parked step as done (done by hand) and go on.")
    async def skip_update(self, command: OperatorCommand) -> CaseView:
        return await self._operator_update(OperatorAction.SKIP, command)

    def _validate_resume(self, command: OperatorCommand) -> None:
        check_operator_text(command)
        self._refusal_to_resume()

    retry_update.validator(_validate_resume)
    skip_update.validator(_validate_resume)

    @workflow.update(name="abort", description="Operator: end the case, undoing what it changed, newest first.")
    async def abort_update(self, command: OperatorCommand) -> CaseView:
        return await self._operator_update(OperatorAction.ABORT, command)

    @abort_update.validator
    def _validate_abort(self, command: OperatorCommand) -> None:
        check_operator_text(command)
        if self.attention is not None:
            self._refusal_to_resume()
            return
        if self.case_status.is_final:
            raise ValueError(f"the case is closed ({self.case_status.value})")
        if self.case_status is CaseStatus.APPLYING:
            # Half-applying a decision and then undoing it would leave the store in a worse state.
            raise ValueError("the case is applying its decision; it cannot be aborted now")
        if self.abort_request is not None:
            raise ValueError(f"an abort was already requested by {self.abort_request.operator}")

    @workflow.update(description="Operator: add a note to the case's audit trail.")
    def add_note(self, note: OperatorNote) -> CaseView:
        self.record("operator note", note.note, note.operator)
        return self.view()

    @add_note.validator
    def _validate_note(self, note: OperatorNote) -> None:
        check_operator_text(note)
        if not note.note.strip():
            raise ValueError("the note is empty")
        if self.case_status.is_final:
            raise ValueError(f"the case is closed ({self.case_status.value})")

    def _refusal_to_resume(self) -> None:
        """Why an operator's answer cannot resume the case now (raised as ValueError), if it cannot."""
        if self.attention is None:
            raise ValueError(
                f"nothing is parked: the case is {self.case_status.value} ({self.case_detail}); "
                "retry and skip apply only to a case that NEEDS_ATTENTION"
            )
        if self._operator_action is not None:
            raise ValueError(f"an operator already chose {self._operator_action[0].value} for this step")

    async def _operator_update(self, action: OperatorAction, command: OperatorCommand) -> CaseView:
        """Take the command, then answer once the case has acted on it (resumed or begun undoing)."""
        self._operator(action, command)
        await workflow.wait_condition(lambda: self._operator_action is None)
        return self.view()

    # The signals take their input as plain JSON and validate it here: a malformed one is recorded
    # as ignored, with the reason, instead of being dropped by the SDK before any handler runs.

    @workflow.signal(description="Operator (no answer): run the parked step again.")
    def retry(self, command: Any = None) -> None:
        self._operator_signal(OperatorAction.RETRY, command)

    @workflow.signal(description="Operator (no answer): count the parked step as done and go on.")
    def skip(self, command: Any = None) -> None:
        self._operator_signal(OperatorAction.SKIP, command)

    @workflow.signal(description="Operator (no answer): end the case, undoing what it changed.")
    def abort(self, command: Any = None) -> None:
        self._operator_signal(OperatorAction.ABORT, command)

    @workflow.signal(dynamic=True)
    def unknown_signal(self, name: str, args: Sequence[RawValue]) -> None:
        """A signal no handler takes (a misspelt command): recorded, so the operator can see why
        nothing happened."""
        commands = "retry, skip, abort (updates also: add_note, extend_sla, reassign_review)"
        self.record("ignored signal", f"{name[:100]!r} is no command of this case; the commands are {commands}")

    def _operator_signal(self, action: OperatorAction, raw: Any) -> None:
        try:
            command = OperatorCommand.model_validate(raw or {})
            check_operator_text(command)
        except (ValidationError, ValueError) as err:
            reason = err.errors()[0]["msg"] if isinstance(err, ValidationError) else str(err)
            self.record(f"ignored {action.value}", f"malformed input: {reason}", "unknown")
            return
        self._operator(action, command)

    def _operator(self, action: OperatorAction, command: OperatorCommand | None) -> None:
        command = command or OperatorCommand()
        if self.attention is None and action is OperatorAction.ABORT and self.abort_request is None:
            if self.case_status.is_final or self.case_status is CaseStatus.APPLYING:
                # Half-applying a decision and then undoing it would leave the store in a worse state.
                self.record("ignored abort", f"the case is {self.case_status.value}", command.operator)
                return
            self.abort_request = command
            self.record("operator abort requested", command.note, command.operator)
            return
        if self.attention is None:
            self.record(f"ignored {action.value}", "the case is not waiting for an operator", command.operator)
            return
        self._operator_action = (action, command)

    @workflow.query(description="The case as an operator sees it: status, what it waits on, due time.")
    def status(self) -> CaseView:
        return self.view()

    @workflow.query(description="Everything the case did and was told, oldest first.")
    def audit(self) -> list[AuditEntry]:
        return list(self.audit_trail)

    # --- steps -----------------------------------------------------------------------------

    @property
    def abort_requested(self) -> bool:
        """An operator asked to abort while the case was waiting (not parked): it stops waiting,
        undoes what it changed and ends ABORTED."""
        return self.abort_request is not None

    def interrupted(self) -> bool:
        """True when the case no longer needs its parked step: the order was cancelled."""
        return self.store_cancellation is not None

    # --- the store -----------------------------------------------------------------------

    def use_store(
        self,
        case_input: CaseInput,
        order: PlacedOrder,
        *,
        fully_invoiced: bool | None = None,
        free_order_coupon: str | None = None,
    ) -> None:
        """Work on the order through its platform's store adapter (from the case's `@workflow.init`);
        the other arguments are what only some platforms need (see `StoreOrder`)."""
        self._store = store_for(
            self,
            StoreOrder(
                platform=case_input.platform,
                store=case_input.store,
                order_id=order.order_id,
                order_gid=order.order_gid or None,
                currency=order.currency or "",
                key=case_input.case_id,
                task_queue=case_input.store_task_queue,
                fully_invoiced=fully_invoiced,
                free_order_coupon=free_order_coupon,
            ),
        )

    @property
    def store(self) -> Store:
        if self._store is None:
            raise RuntimeError(f"{self.case_type} cases work on no store order")
        return self._store

    # --- the frame of run() ----------------------------------------------------------------

    async def run_case(self, steps: Callable[[], Awaitable[None]]) -> None:
        """Run the case's own steps. An operator abort undoes what they changed (`close_aborted`);
        a cancellation in the store ends the case CANCELLED (`close_cancelled_in_store`). Either
        way, a decision update still answering its caller finishes before the run ends."""
        case_metrics.case_opened(self.case_type, self.input.platform, self.case_status.value)
        workflow.set_current_details(self.details_markdown())
        try:
            await steps()
        except CaseAborted:
            await self.close_aborted()
        except CaseInterrupted as stopped:
            await self.close_cancelled_in_store(str(stopped))
        if self.case_file is not None:
            await self.case_file.close()
        await workflow.wait_condition(workflow.all_handlers_finished)

    def check_still_wanted(self, where: str) -> None:
        """Between steps: stop at once when an operator asked to abort or the store cancelled."""
        if self.abort_requested:
            raise CaseAborted("operator abort")
        if self.store_cancellation is not None:
            raise CaseInterrupted(where)

    @workflow.signal(description="Internal (the shim): the store cancelled the order outside Casebridge.")
    def order_cancelled(self, event: StoreCancellation) -> None:
        """The store cancelled the order outside Casebridge (e.g. an `orders/cancelled` webhook):
        the case stops waiting, withdraws its reviews and ends CANCELLED."""
        if self.store_cancellation is not None:
            return
        if self._store is not None and self._store.cancel_sent:
            self.record("order cancelled in store", "by this case's own cancellation", "store")
            return
        if self.case_status.is_final or self.case_status is CaseStatus.APPLYING:
            self.record("order cancelled in store", "after the decision; nothing to withdraw", "store")
            return
        self.store_cancellation = event
        self.record("order cancelled in store", event.reason or "", "store")

    async def close_cancelled_in_store(self, where: str) -> None:
        """The cancellation closed the order's fulfilment: its holds went with it (undoing them could
        even reopen the order) and its tags need no undo; anything else, such as open review
        tasks, is withdrawn."""
        self.saga.discard(Undo.RELEASE_HOLD)
        self.saga.discard(Undo.REMOVE_TAGS)
        compensated = await self.saga.compensate()
        withdrawn = f"; {compensated.describe()}" if compensated.undone or compensated.not_undone else ""
        self.set_status(CaseStatus.CANCELLED, f"The order was cancelled in the store ({where}){withdrawn}")

    async def park(self, step: str, reason: str, *, interruptible: bool = True) -> OperatorAction:
        """Hold the case as NEEDS_ATTENTION until an operator decides; return the decision.

        Raises CaseInterrupted if `interrupted()` turns true first (unless not `interruptible`):
        nobody should have to retry a step for an order that no longer exists.
        """
        previous = (self.case_status, self.case_detail)
        self.attention = Attention(step=step, reason=reason, since=workflow.now())
        self.set_status(CaseStatus.NEEDS_ATTENTION, f"Step '{step}' failed: {reason}")
        await workflow.wait_condition(
            lambda: self._operator_action is not None or (interruptible and self.interrupted())
        )
        if self._operator_action is None:
            self.attention = None
            self.record("parking ended", f"{step}: the case was interrupted")
            raise CaseInterrupted(step)
        action, command = self._operator_action
        self._operator_action = None
        self.attention = None
        self.record(f"operator {action.value}", f"{step}: {command.note}".rstrip(": "), command.operator)
        if action is not OperatorAction.ABORT:
            self.set_status(*previous)
        return action

    async def run_step(self, step: str, call: Callable[[], Awaitable[T]], *, on_skip: T) -> T:
        """Run one external step; on failure park until an operator retries, skips or aborts."""
        while True:
            try:
                result = await call()
            except ActivityError as err:
                action = await self.park(step, describe_failure(err))
                if action is OperatorAction.RETRY:
                    continue
                if action is OperatorAction.SKIP:
                    self.record("skipped", step)
                    return on_skip
                raise CaseAborted(step) from err
            self.record("done", step)
            return result

    def check_decision(self, decision: ReviewDecision) -> None:
        """What the case type needs of a reviewer's decision beyond an offered outcome (raise
        ValueError saying what): checked on the `decide` update, the `submit_decision` signal and
        on decisions reconciliation finds, so the case can rely on it when it applies one."""

    async def _park_compensation(self, name: str, reason: str) -> OperatorAction:
        """The saga's parking for a failed undo. Not interruptible: compensation runs when the case
        is already ending (an abort, or the order cancelled in the store, which is what
        `interrupted()` reports), so only an operator ends this wait."""
        return await self.park(compensation_step(name), reason, interruptible=False)

    async def close_aborted(self) -> None:
        """Undo what the case changed (a failed undo parks the case, see `workflows.saga`), then end
        it as ABORTED, saying what was undone and what was not."""
        compensated = await self.saga.compensate()
        self.set_status(CaseStatus.ABORTED, f"Aborted by an operator; {compensated.describe()}")


AnyCase = CaseWorkflow[Any]  # a case of any type, for the building blocks that serve every case
