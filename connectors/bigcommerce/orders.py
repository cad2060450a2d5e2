"""Orders (v2), their products, addresses and shipments, and order metafields (v3).

BigCommerce has no hold, tag or idempotency-key concept: a hold is status 12 ("Manual Verification
Required"), notes are `staff_notes`, external markers are metafields, and every write that a retry
could repeat reads first (status PUTs are naturally idempotent; notes are appended only once;
metafields are upserted by namespace + key; offline orders are looked up by `external_order_id`).
"""

from __future__ import annotations

from datetime import datetime

from connectors.bigcommerce.contract import (
    METAFIELD_NAMESPACE,
    METAFIELD_PERMISSION,
    STATUS_CANCELLED,
    STATUS_HOLD,
    STATUS_RELEASE,
)
from connectors.bigcommerce.http import Params
from connectors.bigcommerce.models import (
    Metafield,
    NewShipment,
    OfflineOrder,
    Order,
    OrderCreation,
    OrderProduct,
    OrderProductAddition,
    OrderProductUpdate,
    OrderShippingAddress,
    Shipment,
)
from connectors.bigcommerce.rest import RestBase, parse, segment


class OrdersApi(RestBase):
    # -- orders ---------------------------------------------------------------------------------

    async def get_order(self, order_id: int) -> Order:
        body = await self._v2_call("get_order", "GET", f"/orders/{segment(order_id)}")
        return parse(Order, body, "get_order")

    async def list_orders(
        self,
        *,
        status_id: int | None = None,
        external_order_id: str | None = None,
        customer_id: int | None = None,
        channel_id: int | None = None,
        min_date_modified: datetime | None = None,
    ) -> list[Order]:
        """Orders matching every filter given, oldest id first, across all pages."""
        params: dict[str, str | int] = {}
        if status_id is not None:
            params["status_id"] = status_id
        if external_order_id is not None:
            params["external_order_id"] = external_order_id
        if customer_id is not None:
            params["customer_id"] = customer_id
        if channel_id is not None:
            params["channel_id"] = channel_id
        if min_date_modified is not None:
            params["min_date_modified"] = min_date_modified.isoformat()
        return await self._v2_list("list_orders", "/orders", Order, params)

    async def find_order_by_external_id(self, external_order_id: str) -> Order | None:
        matches = [
            o
            for o in await self.list_orders(external_order_id=external_order_id)
            if o.external_order_id == external_order_id  # guard against a looser server-side match
        ]
        return matches[0] if matches else None

    async def update_order(
        self,
        order_id: int,
        *,
        status_id: int | None = None,
        staff_notes: str | None = None,
        customer_message: str | None = None,
        operation: str = "update_order",
    ) -> Order:
        """`PUT /v2/orders/{id}` with only the fields given; returns the order afterwards."""
        body: dict[str, object] = {}
        if status_id is not None:
            body["status_id"] = status_id
        if staff_notes is not None:
            body["staff_notes"] = staff_notes
        if customer_message is not None:
            body["customer_message"] = customer_message
        if not body:
            raise ValueError("update_order needs at least one field to change")
        answer = await self._v2_call(operation, "PUT", f"/orders/{segment(order_id)}", json=body)
        return parse(Order, answer, operation)

    async def edit_order_products(
        self,
        order_id: int,
        *,
        updates: list[OrderProductUpdate],
        additions: list[OrderProductAddition],
        staff_notes: str | None = None,
    ) -> Order:
        """One `PUT /v2/orders/{id}` that changes order lines (by `id`) and adds catalog products
        (without one), with `staff_notes` in the same write. NOT idempotent by itself: an addition
        sent twice is two lines, so after a lost answer read the order products before sending
        again. BigCommerce clears the discounts of the lines it changes, and keeps a removed line
        listed with quantity 0."""
        body: dict[str, object] = {"products": [u.wire() for u in updates] + [a.wire() for a in additions]}
        if not body["products"]:
            raise ValueError("edit_order_products needs a line to change or add")
        if staff_notes is not None:
            body["staff_notes"] = staff_notes
        answer = await self._v2_call("edit_order_products", "PUT", f"/orders/{segment(order_id)}", json=body)
        return parse(Order, answer, "edit_order_products")

    async def set_status(self, order_id: int, status_id: int) -> Order:
        """Idempotent by nature: setting the status it already has changes nothing."""
        return await self.update_order(order_id, status_id=status_id, operation="set_status")

    async def hold_order(self, order_id: int) -> Order:
        """Status 12 (Manual Verification Required): BigCommerce's convention for "on hold"."""
        return await self.update_order(order_id, status_id=STATUS_HOLD, operation="hold_order")

    async def release_order(self, order_id: int, status_id: int = STATUS_RELEASE) -> Order:
        return await self.update_order(order_id, status_id=status_id, operation="release_order")

    async def cancel_order(self, order_id: int) -> Order:
        """Status 5. Payments are separate: refund (or void) them with the payment actions."""
        return await self.update_order(order_id, status_id=STATUS_CANCELLED, operation="cancel_order")

    async def append_staff_note(self, order_id: int, note: str) -> Order:
        """Add `note` as a line of `staff_notes` unless it is already there (a retried call)."""
        order = await self.get_order(order_id)
        if note in order.staff_notes.splitlines():
            return order
        notes = f"{order.staff_notes}\n{note}" if order.staff_notes else note
        return await self.update_order(order_id, staff_notes=notes, operation="append_staff_note")

    async def create_offline_order(self, order: OfflineOrder) -> OrderCreation:
        """`POST /v2/orders`, safe to retry: an order with the same `external_order_id` is looked up
        first and returned instead of creating a second one."""
        existing = await self.find_order_by_external_id(order.external_order_id)
        if existing is not None:
            return OrderCreation(order=existing, created=False)
        answer = await self._v2_call("create_offline_order", "POST", "/orders", json=order.wire())
        return OrderCreation(order=parse(Order, answer, "create_offline_order"), created=True)

    # -- sub-resources --------------------------------------------------------------------------

    async def list_order_products(self, order_id: int) -> list[OrderProduct]:
        return await self._v2_list("list_order_products", f"/orders/{segment(order_id)}/products", OrderProduct)

    async def list_shipping_addresses(self, order_id: int) -> list[OrderShippingAddress]:
        return await self._v2_list(
            "list_shipping_addresses", f"/orders/{segment(order_id)}/shipping_addresses", OrderShippingAddress
        )

    async def list_shipments(self, order_id: int) -> list[Shipment]:
        return await self._v2_list("list_shipments", f"/orders/{segment(order_id)}/shipments", Shipment)

    async def create_shipment(self, order_id: int, shipment: NewShipment) -> Shipment:
        """Not idempotent by itself: after a lost answer, `list_shipments` shows whether it exists."""
        answer = await self._v2_call(
            "create_shipment", "POST", f"/orders/{segment(order_id)}/shipments", json=shipment.wire()
        )
        return parse(Shipment, answer, "create_shipment")

    # -- metafields (external markers) ----------------------------------------------------------

    async def list_order_metafields(
        self, order_id: int, *, namespace: str | None = None, key: str | None = None
    ) -> list[Metafield]:
        params: Params = {k: v for k, v in (("namespace", namespace), ("key", key)) if v is not None}
        return await self._v3_list(
            "list_order_metafields", f"/orders/{segment(order_id)}/metafields", Metafield, params
        )

    async def set_order_metafield(
        self,
        order_id: int,
        key: str,
        value: str,
        *,
        namespace: str = METAFIELD_NAMESPACE,
        description: str | None = None,
    ) -> Metafield:
        """Upsert by (namespace, key): create, update a different value, or leave an equal one."""
        path = f"/orders/{segment(order_id)}/metafields"
        current = [
            m
            for m in await self.list_order_metafields(order_id, namespace=namespace, key=key)
            if m.namespace == namespace and m.key == key
        ]
        body: dict[str, object] = {
            "permission_set": current[0].permission_set if current else METAFIELD_PERMISSION,
            "namespace": namespace,
            "key": key,
            "value": value,
        }
        if description is not None:
            body["description"] = description
        if not current:
            data = await self._v3_data("set_order_metafield", "POST", path, json=body)
        elif current[0].value == value:
            return current[0]
        else:
            data = await self._v3_data("set_order_metafield", "PUT", f"{path}/{segment(current[0].id)}", json=body)
        return parse(Metafield, data, "set_order_metafield")

    async def delete_order_metafield(self, order_id: int, metafield_id: int) -> None:
        await self._v3_data(
            "delete_order_metafield", "DELETE", f"/orders/{segment(order_id)}/metafields/{segment(metafield_id)}"
        )
