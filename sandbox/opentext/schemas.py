"""Request bodies the simulated Workflow Service accepts, validated strictly.

Unknown keys are refused except where the real API documents them (then they are accepted and, when
the simulator has no use for them, ignored). Field names are the wire names (camelCase) on purpose:
these classes document the wire format.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, model_validator

VariableType = Literal["string", "integer", "long", "double", "boolean", "date", "json"]
_INT32 = (-(2**31), 2**31 - 1)


class _Strict(BaseModel):
    # JSON-mode strict validation: no "true" for booleans, no "5" for integers.
    model_config = ConfigDict(extra="forbid", strict=True)


class VariableIn(_Strict):
    name: str = Field(min_length=1)
    value: Any  # required, may be null
    type: VariableType | None = None
    scope: Literal["global", "local"] | None = None
    encryption: bool | None = None

    @model_validator(mode="after")
    def _value_matches_type(self) -> VariableIn:
        if self.type is not None and not value_matches_type(self.value, self.type):
            raise ValueError(f"value of variable '{self.name}' is not a valid {self.type}")
        return self

    def resolved_type(self) -> str:
        return self.type or infer_type(self.value)


def value_matches_type(value: object, type_: str) -> bool:
    """The runtime's converters refuse values that do not fit the declared type."""
    if value is None or type_ == "json":
        return True
    if type_ == "string":
        return isinstance(value, str)
    if type_ == "boolean":
        return isinstance(value, bool)
    if type_ in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            return False
        return type_ == "long" or _INT32[0] <= value <= _INT32[1]
    if type_ == "double":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if type_ == "date":
        if not isinstance(value, str):
            return False
        try:
            datetime.fromisoformat(value)
        except ValueError:
            return False
        return True
    return False


def infer_type(value: object) -> str:
    """The type the runtime stores when the client gives none (Flowable-like inference)."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer" if _INT32[0] <= value <= _INT32[1] else "long"
    if isinstance(value, float):
        return "double"
    if isinstance(value, str):
        return "string"
    return "json"


class CommentIn(_Strict):
    message: str = Field(min_length=1)
    type: str | None = None
    includeUserIds: bool | None = None


class StartProcessRequest(_Strict):
    processDefinitionKey: str | None = None
    processDefinitionId: str | None = None
    message: str | None = None  # start by message event; accepted, not supported by the simulator
    name: str | None = None
    businessKey: str | None = None
    outcome: str | None = None  # the OT2 demo sends "none"; no meaning on start
    variables: list[VariableIn] = Field(default_factory=list)
    transientVariables: list[VariableIn] = Field(default_factory=list)
    startFormVariables: list[VariableIn] = Field(default_factory=list)
    comment: CommentIn | None = None
    returnVariables: bool = False

    @model_validator(mode="after")
    def _one_definition(self) -> StartProcessRequest:
        if not (self.processDefinitionKey or self.processDefinitionId or self.message):
            raise ValueError("one of processDefinitionKey, processDefinitionId or message is required")
        return self


class TaskActionRequest(_Strict):
    action: Literal["claim", "complete", "delegate", "resolve"]
    assignee: str | None = None
    outcome: str | None = None
    variables: list[VariableIn] = Field(default_factory=list)
    transientVariables: list[VariableIn] = Field(default_factory=list)


class AssignmentIn(_Strict):
    type: Literal["candidate"] = "candidate"
    group: str | None = None
    user: str | None = None

    @model_validator(mode="after")
    def _group_or_user(self) -> AssignmentIn:
        if bool(self.group) == bool(self.user):
            raise ValueError("an assignment names exactly one of group or user")
        return self


class TaskUpdateRequest(_Strict):
    """`PUT /tasks/{id}`: only the keys present are changed; an explicit null clears a field."""

    name: str | None = None
    description: str | None = None
    assignee: str | None = None
    owner: str | None = None
    dueDate: datetime | None = None
    priority: int | None = Field(default=None, ge=0)
    category: str | None = None
    formKey: str | None = None
    parentTaskId: str | None = None
    assignments: list[AssignmentIn] | None = None

    @model_validator(mode="after")
    def _not_empty(self) -> TaskUpdateRequest:
        if not self.model_fields_set:
            raise ValueError("the update names no task field")
        if "name" in self.model_fields_set and not self.name:
            raise ValueError("a task name cannot be empty")
        return self


class CommentRequest(_Strict):
    message: str = Field(min_length=1)
    includeUserIds: bool | None = None
    type: str | None = None


class AttachmentRequest(_Strict):
    """`POST .../attachments`: Flowable's `AttachmentRequest` (an ASSUMPTION, see the connector's
    contract). The simulator only takes attachments by reference, so `externalUrl` is required."""

    name: str = Field(min_length=1, max_length=255)
    description: str | None = Field(default=None, max_length=4000)
    type: str | None = Field(default=None, min_length=1, max_length=255)
    externalUrl: str = Field(min_length=1, max_length=4000)

    @model_validator(mode="after")
    def _web_link(self) -> AttachmentRequest:
        parts = urlsplit(self.externalUrl)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("externalUrl must be an absolute http(s) URL")
        return self
