"""`POST /events/return-evidence`: the customer's photos or proof for a return, from the storefront's
customer portal or customer service, after a reviewer asked for them.

Signed per Standard Webhooks by a configured event source (see `shim.events`). The evidence is
signalled to the return's case, which opens a new review round with it; the links point to where
the files live (the portal's storage or an ECM folder), the case never carries the files themselves.
404 when the return has no case (or it is over): the sender learns that the evidence reached nobody.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field, HttpUrl
from temporalio.service import RPCError, RPCStatusCode

from casebridge.stores import Platform
from shim.cases import WebhookResult
from shim.deps import ShimDeps
from shim.events import parse_event, store_for, verified_delivery
from workflows.return_case import CustomerEvidence, ReturnCase, case_id_for

router = APIRouter(tags=["events"])


class ReturnEvidenceEvent(BaseModel):
    platform: Platform
    store: str = Field(min_length=1)
    # The return as the case knows it: Shopify's return id, the Adobe RMA id, or for BigCommerce
    # `{source}:{reference}` of the return request.
    return_id: str = Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9._:-]+$")
    submitted_by: str = Field(min_length=1, max_length=200)  # the customer, or the agent who relayed it
    note: str = Field(default="", max_length=2000)
    links: list[HttpUrl] = Field(default_factory=list, max_length=20)


@router.post("/events/return-evidence", response_model=WebhookResult)
async def return_evidence(request: Request) -> WebhookResult:
    deps: ShimDeps = request.app.state.deps
    delivery = await verified_delivery(request)
    seen = deps.event_deliveries.get(delivery.delivery_id)
    if seen is not None:
        return WebhookResult(result="duplicate", case_id=seen.case_id)
    event = parse_event(ReturnEvidenceEvent, delivery.body)
    if not event.note and not event.links:
        raise HTTPException(422, "invalid event: evidence needs a note or at least one link")
    store = store_for(deps, delivery.source, event.platform, event.store)
    case_id = case_id_for(store.platform.value, store.id, event.return_id)
    evidence = CustomerEvidence(who=event.submitted_by, note=event.note, links=[str(link) for link in event.links])
    try:
        await deps.temporal.get_workflow_handle_for(ReturnCase.run, case_id).signal(
            ReturnCase.customer_evidence, evidence
        )
    except RPCError as err:
        if err.status is RPCStatusCode.NOT_FOUND:
            raise HTTPException(404, f"no open return case {case_id}") from err
        raise HTTPException(503, f"Temporal did not take the evidence: {err.message}") from err
    answer = WebhookResult(result="signalled", case_id=case_id)
    deps.event_deliveries.remember(delivery.delivery_id, answer)
    return answer
