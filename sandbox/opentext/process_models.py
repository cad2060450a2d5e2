"""Deployed process models of the simulated Workflow Service, as data.

A real tenant holds BPMN models authored in the OT2 modeller ("otwf" JSON). The simulator only needs
the subset Casebridge uses: a straight line of steps where a user task waits for a human outcome and
an HTTP task calls back with that outcome. Adding a model is adding a `ProcessModelDefinition` value;
the engine interprets it.

Expressions: task names/descriptions may reference process variables as `${name}` (the Flowable /
OT2 expression syntax); unknown names render as an empty string.
"""

from __future__ import annotations

import re
import uuid
from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, Field, model_validator

_EXPRESSION = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_MODEL_NAMESPACE = uuid.UUID("5b0e7d11-5d2a-11ef-9b1a-0a58a9feac02")


class UserTaskStep(BaseModel):
    """A human task. Completing it sets `outcome_variable` to one of the outcome values."""

    type: Literal["user_task"] = "user_task"
    id: str  # becomes the task's `taskDefinitionKey` and the instance's `activityId` while it waits
    name: str
    description: str | None = None
    # Candidate group: taken from a process variable (dynamic) or fixed in the model.
    candidate_group_variable: str | None = None
    candidate_groups: list[str] = Field(default_factory=list)
    # Same notation as the modeller's `possibleoutcomes` property: `Label:value` pairs.
    possible_outcomes: str = ""
    outcome_variable: str | None = None
    priority: int = 50
    category: str | None = None
    # The task form's date fields (variable names). ASSUMPTION: the modeller's date form field, with
    # "not before today" set, refuses a completion whose value is not an ISO date (YYYY-MM-DD) or is
    # in the past; an empty value leaves the field unset.
    date_fields: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _outcomes_parse(self) -> UserTaskStep:
        self.outcomes()  # fail at definition time, not on the first completion
        if self.possible_outcomes and not self.outcome_variable:
            raise ValueError("a task with possible outcomes needs an outcome_variable")
        return self

    def outcomes(self) -> list[tuple[str, str]]:
        """`[(label, value), ...]` parsed from `possible_outcomes`."""
        pairs: list[tuple[str, str]] = []
        for item in filter(None, (part.strip() for part in self.possible_outcomes.split(","))):
            label, sep, value = item.partition(":")
            if not sep or not label.strip() or not value.strip():
                raise ValueError(f"possible outcome {item!r} is not 'Label:value'")
            pairs.append((label.strip(), value.strip()))
        return pairs

    def outcome_values(self) -> list[str]:
        return [value for _, value in self.outcomes()]

    def date_problems(self, values: dict[str, object], today: date) -> list[str]:
        """Why the completion's values for the form's date fields are refused (empty: they are fine)."""
        problems: list[str] = []
        for name in self.date_fields:
            value = values.get(name)
            if value in (None, ""):
                continue
            try:
                given = date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
            except ValueError:
                given = None
            if given is None:
                problems.append(f"'{name}' must be a date as YYYY-MM-DD, got {value!r}")
            elif given < today:
                problems.append(f"'{name}' {given.isoformat()} is in the past (today is {today.isoformat()})")
        return problems


class HttpCallbackStep(BaseModel):
    """An HTTP service task that POSTs the last task outcome (signed) to a URL held in a variable."""

    type: Literal["http_callback"] = "http_callback"
    id: str
    name: str
    url_variable: str
    label: str = "task-outcome"  # the deliverer's label (fault rules and delivery log)


Step = Annotated[UserTaskStep | HttpCallbackStep, Field(discriminator="type")]


