"""Every case kind Casebridge runs. The worker registers their workflows and activities from this
list, and the shim starts cases through it; a new case type is one more entry."""

from __future__ import annotations

from typing import Any

from workflows import fulfillment_exception, order_review, return_case
from workflows.kinds import CaseKind

CASE_KINDS: tuple[CaseKind[Any], ...] = (order_review.KIND, return_case.KIND, fulfillment_exception.KIND)


def kind_named(name: str) -> CaseKind[Any]:
    for kind in CASE_KINDS:
        if kind.name == name:
            return kind
    raise KeyError(f"no case kind {name!r}; known: {', '.join(k.name for k in CASE_KINDS)}")
