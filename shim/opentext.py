"""`POST /callbacks/opentext/workflow`: a reviewer's task outcome, reported by the HTTP service task
at the end of Casebridge's OpenText process model, handed to the case as a validated Update.

The callback is signed with the tenant's shared secret (see `connectors.opentext.callback_signing`).
The case validates the decision (right process, right task, case still open); a refusal comes back
as 409 with the case's reason, an unknown case as 404. The Update id is derived from the task, so
a redelivered callback is answered from the first result instead of being applied twice.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Query, Request
from pydantic import BaseModel, Field, ValidationError
from temporalio.client import (
    WorkflowExecutionStatus,
    WorkflowHandle,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.service import RPCError, RPCStatusCode

from casebridge.stores import RegistryLookupError
from connectors.opentext.callback_signing import verify_signature
from shim.deps import ShimDeps
from workflows.messages import CaseView, ReviewDecision, case_id_of_business_key

log = logging.getLogger(__name__)

router = APIRouter(tags=["callbacks"])


class TaskOutcomeCallback(BaseModel):
    tenant_id: str = Field(alias="tenantId")
    process_instance_id: str = Field(alias="processInstanceId")
    business_key: str = Field(alias="businessKey", min_length=1)
    task_id: str = Field(alias="taskId")
    task_name: str | None = Field(default=None, alias="taskName")
    outcome: str
    completed_by: str | None = Field(default=None, alias="completedBy")
    completed_at: datetime | None = Field(default=None, alias="completedAt")
    variables: dict[str, Any] = Field(default_factory=dict)


@router.post("/callbacks/opentext/workflow", response_model=CaseView)
async def workflow_task_outcome(
    request: Request,
    tenant: Annotated[str, Query(description="The tenant name in the store registry")],
    x_casebridge_timestamp: Annotated[str | None, Header()] = None,
    x_casebridge_signature: Annotated[str | None, Header()] = None,
) -> CaseView:
    deps: ShimDeps = request.app.state.deps
    try:
        secret = deps.registry.tenant(tenant).callback_secret()
    except RegistryLookupError as err:
        raise HTTPException(404, str(err)) from err
    body = await request.body()
    if not verify_signature(secret.get_secret_value(), body, x_casebridge_timestamp, x_casebridge_signature):
        raise HTTPException(401, "callback signature does not match or its timestamp is stale")
    try:
        callback = TaskOutcomeCallback.model_validate_json(body)
    except ValidationError as err:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in err.errors())
        raise HTTPException(422, f"invalid callback: {problems}") from err

    decision = ReviewDecision(
        process_instance_id=callback.process_instance_id,
        task_id=callback.task_id,
        outcome=callback.outcome,
        reviewer=callback.completed_by,
        comment=str(callback.variables.get("comment") or "") or None,
        item_sku=str(callback.variables.get("itemSku") or "").strip() or None,
        source="callback",
    )
    # The business key is the case id, or `{case_id}#{team}` for one team's task of a review panel.
    handle = deps.temporal.get_workflow_handle(case_id_of_business_key(callback.business_key))
    try:
        view: CaseView = await handle.execute_update(
            "decide",
            decision,
            id=f"decision-{callback.task_id}",
            result_type=CaseView,
            rpc_timeout=timedelta(seconds=deps.settings.decision_timeout_seconds),
        )
    except WorkflowUpdateFailedError as err:
        reason = str(err.cause.message if hasattr(err.cause, "message") else err.cause)
        raise HTTPException(409, f"the case refused the decision: {reason}") from err
    except WorkflowUpdateRPCTimeoutOrCancelledError as err:
        raise HTTPException(503, "the case did not answer in time; retry later") from err
    except RPCError as err:
        raise await _case_error(handle, err) from err
    log.info("decision %s for %s (task %s)", decision.outcome, callback.business_key, callback.task_id)
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
    return HTTPException(503, f"Temporal refused the update: {err.message}")
