"""Store events about an order's documents (placed, shipped, invoiced, refunded, cancelled), handed to
the order's `OrderDocuments` case: started by the first, joined by the rest. Only for stores whose
policy has `order_documents` and whose orders have a workspace to file into.

The platforms' routers call `order_documents_event` beside whatever else the event means (an order
placed may also be reviewed); its answer goes into the webhook answer's `also`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from casebridge.stores import Platform, Store
from connectors.errors import ConnectorError
from routing.policy import OrderDocumentsPolicy
from shim.cases import WebhookResult, case_placement, start_case, store_read_failed
from shim.deps import ShimDeps
from workflows.order_documents import KIND, OrderChange, OrderDocumentsInput


def order_documents_policy(deps: ShimDeps, store: Store) -> OrderDocumentsPolicy | None:
    """The store's order-documents policy when its orders keep a workspace; None: nothing to do."""
    if store.policy_file is None or not deps.registry.files_documents(store):
        return None
    policy = deps.policies.get(store.policy_file).order_documents
    return policy if policy is not None and policy.enabled else None


async def order_documents_event(
    deps: ShimDeps,
    store: Store,
    order_id: str,
    event: str,
    reference: str,
    delivery_id: str | None,
    *,
    order_name: str | None = None,
    total: Decimal | None = None,
    currency: str | None = None,
) -> WebhookResult | None:
    """Start or join the order's documents case; None when the store keeps no order documents.
    Without the order's name (the event's body lacks it) the order is read: 503 when that fails."""
    policy = order_documents_policy(deps, store)
    if policy is None:
        return None
    if order_name is None:
        try:
            order_name, total, currency = await _order_summary(deps, store, order_id)
        except ConnectorError as err:
            raise store_read_failed(err, store, f"order {order_id}") from err
    change = OrderChange(event=event, reference=reference, at=datetime.now(UTC))
    case_input = OrderDocumentsInput(
        case_id=KIND.case_id(store.platform.value, store.id, order_id),
        order_id=order_id,
        order_name=order_name,
        total=total,
        currency=currency,
        change=change,
        policy=policy,
        **case_placement(deps, store, delivery_id),
    )
    return await start_case(deps, KIND, case_input, reasons=[f"order {event}"], join_args=[change], opened_by=reference)


async def _order_summary(deps: ShimDeps, store: Store, order_id: str) -> tuple[str, Decimal, str]:
    """The order's name, total and currency as the platform has them."""
    if store.platform is Platform.SHOPIFY:
        order = await deps.connections.shopify(store.id).get_order(f"gid://shopify/Order/{order_id}")
        return order.name, order.total_price.shop_money.amount, order.total_price.shop_money.currency_code
    if store.platform is Platform.BIGCOMMERCE:
        bc = await deps.connections.bigcommerce(store.id).get_order(int(order_id))
        return f"#{bc.id}", bc.total_inc_tax, bc.currency_code
    adobe = await deps.connections.adobe_commerce(store.id).sales.get_order(int(order_id))
    return f"#{adobe.increment_id}", adobe.grand_total, adobe.order_currency_code or adobe.base_currency_code or ""


def with_order_documents(answer: WebhookResult, documents: WebhookResult | None) -> WebhookResult:
    """The event's answer, naming the order documents case it also reached."""
    if documents is None or documents.case_id is None:
        return answer
    if answer.result == "ignored" and answer.case_id is None:
        return documents
    return answer.model_copy(update={"also": [*answer.also, documents.case_id]})
