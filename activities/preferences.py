"""Delivery outcomes and preference changes from OpenText Exstream, written back to the customer
record on the store's platform: an e-mail opt-out or opt-in becomes the platform's marketing
consent, and every outcome is kept in Casebridge's customer fields (`communication_preferences`:
per channel, whether the customer accepts it and why; `last_communication`: what was last sent,
how, and what became of it), which later letters read to leave out a refused channel.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

from pydantic import BaseModel, Field, JsonValue
from temporalio import activity

from activities.errors import translate_errors
from activities.letter_models import is_guest
from casebridge.connections import Connections
from casebridge.stores import Platform, Store
from connectors.bigcommerce.customer_records import MAX_ATTRIBUTE_VALUE_LENGTH

PREFERENCES_FIELD = "communication_preferences"
LAST_COMMUNICATION_FIELD = "last_communication"
HISTORY_FIELD = "communication_history"
HISTORY_KEPT = 20  # the customer's latest outcomes; the full trail stays in Exstream


class DeliveryOutcome(BaseModel):
    """One event of Exstream's delivery feed, as the feed job passes it on (ids, no personal data)."""

    id: str
    type: Literal["delivered", "bounced", "opted_out", "returned", "preference_changed"]
    channel: Literal["email", "print", "web"]
    customer_ref: str  # the platform's customer id, as the letter's driver named it
    store: str
    occurred_at: datetime
    communication: str | None = None
    opt_in: bool | None = None  # preference_changed only
    delivery_id: str | None = None  # delivery outcomes: the send it is about
    document_id: str | None = None  # the sender's document id (a letter workflow's id)


class DeliveryOutcomePage(BaseModel):
    outcomes: list[DeliveryOutcome]
    cursor: str | None  # where the next read starts (the same when nothing was new)


class DeliveryOutcomesRequest(BaseModel):
    tenant: str
    after: str | None = None
    limit: int = Field(default=100, ge=1, le=100)


class RecordOutcomeRequest(BaseModel):
    outcome: DeliveryOutcome


class RecordedOutcome(BaseModel):
    written: list[str]  # what was written to the customer record: consent, fields
    skipped: str | None = None  # why nothing was (an event of a store this deployment does not serve)


def accepts(outcome: DeliveryOutcome) -> bool | None:
    """Whether the customer accepts the outcome's channel after it: a preference says so, a bounce,
    an opt-out or a returned letter means no, a delivery changes nothing (None)."""
    if outcome.type == "preference_changed":
        return outcome.opt_in
    if outcome.type in ("bounced", "opted_out", "returned"):
        return False
    return None


def history_with(stored: JsonValue, outcome_id: str, entry: dict[str, JsonValue], limit: int | None) -> list[JsonValue]:
    """The customer's communication history with this outcome in it, once (an outcome read again
    replaces itself): the latest `HISTORY_KEPT`, oldest first, and fewer when the platform's field
    holds at most `limit` characters of JSON."""
    earlier: list[dict[str, JsonValue]] = []
    if isinstance(stored, list):
        earlier = [e for e in stored if isinstance(e, dict) and e.get("id") != outcome_id]
    entries = sorted([*earlier, {"id": outcome_id, **entry}], key=lambda e: str(e.get("at", "")))[-HISTORY_KEPT:]
    while limit is not None and len(entries) > 1 and len(json.dumps(entries, separators=(",", ":"))) > limit:
        entries = entries[1:]
    return list(entries)


def field_limit(store: Store) -> int | None:
    """How many characters a customer field holds on the store's platform (None: no tight limit)."""
    return MAX_ATTRIBUTE_VALUE_LENGTH if store.platform is Platform.BIGCOMMERCE else None


class _Record(Protocol):
    @property
    def fields(self) -> Mapping[str, JsonValue]: ...


class _CustomerRecords(Protocol):
    """What every platform's connector offers for customer records (ids typed per platform)."""

    async def customer_record(self, customer: Any, /) -> _Record: ...
    async def set_customer_consent(
        self, customer: Any, channel: Literal["email", "sms"], /, *, subscribed: bool, consented_at: datetime | None
    ) -> object: ...
    async def set_customer_fields(self, customer: Any, fields: Mapping[str, JsonValue], /) -> object: ...


