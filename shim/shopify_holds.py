"""`fulfillment_orders/placed_on_hold` from Shopify: a hold placed by another app or by staff (a 3PL
out of stock, an address the carrier refuses, a payment still pending) opens the order's
fulfillment exception case, as a warehouse report would.

Casebridge's own holds (handles `casebridge-...`) are ignored, and so are reasons that are not
fulfillment exceptions (fraud risk, awaiting returned items, other). The webhook names the
fulfillment order only, so it is read first (503 when Shopify cannot be reached: it redelivers): its
order, and whether the hold is still on (a hold released before its webhook arrived opens nothing).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from casebridge.stores import Store
from connectors.errors import ConnectorError
from routing.fulfillment_policy import ExceptionType
from shim.cases import WebhookResult, store_read_failed
from shim.deps import ShimDeps
from shim.fulfillment import policy_for, read_order, start_or_signal
from workflows.fulfillment_exception import ExceptionReport

OWN_HANDLE_PREFIX = "casebridge-"

# Shopify's FulfillmentHoldReason (lower case in webhooks) -> the exception it reports.
HOLD_REASONS = {
    "inventory_out_of_stock": ExceptionType.INVENTORY_SHORTAGE,
    "incorrect_address": ExceptionType.ADDRESS_VALIDATION,
    "awaiting_payment": ExceptionType.PAYMENT_EXCEPTION,
    "unknown_delivery_date": ExceptionType.CARRIER_DELAY,
}


class _Payload(BaseModel):
    model_config = ConfigDict(extra="ignore")


class HeldFulfillmentOrder(_Payload):
    id: str = Field(pattern=r"^gid://shopify/FulfillmentOrder/[1-9][0-9]{0,18}$")


class CreatedHold(_Payload):
    id: str = Field(min_length=1, max_length=200)  # the hold's gid: what the case remembers it by
    reason: str = Field(max_length=100)
    reason_notes: str | None = Field(default=None, max_length=5000)
    handle: str | None = Field(default=None, max_length=255)


class HoldPlacedPayload(_Payload):
    fulfillment_order: HeldFulfillmentOrder
    created_fulfillment_hold: CreatedHold


async def hold_placed(deps: ShimDeps, store: Store, payload: HoldPlacedPayload) -> WebhookResult:
    hold = payload.created_fulfillment_hold
    if hold.handle and hold.handle.startswith(OWN_HANDLE_PREFIX):
        return WebhookResult(result="ignored")  # our own hold (an order review or an exception case)
    exception_type = HOLD_REASONS.get(hold.reason.lower())
    if exception_type is None:
        return WebhookResult(result="ignored")
    policy = policy_for(deps, store)
    if policy is None or not policy.enabled or policy.route(exception_type) is None:
        return WebhookResult(result="not-needed")
    try:
        held = await deps.connections.shopify(store.id).fulfillment_order_holds(payload.fulfillment_order.id)
    except ConnectorError as err:
        raise store_read_failed(err, store, f"fulfillment order {payload.fulfillment_order.id}") from err
    if hold.id not in held.hold_ids:
        # Webhooks arrive out of order: the hold was released before its webhook came. An open case
        # already has this report (it opened it); without one there is nothing left to resolve.
        return WebhookResult(result="not-needed", reasons=["the hold was released before its webhook arrived"])
    order = await read_order(deps, store, held.order_gid.rsplit("/", 1)[-1])
    report = ExceptionReport(
        reference=hold.id,  # the same hold redelivered is the same report
        exception_type=exception_type,
        summary=hold.reason_notes or f"fulfillment hold: {hold.reason.lower().replace('_', ' ')}",
        reported_by=f"shopify hold {hold.handle or hold.id}",
    )
    return await start_or_signal(deps, store, order, report, policy)
