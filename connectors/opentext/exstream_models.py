"""Typed views of Exstream's JSON (DAS design API, Orchestration) and of what the connector returns.

Wire models ignore unknown keys (the services add fields freely) but require the ones Casebridge acts
on, so a changed contract fails loudly as `ContractError`. Generated documents are returned as bytes
in `GeneratedOutput`; they can be large, so callers store them (in ECM) and pass references through
Temporal, never the bytes themselves.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from connectors.opentext.exstream_contract import Channel, DeliveryEventType, JobState


def _to_text(value: Any) -> Any:
    # `customerNumber`, `errorCode`, `statusCode` and ids arrive as numbers or strings.
    return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


_Text = Annotated[str, BeforeValidator(_to_text)]


class _WireModel(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore")


# -- envelopes and paging ----------------------------------------------------------------------------


class PageInfo(_WireModel):
    page_size: int | None = Field(default=None, alias="pageSize")
    page_offset: int | None = Field(default=None, alias="pageOffset")
    total_elements: int | None = Field(default=None, alias="totalElements")
    total_pages: int | None = Field(default=None, alias="totalPages")
    current_page_number: int | None = Field(default=None, alias="currentPageNumber")


class Domain(_WireModel):
    id: str
    name: str | None = None
    description: str | None = None


class DomainList(_WireModel):
    status: str
    data: list[Domain] = Field(default_factory=list)


class DasResource(_WireModel):
    """One resource version in DAS; for a communication, `id` is the `communicationId`."""

    id: str
    name: str
    type: str
    version: int | None = None
    state: str | None = None
    subtype: str | None = None
    description: str | None = None
    locked: bool | None = None
    created: datetime | None = None
    created_by: str | None = Field(default=None, alias="createdBy")
    modified: datetime | None = None
    modified_by: str | None = Field(default=None, alias="modifiedBy")


class ResourcePage(_WireModel):
    status: str
    data: list[DasResource] = Field(default_factory=list)
    page: PageInfo = Field(default_factory=PageInfo)


class DasLink(_WireModel):
    link_subject_id: str = Field(alias="linkSubjectId")
    link_object_id: str = Field(alias="linkObjectId")
    link_type: str | None = Field(default=None, alias="linkType")
    object_type: str | None = Field(default=None, alias="objectType")
    depth: int | None = None


class LinkList(_WireModel):
    status: str
    data: list[DasLink] = Field(default_factory=list)
    page: PageInfo = Field(default_factory=PageInfo)


class DataSource(_WireModel):
    name: str | None = None
    prod_dsn: str = Field(alias="prodDsn")
    resource_id: str | None = Field(default=None, alias="resourceId")
    type: str | None = None


class ManifestQueue(_WireModel):
    name: str
    driver: str | None = None
    use: str | None = None
    prod_file: str | None = Field(default=None, alias="prodFile")


class Manifest(_WireModel):
    dsnlist: list[DataSource] = Field(default_factory=list)
    queue_list: list[ManifestQueue] = Field(default_factory=list, alias="queueList")


class ManifestEnvelope(_WireModel):
    status: str
    data: Manifest


class EngineOutputContext(_WireModel):
    queue_name: str | None = Field(default=None, alias="queueName")
    file_name: str | None = Field(default=None, alias="fileName")
    customer_number: _Text | None = Field(default=None, alias="customerNumber")
    delivery_id: str | None = Field(default=None, alias="deliveryId")  # ASSUMPTION, see the contract


class OutputEntry(_WireModel):
    """One item of `data[]` in an orchestration answer: an output, or an error in that output."""

    mime_type: str | None = Field(default=None, alias="mimeType")
    content: str | None = None
    engine_output_context: EngineOutputContext | None = Field(default=None, alias="engineOutputContext")
    error_message: str | None = Field(default=None, alias="errorMessage")
    status_code: _Text | None = Field(default=None, alias="statusCode")


class OrchestrationResponse(_WireModel):
    status: str
    data: list[OutputEntry] = Field(default_factory=list)


class ExstreamErrorBody(_WireModel):
    """The error body of Exstream's services (SDK `ExstreamErrorResponse`)."""

    timestamp: int | str | None = None
    status: int | None = None
    error: str | None = None
    message: str | None = None
    details: Any = None
    error_code: _Text | None = Field(default=None, alias="errorCode")
    path: str | None = None


class BatchSubmitEntry(_WireModel):
    job_id: str = Field(alias="jobId")
    id: str | None = None


class BatchSubmitResponse(_WireModel):
    status: str
    data: list[BatchSubmitEntry] = Field(min_length=1)


class JobOutputInfo(_WireModel):
    queue_name: str | None = Field(default=None, alias="queueName")
    mime_type: str | None = Field(default=None, alias="mimeType")
    file_name: str | None = Field(default=None, alias="fileName")
    customer_number: _Text | None = Field(default=None, alias="customerNumber")
    size: int | None = None


class JobError(_WireModel):
    customer_number: _Text | None = Field(default=None, alias="customerNumber")
    error_message: str = Field(alias="errorMessage")


class BatchJob(_WireModel):
    job_id: str = Field(alias="jobId")
    id: str | None = None
    state: JobState
    service: str | None = None
    submitted: datetime | None = None
    completed: datetime | None = None
    outputs: list[JobOutputInfo] = Field(default_factory=list)
    errors: list[JobError] = Field(default_factory=list)

    @property
    def finished(self) -> bool:
        return self.state.finished


