"""What the shim's `/events/...` endpoints share: systems other than the commerce platforms (a
warehouse system, a storefront's return form) post events there directly.

Each such system is an `event_sources` entry in `stores.yaml` with its own secret; it names itself in
`X-Casebridge-Source` and signs the raw body per Standard Webhooks (`webhook-id`,
`webhook-timestamp`, `webhook-signature`), so the shim can refuse forgeries and replays before
parsing anything: a missing or unknown source and a bad, stale or future signature all get the same
`401 invalid signature`. The named source only selects the secret; nothing else is trusted before
the signature matched. A source may be limited to some stores: 403 for any other, whether this
deployment serves it or not (a limited source learns nothing of the other stores); an unlimited
source gets 404 for a store this deployment does not serve.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from fastapi import HTTPException, Request
from pydantic import BaseModel, Field, ValidationError

from casebridge.stores import EventSource, Platform, Store
from connectors.standard_webhooks import WebhookVerificationError, verify
from shim.cases import WebhookResult
from shim.deps import ShimDeps
from shim.intake import NO_SECRET, bounded_body, invalid, unauthenticated

SOURCE_HEADER = "X-Casebridge-Source"


class StoreEvent(BaseModel):
    """What every event posted to `/events/...` names: the store it is about."""

    platform: Platform
    store: str = Field(min_length=1, max_length=255)


Model = TypeVar("Model", bound=BaseModel)
Event = TypeVar("Event", bound=StoreEvent)


@dataclass(frozen=True)
class VerifiedDelivery:
    source: EventSource
    delivery_id: str  # `webhook-id`: the same on a redelivery, so it dedupes
    body: bytes


async def verified_delivery(request: Request) -> VerifiedDelivery:
    deps: ShimDeps = request.app.state.deps
    body = await bounded_body(request)
    name = request.headers.get(SOURCE_HEADER) or ""
    source = deps.registry.event_source(name) if name else None
    secret = source.secret().get_secret_value() if source is not None else NO_SECRET
    try:
        delivery_id = verify(secret, body, request.headers)
    except WebhookVerificationError as err:
        raise unauthenticated(request.url.path, f"source {name[:60]!r}: {err}") from err
    if source is None:
        raise unauthenticated(request.url.path, f"unknown event source {name[:60]!r}")
    return VerifiedDelivery(source=source, delivery_id=delivery_id, body=body)


def parse_event(model: type[Model], body: bytes) -> Model:
    """The body as `model`, or 422 naming every problem (a body that is not JSON included)."""
    try:
        return model.model_validate_json(body)
    except ValidationError as err:
        answer = invalid("event", err)
        raise HTTPException(422, answer.detail) from err


def store_for(deps: ShimDeps, source: EventSource, platform: Platform, store_id: str) -> Store:
    """The store the event is about: 404 when this deployment does not serve it, 403 when the
    source may not report about it."""
    if source.stores and store_id not in source.stores:
        # Before the lookup: whether the store exists is none of this source's business.
        raise HTTPException(403, f"event source {source.name!r} may not report about store {store_id[:80]!r}")
    store = deps.registry.store(platform, store_id)
    if store is None:
        raise HTTPException(404, f"unknown {platform.value} store {store_id[:80]!r}")
    return store


EventHandler = Callable[[ShimDeps, VerifiedDelivery, Event, Store], Awaitable[WebhookResult]]


async def handle_event(request: Request, model: type[Event], handle: EventHandler[Event]) -> WebhookResult:
    """Verify the delivery, answer a redelivery from memory, parse the event (422), find its store
    (404/403), let `handle` act on it, and remember the answer for redeliveries."""
    deps: ShimDeps = request.app.state.deps
    delivery = await verified_delivery(request)
    seen = deps.event_deliveries.get(delivery.delivery_id)
    if seen is not None:
        return WebhookResult(result="duplicate", case_id=seen.case_id, reasons=seen.reasons)
    event = parse_event(model, delivery.body)
    store = store_for(deps, delivery.source, event.platform, event.store)
    answer = await handle(deps, delivery, event, store)
    deps.event_deliveries.remember(delivery.delivery_id, answer)
    return answer
