"""The side-effect ledger: every change a simulated system makes on a caller's behalf, one entry each.

Reliability tests (worker kills, server restarts, API faults, redelivered webhooks) prove "exactly
once" by counting entries here, per store and order, instead of reading each simulator's own state
(whose shapes differ per platform). Simulators record at the point where the change is made, once
per real change: a repeated tag, a status set to what it already was, or a refused call records
nothing, so a count above one means the change really happened twice.

`order` is the platform's own order id as Casebridge keys its cases (Shopify's numeric order id,
BigCommerce's order id, Adobe Commerce's `entity_id`); for OpenText it is the business key (the
case id) of a process, or the `orderName` a letter names. `store` is the shop / store hash / store
code, or the OpenText tenant.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from enum import StrEnum
from typing import Protocol

from pydantic import BaseModel, Field


class EffectKind(StrEnum):
    ORDER_CREATED = "order_created"
    HOLD_PLACED = "hold_placed"
    HOLD_RELEASED = "hold_released"
    ORDER_CANCELLED = "order_cancelled"
    REFUND_CREATED = "refund_created"  # a Shopify refund, a BigCommerce refund, an Adobe credit memo
    RETURN_APPROVED = "return_approved"  # a Shopify return approved, an Adobe RMA authorised
    RETURN_DECLINED = "return_declined"
    TAG_ADDED = "tag_added"
    TAG_REMOVED = "tag_removed"
    NOTE_WRITTEN = "note_written"  # an order note, staff note or order comment
    ORDER_EDITED = "order_edited"  # lines changed (order edit, substitution, cancelled lines)
    STATUS_CHANGED = "status_changed"  # any other status change
    PROCESS_STARTED = "process_started"  # OpenText Workflow: a process instance (one per case)
    PROCESS_DELETED = "process_deleted"  # a process withdrawn
    TASK_CREATED = "task_created"
    TASK_COMPLETED = "task_completed"
    LETTER_SENT = "letter_sent"  # Exstream: one on-demand communication generated


Scalar = str | int | float | bool | None
Detail = dict[str, Scalar]


class Effect(BaseModel):
    seq: int
    at: datetime
    system: str
    store: str
    order: str
    kind: EffectKind
    ref: str | None = None  # what was made or changed: a hold, refund, tag, process or task id
    detail: Detail = Field(default_factory=dict)


class EffectRecorder(Protocol):
    """A simulator's pen: bound to its system and store, it writes entries for one order."""

    def __call__(self, order: object, kind: EffectKind, ref: object = None, **detail: Scalar) -> None: ...


def no_effects(order: object, kind: EffectKind, ref: object = None, **detail: Scalar) -> None:
    """The recorder of a simulator built without a ledger (unit tests of one simulator)."""


class EffectLedger:
    def __init__(self) -> None:
        self._entries: list[Effect] = []
        self._seq = itertools.count(1)

    def record(
        self,
        system: str,
        store: str,
        order: object,
        kind: EffectKind,
        ref: object = None,
        **detail: Scalar,
    ) -> Effect:
        effect = Effect(
            seq=next(self._seq),
            at=datetime.now(UTC),
            system=system,
            store=store,
            order=str(order),
            kind=kind,
            ref=None if ref is None else str(ref),
            detail=detail,
        )
        self._entries.append(effect)
        return effect

    def recorder(self, system: str, store: str) -> EffectRecorder:
        def record(order: object, kind: EffectKind, ref: object = None, **detail: Scalar) -> None:
            self.record(system, store, order, kind, ref, **detail)

        return record

    def find(
        self,
        *,
        system: str | None = None,
        store: str | None = None,
        order: str | None = None,
        kind: EffectKind | str | None = None,
        ref: str | None = None,
    ) -> list[Effect]:
        return [
            e
            for e in self._entries
            if (system is None or e.system == system)
            and (store is None or e.store == store)
            and (order is None or e.order == order)
            and (kind is None or e.kind == kind)
            and (ref is None or e.ref == ref)
        ]

    def count(self, **match: str | None) -> int:
        return len(self.find(**match))

    def clear(self) -> None:
        self._entries.clear()

    @property
    def entries(self) -> list[Effect]:
        return list(self._entries)


def kind_counts(effects: Iterable[Effect]) -> Counter[EffectKind]:
    return Counter(e.kind for e in effects)