class BatchJobEnvelope(_WireModel):
    status: str
    data: BatchJob


# -- what the connector returns ----------------------------------------------------------------------


class OutputQueue(BaseModel):
    """An output queue of a communication set, with the mime type its driver produces."""

    name: str
    driver: str | None = None
    use: str | None = None
    mime_type: str | None = None


class CommunicationTarget(BaseModel):
    """Everything needed to call one communication on demand; small and serialisable, so a
    workflow may carry it (or an activity may cache it) instead of repeating the design lookups."""

    domain: str
    communication_id: str
    name: str
    version: int | None = None
    communication_set_id: str
    driver_data_source: str
    queues: list[OutputQueue] = Field(default_factory=list)

    def queue_for(self, mime_type: str) -> OutputQueue | None:
        return next((q for q in self.queues if q.mime_type == mime_type), None)


class GeneratedOutput(BaseModel):
    """One rendered document. `content` is excluded from `repr` (documents are large and personal)."""

    mime_type: str
    content: bytes = Field(repr=False)
    queue_name: str | None = None
    file_name: str | None = None
    customer_number: str | None = None
    delivery_id: str | None = None  # customer communications: the delivery its channel queue made

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


class BatchSubmission(BaseModel):
    job_id: str
    id: str | None = None


# -- customer communications ---------------------------------------------------------------------------


class _DriverModel(BaseModel):
    model_config = ConfigDict(populate_by_name=True)


class PostalAddress(_DriverModel):
    lines: list[str] = Field(min_length=1)
    city: str
    postal_code: str = Field(alias="postalCode")
    country: str  # ISO 3166-1 alpha-2


class Recipient(_DriverModel):
    name: str
    email: str | None = None  # needed for the e-mail channel
    postal_address: PostalAddress | None = Field(default=None, alias="postalAddress")  # needed for print
    customer_ref: str = Field(alias="customerRef")  # the customer's id on the store's platform


class DocumentRef(_DriverModel):
    id: str  # the caller's own reference for the document (Exstream has no idempotency key)
    kind: str


class CommunicationDriver(_DriverModel):
    """The common envelope of every customer communication's driver. The communication's own fields
    (`order`, `lines`, `totals`, ...) are extra keys, sent as given (Decimals as decimal strings):
    `CommunicationDriver(document=..., ..., order={"number": "#1001", ...})`."""

    model_config = ConfigDict(populate_by_name=True, extra="allow")

    document: DocumentRef
    brand: str
    language: str = Field(pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")  # BCP 47, e.g. "en", "fr-CA"
    currency: str = Field(pattern=r"^[A-Z]{3}$")  # ISO 4217
    channel: Channel
    recipient: Recipient
    store: str


class StatementParty(_DriverModel):
    id: str
    name: str


class StatementPeriod(_DriverModel):
    start: date
    end: date


_Date = date  # the field below is called `date`


class StatementTransaction(_DriverModel):
    date: _Date
    reference: str
    description: str
    amount: Decimal


class StatementRecord(CommunicationDriver):
    """One line of a monthly statement: the batch consolidates the records of one `company` into one
    document, grouped by `buyer` and `location`. Records of one company share the envelope."""

    company: StatementParty
    buyer: StatementParty
    location: StatementParty
    period: StatementPeriod
    transaction: StatementTransaction


class CommunicationDelivery(BaseModel):
    """One customer document: the ARCHIVE copy for filing, the output its channel delivered, and the
    id under which the delivery's outcome appears in the delivery events."""

    delivery_id: str
    channel: Channel
    archive: GeneratedOutput
    channel_output: GeneratedOutput
    customer_number: str | None = None

    @property
    def outputs(self) -> list[GeneratedOutput]:
        return [self.archive, self.channel_output]


class DeliveryEvent(_WireModel):
    """A delivery outcome (`deliveryId` names the generation) or a customer's preference change."""

    id: str  # the cursor of this event
    type: DeliveryEventType
    channel: Channel
    customer_ref: str = Field(alias="customerRef")
    store: str
    occurred_at: datetime = Field(alias="occurredAt")
    delivery_id: str | None = Field(default=None, alias="deliveryId")
    communication: str | None = None  # the communication's name
    communication_id: str | None = Field(default=None, alias="communicationId")
    document_id: str | None = Field(default=None, alias="documentId")
    opt_in: bool | None = Field(default=None, alias="optIn")  # preference_changed only

    @model_validator(mode="after")
    def _fields_of_its_type(self) -> DeliveryEvent:
        if self.type is DeliveryEventType.PREFERENCE_CHANGED and self.opt_in is None:
            raise ValueError("preference_changed without optIn")
        if self.type is not DeliveryEventType.PREFERENCE_CHANGED and not self.delivery_id:
            raise ValueError(f"{self.type.value} without deliveryId")
        return self


class DeliveryEventPage(_WireModel):
    status: str
    events: list[DeliveryEvent] = Field(default_factory=list, alias="data")
    next_cursor: str = Field(alias="next")  # pass as `after` to continue; unchanged when nothing new
    has_more: bool = Field(default=False, alias="hasMore")
