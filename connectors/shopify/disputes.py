"""Shopify Payments disputes (chargebacks, inquiries): list and read them, and answer with evidence
(`disputeEvidenceUpdate`; `submit=True` sends it, after which it can no longer change)."""

from __future__ import annotations

from datetime import date, datetime

from connectors.errors import ContractError, NotFoundError
from connectors.shopify import documents_aftersales as docs
from connectors.shopify.assumptions import evidence_gid
from connectors.shopify.base import AdminBase
from connectors.shopify.client import SYSTEM
from connectors.shopify.models import InputModel, Money, Record

MAX_PAGES = 40  # 2,000 disputes at 50 a page: a guard against a cursor that never ends


class DisputeEvidenceInput(InputModel):
    """The text evidence Casebridge writes (`ShopifyPaymentsDisputeEvidenceUpdateInput`); file
    evidence needs Shopify's staged uploads and is left to the merchant."""

    customer_email_address: str | None = None
    customer_first_name: str | None = None
    customer_last_name: str | None = None
    uncategorized_text: str | None = None
    access_activity_log: str | None = None
    cancellation_policy_disclosure: str | None = None
    cancellation_rebuttal: str | None = None
    refund_policy_disclosure: str | None = None
    refund_refusal_explanation: str | None = None


class ReasonDetails(Record):
    reason: str
    network_reason_code: str | None = None


class DisputeOrder(Record):
    id: str
    name: str | None = None


class Dispute(Record):
    id: str
    legacy_resource_id: str | None = None
    status: str  # DisputeStatus
    type: str  # CHARGEBACK or INQUIRY
    initiated_at: datetime
    evidence_due_by: date | None = None
    evidence_sent_on: date | None = None
    finalized_on: date | None = None
    amount: Money
    reason_details: ReasonDetails
    order: DisputeOrder | None = None


class DisputeRef(Record):
    id: str
    status: str
    evidence_sent_on: date | None = None


class DisputeEvidence(Record):
    id: str
    submitted: bool
    customer_email_address: str | None = None
    customer_first_name: str | None = None
    customer_last_name: str | None = None
    uncategorized_text: str | None = None
    access_activity_log: str | None = None
    cancellation_policy_disclosure: str | None = None
    cancellation_rebuttal: str | None = None
    refund_policy_disclosure: str | None = None
    refund_refusal_explanation: str | None = None
    dispute: DisputeRef


class DisputeOperations(AdminBase):
    async def list_disputes(self, query: str | None = None, *, page_size: int = 50) -> list[Dispute]:
        """Every dispute matching `query` (Shopify search syntax, e.g. `status:needs_response`)."""
        disputes: list[Dispute] = []
        after: str | None = None
        for _ in range(MAX_PAGES):
            data = await self.client.execute(
                docs.LIST_DISPUTES, {"first": page_size, "after": after, "query": query}, operation="disputes"
            )
            page = data["disputes"]
            disputes += [Dispute.model_validate(n) for n in page["nodes"]]
            if not page["pageInfo"]["hasNextPage"]:
                return disputes
            after = page["pageInfo"]["endCursor"]
        raise ContractError(f"more than {MAX_PAGES} pages of disputes", system=SYSTEM, operation="disputes")

    async def get_dispute(self, dispute_gid: str) -> Dispute:
        data = await self.client.execute(docs.GET_DISPUTE, {"id": dispute_gid}, operation="dispute")
        if data.get("dispute") is None:
            raise NotFoundError(f"dispute {dispute_gid} not found", system=SYSTEM, operation="dispute")
        return Dispute.model_validate(data["dispute"])

    async def get_dispute_evidence(self, dispute_gid: str) -> DisputeEvidence:
        """The evidence of a dispute (its id or the evidence's own)."""
        evidence_id = evidence_gid(dispute_gid)
        data = await self.client.execute(docs.GET_DISPUTE_EVIDENCE, {"id": evidence_id}, operation="disputeEvidence")
        if data.get("disputeEvidence") is None:
            raise NotFoundError(f"evidence {evidence_id} not found", system=SYSTEM, operation="disputeEvidence")
        return DisputeEvidence.model_validate(data["disputeEvidence"])

    async def update_dispute_evidence(
        self, dispute_gid: str, evidence: DisputeEvidenceInput, *, submit: bool = False
    ) -> DisputeEvidence:
        """Store the evidence; with `submit` also send it (the dispute goes UNDER_REVIEW). Repeating
        the same update is harmless; after submission any update raises `ConflictError`."""
        variables = {"id": evidence_gid(dispute_gid), "input": {**evidence.as_input(), "submitEvidence": submit}}
        payload = await self._mutate(docs.UPDATE_DISPUTE_EVIDENCE, variables, operation="disputeEvidenceUpdate")
        return DisputeEvidence.model_validate(self._required(payload, "disputeEvidence", "disputeEvidenceUpdate"))
