"""`POST /webhooks/bigcommerce`: verify (Standard Webhooks), read the order, route, start or signal.

Order of checks: the body must name a store (`producer: stores/{hash}`; 400/422 otherwise), the
store must be one we serve (404), the signature over the raw body must match that store's client
secret within the timestamp tolerance (401). The producer is read from the unverified body only to
pick the secret; nothing from the body is trusted before the signature matched. Then the payload
is parsed (422), and only then is anything read or started.

BigCommerce payloads are thin (`{type, id}`): `store/order/created` is followed by a read of the
order through the connector (503 when that fails, so BigCommerce redelivers; nothing is half-done).
Deliveries repeat: a `webhook-id` seen before is answered `duplicate` from memory, and the case id
(`order-review/bigcommerce/{hash}/{order_id}`, REJECT_DUPLICATE) keeps a redelivery to another
replica harmless too.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from fastapi import APIRouter, HTTPException, Request
from pydantic import ValidationError

from casebridge.stores import Platform, Store
from connectors.bigcommerce.contract import STATUS_CANCELLED, STATUS_DECLINED
from connectors.bigcommerce.webhooks import WebhookPayload, WebhookVerificationError, parse_payload, verify
from connectors.errors import ConnectorError
from routing.fulfillment_policy import ExceptionType
from routing.own_orders import NOT_REVIEWED, is_casebridge_replacement
from routing.rules import review_reasons
from shim import topics
from shim.cases import DeliveryMemory, WebhookResult, signal_store_cancellation, start_order_review
from shim.deps import ShimDeps
from shim.facts.bigcommerce import order_facts
from shim.fulfillment import policy_for, read_order, start_or_signal
from workflows.fulfillment_exception import ExceptionReport
from workflows.messages import StoreCancellation

log = logging.getLogger(__name__)

router = APIRouter(tags=["webhooks"])

ORDER_CREATED = topics.BIGCOMMERCE_ORDER_CREATED
ORDER_STATUS_UPDATED = topics.BIGCOMMERCE_ORDER_STATUS_UPDATED


@router.post(topics.WEBHOOK_PATHS[Platform.BIGCOMMERCE], response_model=WebhookResult)
async def bigcommerce_webhook(request: Request) -> WebhookResult:
    deps: ShimDeps = request.app.state.deps
    body = await request.body()
    store = deps.registry.store(Platform.BIGCOMMERCE, _claimed_store_hash(body))
    if store is None:
        raise HTTPException(404, "unknown BigCommerce store")
    try:
        webhook_id = verify(store.webhook_secret().get_secret_value(), body, request.headers)
    except WebhookVerificationError as err:
        raise HTTPException(401, f"webhook signature refused: {err}") from err
    payload = _parse(body)

    memory: DeliveryMemory = deps.bigcommerce_deliveries
    seen = memory.get(webhook_id)
    if seen is not None:
        return WebhookResult(result="duplicate", case_id=seen.case_id, reasons=seen.reasons)

    if payload.scope == ORDER_CREATED and payload.data.type == "order":
        answer = await _order_created(deps, store, payload, webhook_id)
    elif payload.scope == ORDER_STATUS_UPDATED and payload.data.type == "order":
        answer = await _status_updated(deps, store, payload)
    else:
        log.info("bigcommerce %s webhook %s acknowledged without routing", payload.scope, webhook_id)
        answer = WebhookResult(result="ignored")
    memory.remember(webhook_id, answer)
    return answer


def _claimed_store_hash(body: bytes) -> str:
    """The store the unverified body claims to come from: used only to choose the secret."""
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise HTTPException(400, f"invalid webhook payload: body is not JSON ({err})") from err
    producer = document.get("producer") if isinstance(document, dict) else None
    if not isinstance(producer, str) or not producer.startswith("stores/") or producer == "stores/":
        raise HTTPException(422, "invalid webhook payload: producer: expected 'stores/{store_hash}'")
    return producer.removeprefix("stores/")


def _parse(body: bytes) -> WebhookPayload:
    try:
        return parse_payload(body)
    except ValidationError as err:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in err.errors())
        raise HTTPException(422, f"invalid webhook payload: {problems}") from err


async def _order_created(deps: ShimDeps, store: Store, payload: WebhookPayload, webhook_id: str) -> WebhookResult:
    if store.policy_file is None:
        raise HTTPException(422, f"store {store.id} has no routing policy configured")
    policy = deps.policies.get(store.policy_file).order_review
    if not policy.enabled:
        return WebhookResult(result="not-needed")
    order_id = payload.data.id
    client = deps.connections.bigcommerce(store.id)
    try:
        order = await client.get_order(order_id)
        if is_casebridge_replacement(external_order_id=order.external_order_id):
            log.info("bigcommerce order %s (%s) is Casebridge's own replacement order: no review", order_id, store.id)
            return WebhookResult(result="not-needed", reasons=[NOT_REVIEWED])
        facts = await order_facts(client, order, policy.rules)
    except ConnectorError as err:
        # Answer 503 so BigCommerce redelivers: nothing is lost, nothing half-started.
        raise HTTPException(503, f"could not read order {order_id} from BigCommerce: {err}") from err
    reasons = review_reasons(policy.rules, facts)
    if not reasons:
        return WebhookResult(result="not-needed")
    return await start_order_review(deps, store, facts, reasons, policy, webhook_id)


async def _status_updated(deps: ShimDeps, store: Store, payload: WebhookPayload) -> WebhookResult:
    order_id = payload.data.id
    change = payload.data.status
    if change is None:
        # The payload normally says which status; without it, ask the store.
        try:
            new_status = (await deps.connections.bigcommerce(store.id).get_order(order_id)).status_id
        except ConnectorError as err:
            raise HTTPException(503, f"could not read order {order_id} from BigCommerce: {err}") from err
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
    order = await read_order(deps, store, str(payload.data.id))
    report = ExceptionReport(
        # The event's hash is the same on every redelivery of this status change.
        reference=f"status-{status_id}-{payload.hash}",
        exception_type=exception_type,
        summary=f"order status set to {status_id} (Declined) in BigCommerce",
        reported_by="bigcommerce status change",
    )
    return await start_or_signal(deps, store, order, report, policy)
