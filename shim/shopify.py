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
from temporalio.client import WorkflowHandle
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from casebridge.stores import Platform, Store
from connectors.errors import ConnectorError
from connectors.shopify.webhooks import OrderPayload, verify
from routing.rules import review_reasons
from shim.cases import WebhookResult, search_attributes, static_details
from shim.deps import ShimDeps
from workflows.messages import StoreCancellation
from workflows.order_review import OrderReview, OrderReviewInput, case_id_for

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
    case_id = case_id_for(Platform.SHOPIFY.value, store.id, str(order.id))
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
    case_input = OrderReviewInput(
        case_id=case_id,
        platform=Platform.SHOPIFY.value,
        store=store.id,
        opentext_tenant=store.opentext_tenant,
        callback_url=f"{deps.callback_base_url}/callbacks/opentext/workflow?tenant={store.opentext_tenant}",
        facts=facts,
        reasons=reasons,
        policy=policy,
    )
    try:
        await deps.temporal.start_workflow(
            OrderReview.run,
            case_input,
            id=case_id,
            task_queue=deps.settings.task_queue,
            # One case per order, ever: a late redelivery after the case closed must not reopen it.
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            search_attributes=search_attributes(store, facts, policy.route.team),
            static_summary=f"Order review {facts.order_name} ({store.id})",
            static_details=static_details(facts, reasons, delivery_id),
        )
    except WorkflowAlreadyStartedError:
        return WebhookResult(result="duplicate", case_id=case_id, reasons=reasons)
    log.info("started %s (%s)", case_id, "; ".join(reasons))
    return WebhookResult(result="started", case_id=case_id, reasons=reasons)


async def _order_cancelled(deps: ShimDeps, store: Store, order: OrderPayload) -> WebhookResult:
    case_id = case_id_for(Platform.SHOPIFY.value, store.id, str(order.id))
    handle: WorkflowHandle[OrderReview, object] = deps.temporal.get_workflow_handle_for(OrderReview.run, case_id)
    try:
        await handle.signal(OrderReview.order_cancelled, StoreCancellation(cancelled_at=order.cancelled_at))
    except RPCError as err:
        if err.status is RPCStatusCode.NOT_FOUND:
            # No case for this order, or it already ended: nothing to withdraw.
            return WebhookResult(result="no-open-case", case_id=case_id)
        raise HTTPException(503, f"Temporal did not take the signal: {err.message}") from err
    return WebhookResult(result="signalled", case_id=case_id)
