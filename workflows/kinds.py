"""Case kinds: what the worker, the shim and operators need to know of a case type, declared once
in the case type's own module (`KIND = CaseKind(...)`) and listed in `workflows.registry`.

A kind names its workflow and input model, its id scheme (`{kind}/{platform}/{store}/{ref}`), how
an event reaches it (a new case per id, or joining the open case), how operators find and read it
(search attributes, summary, details) and the activity classes its workflow calls beyond the store
adapters' own. Nothing here runs inside a workflow.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Generic, TypeVar

from temporalio import workflow
from temporalio.common import SearchAttributePair, TypedSearchAttributes

with workflow.unsafe.imports_passed_through():
    from activities.content_server import ContentServerActivities

from workflows import search_attributes as sa
from workflows.case import AnyCase
from workflows.messages import CaseInput, CaseLabels

InputT = TypeVar("InputT", bound=CaseInput)

# What every case calls through `workflows.case` itself: its ECM workspace (`workflows.case_file`).
SKELETON_ACTIVITIES: tuple[type, ...] = (ContentServerActivities,)


class StartMode(StrEnum):
    ONCE = "once"  # one case per id, ever: a redelivered event finds the existing case
    # Signal-with-start: an open case for the id gets the event; when none is open (never, or
    # closed) a new case starts, since the same order may run into the same trouble again.
    JOIN_OPEN = "join-open"


@dataclass(frozen=True)
class CaseKind(Generic[InputT]):
    workflow: type[AnyCase]  # its `labels_of` labels a case from its input
    input_model: type[InputT]
    start: StartMode = StartMode.ONCE
    join_signal: str | None = None  # JOIN_OPEN: the signal that hands the event to the open case
    # Activity classes the workflow calls beyond its store adapter's and the case skeleton's
    # (`SKELETON_ACTIVITIES`): OpenText, Exstream, ...
    activities: tuple[type, ...] = ()

    def __post_init__(self) -> None:
        if (self.start is StartMode.JOIN_OPEN) != (self.join_signal is not None):
            raise ValueError(f"case kind {self.name}: a join signal goes with StartMode.JOIN_OPEN, and only with it")

    @property
    def activity_classes(self) -> tuple[type, ...]:
        """Every activity class a case of this kind calls, its store adapter's aside."""
        return (*SKELETON_ACTIVITIES, *self.activities)

    def labels(self, case_input: InputT) -> CaseLabels:
        labels = self.workflow.labels_of(case_input)
        if labels is None:
            raise TypeError(f"{self.workflow.__name__} must say how its cases are labelled (`labels_of`)")
        return labels

    @property
    def name(self) -> str:
        """The CaseType search attribute and the first part of every case id."""
        return self.workflow.case_type

    def summary(self, case_input: InputT, labels: CaseLabels) -> str:
        """The UI's one-line summary: 'Order review #1042, 1500.00 USD (Shopify store)'."""
        return labels.summary(self.workflow.case_title, case_input.platform, case_input.store)

    def details(self, case_input: InputT, labels: CaseLabels) -> str:
        """The UI's static details: the kind's lines and the store event that opened the case."""
        delivery = [f"_Store event {case_input.delivery_id}_"] if case_input.delivery_id else []
        return "\n".join([*labels.details, *delivery])

    @property
    def workflow_name(self) -> str:
        """The workflow type's registered name (what `@workflow.defn(name=...)` says)."""
        name: str = getattr(self.workflow, "__temporal_workflow_definition").name
        return name

    def case_id(self, platform: str, store: str, ref: str) -> str:
        """The workflow id: one case per thing (order, return) per kind, whatever the deliveries."""
        return f"{self.name}/{platform}/{store}/{ref}"

    def search_attributes(self, case_input: InputT, labels: CaseLabels) -> TypedSearchAttributes:
        pairs: list[SearchAttributePair[Any]] = [
            SearchAttributePair(sa.CASE_TYPE, self.name),
            SearchAttributePair(sa.CASE_PLATFORM, case_input.platform),
            SearchAttributePair(sa.CASE_STORE, case_input.store),
            SearchAttributePair(sa.CASE_REF, labels.ref),
            SearchAttributePair(sa.CASE_STATUS, "OPEN"),
            SearchAttributePair(sa.CASE_TEAM, labels.team),
        ]
        if labels.amount is not None:
            pairs.append(SearchAttributePair(sa.CASE_AMOUNT, float(labels.amount)))
        return TypedSearchAttributes(pairs)


def bulleted(title: str, items: list[str]) -> list[str]:
    """A details block: a bold title and one bullet per item (nothing when there are none)."""
    return [f"**{title}**", *[f"- {item}" for item in items]] if items else []
