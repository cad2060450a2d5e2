"""What the store webhook routes share: their answer, starting a case as its kind says (id, search
attributes, summary, start or join), and the memory of recent deliveries."""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from fastapi import HTTPException
from pydantic import BaseModel
from temporalio.client import WorkflowExecutionStatus, WorkflowHandle
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from casebridge.logs import bind_case
from casebridge.stores import Store, store_task_queue
from connectors.errors import ConnectorError, NotFoundError
from routing.facts import OrderFacts
from routing.policy import OrderReviewPolicy, ReturnsPolicy
from routing.return_rules import ReturnRouting
from workflows import fulfillment_exception, order_review, return_case
from workflows.case import CaseWorkflow
from workflows.kinds import CaseKind, InputT, StartMode
from workflows.messages import HANDLED_EVENTS_MEMO, StoreCancellation
from workflows.order_review import OrderReviewInput
from workflows.return_case import ReturnCaseInput, ReturnFacts

if TYPE_CHECKING:
    from shim.deps import ShimDeps  # deps holds a DeliveryMemory: import for types only

log = logging.getLogger(__name__)

_REMEMBERED_DELIVERIES = 10_000


class WebhookResult(BaseModel):
    result: str  # started | duplicate | not-needed | signalled | no-open-case | ignored
    case_id: str | None = None
    reasons: list[str] = []
    # Other cases the same event opened or reached (an order placed with backordered items is
    # reviewed and also becomes a fulfillment exception).
    also: list[str] = []


class DeliveryMemory:
    """The answers to the last deliveries by `webhook-id`, so a redelivery is answered the same.

    Per process and bounded: with several shim replicas a redelivery may land elsewhere, where the
    case id's REJECT_DUPLICATE makes it harmless. Only deliveries that were handled are remembered;
    one answered 503 must be processed again when BigCommerce retries it.
    """

    def __init__(self, size: int = _REMEMBERED_DELIVERIES) -> None:
        self._size = size
        self._answers: OrderedDict[str, WebhookResult] = OrderedDict()

    def get(self, webhook_id: str) -> WebhookResult | None:
        return self._answers.get(webhook_id)

    def remember(self, webhook_id: str, answer: WebhookResult) -> None:
        self._answers[webhook_id] = answer
        self._answers.move_to_end(webhook_id)
        while len(self._answers) > self._size:
            self._answers.popitem(last=False)


def store_read_failed(err: ConnectorError, store: Store, what: str) -> HTTPException:
    """The answer when reading `what` ("order 1042") from the store failed: 404 when the platform
    has no such thing (a redelivery cannot change that, so the platform should stop), 503 for all
    else (network, 5xx, throttling, or credentials an operator will fix: the platform redelivers
    and nothing is lost)."""
    if isinstance(err, NotFoundError):
        return HTTPException(404, f"{what} not found in {store.id}")
    return HTTPException(503, f"could not read {what} from {store.id}: {err}")


def case_placement(deps: ShimDeps, store: Store, delivery_id: str | None) -> dict[str, Any]:
    """The `CaseInput` fields every case type shares: where the store is, which OpenText tenant
    decides, where OpenText calls back, the store's rate-limited activity queue (None: the cases'
    own) and the delivery that opened the case."""
    return {
        "platform": store.platform.value,
        "store": store.id,
        "opentext_tenant": store.opentext_tenant,
        "callback_url": f"{deps.callback_base_url}/callbacks/opentext/workflow?tenant={store.opentext_tenant}",
        # A store whose quota every app shares gets its API calls through its rate-limited queue.
        "store_task_queue": (
            None if store.activities_per_second is None else store_task_queue(deps.settings.task_queue, store)
        ),
        "delivery_id": delivery_id,
        "files_documents": deps.registry.files_documents(store),
        "communications": (
            deps.policies.get(store.policy_file).communications if store.policy_file is not None else None
        ),
    }


async def start_case(
    deps: ShimDeps,
    kind: CaseKind[InputT],
    case_input: InputT,
    *,
    reasons: list[str],
    join_args: list[Any] | None = None,
    opened_by: str | None = None,
) -> WebhookResult:
    """Start a case of `kind` as the kind says: once per id ever (a redelivery finds the old case,
    "duplicate"), or joining the open case with `join_args` through its join signal ("accepted").

    `opened_by` (JOIN_OPEN) is the signed identity of the event (a warehouse's report reference, a
    Shopify hold's id): the case's memo lists it and every event that joins it later, so once closed
    it still remembers them, and the same event redelivered, to any shim replica, is a "duplicate"
    instead of a second case. (The open case dedupes the events that join it itself.)"""
    bind_case(case_input.case_id)
    labels = kind.labels(case_input)
    options: dict[str, Any] = {
        "id": case_input.case_id,
        "task_queue": deps.settings.task_queue,
        "search_attributes": kind.search_attributes(case_input, labels),
        "static_summary": kind.summary(case_input, labels),
        "static_details": kind.details(case_input, labels),
    }
    if kind.start is StartMode.JOIN_OPEN:
        if opened_by is not None and await _closed_case_handled(deps, case_input.case_id, opened_by):
            return WebhookResult(result="duplicate", case_id=case_input.case_id, reasons=reasons)
        options |= {
            # A closed case does not block a new one: the order may run into the same trouble again.
            "id_reuse_policy": WorkflowIDReusePolicy.ALLOW_DUPLICATE,
            "start_signal": kind.join_signal,
            "start_signal_args": join_args or [],
            "memo": {HANDLED_EVENTS_MEMO: [opened_by]} if opened_by is not None else None,
        }
    else:
        options["id_reuse_policy"] = WorkflowIDReusePolicy.REJECT_DUPLICATE
    try:
        await deps.temporal.start_workflow(kind.workflow_name, case_input, **options)
    except WorkflowAlreadyStartedError:
        return WebhookResult(result="duplicate", case_id=case_input.case_id, reasons=reasons)
    except RPCError as err:
        raise HTTPException(503, f"Temporal did not take the case: {err.message}") from err
    log.info("%s %s (%s)", "joined or started" if join_args else "started", case_input.case_id, "; ".join(reasons))
    result = "accepted" if kind.start is StartMode.JOIN_OPEN else "started"
    return WebhookResult(result=result, case_id=case_input.case_id, reasons=reasons)


