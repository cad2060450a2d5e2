"""`POST /webhooks/shopify`: verify, parse, route, then start or signal the case.

Order of checks: the body is read within the size limit (413), the HMAC over the raw body must
match the named shop's secret, and the shop must be one we serve (both 401 `invalid signature`,
the same answer, so a stranger cannot tell which shops exist), the body must parse (400/422).
Only then is anything read or started. Shopify delivers
at least once; the case id is derived from the order, so a repeated delivery finds the existing case
instead of starting a second one.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Annotated, TypeVar

from fastapi import APIRouter, Header, HTTPException, Request
from pydantic import BaseModel

from casebridge.stores import Platform, Store
from connectors.errors import ConnectorError
from connectors.shopify.webhooks import (
    CheckoutPayload,
    OrderDocumentPayload,
    OrderPayload,
    ProductPayload,
    ReturnRequestPayload,
    verify,
)
from routing.own_orders import NOT_REVIEWED, is_casebridge_replacement
from routing.rules import review_reasons
from shim import api_docs, topics
from shim.abandoned_carts import cart_event
from shim.cases import (
    WebhookResult,
    signal_store_cancellation,
    start_order_review,
    start_return_case,
    store_read_failed,
)
from shim.deps import ShimDeps
from shim.facts.shopify import order_facts, return_facts, with_order_facts
from shim.intake import NO_SECRET, bounded_body, parse_verified, unauthenticated
from shim.order_documents import order_documents_event, with_order_documents
from shim.product_workspaces import product_changed
from shim.returns import route_facts
from shim.shopify_holds import HoldPlacedPayload, hold_placed
from workflows.abandoned_cart import CartEvent
from workflows.messages import StoreCancellation

log = logging.getLogger(__name__)

router = APIRouter(tags=["webhooks"])

P = TypeVar("P", bound=BaseModel)


SHOPIFY_HOLD = api_docs.Body(
    HoldPlacedPayload,
    "`fulfillment_orders/placed_on_hold`",
    {
        "fulfillment_order": {"id": "gid://shopify/FulfillmentOrder/6601"},
        "created_fulfillment_hold": {
            "id": "gid://shopify/FulfillmentHold/7701",
            "reason": "INVENTORY_OUT_OF_STOCK",
            "reason_notes": "3PL is out of the lamp",
            "handle": "acme-3pl",
        },
    },
)


# The headers are optional here so that a request without one gets the 401 of every unauthenticated
# request, not FastAPI's own 422; `api_docs` documents them as the required headers they are.
@router.post(
    topics.WEBHOOK_PATHS[Platform.SHOPIFY],
    response_model=WebhookResult,
    summary="Shopify webhook (HMAC-signed)",
    responses=api_docs.responses(WebhookResult, api_docs.SHOPIFY_ANSWERS),
    openapi_extra=api_docs.request_body(
        [api_docs.SHOPIFY_ORDER, api_docs.SHOPIFY_RETURN, SHOPIFY_HOLD],
        *api_docs.SHOPIFY_HEADERS,
        description="The webhook body as Shopify sends it for the topic in `X-Shopify-Topic`.",
    ),
)
async def shopify_webhook(
    request: Request,
    x_shopify_shop_domain: Annotated[str | None, Header(include_in_schema=False)] = None,
    x_shopify_topic: Annotated[str | None, Header(include_in_schema=False)] = None,
    x_shopify_hmac_sha256: Annotated[str | None, Header(include_in_schema=False)] = None,
    x_shopify_webhook_id: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> WebhookResult:
    """Orders placed and cancelled, return requests and fulfillment holds placed by others: starts,
    joins or signals the case. Shopify delivers at least once; a redelivery finds the same case."""
    deps: ShimDeps = request.app.state.deps
    body = await bounded_body(request)
    store = deps.registry.store(Platform.SHOPIFY, x_shopify_shop_domain) if x_shopify_shop_domain else None
    secret = store.webhook_secret().get_secret_value() if store is not None else NO_SECRET
    if not verify(secret.encode(), body, x_shopify_hmac_sha256) or store is None:
        raise unauthenticated("shopify", f"shop {str(x_shopify_shop_domain)[:80]!r}: unknown shop or HMAC mismatch")
    if not x_shopify_topic:
        raise HTTPException(400, "missing X-Shopify-Topic header")

    reference = f"{x_shopify_topic}:{x_shopify_webhook_id or body_digest(body)}"
    if x_shopify_topic == topics.SHOPIFY_ORDERS_CREATE:
        order = _parse_order(body)
        answer = await _order_created(deps, store, order, x_shopify_webhook_id)
        return with_order_documents(answer, await _order_documents(deps, store, order, "placed", reference))
    if x_shopify_topic == topics.SHOPIFY_ORDERS_CANCELLED:
        order = _parse_order(body)
        answer = await _order_cancelled(deps, store, order)
        return with_order_documents(answer, await _order_documents(deps, store, order, "cancelled", reference))
    if x_shopify_topic in (topics.SHOPIFY_FULFILLMENTS_CREATE, topics.SHOPIFY_REFUNDS_CREATE):
        document = _parse(OrderDocumentPayload, body, "order document")
        event = "shipped" if x_shopify_topic == topics.SHOPIFY_FULFILLMENTS_CREATE else "refunded"
        documents = await order_documents_event(
            deps, store, str(document.order_id), event, reference, x_shopify_webhook_id
        )
        return documents or WebhookResult(result="ignored", reasons=["the store keeps no order documents"])
    if x_shopify_topic == topics.SHOPIFY_RETURNS_REQUEST:
        requested = _parse(ReturnRequestPayload, body, "return")
        return await _return_requested(deps, store, requested, x_shopify_webhook_id)
    if x_shopify_topic == topics.SHOPIFY_HOLD_PLACED:
        placed = _parse(HoldPlacedPayload, body, "fulfillment hold")
        return await hold_placed(deps, store, placed)
    if x_shopify_topic in (topics.SHOPIFY_PRODUCTS_CREATE, topics.SHOPIFY_PRODUCTS_UPDATE):
        product = _parse(ProductPayload, body, "product")
        created = x_shopify_topic == topics.SHOPIFY_PRODUCTS_CREATE
        return await product_changed(deps, store, str(product.id), created=created)
    if x_shopify_topic in (topics.SHOPIFY_CHECKOUTS_CREATE, topics.SHOPIFY_CHECKOUTS_UPDATE):
        checkout = _parse(CheckoutPayload, body, "checkout")
        happened = CartEvent(kind="completed" if checkout.completed_at else "active", reference=reference)
        return await cart_event(deps, store, str(checkout.id), happened, x_shopify_webhook_id)
    # Nothing else is routed (`shim.topics` says what `casebridge webhooks sync` subscribes).
    log.info("shopify %s webhook %s acknowledged without routing", x_shopify_topic, x_shopify_webhook_id)
    return WebhookResult(result="ignored")


async def _order_documents(
    deps: ShimDeps, store: Store, order: OrderPayload, event: str, reference: str
) -> WebhookResult | None:
    return await order_documents_event(
        deps,
        store,
        str(order.id),
        event,
        reference,
        None,
        order_name=order.name,
        total=order.total_price,
        currency=order.currency,
    )


def body_digest(body: bytes) -> str:
    """A stand-in for a missing webhook id: the same body is the same event."""
    return hashlib.sha256(body).hexdigest()[:32]


def _parse_order(body: bytes) -> OrderPayload:
    return _parse(OrderPayload, body, "order")


def _parse(model: type[P], body: bytes, what: str) -> P:
    return parse_verified(model, body, f"{what} payload")


async def _order_created(deps: ShimDeps, store: Store, order: OrderPayload, delivery_id: str | None) -> WebhookResult:
    if store.policy_file is None:
        raise HTTPException(422, f"store {store.id} has no routing policy configured")
    if is_casebridge_replacement(tags=order.tags.split(",")):
        # A free order of the return case's own making ("discounted" 100%): never the customer's to review.
        log.info("shopify order %s (%s) is Casebridge's own replacement order: no review", order.name, store.id)
        return WebhookResult(result="not-needed", reasons=[NOT_REVIEWED])
    policy = deps.policies.get(store.policy_file).order_review
    if not policy.enabled:
        return WebhookResult(result="not-needed", case_id=None)
    risk = None
    if policy.rules.risk_levels:
        # Shopify's risk analysis is not in the webhook body; read it like the BigCommerce thin payloads.
        try:
            risk = (await deps.connections.shopify(store.id).get_order(order.admin_graphql_api_id)).risk
        except ConnectorError as err:
            # 503 so Shopify redelivers (nothing is lost, nothing half-started); 404 for no such order.
            raise store_read_failed(err, store, f"order {order.id}") from err
    facts = order_facts(order, risk)
    reasons = review_reasons(policy.rules, facts)
    if not reasons:
        return WebhookResult(result="not-needed")
    return await start_order_review(deps, store, facts, reasons, policy, delivery_id)


async def _order_cancelled(deps: ShimDeps, store: Store, order: OrderPayload) -> WebhookResult:
    return await signal_store_cancellation(
        deps, store, str(order.id), StoreCancellation(cancelled_at=order.cancelled_at)
    )


async def _return_requested(
    deps: ShimDeps, store: Store, requested: ReturnRequestPayload, delivery_id: str | None
) -> WebhookResult:
    if store.policy_file is None:
        raise HTTPException(422, f"store {store.id} has no routing policy configured")
    policy = deps.policies.get(store.policy_file).returns
    if policy is None or not policy.enabled:
        return WebhookResult(result="not-needed")  # the store's staff handle returns in Shopify
    if requested.status != "requested":
        # Only a request waits for the merchant's decision; a return staff opened is already decided.
        return WebhookResult(result="ignored")
    try:
        # The webhook's status is a snapshot from the request: staff may have declined or opened
        # the return before a late delivery arrived. Only one still requested waits for a decision.
        current = await deps.connections.shopify(store.id).get_return(requested.admin_graphql_api_id)
    except ConnectorError as err:
        raise store_read_failed(err, store, f"return {requested.id}") from err
    if current.status != "REQUESTED":
        return WebhookResult(result="ignored", reasons=[f"the return is {current.status.lower()} in Shopify"])
    facts = return_facts(requested)
    # Letters (an evidence request) need the customer's address, which the webhook lacks.
    if policy.reads_categories or policy.reads_order_date or policy.customer_notice is not None:
        try:
            # The order's date, its customer's email and the returned products' types, in one query.
            order = await deps.connections.shopify(store.id).order_product_facts(facts.order_gid)
        except ConnectorError as err:
            raise store_read_failed(err, store, f"order {requested.order.id} of return {requested.id}") from err
        facts = with_order_facts(facts, order, policy)
    return await start_return_case(deps, store, facts, route_facts(policy, facts), policy, delivery_id)
