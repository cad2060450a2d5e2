"""Return requests from the platforms without a `returns/request` webhook.

BigCommerce has no returns API: a storefront return form or an RMA app (a configured event source)
posts `POST /events/return-request`, signed per Standard Webhooks (see `shim.events`). The request
is validated (422 with the reasons), the order and its products are read from BigCommerce (404 for
an unknown order, 503 when the store cannot be read, so the source retries), the returned lines are
checked against the order (422 for a product not in it or more than is still returnable), and the
return's case is started once per source reference.

Adobe Commerce returns are RMAs: `shim.adobe_commerce` hands a new RMA's I/O event to
`start_adobe_return`, which reads the RMA and its order and starts the case once per RMA.
Platform reasons become policy reason codes in `routing.policy.return_reason_code`.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from fastapi import APIRouter, HTTPException, Request

from casebridge.stores import Platform, Store
from connectors.adobe_commerce.connector import AdobeCommerce
from connectors.adobe_commerce.models import Order as AdobeOrder
from connectors.adobe_commerce.models import RmaStatus
from connectors.bigcommerce.models import Order as BigCommerceOrder
from connectors.bigcommerce.models import OrderProduct
from connectors.errors import ConnectorError, NotFoundError
from routing.policy import ReturnsPolicy
from routing.return_rules import ReturnRouting, route_return
from shim import api_docs
from shim.cases import WebhookResult, case_exists, start_return_case
from shim.deps import ShimDeps
from shim.events import VerifiedDelivery, handle_event
from shim.facts import adobe_commerce as adobe_facts
from shim.facts import bigcommerce as bigcommerce_facts
from shim.facts.bigcommerce import InvalidReturnLines
from shim.return_form import ReturnRequestEvent
from workflows import return_case
from workflows.return_case import ReturnFacts

log = logging.getLogger(__name__)

router = APIRouter(tags=["events"])


RETURN_REQUEST = api_docs.Body(
    ReturnRequestEvent,
    "Two mugs back, in blue instead",
    {
        "platform": "bigcommerce",
        "store": "casebridgedemo",
        "order_id": "120",
        "lines": [{"order_product_id": 7, "quantity": 2, "reason": "wrong colour"}],
        "customer_note": "I ordered blue",
        "exchange_items": [{"sku": "MUG-BLUE", "quantity": 2, "name": "Mug, blue"}],
        "reference": "RF-2001",
    },
)


@router.post(
    "/events/return-request",
    response_model=WebhookResult,
    summary="A BigCommerce store's return form asks for a return",
    responses=api_docs.responses(WebhookResult, api_docs.RETURN_REQUEST_ANSWERS),
    openapi_extra=api_docs.request_body(
        [RETURN_REQUEST],
        *api_docs.EVENT_SOURCE_HEADERS,
        description="Signed per Standard Webhooks by a configured event source (BigCommerce has no returns API).",
    ),
)
async def return_request(request: Request) -> WebhookResult:
    """Starts the return's case once per source reference, after checking the lines against the order."""
    return await handle_event(request, ReturnRequestEvent, _return_requested)


async def _return_requested(
    deps: ShimDeps, delivery: VerifiedDelivery, event: ReturnRequestEvent, store: Store
) -> WebhookResult:
    if store.platform is not Platform.BIGCOMMERCE:
        # Shopify sends `returns/request` and Adobe Commerce RMA events: a second path would open a
        # second case for the same return.
        raise HTTPException(422, f"returns on {store.platform.value} arrive from the platform itself, not here")
    policy = returns_policy(deps, store)
    if policy is None:
        raise HTTPException(422, f"store {store.id} handles no returns (no returns policy section)")
    return_id = f"{delivery.source.name}:{event.reference}"
    case_id = return_case.KIND.case_id(store.platform.value, store.id, return_id)
    if await case_exists(deps, case_id):
        # Redelivered after its case began: the lines were checked then, and a refunded return's
        # lines are no longer returnable now, which must not turn the redelivery into a 422.
        return WebhookResult(result="duplicate", case_id=case_id)
    order, products = await _read_bigcommerce_order(deps, store, int(event.order_id))
    try:
        facts = bigcommerce_facts.return_facts(return_id, event, order, products)
    except InvalidReturnLines as err:
        raise HTTPException(422, f"invalid return lines: {err}") from err
    if policy.reads_categories:
        facts = await _with_bigcommerce_categories(deps, store, facts, products)
    if policy.reads_order_date:
        facts = facts.model_copy(update={"ordered_at": order.date_created})
    if policy.reads_order_date and policy.window_from == "shipment":
        facts = facts.model_copy(update={"shipped_at": await _bigcommerce_shipped_at(deps, store, order.id)})
    return await start_return_case(deps, store, facts, route_facts(policy, facts), policy, delivery.delivery_id)


async def _bigcommerce_shipped_at(deps: ShimDeps, store: Store, order_id: int) -> datetime | None:
    try:
        shipments = await deps.connections.bigcommerce(store.id).list_shipments(order_id)
    except ConnectorError as err:
        raise HTTPException(503, f"could not read the shipments of order {order_id} from {store.id}: {err}") from err
    return max((s.date_created for s in shipments if s.date_created is not None), default=None)


