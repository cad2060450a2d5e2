"""Who and what exists in the simulated Exstream tenants: credentials, domains, communications.

A communication here stands for what a designer publishes in DAS: the communication resource (its id
is the `communicationId`), its communication set, the set's driver data source (`prodDsn`, the
`driverDataSource` header) and output queues, the driver fields the design needs, and the text its
documents print. The sample shipped with Casebridge is the order-decision letter.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, SecretStr, model_validator

# Mime types the simulator can render, and the DAS queue `driver` that produces each.
RENDERABLE_MIME_TYPES: dict[str, str] = {
    "application/pdf": "PDF",
    "text/html": "HTML",
    "text/plain": "TEXT",
}


class OutputQueueConfig(BaseModel):
    name: str
    mime_type: Literal["application/pdf", "text/html", "text/plain"]
    use: str = "ARCHIVE"  # the manifest's `use` (e.g. ARCHIVE, EMAIL, PRINT)

    @property
    def driver(self) -> str:
        return RENDERABLE_MIME_TYPES[self.mime_type]


class CommunicationConfig(BaseModel):
    id: str  # the DAS resource id = `communicationId`
    name: str
    version: int = 1
    state: Literal["DRAFT", "REVIEW", "APPROVED", "REJECTED"] = "APPROVED"
    description: str = ""
    communication_set_id: str
    communication_set_name: str
    prod_dsn: str  # the driver data source's production name: the `driverDataSource` to send
    driver_sample_id: str  # the sample driver file the data source is built from
    required_fields: list[str] = Field(default_factory=list)  # dotted paths into the driver JSON
    queues: list[OutputQueueConfig] = Field(min_length=1)
    title: str | None = None  # the document heading; defaults to the name
    # Lines of the document; `{field.path}` is replaced by the driver value. Without lines, every
    # scalar driver value is printed as `path: value`.
    body_lines: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _distinct_queue_names(self) -> CommunicationConfig:
        names = [q.name for q in self.queues]
        if len(set(names)) != len(names):
            raise ValueError(f"communication {self.name!r} has duplicate queue names")
        return self


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
    return ExstreamDomainConfig(
        id=SAMPLE_DOMAIN_ID,
        name="Casebridge",
        description="Customer letters sent by Casebridge cases",
        communications=[order_decision_letter()],
        batch_services=[BatchServiceConfig(name=BATCH_SERVICE, communication_id=ORDER_DECISION_LETTER_ID)],
    )
