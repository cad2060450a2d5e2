"""Typed views of the Workflow Service's JSON, and conversion of Python values to its variables.

Models ignore unknown keys (the service adds fields freely) but require the ones Casebridge acts on,
so a changed contract fails loudly as `ContractError` instead of deep inside a workflow.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from pydantic import AnyUrl, BaseModel, ConfigDict, Field, field_validator
from pydantic.alias_generators import to_camel
from pydantic_core import to_jsonable_python


class _WireModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")


class Variable(_WireModel):
    name: str
    value: Any = None
    type: str | None = None
    scope: str | None = None


class Comment(_WireModel):
    id: str
    message: str
    author: str | None = None
    time: datetime | None = None
    process_instance_id: str | None = None
    task_id: str | None = None


class _WithVariables(_WireModel):
    variables: list[Variable] = Field(default_factory=list)

    def variable(self, name: str, default: object = None) -> object:
        """The value of one variable (as returned when variables were requested)."""
        for variable in self.variables:
            if variable.name == name:
                return variable.value
        return default

    @property
    def variable_values(self) -> dict[str, object]:
        return {v.name: v.value for v in self.variables}


class ProcessInstance(_WithVariables):
    id: str
    name: str | None = None
    business_key: str | None = None
    process_definition_id: str | None = None
    process_definition_key: str | None = None
    process_definition_name: str | None = None
    activity_id: str | None = None
    start_time: datetime | None = None
    start_user_id: str | None = None
    end_time: datetime | None = None
    suspended: bool = False
    ended: bool = False
    completed: bool = False
    delete_reason: str | None = None
    tenant_id: str | None = None


class TaskAssignment(_WireModel):
    type: str | None = None
    group: str | None = None
    user: str | None = None


class Task(_WithVariables):
    id: str
    name: str | None = None
    description: str | None = None
    process_instance_id: str | None = None
    process_definition_id: str | None = None
    task_definition_key: str | None = None
    assignee: str | None = None
    owner: str | None = None
    delegation_state: str | None = None
    claim_time: datetime | None = None
    create_time: datetime | None = None
    due_date: datetime | None = None
    priority: int | None = None
    category: str | None = None
    assignments: list[TaskAssignment] = Field(default_factory=list)

    @property
    def candidate_groups(self) -> list[str]:
        return [a.group for a in self.assignments if a.type == "candidate" and a.group]


class Link(_WireModel):
    href: str


class Links(_WireModel):
    self_: Link | None = Field(default=None, alias="self")
    next: Link | None = None


class PageInfo(_WireModel):
    size: int | None = None
    total_elements: int | None = None
    total_pages: int | None = None
    number: int | None = None


class HalPage(_WireModel):
    # HAL leaves `_embedded` out when a collection is empty, hence the defaults.
    links: Links = Field(default_factory=Links, alias="_links")
    page: PageInfo = Field(default_factory=PageInfo)


class _EmbeddedProcessInstances(_WireModel):
    process_instances: list[ProcessInstance] = Field(default_factory=list, alias="process-instances")


class _EmbeddedTasks(_WireModel):
    tasks: list[Task] = Field(default_factory=list)


class _EmbeddedComments(_WireModel):
    comments: list[Comment] = Field(default_factory=list)


class ProcessInstancePage(HalPage):
    embedded: _EmbeddedProcessInstances = Field(default_factory=_EmbeddedProcessInstances, alias="_embedded")

    @property
    def items(self) -> list[ProcessInstance]:
        return self.embedded.process_instances


class TaskPage(HalPage):
    embedded: _EmbeddedTasks = Field(default_factory=_EmbeddedTasks, alias="_embedded")

    @property
    def items(self) -> list[Task]:
        return self.embedded.tasks


class CommentPage(HalPage):
    embedded: _EmbeddedComments = Field(default_factory=_EmbeddedComments, alias="_embedded")

    @property
    def items(self) -> list[Comment]:
        return self.embedded.comments


class Attachment(_WireModel):
    """An attachment of a task or process instance; by reference when `external_url` is set."""

    id: str
    name: str
    description: str | None = None
    type: str | None = None
    external_url: str | None = None
    content_url: str | None = None
    url: str | None = None
    user_id: str | None = None
    time: datetime | None = None
    task_id: str | None = None
    process_instance_id: str | None = None


class _EmbeddedAttachments(_WireModel):
    attachments: list[Attachment] = Field(default_factory=list)


class AttachmentPage(HalPage):
    embedded: _EmbeddedAttachments = Field(default_factory=_EmbeddedAttachments, alias="_embedded")

    @property
    def items(self) -> list[Attachment]:
        return self.embedded.attachments


class AttachmentReference(BaseModel):
    """A document that lives elsewhere (a Content Server node, an Exstream output), to be linked to a
    task or process instance by URL. `name` is its stable key on that owner: adding the same
    reference twice finds the first one instead of creating a second."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=255)
    url: AnyUrl
    media_type: str | None = Field(default=None, min_length=1)
    description: str | None = None

    @field_validator("url")
    @classmethod
    def _http_only(cls, url: AnyUrl) -> AnyUrl:
        # The reviewer opens it from OpenText: only web links make sense (no file:, no javascript:).
        if url.scheme not in ("http", "https"):
            raise ValueError("an attachment reference must be an http(s) URL")
        return url

    def wire(self) -> dict[str, object]:
        """The create body (see `contract`: Flowable's `AttachmentRequest`)."""
        body: dict[str, object] = {"name": self.name, "externalUrl": str(self.url)}
        if self.description is not None:
            body["description"] = self.description
        if self.media_type is not None:
            body["type"] = self.media_type
        return body

    def is_same_document(self, attachment: Attachment) -> bool:
        return attachment.external_url == str(self.url)


class TokenResponse(BaseModel):
    model_config = ConfigDict(extra="ignore")

    access_token: str = Field(min_length=1)
    token_type: str = "Bearer"
    expires_in: float = Field(gt=0)


# -- variables -------------------------------------------------------------------------------------


def iso_datetime(value: datetime) -> str:
    """ISO-8601 in UTC; a naive datetime is taken to be UTC already."""
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat().replace("+00:00", "Z")


def to_wire_variable(name: str, value: object) -> dict[str, object]:
    """One `{name, type, value}` entry with the type inferred from the Python value.

    str -> string, bool -> boolean, int -> long, float/Decimal -> double, datetime/date -> date
    (ISO-8601), dict/list/tuple/None -> json. Decimals become binary floats here: pass money as a
    string (or inside a json value, where Decimals stay strings) when exactness matters.
    """
    type_: str
    wire: object
    if isinstance(value, bool):
        type_, wire = "boolean", value
    elif isinstance(value, int):
        type_, wire = "long", value
    elif isinstance(value, float | Decimal):
        number = float(value)
        if not math.isfinite(number):
            raise ValueError(f"variable {name!r}: {value!r} cannot be sent as a double")
        type_, wire = "double", number
    elif isinstance(value, str):
        type_, wire = "string", value
    elif isinstance(value, datetime):
        type_, wire = "date", iso_datetime(value)
    elif isinstance(value, date):
        type_, wire = "date", value.isoformat()
    elif value is None or isinstance(value, dict | list | tuple):
        type_, wire = "json", to_jsonable_python(value)
    else:
        raise TypeError(f"variable {name!r}: cannot send a {type(value).__name__} to the Workflow Service")
    return {"name": name, "type": type_, "value": wire}


def to_wire_variables(values: Mapping[str, object]) -> list[dict[str, object]]:
    """The service takes variables as an array of objects, never as a map."""
    return [to_wire_variable(name, value) for name, value in values.items()]
