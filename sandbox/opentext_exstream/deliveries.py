"""Deliveries of customer communications, their outcomes, customers' channel preferences, and the event
feed that reports both.

ASSUMPTION throughout: Exstream publishes no delivery-tracking API. Real deployments learn outcomes
from their e-mail provider, print shop and portal; this sandbox stands in for all of them so the
preference flow has something to poll. Every delivery gets an id and an outcome the moment its queue
runs:

* any channel the customer opted out of -> `opted_out` (nothing is sent);
* e-mail to an address configured as bouncing -> `bounced`;
* print to an address flagged undeliverable -> `returned`;
* otherwise `delivered`.

A customer opting in or out (the admin routes simulate the click) is a `preference_changed` event.
Events are numbered per tenant and domain; the number is the feed's cursor.
"""

from __future__ import annotations

import itertools
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

DELIVERED = "delivered"
BOUNCED = "bounced"
OPTED_OUT = "opted_out"
RETURNED = "returned"
PREFERENCE_CHANGED = "preference_changed"


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def new_delivery_id() -> str:
    return f"dlv-{uuid.uuid4()}"


def address_key(postal_address: dict[str, object]) -> str:
    """One postal address, compared case- and spacing-insensitively."""

    def normal(value: object) -> object:
        if isinstance(value, str):
            return " ".join(value.lower().split())
        return [normal(v) for v in value] if isinstance(value, list) else value

    return json.dumps({k: normal(v) for k, v in postal_address.items()}, sort_keys=True)


@dataclass(frozen=True)
class DeliveryRequest:
    """A queue about to deliver one document (made when the document is rendered)."""

    delivery_id: str
    communication_id: str
    communication: str
    document_id: str
    channel: str
    customer_ref: str
    store: str
    email: str | None
    postal_address: dict[str, object] | None


@dataclass
class Delivery:
    request: DeliveryRequest
    outcome: str
    occurred_at: float
    source: str  # "ondemand" or "batch"
    job_id: str | None = None

    def as_json(self) -> dict[str, object]:
        r = self.request
        return {
            "deliveryId": r.delivery_id,
            "communicationId": r.communication_id,
            "communication": r.communication,
            "documentId": r.document_id,
            "channel": r.channel,
            "customerRef": r.customer_ref,
            "store": r.store,
            "email": r.email if r.channel == "email" else None,
            "postalAddress": r.postal_address if r.channel == "print" else None,
            "outcome": self.outcome,
            "occurredAt": _iso(self.occurred_at),
            "source": self.source,
            "jobId": self.job_id,
        }


@dataclass(frozen=True)
class DeliveryEvent:
    seq: int
    type: str
    channel: str
    customer_ref: str
    store: str
    occurred_at: float
    delivery_id: str | None = None
    communication: str | None = None
    communication_id: str | None = None
    document_id: str | None = None
    opt_in: bool | None = None

    @property
    def cursor(self) -> str:
        return str(self.seq)

    def as_json(self) -> dict[str, object]:
        body: dict[str, object] = {
            "id": self.cursor,
            "type": self.type,
            "channel": self.channel,
            "customerRef": self.customer_ref,
            "store": self.store,
            "occurredAt": _iso(self.occurred_at),
        }
        if self.type == PREFERENCE_CHANGED:
            body["optIn"] = self.opt_in
        else:
            body |= {
                "deliveryId": self.delivery_id,
                "communication": self.communication,
                "communicationId": self.communication_id,
                "documentId": self.document_id,
            }
        return body


@dataclass
class DomainDeliveries:
    """Deliveries, preferences and events of one tenant's domain."""

    deliveries: list[Delivery] = field(default_factory=list)
    events: list[DeliveryEvent] = field(default_factory=list)
    bouncing: set[str] = field(default_factory=set)  # lower-cased e-mail addresses
    undeliverable: set[str] = field(default_factory=set)  # `address_key`s
    opted_out: set[tuple[str, str, str]] = field(default_factory=set)  # (store, customerRef, channel)
    _seq: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def outcome(self, request: DeliveryRequest) -> str:
        if (request.store, request.customer_ref, request.channel) in self.opted_out:
            return OPTED_OUT
        if request.channel == "email" and (request.email or "").lower() in self.bouncing:
            return BOUNCED
        if (
            request.channel == "print"
            and request.postal_address
            and address_key(request.postal_address) in (self.undeliverable)
        ):
            return RETURNED
        return DELIVERED

    def deliver(self, request: DeliveryRequest, at: float, source: str, job_id: str | None = None) -> Delivery:
        delivery = Delivery(request, self.outcome(request), at, source, job_id)
        self.deliveries.append(delivery)
        self.events.append(
            DeliveryEvent(
                seq=next(self._seq),
                type=delivery.outcome,
                channel=request.channel,
                customer_ref=request.customer_ref,
                store=request.store,
                occurred_at=at,
                delivery_id=request.delivery_id,
                communication=request.communication,
                communication_id=request.communication_id,
                document_id=request.document_id,
            )
        )
        return delivery

    def set_preference(
        self, store: str, customer_ref: str, channel: str, opt_in: bool, at: float
    ) -> DeliveryEvent | None:
        """The customer's click; an event only when it changes the preference."""
        key = (store, customer_ref, channel)
        if (key not in self.opted_out) == opt_in:
            return None
        if opt_in:
            self.opted_out.discard(key)
        else:
            self.opted_out.add(key)
        event = DeliveryEvent(next(self._seq), PREFERENCE_CHANGED, channel, customer_ref, store, at, opt_in=opt_in)
        self.events.append(event)
        return event

    def events_after(self, after: int, limit: int) -> list[DeliveryEvent]:
        # Sequence numbers are dense from 1, so the event after cursor N is at index N.
        return self.events[after : after + limit]

    @property
    def last_seq(self) -> int:
        return self.events[-1].seq if self.events else 0


class DeliveryBook:
    def __init__(self) -> None:
        self._domains: dict[tuple[str, str], DomainDeliveries] = {}

    def domain(self, tenant_id: str, domain: str) -> DomainDeliveries:
        return self._domains.setdefault((tenant_id, domain), DomainDeliveries())