def returns_policy(deps: ShimDeps, store: Store) -> ReturnsPolicy | None:
    if store.policy_file is None:
        return None
    policy = deps.policies.get(store.policy_file).returns
    return policy if policy is not None and policy.enabled else None


def route_facts(policy: ReturnsPolicy, facts: ReturnFacts) -> ReturnRouting:
    """The policy's routing of the return as it arrives (windows are measured up to now, from the
    order date or, per the policy, from the last shipment)."""
    start = facts.shipped_at if policy.window_from == "shipment" and facts.shipped_at else facts.ordered_at
    return route_return(policy, facts.lines, facts.value, facts.currency, start, datetime.now(UTC))


# --- BigCommerce ---------------------------------------------------------------------------------


async def _read_bigcommerce_order(
    deps: ShimDeps, store: Store, order_id: int
) -> tuple[BigCommerceOrder, list[OrderProduct]]:
    client = deps.connections.bigcommerce(store.id)
    try:
        order = await client.get_order(order_id)
        products = await client.list_order_products(order_id)
    except NotFoundError as err:
        raise HTTPException(404, f"order {order_id} not found in {store.id}") from err
    except ConnectorError as err:
        raise HTTPException(503, f"could not read order {order_id} from {store.id}: {err}") from err
    if order.is_deleted:
        raise HTTPException(404, f"order {order_id} not found in {store.id} (deleted)")
    return order, products


async def _with_bigcommerce_categories(
    deps: ShimDeps, store: Store, facts: ReturnFacts, products: list[OrderProduct]
) -> ReturnFacts:
    """Each returned line's catalog category ids (`GET /v3/catalog/products/{id}`, once per
    product). A custom line, or a product deleted from the catalog since, has none."""
    client = deps.connections.bigcommerce(store.id)
    catalog_ids = {str(p.id): p.product_id for p in products}
    categories: dict[int, list[str]] = {}
    for product_id in sorted({catalog_ids[line.line_item_gid] for line in facts.lines} - {0}):
        try:
            categories[product_id] = [str(c) for c in (await client.get_product(product_id)).categories]
        except NotFoundError:
            categories[product_id] = []
        except ConnectorError as err:
            raise HTTPException(503, f"could not read product {product_id} from {store.id}: {err}") from err
    lines = [
        line.model_copy(update={"categories": categories.get(catalog_ids[line.line_item_gid], [])})
        for line in facts.lines
    ]
    return facts.model_copy(update={"lines": lines})


# --- Adobe Commerce ------------------------------------------------------------------------------


async def start_adobe_return(deps: ShimDeps, store: Store, rma_id: int, event_id: str) -> WebhookResult:
    """A new RMA (pending): read it and its order, route it by the store's returns policy."""
    policy = returns_policy(deps, store)
    if policy is None:
        return WebhookResult(result="not-needed", reasons=["the store's returns are left to staff"])
    adobe = deps.connections.adobe_commerce(store.id)
    try:
        rma = await adobe.returns.get_return(rma_id)
        order = await adobe.sales.get_order(rma.order_id)
    except NotFoundError as err:
        raise HTTPException(404, f"RMA {rma_id} or its order not found in {store.id}") from err
    except ConnectorError as err:
        raise HTTPException(503, f"could not read RMA {rma_id} from Adobe Commerce: {err}") from err
    if rma.status != RmaStatus.PENDING:
        # Its creation event came late: staff closed or decided the RMA in the meantime.
        return WebhookResult(result="ignored", reasons=[f"the RMA is {rma.status}, no longer pending"])
    facts = adobe_facts.return_facts(rma, order)
    if facts is None:
        return WebhookResult(result="ignored", reasons=["no pending items in the RMA"])
    if policy.reads_categories:
        facts = await _with_adobe_categories(adobe, store, facts, order)
    if policy.reads_order_date:
        facts = facts.model_copy(update={"ordered_at": order.placed_at})
    return await start_return_case(deps, store, facts, route_facts(policy, facts), policy, event_id)


async def _with_adobe_categories(
    adobe: AdobeCommerce, store: Store, facts: ReturnFacts, order: AdobeOrder
) -> ReturnFacts:
    """Each returned line's category names: the product's `category_links` (`GET /V1/products/{sku}`),
    each category's name (`GET /V1/categories/{id}`), every product and category read once. A product
    deleted since the order, or a category deleted since, contributes nothing."""
    sku_of = {str(item.item_id): item.sku for item in order.items}
    names: dict[int, str | None] = {}
    categories: dict[str, list[str]] = {}
    try:
        for sku in sorted({sku_of[line.line_item_gid] for line in facts.lines if line.line_item_gid in sku_of}):
            try:
                category_ids = (await adobe.catalog.get_product(sku)).category_ids
            except NotFoundError:
                category_ids = []
            for category_id in category_ids:
                if category_id not in names:
                    try:
                        names[category_id] = (await adobe.catalog.get_category(category_id)).name
                    except NotFoundError:
                        names[category_id] = None
            categories[sku] = [n for n in (names[c] for c in category_ids) if n]
    except ConnectorError as err:
        raise HTTPException(503, f"could not read the returned products from {store.id}: {err}") from err
    lines = [
        line.model_copy(update={"categories": categories.get(sku_of.get(line.line_item_gid, ""), [])})
        for line in facts.lines
    ]
    return facts.model_copy(update={"lines": lines})