def customer_records(connections: Connections, store: Store, customer_ref: str) -> tuple[_CustomerRecords, Any]:
    """The platform's customer-record calls and the customer's id as that platform takes it
    (a Shopify gid; BigCommerce and Adobe Commerce numbers)."""
    if store.platform is Platform.SHOPIFY:
        return connections.shopify(store.id), customer_ref
    if store.platform is Platform.BIGCOMMERCE:
        return connections.bigcommerce(store.id), int(customer_ref)
    return connections.adobe_commerce(store.id).customer_records, int(customer_ref)


def platform_customer_ref(store: Store, customer_id: str) -> str:
    """A customer's id as `customer_records` takes it from one read off an order: Shopify's gid (the
    archive's readers keep its number), BigCommerce's and Adobe Commerce's numbers as they are."""
    if store.platform is Platform.SHOPIFY and customer_id.isdigit():
        return f"gid://shopify/Customer/{customer_id}"
    return customer_id


async def stored_preferences(connections: Connections, store: Store, customer_ref: str) -> dict[str, Any]:
    """The customer's `communication_preferences` field: per channel, whether they accept it."""
    records, customer = customer_records(connections, store, customer_ref)
    value = (await records.customer_record(customer)).fields.get(PREFERENCES_FIELD)
    return value if isinstance(value, dict) else {}


def refused_channels(preferences: Mapping[str, Any]) -> set[str]:
    return {
        channel
        for channel, entry in preferences.items()
        if isinstance(entry, Mapping) and entry.get("accepts") is False
    }


class PreferenceActivities:
    def __init__(self, connections: Connections) -> None:
        self._connections = connections

    @activity.defn(name="exstream.delivery_outcomes")
    @translate_errors
    async def delivery_outcomes(self, request: DeliveryOutcomesRequest) -> DeliveryOutcomePage:
        page = await self._connections.exstream(request.tenant).delivery_events(request.after, limit=request.limit)
        outcomes = [
            DeliveryOutcome(
                id=e.id,
                type=e.type.value,
                channel=e.channel.value,
                customer_ref=e.customer_ref,
                store=e.store,
                occurred_at=e.occurred_at,
                communication=e.communication,
                opt_in=e.opt_in,
                delivery_id=e.delivery_id,
                document_id=e.document_id,
            )
            for e in page.events
        ]
        return DeliveryOutcomePage(outcomes=outcomes, cursor=page.next_cursor or request.after)

    @activity.defn(name="preferences.record_outcome")
    @translate_errors
    async def record_outcome(self, request: RecordOutcomeRequest) -> RecordedOutcome:
        """Write one outcome to the customer record; safe to repeat (it sets, never appends)."""
        outcome = request.outcome
        stores = [s for s in self._connections.registry.stores if s.id == outcome.store]
        if len(stores) != 1:
            return RecordedOutcome(written=[], skipped=f"store {outcome.store!r} is not one of this deployment's")
        store = stores[0]
        if is_guest(outcome.customer_ref):
            return RecordedOutcome(written=[], skipped="a guest: no customer record to write to")
        accepted = accepts(outcome)
        written: list[str] = []
        if accepted is not None and outcome.channel == "email":
            await self._set_consent(store, outcome.customer_ref, subscribed=accepted, at=outcome.occurred_at)
            written.append("email consent")
        records, customer = customer_records(self._connections, store, outcome.customer_ref)
        stored = (await records.customer_record(customer)).fields
        entry: dict[str, JsonValue] = {
            "communication": outcome.communication,
            "channel": outcome.channel,
            "outcome": outcome.type,
            "at": outcome.occurred_at.isoformat(),
        }
        fields: dict[str, JsonValue] = {
            LAST_COMMUNICATION_FIELD: entry,
            HISTORY_FIELD: history_with(stored.get(HISTORY_FIELD), outcome.id, entry, field_limit(store)),
        }
        if accepted is not None:
            previous = stored.get(PREFERENCES_FIELD)
            preferences = dict(previous) if isinstance(previous, dict) else {}
            preferences[outcome.channel] = {
                "accepts": accepted,
                "reason": outcome.type,
                "at": outcome.occurred_at.isoformat(),
            }
            fields[PREFERENCES_FIELD] = preferences
        await records.set_customer_fields(customer, fields)
        written += sorted(fields)
        return RecordedOutcome(written=written)

    async def _set_consent(self, store: Store, customer_ref: str, *, subscribed: bool, at: datetime) -> None:
        # Platforms refuse a consent time in the future: Exstream's clock may run ahead of theirs.
        at = min(at, datetime.now(UTC)).replace(microsecond=0)
        records, customer = customer_records(self._connections, store, customer_ref)
        await records.set_customer_consent(customer, "email", subscribed=subscribed, consented_at=at)
