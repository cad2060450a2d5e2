"""Store routes of the simulator beyond orders: customers (v3), customer groups (v2), catalog
products, price lists with records and assignments, and webhooks (`/v3/hooks`)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from sandbox.bigcommerce import rendering as r
from sandbox.bigcommerce.errors import StoreError, invalid, not_found
from sandbox.bigcommerce.http_support import context_of
from sandbox.bigcommerce.orders import Event, money
from sandbox.bigcommerce.rest_api import MAX_LIMIT, page_of, runtime_of, v2_list
from sandbox.bigcommerce.state import (
    AssignmentState,
    CustomerGroupState,
    HookState,
    PriceListState,
    PriceRecordState,
    ProductState,
    StoreState,
    now,
)

if TYPE_CHECKING:
    from sandbox.bigcommerce.simulator import BigCommerceSimulator

V2 = "/stores/{store_hash}/v2"
V3 = "/stores/{store_hash}/v3"
# PUT /v3/catalog/products/{id}: the fields the sandbox models; any other the spec allows is kept as sent.
_PRODUCT_FIELDS = (
    "name",
    "sku",
    "type",
    "description",
    "is_visible",
    "is_featured",
    "availability",
    "availability_description",
    "inventory_level",
    "categories",
    "brand_id",
)
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def csv_ints(request: Request, name: str) -> set[int] | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    try:
        return {int(v) for v in raw.split(",") if v.strip()}
    except ValueError as exc:
        raise StoreError(400, f"The filter '{name}' must be a comma-separated list of integers.") from exc


def csv_strings(request: Request, name: str) -> set[str] | None:
    raw = request.query_params.get(name)
    return None if raw is None else {v.strip() for v in raw.split(",") if v.strip()}


def paging(request: Request) -> tuple[int, int]:
    try:
        page = int(request.query_params.get("page", 1))
        limit = min(int(float(request.query_params.get("limit", 50))), MAX_LIMIT)
    except ValueError as exc:
        raise StoreError(400, "page and limit must be integers.") from exc
    return max(page, 1), max(limit, 1)


def collection(request: Request, items: list[dict[str, Any]]) -> JSONResponse:
    page, limit = paging(request)
    return JSONResponse(r.v3_collection(page_of(items, page, limit), page, limit, len(items)))


def add_routes(router: APIRouter, sim: BigCommerceSimulator) -> None:
    # -- customers (v3) ---------------------------------------------------------------------------

    @router.get(V3 + "/customers", tags=["bigcommerce v3"])
    async def list_customers(request: Request) -> JSONResponse:
        ids = csv_ints(request, "id:in")
        emails = csv_strings(request, "email:in")
        groups = csv_ints(request, "customer_group_id:in")
        customers = [
            c
            for c in sorted(runtime_of(request).state.customers.values(), key=lambda c: c.id)
            if (ids is None or c.id in ids)
            and (emails is None or c.email in emails)
            and (groups is None or c.customer_group_id in groups)
        ]
        return collection(request, [r.customer_v3(c) for c in customers])

    @router.put(V3 + "/customers", tags=["bigcommerce v3"])
    async def update_customers(request: Request) -> JSONResponse:
        runtime = runtime_of(request)
        state = runtime.state
        updates: list[dict[str, Any]] = context_of(request).json()
        for update in updates:  # all-or-nothing: check every item before changing any
            if update["id"] not in state.customers:
                raise invalid(f"Customer {update['id']} does not exist.", "id")
            group = update.get("customer_group_id")
            if group and group not in state.customer_groups:
                raise invalid(f"Customer group {group} does not exist.", "customer_group_id")
        changed = []
        for update in updates:
            customer = state.customers[update["id"]]
            for name in (
                "email",
                "first_name",
                "last_name",
                "company",
                "phone",
                "notes",
                "customer_group_id",
                "accepts_product_review_abandoned_cart_emails",
            ):
                if name in update:
                    setattr(customer, name, update[name])
            customer.date_modified = now()
            changed.append(customer)
        sim.emit(runtime, [Event("store/customer/updated", {"type": "customer", "id": c.id}) for c in changed])
        return JSONResponse({"data": [r.customer_v3(c) for c in changed], "meta": {}})

    # -- customer groups (v2) ---------------------------------------------------------------------

    @router.get(V2 + "/customer_groups", tags=["bigcommerce v2"])
    async def list_groups(request: Request, name: str | None = None, page: float = 1, limit: float = 50) -> Response:
        groups = [
            g
            for g in sorted(runtime_of(request).state.customer_groups.values(), key=lambda g: g.id)
            if name is None or g.name == name
        ]
        return v2_list([r.customer_group_v2(g) for g in page_of(groups, page, limit)])

    @router.get(V2 + "/customer_groups/{customer_group_id}", tags=["bigcommerce v2"])
    async def get_group(request: Request, customer_group_id: int) -> JSONResponse:
        group = runtime_of(request).state.customer_groups.get(customer_group_id)
        if group is None:
            raise not_found("customer group", customer_group_id)
        return JSONResponse(r.customer_group_v2(group))

    def check_group_body(body: dict[str, Any], state: StoreState, own_id: int | None) -> None:
        name = body.get("name")
        if name is not None and any(g.name == name and g.id != own_id for g in state.customer_groups.values()):
            raise StoreError(409, f"A customer group named '{name}' already exists.")
        for rule in body.get("discount_rules") or []:
            if rule.get("type") == "price_list" and rule.get("price_list_id") not in state.price_lists:
                raise invalid(f"Price list {rule.get('price_list_id')} does not exist.", "discount_rules")

    @router.post(V2 + "/customer_groups", tags=["bigcommerce v2"])
    async def create_group(request: Request) -> JSONResponse:
        runtime = runtime_of(request)
        body = context_of(request).json()
        if not body.get("name"):
            raise invalid("The field 'name' is required.", "name")
        check_group_body(body, runtime.state, None)
        group = CustomerGroupState(
            id=runtime.state.next_id("customer_group", 1),
            name=body["name"],
            is_default=bool(body.get("is_default", False)),
            category_access=body.get("category_access") or {"type": "all"},
            discount_rules=body.get("discount_rules") or [],
        )
        runtime.state.customer_groups[group.id] = group
        return JSONResponse(r.customer_group_v2(group))

    @router.put(V2 + "/customer_groups/{customer_group_id}", tags=["bigcommerce v2"])
    async def update_group(request: Request, customer_group_id: int) -> JSONResponse:
        runtime = runtime_of(request)
        group = runtime.state.customer_groups.get(customer_group_id)
        if group is None:
            raise not_found("customer group", customer_group_id)
        body = context_of(request).json()
        check_group_body(body, runtime.state, group.id)
        for name in ("name", "is_default", "category_access", "discount_rules"):
            if name in body:
                setattr(group, name, body[name])
        group.date_modified = now()
        return JSONResponse(r.customer_group_v2(group))

    # -- catalog ----------------------------------------------------------------------------------

    def product_of(request: Request, product_id: int) -> ProductState:
        product = runtime_of(request).state.products.get(product_id)
        if product is None:
            raise not_found("product", product_id)
        return product

    @router.get(V3 + "/catalog/products/{product_id}", tags=["bigcommerce v3"])
    async def get_product(request: Request, product_id: int) -> JSONResponse:
        return JSONResponse({"data": r.product_v3(product_of(request, product_id)), "meta": {}})

    @router.put(V3 + "/catalog/products/{product_id}", tags=["bigcommerce v3"])
    async def update_product(request: Request, product_id: int) -> JSONResponse:
        store = runtime_of(request)
        product = product_of(request, product_id)
        body: dict[str, Any] = context_of(request).json()
        for unique in ("name", "sku"):
            value = body.get(unique)
            if value and any(getattr(p, unique) == value and p.id != product.id for p in store.state.products.values()):
                raise StoreError(409, f"The product {unique} '{value}' is a duplicate.", errors={unique: "duplicate"})
        brand = body.get("brand_id")
        if brand and brand not in store.state.brands:
            # ASSUMPTION: an unknown brand is refused with 422 (the spec names no answer for it).
            raise invalid(f"Brand {brand} does not exist.", "brand_id")
        for name in _PRODUCT_FIELDS:
            if name in body:
                setattr(product, name, body[name])
        for name in ("price", "sale_price"):
            if name in body:
                setattr(product, name, money(body[name], name))
        product.extra.update({k: v for k, v in body.items() if k not in (*_PRODUCT_FIELDS, "price", "sale_price")})
        product.date_modified = now()
        sim.emit(store, [Event("store/product/updated", {"type": "product", "id": product.id})])
        return JSONResponse({"data": r.product_v3(product), "meta": {}})

    # -- price lists ------------------------------------------------------------------------------

    def price_list_of(request: Request, price_list_id: int) -> PriceListState:
        price_list = runtime_of(request).state.price_lists.get(price_list_id)
        if price_list is None:
            raise not_found("price list", price_list_id)
        return price_list

    @router.post(V3 + "/pricelists", tags=["bigcommerce v3"])
    async def create_price_list(request: Request) -> JSONResponse:
        state = runtime_of(request).state
        body = context_of(request).json()
        if any(p.name == body["name"] for p in state.price_lists.values()):
            raise StoreError(409, f"A price list named '{body['name']}' already exists.")
        price_list = PriceListState(state.next_id("price_list", 1), body["name"], bool(body.get("active", True)))
        state.price_lists[price_list.id] = price_list
        return JSONResponse({"data": r.price_list_v3(price_list), "meta": {}})

    @router.get(V3 + "/pricelists", tags=["bigcommerce v3"])
    async def list_price_lists(request: Request, name: str | None = None) -> JSONResponse:
        lists = [p for p in runtime_of(request).state.price_lists.values() if name is None or p.name == name]
        return collection(request, [r.price_list_v3(p) for p in sorted(lists, key=lambda p: p.id)])

    # Before `/pricelists/{price_list_id}`: the literal path must win.
    @router.post(V3 + "/pricelists/assignments", tags=["bigcommerce v3"])
    async def create_assignments(request: Request) -> Response:
        state = runtime_of(request).state
        rows: list[dict[str, Any]] = context_of(request).json()
        for row in rows:
            if row["price_list_id"] not in state.price_lists:
                raise invalid(f"Price list {row['price_list_id']} does not exist.", "price_list_id")
            group = row.get("customer_group_id")
            if group is not None and group not in state.customer_groups:
                raise invalid(f"Customer group {group} does not exist.", "customer_group_id")
            if row.get("channel_id") not in (None, 1):
                raise invalid(f"Channel {row.get('channel_id')} does not exist.", "channel_id")
            taken = any(
                a.customer_group_id == group and a.channel_id == row.get("channel_id")
                for a in state.assignments.values()
            )
            if taken:
                raise invalid(
                    "This customer group and channel already have a price list assigned.", "customer_group_id"
                )
        for row in rows:
            assignment = AssignmentState(
                state.next_id("assignment", 1),
                row["price_list_id"],
                row.get("customer_group_id"),
                row.get("channel_id"),
            )
            state.assignments[assignment.id] = assignment
        return Response(status_code=200)

    @router.get(V3 + "/pricelists/assignments", tags=["bigcommerce v3"])
    async def list_assignments(
        request: Request, price_list_id: int | None = None, customer_group_id: int | None = None
    ) -> JSONResponse:
        found = [
            a
            for a in runtime_of(request).state.assignments.values()
            if (price_list_id is None or a.price_list_id == price_list_id)
            and (customer_group_id is None or a.customer_group_id == customer_group_id)
        ]
        return collection(request, [vars(a).copy() for a in sorted(found, key=lambda a: a.id)])

    @router.get(V3 + "/pricelists/{price_list_id}", tags=["bigcommerce v3"])
    async def get_price_list(request: Request, price_list_id: int) -> JSONResponse:
        return JSONResponse({"data": r.price_list_v3(price_list_of(request, price_list_id)), "meta": {}})

    @router.put(V3 + "/pricelists/{price_list_id}/records", tags=["bigcommerce v3"])
    async def upsert_records(request: Request, price_list_id: int) -> JSONResponse:
        state = runtime_of(request).state
        price_list_of(request, price_list_id)
        rows: list[dict[str, Any]] = context_of(request).json()
        resolved: list[tuple[ProductState, dict[str, Any]]] = []
        for row in rows:  # all-or-nothing, as in strict batch mode
            variant = (
                state.variant(int(row["variant_id"]))
                if row.get("variant_id") is not None
                else state.variant_by_sku(str(row.get("sku") or ""))
            )
            if variant is None:
                raise invalid("Either a known variant_id or sku is required for every record.", "variant_id")
            if not row.get("currency"):
                raise invalid("The field 'currency' is required.", "currency")
            resolved.append((variant, row))
        for variant, row in resolved:
            currency = str(row["currency"]).lower()
            key = (price_list_id, variant.base_variant_id, currency)
            record = state.price_records.get(key) or PriceRecordState(
                price_list_id, variant.base_variant_id, variant.id, variant.sku, currency, None
            )
            for name in ("price", "sale_price", "retail_price", "map_price"):
                if row.get(name) is not None:
                    setattr(record, name, money(row[name], name))
            record.date_modified = now()
            state.price_records[key] = record
        return JSONResponse({"data": {}, "meta": {}})

    @router.get(V3 + "/pricelists/{price_list_id}/records", tags=["bigcommerce v3"])
    async def list_records(request: Request, price_list_id: int, currency: str | None = None) -> JSONResponse:
        price_list_of(request, price_list_id)
        variants = csv_ints(request, "variant_id:in")
        records = [
            rec
            for (list_id, variant_id, cur), rec in sorted(runtime_of(request).state.price_records.items())
            if list_id == price_list_id
            and (currency is None or cur == currency.lower())
            and (variants is None or variant_id in variants)
        ]
        return collection(request, [r.price_record_v3(rec) for rec in records])

    # -- webhooks ---------------------------------------------------------------------------------

    def hook_of(request: Request, webhook_id: int) -> HookState:
        hook = runtime_of(request).state.hooks.get(webhook_id)
        if hook is None:
            raise not_found("webhook", webhook_id)
        return hook

    def check_destination(destination: str) -> None:
        # BigCommerce delivers to HTTPS on port 443 only; the sandbox also allows loopback HTTP so
        # that tests and the local stack can receive without certificates.
        parts = urlsplit(destination)
        if parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in _LOOPBACK_HOSTS):
            return
        raise invalid("The destination must be an HTTPS URL.", "destination")

    @router.post(V3 + "/hooks", tags=["bigcommerce v3"])
    async def create_hook(request: Request) -> JSONResponse:
        store = runtime_of(request)
        body = context_of(request).json()
        if not str(body["scope"]).startswith("store/"):
            raise invalid(f"Unknown scope '{body['scope']}'.", "scope")
        check_destination(body["destination"])
        stamp = int(time.time())
        hook = HookState(
            id=store.state.next_id("hook", 1),
            scope=body["scope"],
            destination=body["destination"],
            is_active=bool(body.get("is_active", True)),
            headers={str(k): str(v) for k, v in (body.get("headers") or {}).items()},
            created_at=stamp,
            updated_at=stamp,
        )
        store.state.hooks[hook.id] = hook
        return JSONResponse({"data": r.hook_v3(hook, store.state), "meta": {}})

    @router.get(V3 + "/hooks", tags=["bigcommerce v3"])
    async def list_hooks(
        request: Request, scope: str | None = None, destination: str | None = None, is_active: bool | None = None
    ) -> JSONResponse:
        state = runtime_of(request).state
        hooks = [
            h
            for h in sorted(state.hooks.values(), key=lambda h: h.id)
            if (scope is None or h.scope == scope)
            and (destination is None or h.destination == destination)
            and (is_active is None or h.is_active == is_active)
        ]
        return collection(request, [r.hook_v3(h, state) for h in hooks])

    @router.get(V3 + "/hooks/{webhook_id}", tags=["bigcommerce v3"])
    async def get_hook(request: Request, webhook_id: int) -> JSONResponse:
        return JSONResponse({"data": r.hook_v3(hook_of(request, webhook_id), runtime_of(request).state), "meta": {}})

    @router.put(V3 + "/hooks/{webhook_id}", tags=["bigcommerce v3"])
    async def update_hook(request: Request, webhook_id: int) -> JSONResponse:
        hook = hook_of(request, webhook_id)
        body = context_of(request).json()
        if "destination" in body:
            check_destination(body["destination"])
            hook.destination = body["destination"]
        if "is_active" in body:
            hook.is_active = bool(body["is_active"])
        if "headers" in body:
            hook.headers = {str(k): str(v) for k, v in (body["headers"] or {}).items()}
        if "scope" in body:
            hook.scope = body["scope"]
        hook.updated_at = int(time.time())
        return JSONResponse({"data": r.hook_v3(hook, runtime_of(request).state), "meta": {}})

    @router.delete(V3 + "/hooks/{webhook_id}", tags=["bigcommerce v3"])
    async def delete_hook(request: Request, webhook_id: int) -> JSONResponse:
        hook = hook_of(request, webhook_id)
        state = runtime_of(request).state
        del state.hooks[hook.id]
        return JSONResponse({"data": r.hook_v3(hook, state), "meta": {}})
