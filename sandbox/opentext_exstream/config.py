"""Who and what exists in the simulated Exstream tenants: credentials, domains, communications.

The design models themselves (communications, queues, brands) live in
`sandbox.opentext_exstream.design`. The sample domain shipped with Casebridge holds the order-decision
letter, the customer communications of `sandbox.opentext_exstream.communications` and the documents
for filing of `sandbox.opentext_exstream.filed_documents`.
"""

from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr, model_validator

from sandbox.opentext_exstream.communications import (
    STATEMENT_NAME,
    STATEMENT_SERVICE,
    customer_communications,
    demo_brands,
)
from sandbox.opentext_exstream.design import (
    RENDERABLE_MIME_TYPES,
    BrandConfig,
    CommunicationConfig,
    OutputQueueConfig,
)
from sandbox.opentext_exstream.filed_documents import packing_slip

__all__ = [
    "RENDERABLE_MIME_TYPES",
    "BatchServiceConfig",
    "BrandConfig",
    "CommunicationConfig",
    "ExstreamDomainConfig",
    "ExstreamTenantConfig",
    "OutputQueueConfig",
    "order_decision_letter",
    "sample_domain",
]


class BatchServiceConfig(BaseModel):
    """An orchestration batch input service; the service, not the request, names the communication."""

    name: str
    communication_id: str


class ExstreamDomainConfig(BaseModel):
    id: str
    name: str | None = None
    description: str = ""
    communications: list[CommunicationConfig] = Field(default_factory=list)
    batch_services: list[BatchServiceConfig] = Field(default_factory=list)
    # The brands (and their languages) the domain's customer communications are designed for.
    brands: list[BrandConfig] = Field(default_factory=list)

    @model_validator(mode="after")
    def _services_name_communications(self) -> ExstreamDomainConfig:
        ids = {c.id for c in self.communications}
        for service in self.batch_services:
            if service.communication_id not in ids:
                raise ValueError(f"batch service {service.name!r} names unknown communication")
        return self


class ExstreamTenantConfig(BaseModel):
    tenant_id: str
    client_id: str
    client_secret: SecretStr
    token_ttl_seconds: int = 900  # the OTDS default quoted by the SDK README: 15 minutes
    domains: list[ExstreamDomainConfig] = Field(default_factory=lambda: [sample_domain()])
    # How long a batch job takes from submission to COMPLETED/FAILED (queued for the first quarter).
    batch_delay_seconds: float = Field(default=1.0, ge=0.0)


# -- the sample shipped with Casebridge -------------------------------------------------------------

SAMPLE_DOMAIN_ID = "casebridge"
ORDER_DECISION_LETTER_ID = "7d3f2c1a-5b6e-4c8d-9a0b-1c2d3e4f5a60"
ORDER_DECISION_SET_ID = "0c9b8a7d-6e5f-4a3b-8c2d-1e0f9a8b7c60"
ORDER_DECISION_SAMPLE_ID = "5e4d3c2b-1a09-4f8e-b7d6-c5b4a3928170"
ORDER_DECISION_DSN = "OrderDecisionDriver"
BATCH_SERVICE = "order-decision-letters"


def order_decision_letter() -> CommunicationConfig:
    """The letter telling a customer what was decided about their order (approved or rejected)."""
    return CommunicationConfig(
        id=ORDER_DECISION_LETTER_ID,
        name="Order Decision Letter",
        description="Tells the customer the outcome of an order review",
        communication_set_id=ORDER_DECISION_SET_ID,
        communication_set_name="Casebridge Customer Letters",
        prod_dsn=ORDER_DECISION_DSN,
        driver_sample_id=ORDER_DECISION_SAMPLE_ID,
        required_fields=["orderName", "customerName", "decision", "reason"],
        queues=[
            OutputQueueConfig(name="PDF_Letter", mime_type="application/pdf", use="ARCHIVE"),
            OutputQueueConfig(name="Email_HTML", mime_type="text/html", use="EMAIL"),
        ],
        title="Your order {orderName}",
        body_lines=[
            "Dear {customerName},",
            "",
            "We have reviewed your order {orderName}.",
            "Decision: {decision}",
            "Reason: {reason}",
            "",
            "Kind regards,",
            "Customer Care",
        ],
    )


def sample_domain() -> ExstreamDomainConfig:
    customer = customer_communications()
    statement = next(c for c in customer if c.name == STATEMENT_NAME)
    return ExstreamDomainConfig(
        id=SAMPLE_DOMAIN_ID,
        name="Casebridge",
        description="Customer letters and communications sent by Casebridge",
        communications=[order_decision_letter(), *customer, packing_slip()],
        batch_services=[
            BatchServiceConfig(name=BATCH_SERVICE, communication_id=ORDER_DECISION_LETTER_ID),
            BatchServiceConfig(name=STATEMENT_SERVICE, communication_id=statement.id),
        ],
        brands=demo_brands(),
    )