async def case_exists(deps: ShimDeps, case_id: str) -> bool:
    """Whether a case was ever started under this id (open or closed); 503 when Temporal cannot say."""
    try:
        await deps.temporal.get_workflow_handle(case_id).describe()
    except RPCError as err:
        if err.status is RPCStatusCode.NOT_FOUND:
            return False
        raise HTTPException(503, f"Temporal could not say whether the case exists: {err.message}") from err
    return True


async def _closed_case_handled(deps: ShimDeps, case_id: str, event_key: str) -> bool:
    """Whether a closed case under this id took this very event. The latest run is read directly
    (visibility may lag behind a case that just closed), earlier ones through visibility; none of
    it when the case is open (the signal reaches it and it dedupes by itself)."""
    try:
        latest = await deps.temporal.get_workflow_handle(case_id).describe()
        if latest.status is WorkflowExecutionStatus.RUNNING:
            return False
        if event_key in await latest.memo_value(HANDLED_EVENTS_MEMO, [], type_hint=list[str]):
            return True
        escaped = case_id.replace("\\", "\\\\").replace('"', '\\"')
        async for run in deps.temporal.list_workflows(f'WorkflowId = "{escaped}"'):
            if run.status is WorkflowExecutionStatus.RUNNING:
                continue
            if event_key in await run.memo_value(HANDLED_EVENTS_MEMO, [], type_hint=list[str]):
                return True
    except RPCError as err:
        if err.status is RPCStatusCode.NOT_FOUND:
            return False  # never a case under this id
        raise HTTPException(503, f"Temporal could not say whether the event was handled: {err.message}") from err
    return False


async def start_order_review(
    deps: ShimDeps,
    store: Store,
    facts: OrderFacts,
    reasons: list[str],
    policy: OrderReviewPolicy,
    delivery_id: str | None,
) -> WebhookResult:
    """Start the order's review case, once per order ever (a late redelivery finds the old case)."""
    case_id = order_review.KIND.case_id(store.platform.value, store.id, facts.order_id)
    if facts.cancelled or deps.early_cancellations.get(case_id) is not None:
        # Events arrive out of order: the cancellation overtook the creation. Nothing to review.
        log.info("order %s of %s is already cancelled; no review", facts.order_name, store.id)
        return WebhookResult(result="not-needed", reasons=["order already cancelled"])
    case_input = OrderReviewInput(
        case_id=case_id, facts=facts, reasons=reasons, policy=policy, **case_placement(deps, store, delivery_id)
    )
    return await start_case(deps, order_review.KIND, case_input, reasons=reasons)


async def signal_store_cancellation(
    deps: ShimDeps, store: Store, order_id: str, cancellation: StoreCancellation
) -> WebhookResult:
    """Tell the order's cases (its review, its fulfillment exception) that the store cancelled the
    order; no case is fine (nothing to withdraw)."""
    case_id = order_review.KIND.case_id(store.platform.value, store.id, order_id)
    exception_case = fulfillment_exception.KIND.case_id(store.platform.value, store.id, order_id)
    exception_signalled = await _signal_cancellation(deps, exception_case, cancellation)
    also = [exception_case] if exception_signalled else []
    if not await _signal_cancellation(deps, case_id, cancellation):
        answer = WebhookResult(result="no-open-case", case_id=case_id)
        # Its `created` event may still be on its way: it must not open a review then.
        deps.early_cancellations.remember(case_id, answer)
        return answer.model_copy(update={"also": also})
    return WebhookResult(result="signalled", case_id=case_id, also=also)


async def _signal_cancellation(deps: ShimDeps, case_id: str, cancellation: StoreCancellation) -> bool:
    """False when the case does not exist or has ended; 503 when Temporal cannot be reached."""
    handle: WorkflowHandle[Any, Any] = deps.temporal.get_workflow_handle(case_id)
    try:
        # Every case kind takes the same `order_cancelled` signal (`workflows.case.CaseWorkflow`).
        await handle.signal(CaseWorkflow.order_cancelled, cancellation)
    except RPCError as err:
        if err.status is RPCStatusCode.NOT_FOUND:
            return False
        raise HTTPException(503, f"Temporal did not take the signal: {err.message}") from err
    return True


async def start_return_case(
    deps: ShimDeps,
    store: Store,
    facts: ReturnFacts,
    routing: ReturnRouting,
    policy: ReturnsPolicy,
    delivery_id: str | None,
) -> WebhookResult:
    """Start the return's case, once per return ever (a redelivery finds the existing case)."""
    case_input = ReturnCaseInput(
        case_id=return_case.KIND.case_id(store.platform.value, store.id, facts.return_id),
        facts=facts,
        reasons=routing.reasons,
        policy=policy,
        **case_placement(deps, store, delivery_id),
        declined_by_policy=routing.action == "decline",
        warranty_status=routing.warranty_status,
        warranty_claim=routing.warranty_claim,
    )
    return await start_case(deps, return_case.KIND, case_input, reasons=routing.reasons)
