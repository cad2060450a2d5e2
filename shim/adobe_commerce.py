"""`/webhooks/adobe-commerce`: Adobe I/O Events deliveries of Commerce events -> cases.

Order of checks: the body is read within the size limit (413); a registration challenge (`GET
?challenge=`, or a small unsigned POST `{"challenge": ...}`) is echoed; any other delivery must
carry a valid RSA-SHA256 signature over the raw body under one of Adobe's public keys (fetched once
per key path and cached) before it is parsed (401 `invalid signature` otherwise, the one answer to
every unauthenticated request); then it is parsed (422), must name our Developer Console client as
`recipient_client_id` (401), the event provider (`source`) selects the store (404 when unknown),
and the event's own id in the signed body dedupes redeliveries (the `x-adobe-event-id` header is
not signed, so it is not trusted for that).

`observer.sales_order_place_after` starts the order review (after a fresh read of the order, which
brings the addresses, the payment method and the B2B company); `observer.sales_order_save_commit_after`
with the order `canceled` tells the case that the store cancelled it; `observer.rma_save_commit_after`
for a new, pending RMA starts its return case (`shim.returns`). Other events are acknowledged.
"""

from __future__ import annotations

import logging
from typing import Literal

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field, ValidationError

from casebridge.stores import Platform, Store
from connectors.adobe_commerce.contract import STATE_CANCELED
from connectors.adobe_commerce.io_events import (
    SIGNATURE_HEADERS,
    EventVerificationError,
    IoEvent,
    challenge_reply,
    dedupe_key,
)
from connectors.adobe_commerce.models import Order
from connectors.errors import ConnectorError
from connectors.payload_bounds import EntityId
from routing.fulfillment_policy import ExceptionType
from routing.own_orders import NOT_REVIEWED, is_casebridge_replacement
from routing.rules import review_reasons
from shim import api_docs, topics
from shim.abandoned_carts import cart_event
from shim.cases import (
    DeliveryMemory,
    WebhookResult,
    signal_store_cancellation,
    start_order_review,
    store_read_failed,
)
from shim.deps import ShimDeps
from shim.facts.adobe_commerce import order_facts, order_ref
from shim.fulfillment import policy_for, start_or_signal
from shim.intake import bounded_body, invalid, parse_verified, unauthenticated
from shim.order_documents import order_documents_event, order_documents_policy, with_order_documents
from shim.product_workspaces import product_changed
from shim.returns import start_adobe_return
from workflows.abandoned_cart import CartEvent
from workflows.fulfillment_exception import AffectedLine, ExceptionReport
from workflows.messages import StoreCancellation

log = logging.getLogger(__name__)

router = APIRouter(tags=["webhooks"])

ORDER_PLACED = topics.adobe_event_type(topics.ADOBE_ORDER_PLACED)
ORDER_SAVED = topics.adobe_event_type(topics.ADOBE_ORDER_SAVED)
RMA_SAVED = topics.adobe_event_type(topics.ADOBE_RMA_SAVED)
INVOICE_SAVED = topics.adobe_event_type(topics.ADOBE_INVOICE_SAVED)
CREDIT_MEMO_SAVED = topics.adobe_event_type(topics.ADOBE_CREDIT_MEMO_SAVED)
PRODUCT_SAVED = topics.adobe_event_type(topics.ADOBE_PRODUCT_SAVED)
QUOTE_SAVED = topics.adobe_event_type(topics.ADOBE_QUOTE_SAVED)


@router.get(
    topics.WEBHOOK_PATHS[Platform.ADOBE_COMMERCE],
    summary="Adobe I/O Events registration challenge",
    response_class=PlainTextResponse,
    responses={
        200: {
            "description": api_docs.ADOBE_CHALLENGE_ANSWERS[0].why,
            "content": {"text/plain": {"schema": {"type": "string"}, "example": "8f6d7b3a"}},
        },
        400: {
            "description": api_docs.ADOBE_CHALLENGE_ANSWERS[1].why,
            "content": {
                "application/json": {
                    "schema": {"$ref": api_docs.SCHEMA_REF.format(model="Refusal")},
                    "examples": {
                        "no_challenge": {"value": api_docs.ADOBE_CHALLENGE_ANSWERS[1].examples["no_challenge"]}
                    },
                }
            },
        },
    },
    openapi_extra={
        "parameters": [
            {
                "name": "challenge",
                "in": "query",
                "required": True,
                "description": "Any text: echoed as it is.",
                "schema": {"type": "string"},
                "example": "8f6d7b3a",
            }
        ]
    },
)
async def adobe_challenge(request: Request) -> Response:
    """Adobe checks a new webhook URL with `GET ?challenge=...` and expects it echoed."""
    reply = challenge_reply("GET", request.query_params)
    if reply is None:
        raise HTTPException(400, "expected a challenge query parameter")
    return Response(reply.content, media_type=reply.media_type)


