"""`GET /v3/catalog/products`: the catalog listing with the filters that find products by id, SKU
or name (a caller that names a product by SKU, e.g. to add it to an order, looks it up here); and
`GET /v3/catalog/brands/{brand_id}`, the brand a product's `brand_id` names (brands are made in the
control panel: the sandbox admin seeds them).

`sku` matches a product's main SKU exactly, as the spec says (variant SKUs are `/catalog/variants`,
which the sandbox does not serve: its products have only their base variant). Filters the spec allows
but the sandbox does not model are refused (400) rather than ignored, so a caller never mistakes an
unfiltered list for a filtered one."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from sandbox.bigcommerce import rendering as r
from sandbox.bigcommerce.errors import StoreError, not_found
from sandbox.bigcommerce.http_support import context_of
from sandbox.bigcommerce.state import ProductState

V3 = "/stores/{store_hash}/v3"
MAX_LIMIT = 250
_FILTERS = frozenset({"id", "id:in", "sku", "sku:in", "name"})
_PAGING = frozenset({"page", "limit"})


def _csv(raw: str) -> set[str]:
    return {v.strip() for v in raw.split(",") if v.strip()}


def _ids(raw: str, name: str) -> set[int]:
    try:
        return {int(v) for v in _csv(raw)}
    except ValueError as exc:
        raise StoreError(400, f"The filter '{name}' must be a comma-separated list of integers.") from exc


def _wanted(request: Request) -> list[ProductState]:
    params = request.query_params
    unsimulated = sorted(set(params) - _FILTERS - _PAGING)
    if unsimulated:
        raise StoreError(400, f"sandbox: product filters {', '.join(unsimulated)} are not simulated.")
    ids = _ids(params["id"], "id") if "id" in params else None
    if "id:in" in params:
        listed = _ids(params["id:in"], "id:in")
        ids = listed if ids is None else ids & listed
    skus = _csv(params["sku:in"]) if "sku:in" in params else None
    if "sku" in params:
        skus = {params["sku"]} if skus is None else skus & {params["sku"]}
    name = params.get("name")
    products = sorted(context_of(request).store.state.products.values(), key=lambda p: p.id)
    return [
        p
        for p in products
        if (ids is None or p.id in ids) and (skus is None or p.sku in skus) and (name is None or p.name == name)
    ]


def add_routes(router: APIRouter) -> None:
    @router.get(V3 + "/catalog/products", tags=["bigcommerce v3"])
    async def list_products(request: Request) -> JSONResponse:
        try:
            page = max(int(request.query_params.get("page", 1)), 1)
            limit = min(max(int(request.query_params.get("limit", 50)), 1), MAX_LIMIT)
        except ValueError as exc:
            raise StoreError(400, "page and limit must be integers.") from exc
        found = _wanted(request)
        shown = found[(page - 1) * limit : page * limit]
        items = [r.product_v3(p) | {"channels": [1]} for p in shown]
        return JSONResponse(r.v3_collection(items, page, limit, len(found)))

    @router.get(V3 + "/catalog/brands/{brand_id}", tags=["bigcommerce v3"])
    async def get_brand(request: Request, brand_id: int) -> JSONResponse:
        brand = context_of(request).store.state.brands.get(brand_id)
        if brand is None:
            raise not_found("brand", brand_id)
        return JSONResponse({"data": r.brand_v3(brand), "meta": {}})
