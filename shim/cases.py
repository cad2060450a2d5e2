"""What the store webhook routes share: their answer, the case's search attributes and summary,
and the memory of recent deliveries."""

from __future__ import annotations

import logging
from collections import OrderedDict
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from fastapi import HTTPException
from pydantic import BaseModel
from temporalio.client import WorkflowHandle
from temporalio.common import SearchAttributePair, TypedSearchAttributes, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from casebridge.stores import Store, store_task_queue
from routing.facts import OrderFacts
from routing.policy import OrderReviewPolicy, ReturnsPolicy
from routing.return_rules import ReturnRouting
from workflows import search_attributes as sa
from workflows.fulfillment_exception import case_id_for as exception_case_id_for
from workflows.messages import StoreCancellation
from workflows.order_review import CASE_TYPE, OrderReview, OrderReviewInput, case_id_for
from workflows.return_case import CASE_TYPE as RETURN_CASE_TYPE
from workflows.return_case import ReturnCase, ReturnCaseInput, ReturnFacts
from workflows.return_case import case_id_for as return_case_id_for

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


def case_search_attributes(
    case_type: str, store: Store, ref: str, team: str, amount: Decimal | None
) -> TypedSearchAttributes:
    """What operators find every case by in the Temporal UI and CLI (see `workflows.search_attributes`)."""
    pairs: list[SearchAttributePair[Any]] = [
        SearchAttributePair(sa.CASE_TYPE, case_type),
        SearchAttributePair(sa.CASE_PLATFORM, store.platform.value),
        SearchAttributePair(sa.CASE_STORE, store.id),
        SearchAttributePair(sa.CASE_REF, ref),
        SearchAttributePair(sa.CASE_STATUS, "OPEN"),
        SearchAttributePair(sa.CASE_TEAM, team),
    ]
    if amount is not None:
        pairs.append(SearchAttributePair(sa.CASE_AMOUNT, float(amount)))
    return TypedSearchAttributes(pairs)


def case_placement(deps: ShimDeps, store: Store) -> dict[str, Any]:
    """The input fields every case type shares: where the store is, which OpenText tenant decides,
    where OpenText calls back, and the store's rate-limited activity queue (None: the cases' own)."""
    return {
        "platform": store.platform.value,
        "store": store.id,
        "opentext_tenant": store.opentext_tenant,
        "callback_url": f"{deps.callback_base_url}/callbacks/opentext/workflow?tenant={store.opentext_tenant}",
        # A store whose quota every app shares gets its API calls through its rate-limited queue.
        "store_task_queue": (
            None if store.activities_per_second is None else store_task_queue(deps.settings.task_queue, store)
        ),
    }


def static_details(facts: OrderFacts, reasons: list[str], delivery_id: str | None) -> str:
    lines = [
        f"**Order** {facts.order_name} (id {facts.order_id})",
        f"**Total** {facts.total} {facts.currency}",
        f"**Customer** {facts.customer_email or 'unknown'}",
        "**Why reviewed**",
        *[f"- {r}" for r in reasons],
    ]
    if delivery_id:
        lines.append(f"_Webhook delivery {delivery_id}_")
    return "\n".join(lines)


async def start_order_review(
    deps: ShimDeps,
    store: Store,
    facts: OrderFacts,
    reasons: list[str],
    policy: OrderReviewPolicy,
    delivery_id: str | None,
) -> WebhookResult:
    """Start the order's review case, once per order ever (a late redelivery finds the old case)."""
    case_id = case_id_for(store.platform.value, store.id, facts.order_id)
    if facts.cancelled or deps.early_cancellations.get(case_id) is not None:
        # Events arrive out of order: the cancellation overtook the creation. Nothing to review.
        log.info("order %s of %s is already cancelled; no review", facts.order_name, store.id)
        return WebhookResult(result="not-needed", reasons=["order already cancelled"])
    case_input = OrderReviewInput(
        case_id=case_id, facts=facts, reasons=reasons, policy=policy, **case_placement(deps, store)
    )
    try:
        await deps.temporal.start_workflow(
            OrderReview.run,
            case_input,
            id=case_id,
            task_queue=deps.settings.task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            search_attributes=case_search_attributes(
                CASE_TYPE, store, facts.order_name, policy.route.team, facts.total
            ),
            static_summary=f"Order review {facts.order_name} ({store.id})",
            static_details=static_details(facts, reasons, delivery_id),
        )
    except WorkflowAlreadyStartedError:
        return WebhookResult(result="duplicate", case_id=case_id, reasons=reasons)
    log.info("started %s (%s)", case_id, "; ".join(reasons))
    return WebhookResult(result="started", case_id=case_id, reasons=reasons)


async def signal_store_cancellation(
    deps: ShimDeps, store: Store, order_id: str, cancellation: StoreCancellation
) -> WebhookResult:
    """Tell the order's cases (its review, its fulfillment exception) that the store cancelled the
    order; no case is fine (nothing to withdraw)."""
    case_id = case_id_for(store.platform.value, store.id, order_id)
    exception_case = exception_case_id_for(store.platform.value, store.id, order_id)
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
        # Both case types take the same `order_cancelled` signal.
        await handle.signal(OrderReview.order_cancelled, cancellation)
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
    case_id = return_case_id_for(store.platform.value, store.id, facts.return_id)
    reasons = routing.reasons
    declined = routing.action == "decline"
    case_input = ReturnCaseInput(
        case_id=case_id,
        facts=facts,
        reasons=reasons,
        policy=policy,
        **case_placement(deps, store),
        declined_by_policy=declined,
        warranty_status=routing.warranty_status,
        warranty_claim=routing.warranty_claim,
    )
    attributes = case_search_attributes(RETURN_CASE_TYPE, store, facts.return_name, policy.route.team, facts.value)
    lines = [
        f"**Return** {facts.return_name} (id {facts.return_id}) of order {facts.order_id}",
        f"**Value** {facts.value} {facts.currency}; reasons {', '.join(facts.reasons)}",
        *([f"**Product categories** {', '.join(routing.categories)}"] if routing.categories else []),
        *([f"**Warranty status** {routing.warranty_status}"] if routing.warranty_status else []),
        *(["**Warranty claim**"] if routing.warranty_claim else []),
        "**Declined by policy**" if declined else "**Why reviewed**" if reasons else "**Auto-approved by policy**",
        *[f"- {r}" for r in reasons],
    ]
    if delivery_id:
        lines.append(f"_Webhook delivery {delivery_id}_")
    try:
        await deps.temporal.start_workflow(
            ReturnCase.run,
            case_input,
            id=case_id,
            task_queue=deps.settings.task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            search_attributes=attributes,
            static_summary=f"Return {facts.return_name} ({store.id})",
            static_details="\n".join(lines),
        )
    except WorkflowAlreadyStartedError:
        return WebhookResult(result="duplicate", case_id=case_id, reasons=reasons)
    log.info("started %s (%s)", case_id, "; ".join(reasons) or "auto-approved")
    return WebhookResult(result="started", case_id=case_id, reasons=reasons)
