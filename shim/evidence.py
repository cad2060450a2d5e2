"""`POST /events/return-evidence`: the customer's photos or proof for a return, from the storefront's
customer portal or customer service, after a reviewer asked for them.

Signed per Standard Webhooks by a configured event source (see `shim.events`). The evidence is
signalled to the return's case, which opens a new review round with it; the links point to where
the files live (the portal's storage or an ECM folder), the case never carries the files themselves.
404 when the return has no case (or it is over): the sender learns that the evidence reached nobody.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from pydantic import Field, HttpUrl, model_validator
from temporalio.service import RPCError, RPCStatusCode

from casebridge.stores import Store
from shim import api_docs
from shim.cases import WebhookResult
from shim.deps import ShimDeps
from shim.events import StoreEvent, VerifiedDelivery, handle_event
from workflows.return_case import KIND, CustomerEvidence, ReturnCase

router = APIRouter(tags=["events"])


class ReturnEvidenceEvent(StoreEvent):
    # The return as the case knows it: Shopify's return id, the Adobe RMA id, or for BigCommerce
    # `{source}:{reference}` of the return request.
    return_id: str = Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9._:-]+$")
    submitted_by: str = Field(min_length=1, max_length=200)  # the customer, or the agent who relayed it
    note: str = Field(default="", max_length=2000)
    links: list[HttpUrl] = Field(default_factory=list, max_length=20)

    @model_validator(mode="after")
    def _has_evidence(self) -> ReturnEvidenceEvent:
        if not self.note and not self.links:
            raise ValueError("evidence needs a note or at least one link")
        return self


RETURN_EVIDENCE = api_docs.Body(
    ReturnEvidenceEvent,
    "Photos of the broken zip",
    {
        "platform": "shopify",
        "store": "casebridge-demo.myshopify.com",
        "return_id": "9871234",
        "submitted_by": "buyer@example.com",
        "note": "Photos of the broken zip",
        "links": ["https://portal.example.com/returns/9871234/photo-1.jpg"],
    },
)


@router.post(
    "/events/return-evidence",
    response_model=WebhookResult,
    summary="The customer's evidence for a return",
    responses=api_docs.responses(WebhookResult, api_docs.RETURN_EVIDENCE_ANSWERS),
    openapi_extra=api_docs.request_body(
        [RETURN_EVIDENCE],
        *api_docs.EVENT_SOURCE_HEADERS,
        description="Signed per Standard Webhooks by a configured event source (customer portal, service desk).",
    ),
)
async def return_evidence(request: Request) -> WebhookResult:
    """Signals the evidence to the return's open case (links to the files, never the files)."""
    return await handle_event(request, ReturnEvidenceEvent, _evidence_received)


async def _evidence_received(
    deps: ShimDeps, delivery: VerifiedDelivery, event: ReturnEvidenceEvent, store: Store
) -> WebhookResult:
    case_id = KIND.case_id(store.platform.value, store.id, event.return_id)
    evidence = CustomerEvidence(who=event.submitted_by, note=event.note, links=[str(link) for link in event.links])
    try:
        await deps.temporal.get_workflow_handle_for(ReturnCase.run, case_id).signal(
            ReturnCase.customer_evidence, evidence
        )
    except RPCError as err:
        if err.status is RPCStatusCode.NOT_FOUND:
            raise HTTPException(404, f"no open return case {case_id}") from err
        raise HTTPException(503, f"Temporal did not take the evidence: {err.message}") from err
    return WebhookResult(result="signalled", case_id=case_id)
