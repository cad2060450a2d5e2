"""Order routes of the simulator: v2 orders, products, addresses, shipments, statuses; v3 refunds
(quote, refund, lists), order metafields and the catalog lookup (`catalog_api`). Paths are relative
to the simulator's mount."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from sandbox.bigcommerce import catalog_api
from sandbox.bigcommerce import rendering as r
from sandbox.bigcommerce.errors import StoreError, not_found
from sandbox.bigcommerce.http_support import context_of
from sandbox.bigcommerce.orders import Event
from sandbox.bigcommerce.state import ORDER_STATUSES, OrderState

if TYPE_CHECKING:
    from sandbox.bigcommerce.simulator import BigCommerceSimulator, StoreRuntime

V2 = "/stores/{store_hash}/v2"
V3 = "/stores/{store_hash}/v3"
MAX_LIMIT = 250


def page_of(items: list[Any], page: float, limit: float) -> list[Any]:
    page_i, limit_i = max(int(page), 1), min(max(int(limit), 1), MAX_LIMIT)
    return items[(page_i - 1) * limit_i : page_i * limit_i]


def v2_list(items: list[Any]) -> Response:
    """v2 answers an empty list (or a page past the end) with 204 No Content."""
    return JSONResponse(items) if items else Response(status_code=204)


def v2_base(request: Request, store_hash: str) -> str:
    """The store's v2 root as the caller addressed it (sub-resource links point there)."""
    marker = f"/stores/{store_hash}/v2"
    url = str(request.url.replace(query=""))
    return url[: url.index(marker) + len(marker)]


def _when(raw: str | None) -> datetime | None:
    """v2 date filters accept RFC 2822 or ISO 8601; a date without a zone is UTC."""
    if not raw:
        return None
    try:
        when = datetime.fromisoformat(raw)
    except ValueError:
        try:
            when = parsedate_to_datetime(raw)
        except (TypeError, ValueError) as exc:
            raise StoreError(400, f"The date '{raw}' is not RFC 2822 or ISO 8601.") from exc
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


# `sort=` fields (the spec's list); the id breaks ties. ASSUMPTION: BigCommerce orders equal values
# by id too (not documented), and bounds of the date filters are inclusive.
_ORDER_SORT: dict[str, Callable[[OrderState], tuple[Any, ...]]] = {
    "id": lambda o: (o.id,),
    "customer_id": lambda o: (o.customer_id, o.id),
    "date_created": lambda o: (o.date_created, o.id),
    "date_modified": lambda o: (o.date_modified, o.id),
    "status_id": lambda o: (o.status_id, o.id),
    "channel_id": lambda o: (o.channel_id, o.id),
    "external_id": lambda o: (o.id,),  # the simulated orders' `external_id` is always null
}


def runtime_of(request: Request) -> StoreRuntime:
    runtime: StoreRuntime = context_of(request).store
    return runtime


