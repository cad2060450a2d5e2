"""`POST /events/fulfillment-exception`: a warehouse system reports that an order cannot ship as
planned. Signed per Standard Webhooks by a configured event source (see `shim.events`).

The report is validated (422 with the reasons), the order is read from its store (404 when the
store has no such order, 503 when the store cannot be reached, so the reporter retries), and the
order's exception case is started with the report, or, when one is already open for the order, the
report is signalled to it (signal-with-start): one case per order, never two.
"""

from __future__ import annotations

import logging
from datetime import datetime

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field

from casebridge.stores import Platform, Store
from connectors.errors import ConnectorError
from connectors.payload_bounds import NumericId, Quantity, Sku
from routing.fulfillment_policy import ExceptionType, FulfillmentExceptionPolicy
from shim import api_docs
from shim.cases import WebhookResult, case_placement, start_case, store_read_failed
from shim.deps import ShimDeps
from shim.events import StoreEvent, VerifiedDelivery, handle_event
from shim.facts import adobe_commerce as adobe_facts
from shim.facts import bigcommerce as bigcommerce_facts
from shim.facts import shopify as shopify_facts
from workflows.fulfillment_exception import (
    KIND,
    AffectedLine,
    ExceptionReport,
    FulfillmentExceptionInput,
    OrderRef,
    SupplierRef,
)

log = logging.getLogger(__name__)

router = APIRouter(tags=["events"])


class ReportedLine(BaseModel):
    """A line the warehouse cannot ship as ordered (bounded here; the case gets an `AffectedLine`)."""

    sku: Sku
    quantity: Quantity
    # What could be sent instead (the warehouse's suggestion); a reviewer may name another.
    substitute_sku: Sku | None = None


class ReportedSupplier(BaseModel):
    """The supplier behind the exception, by the warehouse's own supplier id."""

    id: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._-]+$")
    name: str = Field(min_length=1, max_length=200)


class FulfillmentExceptionEvent(StoreEvent):
    """What a warehouse system sends."""

    order_id: NumericId  # the platform's numeric order id
    exception_type: ExceptionType
    summary: str = Field(min_length=1, max_length=1000)
    lines: list[ReportedLine] = Field(default_factory=list, max_length=100)
    reference: str = Field(min_length=1, max_length=200)  # the warehouse's own exception id
    reported_at: datetime | None = None
    supplier: ReportedSupplier | None = None  # whose shortfall it is, when the warehouse knows


FULFILLMENT_EXCEPTION = api_docs.Body(
    FulfillmentExceptionEvent,
    "Two lamps short, the warehouse suggests the brass one",
    {
        "platform": "shopify",
        "store": "casebridge-demo.myshopify.com",
        "order_id": "5551234",
        "exception_type": "inventory_shortage",
        "summary": "2 x LAMP-BLK short at the Reno warehouse",
        "lines": [{"sku": "LAMP-BLK", "quantity": 2, "substitute_sku": "LAMP-BRS"}],
        "reference": "WH-EX-1042",
        "reported_at": "2025-01-01T08:00:00Z",
        "supplier": {"id": "SUP-17", "name": "Lumen Lighting Co"},
    },
)


@router.post(
    "/events/fulfillment-exception",
    response_model=WebhookResult,
    summary="A warehouse reports an order that cannot ship as planned",
    responses=api_docs.responses(WebhookResult, api_docs.FULFILLMENT_EXCEPTION_ANSWERS),
    openapi_extra=api_docs.request_body(
        [FULFILLMENT_EXCEPTION],
        *api_docs.EVENT_SOURCE_HEADERS,
        description="Signed per Standard Webhooks by a configured event source.",
    ),
)
async def fulfillment_exception(request: Request) -> WebhookResult:
    """Opens the order's fulfillment exception case, or joins the open one (one case per order)."""
    return await handle_event(request, FulfillmentExceptionEvent, _exception_reported)


async def _exception_reported(
    deps: ShimDeps, delivery: VerifiedDelivery, event: FulfillmentExceptionEvent, store: Store
) -> WebhookResult:
    policy = policy_for(deps, store)
    if policy is None or not policy.enabled:
        raise HTTPException(422, f"store {store.id} handles no fulfillment exceptions (no policy section)")
    if policy.route(event.exception_type) is None:
        raise HTTPException(422, f"store {store.id} has no route for {event.exception_type.value}")
    order = await read_order(deps, store, event.order_id)
    report = ExceptionReport(
        reference=event.reference,
        exception_type=event.exception_type,
        summary=event.summary,
        lines=[AffectedLine.model_validate(line.model_dump()) for line in event.lines],
        reported_by=delivery.source.name,
        reported_at=event.reported_at,
        supplier=SupplierRef(id=event.supplier.id, name=event.supplier.name) if event.supplier else None,
    )
    return await start_or_signal(deps, store, order, report, policy, delivery.delivery_id)


def policy_for(deps: ShimDeps, store: Store) -> FulfillmentExceptionPolicy | None:
    if store.policy_file is None:
        return None
    return deps.policies.get(store.policy_file).fulfillment_exceptions


async def read_order(deps: ShimDeps, store: Store, order_id: str) -> OrderRef:
    """The order as the store has it now: 404 when it has no such order, 503 when unreachable."""
    try:
        return await _order_ref(deps, store, order_id)
    except ConnectorError as err:
        raise store_read_failed(err, store, f"order {order_id}") from err


async def _order_ref(deps: ShimDeps, store: Store, order_id: str) -> OrderRef:
    if store.platform is Platform.SHOPIFY:
        return shopify_facts.order_ref(
            await deps.connections.shopify(store.id).get_order(f"gid://shopify/Order/{order_id}")
        )
    if store.platform is Platform.BIGCOMMERCE:
        return bigcommerce_facts.order_ref(await deps.connections.bigcommerce(store.id).get_order(int(order_id)))
    return adobe_facts.order_ref(await deps.connections.adobe_commerce(store.id).sales.get_order(int(order_id)))


async def start_or_signal(
    deps: ShimDeps,
    store: Store,
    order: OrderRef,
    report: ExceptionReport,
    policy: FulfillmentExceptionPolicy,
    delivery_id: str | None = None,
) -> WebhookResult:
    """The order's open exception case gets the report; without one, a new case starts with it."""
    case_input = FulfillmentExceptionInput(
        case_id=KIND.case_id(store.platform.value, store.id, order.order_id),
        order=order,
        report=report,
        policy=policy,
        **case_placement(deps, store, delivery_id),
    )
    result = await start_case(
        deps, KIND, case_input, reasons=[report.exception_type.value], join_args=[report], opened_by=report.reference
    )
    log.info("fulfillment exception %s for %s (%s)", report.reference, result.case_id, report.exception_type.value)
    return result
