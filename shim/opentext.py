"""`POST /callbacks/opentext/workflow`: a reviewer's task outcome, reported by the HTTP service task
at the end of Casebridge's OpenText process model, handed to the case as a validated Update.

The callback is signed with the tenant's shared secret (see `connectors.opentext.callback_signing`).
The case validates the decision (right process, right task, case still open); a refusal comes back
as 409 with the case's reason, an unknown case as 404. A decision can overtake the activity that
opened its task (the case does not know the task yet, for the milliseconds until that activity's
result reaches it): the shim offers it again for a few seconds, then answers 503 so OpenText sends
it later. The Update id is derived from the task, so a redelivered callback is answered from the
first result instead of being applied twice.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Query, Request
from pydantic import BaseModel, Field
from temporalio.client import (
    WorkflowExecutionStatus,
    WorkflowHandle,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from casebridge.logs import bind_case
from casebridge.stores import RegistryLookupError
from connectors.opentext.callback_signing import verify_signature
from shim import api_docs
from shim.deps import ShimDeps
from shim.intake import NO_SECRET, bounded_body, parse_verified, unauthenticated
from workflows.messages import CaseView, ReviewDecision, ReviewNotOpenYet, case_id_of_business_key

log = logging.getLogger(__name__)

router = APIRouter(tags=["callbacks"])


# Temporal's default limit on a workflow id and an Update id (`limit.maxIDLength`): a business key
# or task id beyond it can never reach a case, so it is refused (422), not retried.
MAX_TEMPORAL_ID = 1000

# Pauses before offering a decision again while its case is still opening the task (3 s in all):
# a refused Update leaves nothing in the case's history, and OpenText's own redelivery waits longer.
NOT_OPEN_YET_PAUSES = (0.1, 0.2, 0.4, 0.8, 1.5)


class TaskOutcomeCallback(BaseModel):
    tenant_id: str = Field(alias="tenantId", max_length=255)
    process_instance_id: str = Field(alias="processInstanceId", max_length=255)
    business_key: str = Field(alias="businessKey", min_length=1, max_length=MAX_TEMPORAL_ID)
    task_id: str = Field(alias="taskId", min_length=1, max_length=255)
    task_name: str | None = Field(default=None, alias="taskName", max_length=1000)
    outcome: str = Field(max_length=200)
    completed_by: str | None = Field(default=None, alias="completedBy", max_length=255)
    completed_at: datetime | None = Field(default=None, alias="completedAt")
    variables: dict[str, Any] = Field(default_factory=dict)


TASK_OUTCOME = api_docs.Body(
    TaskOutcomeCallback,
    "A reviewer completed the task",
    {
        "tenantId": "casebridge-demo",
        "processInstanceId": "proc-3b2a",
        "businessKey": api_docs.REVIEW_CASE,
        "taskId": "task-7f3c",
        "taskName": "Review order #1001",
        "outcome": "approve",
        "completedBy": "reviewer@example.com",
        "completedAt": "2025-01-01T10:00:00Z",
        "variables": {"comment": "Known customer"},
    },
)


@router.post(
    "/callbacks/opentext/workflow",
    response_model=CaseView,
    summary="OpenText task outcome (signed callback)",
    responses=api_docs.responses(CaseView, api_docs.OPENTEXT_ANSWERS),
    openapi_extra=api_docs.request_body(
        [TASK_OUTCOME],
        api_docs.TENANT_QUERY,
        *api_docs.OPENTEXT_HEADERS,
        description="Posted by the HTTP service task at the end of Casebridge's OpenText process model.",
    ),
)
async def workflow_task_outcome(
    request: Request,
    # Optional here so that a callback without them gets the one answer of every unauthenticated
    # request (401), not FastAPI's own 422 before the signature is checked; `api_docs` documents them.
    tenant: Annotated[str | None, Query(include_in_schema=False)] = None,
    x_casebridge_timestamp: Annotated[str | None, Header(include_in_schema=False)] = None,
    x_casebridge_signature: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> CaseView:
    """The reviewer's decision, handed to the case as its validated `decide` Update."""
    deps: ShimDeps = request.app.state.deps
    body = await bounded_body(request)
    try:
        secret = deps.registry.tenant(tenant).callback_secret().get_secret_value() if tenant else None
    except RegistryLookupError:
        secret = None  # an unknown or missing tenant is refused exactly like a bad signature
    if not verify_signature(secret or NO_SECRET, body, x_casebridge_timestamp, x_casebridge_signature) or not secret:
        raise unauthenticated("opentext callback", f"tenant {str(tenant)[:60]!r} unknown, or bad or stale signature")
    callback = parse_verified(TaskOutcomeCallback, body, "callback")

    decision = ReviewDecision(
        process_instance_id=callback.process_instance_id,
        task_id=callback.task_id,
        outcome=callback.outcome,
        reviewer=callback.completed_by,
        comment=str(callback.variables.get("comment") or "") or None,
        item_sku=str(callback.variables.get("itemSku") or "").strip() or None,
        delivery_date=str(callback.variables.get("deliveryDate") or "").strip() or None,
        source="callback",
    )
    # The business key is the case id, or `{case_id}#{team}` for one team's task of a review panel.
    case_id = case_id_of_business_key(callback.business_key)
    bind_case(case_id)
    handle = deps.temporal.get_workflow_handle(case_id)
    view = await _decide(deps, handle, decision)
    for pause in NOT_OPEN_YET_PAUSES:
        if view is not None:
            break
        await asyncio.sleep(pause)  # OpenText was faster than the activity that opened the task
        view = await _decide(deps, handle, decision)
    if view is None:
        raise HTTPException(503, "the case is not ready for this decision yet: it is still opening its task")
    log.info("decision %s for %s (task %s)", decision.outcome, callback.business_key, callback.task_id)
    return view


async def _decide(deps: ShimDeps, handle: WorkflowHandle[Any, Any], decision: ReviewDecision) -> CaseView | None:
    """The case's view once it took the decision; None while it is still opening the task."""
    try:
        view: CaseView = await handle.execute_update(
            "decide",
            decision,
            id=f"decision-{decision.task_id}",
            result_type=CaseView,
            rpc_timeout=timedelta(seconds=deps.settings.decision_timeout_seconds),
        )
    except WorkflowUpdateFailedError as err:
        if isinstance(err.cause, ApplicationError) and err.cause.type == ReviewNotOpenYet.__name__:
            return None
        reason = str(err.cause.message if hasattr(err.cause, "message") else err.cause)
        raise HTTPException(409, f"the case refused the decision: {reason}") from err
    except WorkflowUpdateRPCTimeoutOrCancelledError as err:
        raise HTTPException(503, "the case did not answer in time; retry later") from err
    except RPCError as err:
        raise await _case_error(handle, err) from err
    return view


async def _case_error(handle: WorkflowHandle[Any, Any], err: RPCError) -> HTTPException:
    if err.status is RPCStatusCode.NOT_FOUND:
        try:
            description = await handle.describe()
        except RPCError:
            return HTTPException(404, f"no case {handle.id}")
        if description.status is not WorkflowExecutionStatus.RUNNING:
            status = description.status.name if description.status else "closed"
            return HTTPException(409, f"case {handle.id} is closed ({status})")
        return HTTPException(404, f"no case {handle.id}")
    if err.status is RPCStatusCode.INVALID_ARGUMENT:
        # Temporal will never take this request (an id or payload beyond its limits): no retry.
        return HTTPException(422, f"Temporal refused the update: {err.message}")
    return HTTPException(503, f"Temporal refused the update: {err.message}")