def add_routes(router: APIRouter, sim: BigCommerceSimulator) -> None:
    def changed(request: Request, events: list[Event]) -> None:
        sim.emit(runtime_of(request), events)

    # -- v2 orders --------------------------------------------------------------------------------

    @router.get(V2 + "/orders", tags=["bigcommerce v2"])
    async def list_orders(
        request: Request,
        store_hash: str,
        status_id: int | None = None,
        external_order_id: str | None = None,
        customer_id: int | None = None,
        channel_id: int | None = None,
        email: str | None = None,
        min_id: int | None = None,
        max_id: int | None = None,
        min_date_created: str | None = None,
        max_date_created: str | None = None,
        min_date_modified: str | None = None,
        max_date_modified: str | None = None,
        sort: str | None = None,
        page: float = 1,
        limit: float = 50,
    ) -> Response:
        since, until = _when(min_date_modified), _when(max_date_modified)
        created_since, created_until = _when(min_date_created), _when(max_date_created)

        def wanted(o: OrderState) -> bool:
            return (
                not o.is_deleted
                and (status_id is None or o.status_id == status_id)
                and (external_order_id is None or o.external_order_id == external_order_id)
                and (customer_id is None or o.customer_id == customer_id)
                and (channel_id is None or o.channel_id == channel_id)
                and (email is None or o.billing.email == email)
                and (min_id is None or o.id >= min_id)
                and (max_id is None or o.id <= max_id)
                and (since is None or o.date_modified >= since)
                and (until is None or o.date_modified <= until)
                and (created_since is None or o.date_created >= created_since)
                and (created_until is None or o.date_created <= created_until)
            )

        field, _, direction = (sort or "id").partition(":")
        if field not in _ORDER_SORT:  # the spec check refuses it first; kept for a direct call
            raise StoreError(400, f"The sort field '{field}' is invalid.")
        orders = sorted(
            (o for o in runtime_of(request).state.orders.values() if wanted(o)),
            key=_ORDER_SORT[field],
            reverse=direction == "desc",
        )
        base = v2_base(request, store_hash)
        return v2_list([r.order_v2(o, base) for o in page_of(orders, page, limit)])

    @router.post(V2 + "/orders", tags=["bigcommerce v2"])
    async def create_order(request: Request, store_hash: str) -> JSONResponse:
        order, events = runtime_of(request).orders.create(context_of(request).json())
        changed(request, events)
        return JSONResponse(r.order_v2(order, v2_base(request, store_hash)))

    @router.get(V2 + "/orders/{order_id}", tags=["bigcommerce v2"])
    async def get_order(request: Request, store_hash: str, order_id: int) -> JSONResponse:
        order = runtime_of(request).orders.get(order_id)
        return JSONResponse(r.order_v2(order, v2_base(request, store_hash)))

    @router.put(V2 + "/orders/{order_id}", tags=["bigcommerce v2"])
    async def update_order(request: Request, store_hash: str, order_id: int) -> JSONResponse:
        body = context_of(request).json()
        if not isinstance(body, dict):
            raise StoreError(400, "The request body must be a JSON object.")
        order, events = runtime_of(request).orders.update(order_id, body)
        changed(request, events)
        return JSONResponse(r.order_v2(order, v2_base(request, store_hash)))

    @router.delete(V2 + "/orders/{order_id}", tags=["bigcommerce v2"])
    async def archive_order(request: Request, order_id: int) -> Response:
        order = runtime_of(request).orders.get(order_id)
        if not order.is_deleted:
            order.is_deleted = True
            changed(request, [Event("store/order/archived", {"type": "order", "id": order.id})])
        return Response(status_code=204)

    @router.get(V2 + "/order_statuses", tags=["bigcommerce v2"])
    async def order_statuses() -> JSONResponse:
        return JSONResponse(
            [
                {
                    "id": i,
                    "name": name,
                    "system_label": name,
                    "custom_label": name,
                    "system_description": "",
                    "order": i,
                }
                for i, name in ORDER_STATUSES.items()
            ]
        )

    @router.get(V2 + "/orders/{order_id}/products", tags=["bigcommerce v2"])
    async def order_products(request: Request, order_id: int, page: float = 1, limit: float = 50) -> Response:
        order = runtime_of(request).orders.get(order_id)
        return v2_list([r.order_product_v2(p) for p in page_of(order.products, page, limit)])

    @router.get(V2 + "/orders/{order_id}/shipping_addresses", tags=["bigcommerce v2"])
    async def shipping_addresses(
        request: Request, store_hash: str, order_id: int, page: float = 1, limit: float = 50
    ) -> Response:
        order = runtime_of(request).orders.get(order_id)
        base = v2_base(request, store_hash)
        return v2_list([r.shipping_address_v2(a, order, base) for a in page_of(order.addresses, page, limit)])

    @router.get(V2 + "/orders/{order_id}/shipments", tags=["bigcommerce v2"])
    async def list_shipments(request: Request, order_id: int, page: float = 1, limit: float = 50) -> Response:
        order = runtime_of(request).orders.get(order_id)
        return v2_list([r.shipment_v2(s, order) for s in page_of(order.shipments, page, limit)])

    @router.get(V2 + "/orders/{order_id}/shipments/{shipment_id}", tags=["bigcommerce v2"])
    async def get_shipment(request: Request, order_id: int, shipment_id: int) -> JSONResponse:
        order = runtime_of(request).orders.get(order_id)
        shipment = next((s for s in order.shipments if s.id == shipment_id), None)
        if shipment is None:
            raise not_found("shipment", shipment_id)
        return JSONResponse(r.shipment_v2(shipment, order))

    @router.post(V2 + "/orders/{order_id}/shipments", tags=["bigcommerce v2"])
    async def create_shipment(request: Request, order_id: int) -> JSONResponse:
        runtime = runtime_of(request)
        shipment, events = runtime.orders.create_shipment(order_id, context_of(request).json())
        changed(request, events)
        return JSONResponse(r.shipment_v2(shipment, runtime.orders.get(order_id)), status_code=201)

    # -- v3 payment actions -----------------------------------------------------------------------

    @router.post(V3 + "/orders/{order_id}/payment_actions/refund_quotes", tags=["bigcommerce v3"])
    async def refund_quote(request: Request, order_id: int) -> JSONResponse:
        body = context_of(request).json()
        _, total, methods = runtime_of(request).orders.quote(order_id, body.get("items") or [])
        return JSONResponse({"data": r.quote_v3(order_id, total, methods), "meta": {}}, status_code=201)

    @router.post(V3 + "/orders/{order_id}/payment_actions/refunds", tags=["bigcommerce v3"])
    async def create_refund(request: Request, order_id: int) -> JSONResponse:
        body = context_of(request).json()
        refund, events = runtime_of(request).orders.refund(
            order_id, body.get("items") or [], body.get("payments") or []
        )
        changed(request, events)
        return JSONResponse({"data": r.refund_v3(refund), "meta": {}}, status_code=201)

    @router.get(V3 + "/orders/{order_id}/payment_actions/refunds", tags=["bigcommerce v3"])
    async def order_refunds(request: Request, order_id: int) -> JSONResponse:
        refunds = runtime_of(request).orders.get(order_id).refunds
        return JSONResponse(r.v3_collection([r.refund_v3(x) for x in refunds], 1, max(len(refunds), 1), len(refunds)))

    @router.get(V3 + "/orders/payment_actions/refunds/{refund_id}", tags=["bigcommerce v3"])
    async def get_refund(request: Request, refund_id: int) -> JSONResponse:
        refund = runtime_of(request).state.refund(refund_id)
        if refund is None:
            raise not_found("refund", refund_id)
        return JSONResponse({"data": r.refund_v3(refund), "meta": {}})

    # -- v3 order metafields ----------------------------------------------------------------------

    @router.get(V3 + "/orders/{order_id}/metafields", tags=["bigcommerce v3"])
    async def list_metafields(
        request: Request,
        order_id: int,
        namespace: str | None = None,
        key: str | None = None,
        page: int = 1,
        limit: int = 50,
    ) -> JSONResponse:
        runtime = runtime_of(request)
        found = [
            m
            for m in runtime.orders.get(order_id).metafields
            if (namespace is None or m.namespace == namespace) and (key is None or m.key == key)
        ]
        items = [r.metafield_v3(m, runtime.config.client_id) for m in page_of(found, page, limit)]
        return JSONResponse(r.v3_collection(items, page, min(limit, MAX_LIMIT), len(found)))

    @router.post(V3 + "/orders/{order_id}/metafields", tags=["bigcommerce v3"])
    async def create_metafield(request: Request, order_id: int) -> JSONResponse:
        runtime = runtime_of(request)
        metafield = runtime.orders.add_metafield(order_id, context_of(request).json())
        return JSONResponse({"data": r.metafield_v3(metafield, runtime.config.client_id), "meta": {}})

    @router.get(V3 + "/orders/{order_id}/metafields/{metafield_id}", tags=["bigcommerce v3"])
    async def get_metafield(request: Request, order_id: int, metafield_id: int) -> JSONResponse:
        runtime = runtime_of(request)
        metafield = runtime.orders.metafield(order_id, metafield_id)
        return JSONResponse({"data": r.metafield_v3(metafield, runtime.config.client_id), "meta": {}})

    @router.put(V3 + "/orders/{order_id}/metafields/{metafield_id}", tags=["bigcommerce v3"])
    async def update_metafield(request: Request, order_id: int, metafield_id: int) -> JSONResponse:
        runtime = runtime_of(request)
        metafield = runtime.orders.update_metafield(order_id, metafield_id, context_of(request).json())
        return JSONResponse({"data": r.metafield_v3(metafield, runtime.config.client_id), "meta": {}})

    @router.delete(V3 + "/orders/{order_id}/metafields/{metafield_id}", tags=["bigcommerce v3"])
    async def delete_metafield(request: Request, order_id: int, metafield_id: int) -> Response:
        runtime_of(request).orders.delete_metafield(order_id, metafield_id)
        return Response(status_code=204)

    # -- v3 catalog lookup ------------------------------------------------------------------------

    # Products found by SKU, the way a caller names what it adds to an order with `PUT /v2/orders`.
    catalog_api.add_routes(router)
