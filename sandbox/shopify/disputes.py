"""Shopify Payments disputes: opened by the card network (here: the sandbox admin route), answered
by the merchant with `disputeEvidenceUpdate`.

Evidence can be edited while the dispute NEEDS_RESPONSE and its due date has not passed;
`submitEvidence: true` sends it, which moves the dispute to UNDER_REVIEW and freezes the evidence.
File evidence refers to files uploaded through Shopify's staged uploads, which the sandbox does not
simulate, so any file reference is refused as unknown.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sandbox.shopify import rest_resources
from sandbox.shopify.ops_base import EMAIL_PATTERN, OperationsBase, Outcome, build_address, safe_gid
from sandbox.shopify.state import Order, UserError, money, utcnow
from sandbox.shopify.state_aftersales import EVIDENCE_FILE_FIELDS, EVIDENCE_TEXT_FIELDS, Dispute, DisputeEvidence

# ASSUMPTION: no per-field size limit is published for 2025-01; the sandbox refuses texts above
# this many characters with TOO_LARGE so a connector's handling of that code can be exercised.
MAX_EVIDENCE_TEXT = 20_000


def today() -> date:
    return datetime.now(UTC).date()


class Disputes(OperationsBase):
    def dispute_by_gid(self, value: str) -> Dispute | None:
        parsed = safe_gid(value)
        number = parsed.is_a("ShopifyPaymentsDispute") if parsed else None
        return self.shop.disputes.get(number) if number is not None else None

    def evidence_by_gid(self, value: str) -> DisputeEvidence | None:
        parsed = safe_gid(value)
        number = parsed.is_a("ShopifyPaymentsDisputeEvidence") if parsed else None
        dispute = self.shop.disputes.get(number) if number is not None else None
        return dispute.evidence if dispute else None

    def open_dispute(
        self,
        order: Order,
        *,
        amount: Decimal | None = None,
        reason: str = "FRAUDULENT",
        kind: str = "CHARGEBACK",
        network_reason_code: str | None = None,
        evidence_due_in_days: int = 14,
    ) -> Outcome[Dispute]:
        """The buyer's bank disputes a payment: only money actually received can be disputed."""
        received = order.total_received
        if received <= 0:
            return Outcome(errors=[UserError("The order has no captured payment to dispute", ["order_id"])])
        disputed = money(amount if amount is not None else order.net_payment or received)
        if not Decimal(0) < disputed <= received:
            return Outcome(errors=[UserError(f"Amount must be between 0 and {received}", ["amount"])])
        dispute = Dispute(
            id=self.shop.next_id("ShopifyPaymentsDispute"),
            order=order,
            kind=kind,
            amount=disputed,
            currency=order.currency,
            reason=reason,
            network_reason_code=network_reason_code,
            evidence_due_by=today() + timedelta(days=evidence_due_in_days),
        )
        order.disputes.append(dispute)
        self.shop.disputes[dispute.id] = dispute
        self.webhooks.emit(self.shop, "DISPUTES_CREATE", rest_resources.dispute_payload(dispute))
        return Outcome(dispute)

    def update_evidence(self, evidence_gid: str, data: dict[str, Any]) -> Outcome[DisputeEvidence]:
        evidence = self.evidence_by_gid(evidence_gid)
        if evidence is None:
            return Outcome(errors=[UserError("Dispute evidence not found.", ["id"], "DISPUTE_EVIDENCE_NOT_FOUND")])
        dispute = evidence.dispute
        if evidence.submitted or dispute.status != "NEEDS_RESPONSE":
            return Outcome(
                errors=[UserError("Evidence has already been submitted.", ["id"], "EVIDENCE_ALREADY_ACCEPTED")]
            )
        if today() > dispute.evidence_due_by:
            return Outcome(errors=[UserError("Evidence is past its due date.", ["id"], "EVIDENCE_PAST_DUE_DATE")])
        errors: list[UserError] = []
        email = data.get("customerEmailAddress")
        if email and not EMAIL_PATTERN.match(email):
            errors.append(UserError("Customer email address is invalid.", ["input", "customerEmailAddress"], "INVALID"))
        for name in EVIDENCE_TEXT_FIELDS:
            if len(data.get(name) or "") > MAX_EVIDENCE_TEXT:
                errors.append(
                    UserError(
                        f"{name} is too large (at most {MAX_EVIDENCE_TEXT} characters).", ["input", name], "TOO_LARGE"
                    )
                )
        for name in EVIDENCE_FILE_FIELDS:
            if data.get(name) is not None:
                errors.append(UserError("Dispute file upload does not exist.", ["input", name, "id"], "INVALID"))
        if errors:
            return Outcome(errors=errors)

        for name in EVIDENCE_TEXT_FIELDS:
            if name in data and data[name] is not None:
                evidence.text[name] = data[name] or None  # an empty string clears the field
        if data.get("shippingAddress") is not None:
            evidence.shipping_address = build_address(self.shop, data["shippingAddress"])
        if data.get("submitEvidence"):
            evidence.submitted = True
            dispute.status = "UNDER_REVIEW"
            dispute.evidence_sent_on = today()
            self.webhooks.emit(self.shop, "DISPUTES_UPDATE", rest_resources.dispute_payload(dispute))
        dispute.order.updated_at = utcnow()
        return Outcome(evidence)
