"""Typed views of Exstream's JSON (DAS design API, Orchestration) and of what the connector returns.

Wire models ignore unknown keys (the services add fields freely) but require the ones Casebridge acts
on, so a changed contract fails loudly as `ContractError`. Generated documents are returned as bytes
in `GeneratedOutput`; they can be large, so callers store them (in ECM) and pass references through
Temporal, never the bytes themselves.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from connectors.opentext.exstream_contract import JobState


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

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


class BatchSubmission(BaseModel):
    job_id: str
    id: str | None = None