@router.post(
    topics.WEBHOOK_PATHS[Platform.ADOBE_COMMERCE],
    response_model=WebhookResult,
    summary="Adobe Commerce events (Adobe I/O Events, RSA-signed)",
    responses=api_docs.responses(WebhookResult, api_docs.ADOBE_ANSWERS),
    openapi_extra=api_docs.request_body(
        [api_docs.ADOBE_EVENT],
        *api_docs.ADOBE_HEADERS,
        description="An Adobe I/O Events delivery of a Commerce event, or an unsigned registration challenge "
        '`{"challenge": "..."}`.',
    ),
)
async def adobe_webhook(request: Request) -> Response | WebhookResult:
    """Orders placed (review, backordered items) and cancelled, new RMAs (return case). Deduplicated
    on the event id in the signed body."""
    deps: ShimDeps = request.app.state.deps
    body = await bounded_body(request)
    if not any(h in request.headers for h in SIGNATURE_HEADERS):
        # Only an unsigned request can be a challenge (`challenge_reply` parses only a tiny body).
        reply = challenge_reply("POST", {}, body)
        if reply is not None:
            return Response(reply.content, media_type=reply.media_type)
    verifier = deps.adobe_io_events
    if verifier is None:
        raise unauthenticated("adobe-commerce", "Adobe I/O Events are not configured (adobe_io_events)")
    try:
        await verifier.verify_signature(request.headers, body)
    except EventVerificationError as err:
        raise unauthenticated("adobe-commerce", err.message) from err
    except ConnectorError as err:
        # The public key could not be fetched right now: Adobe redelivers after a 5xx.
        raise HTTPException(503, f"cannot verify the event yet: {err}") from err
    event = parse_verified(IoEvent, body, "event")
    try:
        verifier.check_recipient(event)
    except EventVerificationError as err:
        raise unauthenticated("adobe-commerce", err.message) from err

    store = deps.registry.store_for_io_events_provider(_provider_id(event, request))
    if store is None:
        raise HTTPException(404, "unknown Adobe Commerce event provider")
    event_id = dedupe_key(request.headers, event) or event.id
    memory: DeliveryMemory = deps.adobe_deliveries
    seen = memory.get(event_id)
    if seen is not None:
        return WebhookResult(result="duplicate", case_id=seen.case_id, reasons=seen.reasons)

    if event.type == ORDER_PLACED:
        answer = await _order_placed(deps, store, event, event_id)
    elif event.type == ORDER_SAVED and event.data.value.get("state") == STATE_CANCELED:
        answer = await _order_cancelled(deps, store, event)
    elif event.type == RMA_SAVED and _is_new_pending_rma(event):
        answer = await start_adobe_return(deps, store, _entity_id(event, "RMA"), event_id)
    elif event.type == PRODUCT_SAVED:
        try:
            sku = _ProductRef.model_validate(event.data.value).sku
        except ValidationError as err:
            raise invalid("product event", err, prefix=("data", "value")) from err
        answer = await product_changed(deps, store, sku)
    elif event.type == QUOTE_SAVED:
        answer = await _quote_saved(deps, store, event, event_id)
    else:
        answer = WebhookResult(result="ignored")
    answer = with_order_documents(answer, await _order_documents(deps, store, event, event_id))
    memory.remember(event_id, answer)
    return answer


def _provider_id(event: IoEvent, request: Request) -> str:
    """The provider from the signed body (`source: urn:uuid:<provider>`), else the header."""
    if event.source and event.source.startswith("urn:uuid:"):
        return event.source.removeprefix("urn:uuid:")
    return request.headers.get("x-adobe-provider", "")


def _order_id(event: IoEvent) -> int:
    return _entity_id(event, "order")


class _EntityRef(BaseModel):
    entity_id: EntityId


def _entity_id(event: IoEvent, what: str) -> int:
    try:
        return _EntityRef.model_validate(event.data.value).entity_id
    except ValidationError as err:
        raise invalid(f"{what} event", err, prefix=("data", "value")) from err


# What each event means for the order's documents; the order a document event is about.
_DOCUMENT_EVENTS = {
    ORDER_PLACED: "placed",
    ORDER_SAVED: "saved",
    INVOICE_SAVED: "invoiced",
    CREDIT_MEMO_SAVED: "refunded",
}


class _QuoteRef(BaseModel):
    """What the shim reads of a quote save (the shopper's data, if any, is left unread)."""

    entity_id: EntityId
    is_active: bool = True
    items_count: int = Field(default=0, ge=0)
    reserved_order_id: str | None = Field(default=None, max_length=50)


