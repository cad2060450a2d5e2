"""Cart and checkout events, handed to the cart's `AbandonedCart` case (`workflows.abandoned_cart`):
started by the first, joined by the rest. Only for stores whose policy has `abandoned_carts` and
sends letters (`communications`). An event that says the cart was paid reaches an open case only:
with none open there is nothing to stop, and no case starts for it.

The shim passes ids only: the shopper's e-mail in Shopify's checkout body is never read here.
"""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException
from temporalio.client import WorkflowHandle
from temporalio.service import RPCError, RPCStatusCode

from casebridge.stores import Store
from routing.abandoned_carts import AbandonedCartPolicy
from shim.cases import WebhookResult, case_placement, start_case
from shim.deps import ShimDeps
from workflows.abandoned_cart import JOIN_SIGNAL, KIND, AbandonedCartInput, CartEvent


def abandoned_cart_policy(deps: ShimDeps, store: Store) -> AbandonedCartPolicy | None:
    """The store's abandoned-cart policy when it sends letters; None: carts are left alone."""
    if store.policy_file is None:
        return None
    policy = deps.policies.get(store.policy_file)
    carts = policy.abandoned_carts
    if carts is None or not carts.enabled or policy.communications is None:
        return None
    return carts


async def cart_event(
    deps: ShimDeps, store: Store, cart_id: str, event: CartEvent, delivery_id: str | None
) -> WebhookResult:
    policy = abandoned_cart_policy(deps, store)
    if policy is None:
        return WebhookResult(result="ignored", reasons=["the store sends no abandoned-cart reminders"])
    case_id = KIND.case_id(store.platform.value, store.id, cart_id)
    if event.kind == "completed":
        return await _completed(deps, case_id, event)
    case_input = AbandonedCartInput(
        case_id=case_id, cart_id=cart_id, event=event, policy=policy, **case_placement(deps, store, delivery_id)
    )
    return await start_case(
        deps, KIND, case_input, reasons=[f"cart {event.kind}"], join_args=[event], opened_by=event.reference
    )


async def _completed(deps: ShimDeps, case_id: str, event: CartEvent) -> WebhookResult:
    handle: WorkflowHandle[Any, Any] = deps.temporal.get_workflow_handle(case_id)
    try:
        await handle.signal(JOIN_SIGNAL, event)
    except RPCError as err:
        if err.status is RPCStatusCode.NOT_FOUND:  # never opened, or already closed
            return WebhookResult(result="no-open-case", case_id=case_id, reasons=["cart completed"])
        raise HTTPException(503, f"Temporal did not take the signal: {err.message}") from err
    return WebhookResult(result="signalled", case_id=case_id, reasons=["cart completed"])