class ProcessModelDefinition(BaseModel):
    key: str  # processDefinitionKey
    name: str
    version: int = 1
    category: str | None = None
    steps: list[Step]
    # Variables the start call must supply, besides those the steps read.
    required_variables: list[str] = Field(default_factory=list)

    @property
    def definition_id(self) -> str:
        """Flowable-style `key:version:uuid`, stable across restarts."""
        return f"{self.key}:{self.version}:{uuid.uuid5(_MODEL_NAMESPACE, f'{self.key}:{self.version}')}"

    @property
    def model_id(self) -> str:
        return str(uuid.uuid5(_MODEL_NAMESPACE, f"model:{self.key}:{self.version}"))

    def variables_required(self) -> list[str]:
        names = list(self.required_variables)
        for step in self.steps:
            if isinstance(step, UserTaskStep) and step.candidate_group_variable:
                names.append(step.candidate_group_variable)
            elif isinstance(step, HttpCallbackStep):
                names.append(step.url_variable)
        return list(dict.fromkeys(names))

    def model_content(self) -> dict[str, object]:
        """A reduced `modelContent` in the modeller's JSON shape, so clients can read outcomes the
        way they would on a real tenant (`childShapes[].properties.possibleoutcomes`)."""
        shapes: list[dict[str, object]] = [_shape("StartNoneEvent", "start", "")]
        for step in self.steps:
            if isinstance(step, UserTaskStep):
                group = f"${{{step.candidate_group_variable}}}" if step.candidate_group_variable else ""
                groups = [*step.candidate_groups, group] if group else step.candidate_groups
                shapes.append(
                    _shape(
                        "UserTask",
                        step.id,
                        step.name,
                        usertaskassignment={"assignment": {"type": "static", "candidateGroups": groups}},
                        possibleoutcomes=step.possible_outcomes,
                        outcomevariable=step.outcome_variable or "",
                        prioritydefinition=str(step.priority),
                    )
                )
            else:
                shapes.append(
                    _shape(
                        "HttpTask",
                        step.id,
                        step.name,
                        httptaskrequestmethod="POST",
                        httptaskrequesturl=f"${{{step.url_variable}}}",
                        httptaskrequestheaders="Content-Type: application/json",
                    )
                )
        shapes.append(_shape("EndNoneEvent", "end", ""))
        return {"properties": {"process_id": self.key, "name": self.name}, "childShapes": shapes}


def _shape(stencil: str, shape_id: str, name: str, **properties: object) -> dict[str, object]:
    return {
        "resourceId": shape_id,
        "stencil": {"id": stencil},
        "properties": {"overrideid": shape_id, "name": name, **properties},
    }


def render_expression(template: str | None, variables: dict[str, object]) -> str | None:
    """Substitute `${name}` with the variable's value (as text)."""
    if template is None:
        return None

    def substitute(match: re.Match[str]) -> str:
        value = variables.get(match.group(1))
        return "" if value is None else str(value)

    return _EXPRESSION.sub(substitute, template)


CASEBRIDGE_ORDER_REVIEW = ProcessModelDefinition(
    key="casebridge_order_review",
    name="Casebridge order review",
    category="http://casebridge.example/review",
    steps=[
        UserTaskStep(
            id="review_order",
            name="Review order",
            description="Review ${orderName} (${orderTotal})",
            candidate_group_variable="team",
            possible_outcomes="Approve:approved,Reject:rejected",
            outcome_variable="reviewOutcome",
        ),
        HttpCallbackStep(id="notify_casebridge", name="Notify Casebridge", url_variable="callbackUrl"),
    ],
)

# One task per team (the case starts one process per team, business key `{case_id}#{team}`).
CASEBRIDGE_FULFILLMENT_EXCEPTION = ProcessModelDefinition(
    key="casebridge_fulfillment_exception",
    name="Casebridge fulfillment exception",
    category="http://casebridge.example/fulfillment",
    steps=[
        UserTaskStep(
            id="resolve_exception",
            name="Resolve fulfillment exception",
            description="${exceptionType} on ${orderName}: ${summary}. Resolutions for this order: ${offeredOutcomes}",
            candidate_group_variable="team",
            # Every resolution some platform can apply; each case names the ones its order's platform
            # can (`offeredOutcomes`) and refuses a decision for any other.
            possible_outcomes=(
                "Ship as is:ship-as-is,New delivery date:new-delivery-date,Cancel order:cancel-order,"
                "Cancel lines:cancel-lines,Split shipment:split-shipment,Substitute item:substitute-item"
            ),
            outcome_variable="reviewOutcome",
            # When the order (or its held lines) is now expected: the customer's letter names it.
            date_fields=["deliveryDate"],
        ),
        HttpCallbackStep(id="notify_casebridge", name="Notify Casebridge", url_variable="callbackUrl"),
    ],
)

CASEBRIDGE_RETURN_REVIEW = ProcessModelDefinition(
    key="casebridge_return_review",
    name="Casebridge return review",
    category="http://casebridge.example/review",
    steps=[
        UserTaskStep(
            id="review_return",
            name="Review return",
            description="Review return ${returnName} (${returnValue} ${currency})",
            candidate_group_variable="team",
            possible_outcomes=(
                "Refund:refund,Replace:replacement,Exchange:exchange,Reject:reject,Ask for evidence:request-evidence"
            ),
            outcome_variable="reviewOutcome",
        ),
        HttpCallbackStep(id="notify_casebridge", name="Notify Casebridge", url_variable="callbackUrl"),
    ],
)

DEFAULT_MODELS: tuple[ProcessModelDefinition, ...] = (
    CASEBRIDGE_ORDER_REVIEW,
    CASEBRIDGE_FULFILLMENT_EXCEPTION,
    CASEBRIDGE_RETURN_REVIEW,
)
