"""`POST /webhooks/bigcommerce`: verify (Standard Webhooks), read the order, route, start or signal.

Order of checks: the body is read within the size limit (413); the signature over the raw body
must match one of the configured client secrets within the timestamp tolerance, before the body is
parsed at all (an app's client secret signs for all its stores, so the few distinct secrets are
tried in turn); then the payload is parsed (400/422) and the store it names (`producer:
stores/{hash}`) must be one we serve with that very secret. A bad signature and an unknown store
get the same `401 invalid signature`. Only then is anything read or started.

BigCommerce payloads are thin (`{type, id}`): `store/order/created` is followed by a read of the
order through the connector (503 when that fails, so BigCommerce redelivers; nothing is half-done).
Deliveries repeat: a `webhook-id` seen before is answered `duplicate` from memory, and the case id
(`order-review/bigcommerce/{hash}/{order_id}`, REJECT_DUPLICATE) keeps a redelivery to another
replica harmless too.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime

from fastapi import APIRouter, HTTPException, Request

from casebridge.stores import Platform, Store
from connectors.bigcommerce.contract import STATUS_CANCELLED, STATUS_DECLINED
from connectors.bigcommerce.webhooks import WebhookPayload, WebhookVerificationError, verify
from connectors.errors import ConnectorError
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
from shim.facts import bigcommerce as bigcommerce_facts
from shim.facts.bigcommerce import order_facts
from shim.fulfillment import policy_for, start_or_signal
from shim.intake import NO_SECRET, bounded_body, parse_verified, unauthenticated
from shim.order_documents import order_documents_event, with_order_documents
from shim.product_workspaces import product_changed
from workflows.abandoned_cart import CartEvent
from workflows.fulfillment_exception import ExceptionReport
from workflows.messages import StoreCancellation

log = logging.getLogger(__name__)

router = APIRouter(tags=["webhooks"])

ORDER_CREATED = topics.BIGCOMMERCE_ORDER_CREATED
ORDER_STATUS_UPDATED = topics.BIGCOMMERCE_ORDER_STATUS_UPDATED
SHIPMENT_CREATED = topics.BIGCOMMERCE_SHIPMENT_CREATED
REFUND_CREATED = topics.BIGCOMMERCE_REFUND_CREATED
PRODUCT_CREATED = topics.BIGCOMMERCE_PRODUCT_CREATED
PRODUCT_UPDATED = topics.BIGCOMMERCE_PRODUCT_UPDATED
CART_ABANDONED = topics.BIGCOMMERCE_CART_ABANDONED
CART_CONVERTED = topics.BIGCOMMERCE_CART_CONVERTED


@router.post(
    topics.WEBHOOK_PATHS[Platform.BIGCOMMERCE],
    response_model=WebhookResult,
    summary="BigCommerce webhook (Standard Webhooks)",
    responses=api_docs.responses(WebhookResult, api_docs.BIGCOMMERCE_ANSWERS),
    openapi_extra=api_docs.request_body(
        [api_docs.BIGCOMMERCE_ORDER],
        *api_docs.STANDARD_WEBHOOKS_HEADERS,
        description="BigCommerce's thin payload, signed with the app's client secret.",
    ),
)
async def bigcommerce_webhook(request: Request) -> WebhookResult:
    """`store/order/created` (the order is read, then routed) and `store/order/statusUpdated`
    (Cancelled reaches the order's cases, Declined opens a payment exception). A `webhook-id` seen
    before is answered `duplicate`."""
    deps: ShimDeps = request.app.state.deps
    body = await bounded_body(request)
    webhook_id, secret = _verified(deps, body, request.headers)
    payload = parse_verified(WebhookPayload, body, "webhook payload")
    store = deps.registry.store(Platform.BIGCOMMERCE, payload.store_hash)
    if store is None or store.webhook_secret().get_secret_value() != secret:
        # Signed by some app we know, but not for a store it serves here: not authenticated for it.
        raise unauthenticated("bigcommerce", f"store {payload.store_hash[:80]!r} unknown or not this secret's")

    memory: DeliveryMemory = deps.bigcommerce_deliveries
    seen = memory.get(webhook_id)
    if seen is not None:
        return WebhookResult(result="duplicate", case_id=seen.case_id, reasons=seen.reasons)

    reference = f"{payload.scope}:{payload.hash}"  # the same event delivered again has the same hash
    if payload.scope == ORDER_CREATED and payload.data.type == "order":
        answer = await _order_created(deps, store, payload, webhook_id)
        documents = await order_documents_event(deps, store, str(payload.data.id), "placed", reference, webhook_id)
        answer = with_order_documents(answer, documents)
    elif payload.scope == ORDER_STATUS_UPDATED and payload.data.type == "order":
        answer = await _status_updated(deps, store, payload)
        documents = await order_documents_event(deps, store, str(payload.data.id), "status", reference, webhook_id)
        answer = with_order_documents(answer, documents)
    elif payload.scope in (SHIPMENT_CREATED, REFUND_CREATED):
        order_id = payload.data.order_id if payload.scope == SHIPMENT_CREATED else payload.data.id
        if order_id is None:
            raise HTTPException(400, f"{payload.scope} payload names no order (data.orderId)")
        event = "shipped" if payload.scope == SHIPMENT_CREATED else "refunded"
        documents = await order_documents_event(deps, store, str(order_id), event, reference, webhook_id)
        answer = documents or WebhookResult(result="ignored", reasons=["the store keeps no order documents"])
    elif payload.scope in (PRODUCT_CREATED, PRODUCT_UPDATED) and payload.data.type == "product":
        answer = await product_changed(deps, store, str(payload.data.id), created=payload.scope == PRODUCT_CREATED)
    elif payload.scope in (CART_ABANDONED, CART_CONVERTED) and payload.data.type == "cart":
        converted = payload.scope == CART_CONVERTED
        order = str(payload.data.order_id) if payload.data.order_id is not None else None
        happened = CartEvent(kind="completed" if converted else "abandoned", reference=reference, order_id=order)
        answer = await cart_event(deps, store, str(payload.data.id), happened, webhook_id)
    else:
        log.info("bigcommerce %s webhook %s acknowledged without routing", payload.scope, webhook_id)
        answer = WebhookResult(result="ignored")
    memory.remember(webhook_id, answer)
    return answer


def _order_number(payload: WebhookPayload) -> int:
    """An order event's `data.id` (a number; only carts have UUIDs)."""
    if not isinstance(payload.data.id, int):
        raise HTTPException(422, f"{payload.scope} payload names no order number (data.id)")
    return payload.data.id


def _verified(deps: ShimDeps, body: bytes, headers: Mapping[str, str]) -> tuple[str, str]:
    """(webhook-id, the secret that signed it), trying each distinct configured client secret
    (one per app, however many stores); 401 when none signed it."""
    secrets = sorted(
        {s.webhook_secret().get_secret_value() for s in deps.registry.stores if s.platform is Platform.BIGCOMMERCE}
    ) or [NO_SECRET]
    reason = ""
    for secret in secrets:
        try:
            return verify(secret, body, headers), secret
        except WebhookVerificationError as err:
            reason = str(err)
    raise unauthenticated("bigcommerce", reason)


async def _order_created(deps: ShimDeps, store: Store, payload: WebhookPayload, webhook_id: str) -> WebhookResult:
    if store.policy_file is None:
        raise HTTPException(422, f"store {store.id} has no routing policy configured")
    policy = deps.policies.get(store.policy_file).order_review
    if not policy.enabled:
        return WebhookResult(result="not-needed")
    order_id = _order_number(payload)
    client = deps.connections.bigcommerce(store.id)
    try:
        order = await client.get_order(order_id)
        if is_casebridge_replacement(external_order_id=order.external_order_id):
            log.info("bigcommerce order %s (%s) is Casebridge's own replacement order: no review", order_id, store.id)
            return WebhookResult(result="not-needed", reasons=[NOT_REVIEWED])
        facts = await order_facts(client, order, policy.rules)
    except ConnectorError as err:
        # 503 so BigCommerce redelivers (nothing is lost, nothing half-started); 404 for no such order.
        raise store_read_failed(err, store, f"order {order_id}") from err
    reasons = review_reasons(policy.rules, facts)
    if not reasons:
        return WebhookResult(result="not-needed")
    return await start_order_review(deps, store, facts, reasons, policy, webhook_id)


async def _status_updated(deps: ShimDeps, store: Store, payload: WebhookPayload) -> WebhookResult:
    order_id = _order_number(payload)
    change = payload.data.status
    if change is None:
        # The payload normally says which status; without it, ask the store.
        try:
            new_status = (await deps.connections.bigcommerce(store.id).get_order(order_id)).status_id
        except ConnectorError as err:
            raise store_read_failed(err, store, f"order {order_id}") from err
    else:
        new_status = change.new_status_id
    exception_type = STATUS_EXCEPTIONS.get(new_status)
    if exception_type is not None:
        return await _status_exception(deps, store, payload, new_status, exception_type)
    if new_status != STATUS_CANCELLED:
        return WebhookResult(result="ignored")
    cancellation = StoreCancellation(
        cancelled_at=datetime.fromtimestamp(payload.created_at, UTC), reason="status set to Cancelled in BigCommerce"
    )
    return await signal_store_cancellation(deps, store, str(order_id), cancellation)


# Statuses that say an order cannot ship as planned: they open the order's fulfillment exception
# case, as a warehouse report would. (Casebridge itself only ever sets 12, 5 and the status it
# restores, so its own writes never come back as an exception.)
STATUS_EXCEPTIONS = {
    STATUS_DECLINED: ExceptionType.PAYMENT_EXCEPTION,  # the payment was declined after the order
}


async def _status_exception(
    deps: ShimDeps, store: Store, payload: WebhookPayload, status_id: int, exception_type: ExceptionType
) -> WebhookResult:
    policy = policy_for(deps, store)
    if policy is None or not policy.enabled or policy.route(exception_type) is None:
        return WebhookResult(result="not-needed")
    try:
        current = await deps.connections.bigcommerce(store.id).get_order(_order_number(payload))
    except ConnectorError as err:
        raise store_read_failed(err, store, f"order {payload.data.id}") from err
    if current.status_id != status_id:
        # A late webhook: the order has moved on (set back by staff, held or cancelled by its case,
        # which already has this report). Nothing to open for a status the order no longer has.
        return WebhookResult(result="not-needed", reasons=[f"the order's status is no longer {status_id}"])
    order = bigcommerce_facts.order_ref(current)
    report = ExceptionReport(
        # The event's hash is the same on every redelivery of this status change.
        reference=f"status-{status_id}-{payload.hash}",
        exception_type=exception_type,
        summary=f"order status set to {status_id} (Declined) in BigCommerce",
        reported_by="bigcommerce status change",
    )
    return await start_or_signal(deps, store, order, report, policy)