async def _quote_saved(deps: ShimDeps, store: Store, event: IoEvent, event_id: str) -> WebhookResult:
    """A cart changed: an empty one is no cart to remind of yet; an inactive one was ordered."""
    try:
        quote = _QuoteRef.model_validate(event.data.value)
    except ValidationError as err:
        raise invalid("quote event", err, prefix=("data", "value")) from err
    if quote.is_active and quote.items_count == 0:
        return WebhookResult(result="ignored", reasons=["an empty cart"])
    kind: Literal["active", "completed"] = "active" if quote.is_active else "completed"
    happened = CartEvent(kind=kind, reference=f"{event.type}:{event_id}", order_id=quote.reserved_order_id or None)
    return await cart_event(deps, store, str(quote.entity_id), happened, event_id)


class _ProductRef(BaseModel):
    sku: str = Field(min_length=1, max_length=64)  # Magento's SKU limit


class _DocumentRef(BaseModel):
    order_id: int = Field(ge=1)


async def _order_documents(deps: ShimDeps, store: Store, event: IoEvent, event_id: str) -> WebhookResult | None:
    """Every order placement and save (a shipment saves its order), invoice and credit memo reaches
    the order's documents case, when the store keeps order documents."""
    what = _DOCUMENT_EVENTS.get(event.type)
    if what is None or order_documents_policy(deps, store) is None:
        return None
    if event.type in (ORDER_PLACED, ORDER_SAVED):
        order_id = _entity_id(event, "order")
    else:
        try:
            order_id = _DocumentRef.model_validate(event.data.value).order_id
        except ValidationError as err:
            raise invalid(f"{what} event", err, prefix=("data", "value")) from err
    return await order_documents_event(deps, store, str(order_id), what, f"{event.type}:{event_id}", event_id)


def _is_new_pending_rma(event: IoEvent) -> bool:
    """Only the RMA's creation opens a case; later saves (our own authorisation) are its echo."""
    value = event.data.value
    return value.get("_isNew") is True and value.get("status") == "pending"


async def _order_placed(deps: ShimDeps, store: Store, event: IoEvent, event_id: str) -> WebhookResult:
    if store.policy_file is None:
        raise HTTPException(422, f"store {store.id} has no routing policy configured")
    policies = deps.policies.get(store.policy_file)
    policy = policies.order_review
    order_id = _order_id(event)
    adobe = deps.connections.adobe_commerce(store.id)
    try:
        order = await adobe.sales.get_order(order_id)
        # Casebridge's own replacement and exchange orders (placed with the store's replacement
        # coupon, hence "discounted" 100%) are not the customer's orders to review.
        own = policies.returns is not None and is_casebridge_replacement(
            coupon_code=order.coupon_code, replacement_coupon=policies.returns.replacement_coupon
        )
        facts = await order_facts(adobe, order, policy.rules) if policy.enabled and not own else None
    except ConnectorError as err:
        raise store_read_failed(err, store, f"order {order_id}") from err
    # Both can follow from one placed order: a review of the order, and its backordered items.
    backorder = await _backordered(deps, store, order)
    reasons = review_reasons(policy.rules, facts) if facts is not None else []
    if own:
        log.info("adobe commerce order %s (%s) is Casebridge's own replacement order: no review", order_id, store.id)
    if facts is None or not reasons:
        return backorder or WebhookResult(result="not-needed", reasons=[NOT_REVIEWED] if own else [])
    review = await start_order_review(deps, store, facts, reasons, policy, event_id)
    also = [backorder.case_id] if backorder is not None and backorder.case_id else []
    return review.model_copy(update={"also": also})


async def _backordered(deps: ShimDeps, store: Store, order: Order) -> WebhookResult | None:
    """Items ordered beyond the salable stock (`qty_backordered`) cannot ship as planned: the
    order's fulfillment exception case (type `backorder`), as a warehouse report would open it.
    None when nothing is backordered or the policy does not route backorders."""
    lines = [
        AffectedLine(sku=item.sku, quantity=int(item.qty_backordered))
        for item in order.items
        if item.qty_backordered is not None and item.qty_backordered >= 1
    ]
    policy = policy_for(deps, store)
    if not lines or policy is None or not policy.enabled or policy.route(ExceptionType.BACKORDER) is None:
        return None
    report = ExceptionReport(
        # The same on every redelivery: one report per placed order.
        reference=f"placed-backordered-{order.entity_id}",
        exception_type=ExceptionType.BACKORDER,
        summary="placed with backordered items: " + ", ".join(f"{line.quantity} x {line.sku}" for line in lines),
        lines=lines,
        reported_by="adobe commerce order placed",
    )
    return await start_or_signal(deps, store, order_ref(order), report, policy)


async def _order_cancelled(deps: ShimDeps, store: Store, event: IoEvent) -> WebhookResult:
    cancellation = StoreCancellation(reason="order canceled in Adobe Commerce")
    return await signal_store_cancellation(deps, store, str(_order_id(event)), cancellation)
