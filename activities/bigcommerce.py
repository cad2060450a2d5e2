"""BigCommerce activities. They run on the store's own task queue when the store has an
`activities_per_second` quota (see `casebridge.stores.store_task_queue`), so the store's request
quota holds however many worker processes run."""

from __future__ import annotations

from temporalio import activity

from activities.errors import translate_errors
from activities.models import (
    BigCommerceNoteRequest,
    BigCommerceOrderRequest,
    BigCommerceOrderState,
    BigCommerceStatusRequest,
)
from casebridge.connections import Connections
from connectors.bigcommerce.models import Order


def _state(order: Order) -> BigCommerceOrderState:
    return BigCommerceOrderState(order_id=order.id, status_id=order.status_id, status=order.status)


class BigCommerceActivities:
    def __init__(self, connections: Connections) -> None:
        self._connections = connections

    @activity.defn(name="bigcommerce.get_order")
    @translate_errors
    async def get_order(self, request: BigCommerceOrderRequest) -> BigCommerceOrderState:
        return _state(await self._connections.bigcommerce(request.store).get_order(request.order_id))

    @activity.defn(name="bigcommerce.set_status")
    @translate_errors
    async def set_status(self, request: BigCommerceStatusRequest) -> BigCommerceOrderState:
        """Hold (12), release (the status before the hold) or cancel (5): idempotent by nature."""
        client = self._connections.bigcommerce(request.store)
        return _state(await client.set_status(request.order_id, request.status_id))

    @activity.defn(name="bigcommerce.append_staff_note")
    @translate_errors
    async def append_staff_note(self, request: BigCommerceNoteRequest) -> None:
        await self._connections.bigcommerce(request.store).append_staff_note(request.order_id, request.note)
