"""`POST /webhooks/shopify`: verify, parse, route, then start or signal the case.

Order of checks: the shop must be one we serve (404), the HMAC over the raw body must match that
shop's secret (401), the body must parse (400/422). Only then is anything started. Shopify delivers
at least once; the case id is derived from the order, so a repeated delivery finds the existing case
instead of starting a second one.
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Request
from pydantic import ValidationError

from casebridge.stores import Platform, Store
from connectors.errors import ConnectorError
from connectors.shopify.webhooks import OrderPayload, verify
from routing.rules import review_reasons
from shim.cases import WebhookResult, signal_store_cancellation, start_order_review
from shim.deps import ShimDeps
from workflows.messages import StoreCancellation

log = logging.getLogger(__name__)

router = APIRouter(tags=["webhooks"])


@router.post("/webhooks/shopify", response_model=WebhookResult)
async def shopify_webhook(
    request: Request,
    x_shopify_shop_domain: Annotated[str | None, Header()] = None,
    x_shopify_topic: Annotated[str | None, Header()] = None,
    x_shopify_hmac_sha256: Annotated[str | None, Header()] = None,
    x_shopify_webhook_id: Annotated[str | None, Header()] = None,
) -> WebhookResult:
    deps: ShimDeps = request.app.state.deps
    if not x_shopify_shop_domain:
        raise HTTPException(400, "missing X-Shopify-Shop-Domain header")
    store = deps.registry.store(Platform.SHOPIFY, x_shopify_shop_domain)
    if store is None:
        raise HTTPException(404, f"unknown shop {x_shopify_shop_domain}")
    body = await request.body()
    if not verify(store.webhook_secret().get_secret_value().encode(), body, x_shopify_hmac_sha256):
        raise HTTPException(401, "HMAC signature does not match")
    if not x_shopify_topic:
        raise HTTPException(400, "missing X-Shopify-Topic header")

    if x_shopify_topic == "orders/create":
        order = _parse_order(body)
        return await _order_created(deps, store, order, x_shopify_webhook_id)
    if x_shopify_topic == "orders/cancelled":
        order = _parse_order(body)
        return await _order_cancelled(deps, store, order)
    # Subscribed for visibility (holds placed or released by Casebridge itself); nothing to route.
    log.info("shopify %s webhook %s acknowledged without routing", x_shopify_topic, x_shopify_webhook_id)
    return WebhookResult(result="ignored")


def _parse_order(body: bytes) -> OrderPayload:
    try:
        return OrderPayload.model_validate_json(body)
    except ValidationError as err:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in err.errors())
        status = 400 if any(e["type"] == "json_invalid" for e in err.errors()) else 422
        raise HTTPException(status, f"invalid order payload: {problems}") from err


async def _order_created(deps: ShimDeps, store: Store, order: OrderPayload, delivery_id: str | None) -> WebhookResult:
    if store.policy_file is None:
        raise HTTPException(422, f"store {store.id} has no routing policy configured")
    policy = deps.policies.get(store.policy_file).order_review
    if not policy.enabled:
        return WebhookResult(result="not-needed", case_id=None)
    risk_level = None
    if policy.rules.risk_levels:
        # Shopify's risk analysis is not in the webhook body; read it like the BigCommerce thin payloads.
        try:
            shop_order = await deps.connections.shopify(store.id).get_order(order.admin_graphql_api_id)
        except ConnectorError as err:
            # Answer 503 so Shopify redelivers: nothing is lost, nothing half-started.
            raise HTTPException(503, f"could not read the order's risk from Shopify: {err}") from err
        risk_level = shop_order.risk.highest_level if shop_order.risk else None
    facts = order.facts(risk_level if risk_level in ("LOW", "MEDIUM", "HIGH") else None)
    reasons = review_reasons(policy.rules, facts)
    if not reasons:
        return WebhookResult(result="not-needed")
    return await start_order_review(deps, store, facts, reasons, policy, delivery_id)


async def _order_cancelled(deps: ShimDeps, store: Store, order: OrderPayload) -> WebhookResult:
    return await signal_store_cancellation(
        deps, store, str(order.id), StoreCancellation(cancelled_at=order.cancelled_at)
    )
