"""The REST routes of a simulated store (`/rest/{store_code}/V1/...`), one per simulated endpoint.

Handlers only translate HTTP to the domain modules; the guard (faults, store, auth, schema) has
already run when they are called, and left the store in `request.state.store`.
"""

# No `from __future__ import annotations` here: FastAPI evaluates the route signatures.
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from sandbox.adobe_commerce import b2b, catalog, customers, rma, sales, shipments
from sandbox.adobe_commerce.errors import MagentoError, no_such_entity
from sandbox.adobe_commerce.http_support import Guard, guarded_route_class
from sandbox.adobe_commerce.rendering import (
    cart_json,
    category_json,
    company_json,
    credit_history_json,
    credit_json,
    credit_memo_json,
    history_json,
    invoice_json,
    order_json,
    product_json,
    quote_comment_json,
    rma_json,
)
from sandbox.adobe_commerce.rendering_customers import customer_json
from sandbox.adobe_commerce.search import parse_criteria, search
from sandbox.adobe_commerce.store import Store

JSONBody = dict[str, Any]


def _store(request: Request) -> Store:
    store: Store = request.state.store
    return store


async def _json(request: Request) -> JSONBody:
    body: JSONBody = await request.json()
    return body


def _search(request: Request, rows: list[JSONBody]) -> JSONResponse:
    return JSONResponse(search(rows, parse_criteria(request.query_params.multi_items())))


def rest_router(guard: Guard) -> APIRouter:
    router = APIRouter(route_class=guarded_route_class(guard))

    @router.post("/V1/integration/admin/token")
    async def admin_token(request: Request) -> JSONResponse:
        body = await _json(request)
        return JSONResponse(_store(request).auth.issue_admin_token(body.get("username"), body.get("password")))

    # -- customers --

    @router.get("/V1/customers/{customerId}")
    async def get_customer(request: Request, customerId: int) -> JSONResponse:
        return JSONResponse(customer_json(customers.get_customer(_store(request), customerId)))

    @router.put("/V1/customers/{customerId}")
    async def save_customer(request: Request, customerId: int) -> JSONResponse:
        body = await _json(request)
        return JSONResponse(customer_json(customers.save_customer(_store(request), customerId, body["customer"])))

    # -- customer groups --

    @router.get("/V1/customerGroups/{id}")
    async def get_customer_group(request: Request, id: int) -> JSONResponse:
        code = _store(request).state.customer_groups.get(id)
        if code is None:
            raise no_such_entity("id", id)
        return JSONResponse({"id": id, "code": code, "tax_class_id": 3, "tax_class_name": "Retail Customer"})

    # -- orders --

    @router.get("/V1/orders")
    async def list_orders(request: Request) -> JSONResponse:
        return _search(request, [order_json(o) for o in _store(request).state.orders.values()])

    @router.get("/V1/orders/{id}")
    async def get_order(request: Request, id: int) -> JSONResponse:
        return JSONResponse(order_json(sales.get_order(_store(request), id)))

    @router.post("/V1/orders/{id}/hold")
    async def hold(request: Request, id: int) -> JSONResponse:
        return JSONResponse(sales.hold(_store(request), id))

    @router.post("/V1/orders/{id}/unhold")
    async def unhold(request: Request, id: int) -> JSONResponse:
        return JSONResponse(sales.unhold(_store(request), id))

    @router.post("/V1/orders/{id}/cancel")
    async def cancel(request: Request, id: int) -> JSONResponse:
        return JSONResponse(sales.cancel(_store(request), id))

    @router.post("/V1/orders/{id}/comments")
    async def add_comment(request: Request, id: int) -> JSONResponse:
        body = await _json(request)
        return JSONResponse(sales.add_comment(_store(request), id, body["statusHistory"]))

    @router.get("/V1/orders/{id}/comments")
    async def list_comments(request: Request, id: int) -> JSONResponse:
        order = sales.get_order(_store(request), id)
        items = [history_json(h) for h in order.histories]
        return JSONResponse({"items": items, "search_criteria": {"filter_groups": []}, "total_count": len(items)})

    @router.post("/V1/order/{orderId}/invoice")
    async def invoice_order(request: Request, orderId: int) -> JSONResponse:
        return JSONResponse(sales.create_invoice(_store(request), orderId, await _json_or_empty(request)))

    @router.post("/V1/order/{orderId}/refund")
    async def refund_order(request: Request, orderId: int) -> JSONResponse:
        return JSONResponse(sales.refund(_store(request), orderId, await _json_or_empty(request)))

    @router.post("/V1/invoice/{invoiceId}/refund")
    async def refund_invoice(request: Request, invoiceId: int) -> JSONResponse:
        return JSONResponse(sales.refund_invoice(_store(request), invoiceId, await _json_or_empty(request)))

    @router.get("/V1/invoices")
    async def list_invoices(request: Request) -> JSONResponse:
        return _search(request, [invoice_json(i) for i in _store(request).state.invoices.values()])

    @router.get("/V1/invoices/{id}")
    async def get_invoice(request: Request, id: int) -> JSONResponse:
        invoice = _store(request).state.invoices.get(id)
        if invoice is None:
            raise MagentoError(404, "The entity that was requested doesn't exist. Verify the entity and try again.")
        return JSONResponse(invoice_json(invoice))

    @router.get("/V1/creditmemos")
    async def list_credit_memos(request: Request) -> JSONResponse:
        return _search(request, [credit_memo_json(m) for m in _store(request).state.credit_memos.values()])

    @router.get("/V1/creditmemo/{id}")
    async def get_credit_memo(request: Request, id: int) -> JSONResponse:
        memo = _store(request).state.credit_memos.get(id)
        if memo is None:
            raise MagentoError(404, "The entity that was requested doesn't exist. Verify the entity and try again.")
        return JSONResponse(credit_memo_json(memo))

    @router.post("/V1/order/{orderId}/ship")
    async def ship_order(request: Request, orderId: int) -> JSONResponse:
        return JSONResponse(shipments.ship(_store(request), orderId, await _json_or_empty(request)))

    @router.get("/V1/shipments")
    async def list_shipments(request: Request) -> JSONResponse:
        rows = [shipments.shipment_json(s) for s in _store(request).state.shipments.values()]
        return _search(request, rows)

    @router.get("/V1/shipment/{id}")
    async def get_shipment(request: Request, id: int) -> JSONResponse:
        return JSONResponse(shipments.shipment_json(shipments.get_shipment(_store(request), id)))

    # -- returns --

    @router.post("/V1/returns")
    async def create_return(request: Request) -> JSONResponse:
        body = await _json(request)
        return JSONResponse(rma_json(rma.create_rma(_store(request), body["rmaDataObject"])))

    @router.get("/V1/returns")
    async def list_returns(request: Request) -> JSONResponse:
        return _search(request, [rma_json(r) for r in _store(request).state.rmas.values()])

    @router.get("/V1/returns/{id}")
    async def get_return(request: Request, id: int) -> JSONResponse:
        return JSONResponse(rma_json(rma.get_rma(_store(request), id)))

    @router.put("/V1/returns/{id}")
    async def update_return(request: Request, id: int) -> JSONResponse:
        body = await _json(request)
        return JSONResponse(rma_json(rma.update_rma(_store(request), id, body["rmaDataObject"])))

    # -- companies and credit --

    @router.post("/V1/company/")
    async def create_company(request: Request) -> JSONResponse:
        body = await _json(request)
        return JSONResponse(company_json(b2b.create_company(_store(request), body["company"])))

    @router.get("/V1/company/")
    async def list_companies(request: Request) -> JSONResponse:
        return _search(request, [company_json(c) for c in _store(request).state.companies.values()])

    @router.get("/V1/company/{companyId}")
    async def get_company(request: Request, companyId: int) -> JSONResponse:
        return JSONResponse(company_json(b2b.get_company(_store(request), companyId)))

    @router.put("/V1/company/{companyId}")
    async def update_company(request: Request, companyId: int) -> JSONResponse:
        body = await _json(request)
        return JSONResponse(company_json(b2b.update_company(_store(request), companyId, body["company"])))

    @router.get("/V1/companyCredits/history")
    async def credit_history(request: Request) -> JSONResponse:
        rows = [credit_history_json(h) for c in _store(request).state.credits.values() for h in c.history]
        return _search(request, rows)

    @router.get("/V1/companyCredits/company/{companyId}")
    async def credit_by_company(request: Request, companyId: int) -> JSONResponse:
        return JSONResponse(credit_json(b2b.credit_of_company(_store(request), companyId)))

    @router.get("/V1/companyCredits/{creditId}")
    async def get_credit(request: Request, creditId: int) -> JSONResponse:
        return JSONResponse(credit_json(b2b.get_credit(_store(request), creditId)))

    @router.put("/V1/companyCredits/{id}")
    async def update_credit(request: Request, id: int) -> JSONResponse:
        body = await _json(request)
        return JSONResponse(credit_json(b2b.update_credit(_store(request), id, body["creditLimit"])))

    @router.post("/V1/companyCredits/{creditId}/increaseBalance")
    async def increase_balance(request: Request, creditId: int) -> JSONResponse:
        return JSONResponse(b2b.change_balance(_store(request), creditId, await _json(request), increase=True))

    @router.post("/V1/companyCredits/{creditId}/decreaseBalance")
    async def decrease_balance(request: Request, creditId: int) -> JSONResponse:
        return JSONResponse(b2b.change_balance(_store(request), creditId, await _json(request), increase=False))

    # -- negotiable quotes --

    @router.get("/V1/carts/{cartId}")
    async def get_cart(request: Request, cartId: int) -> JSONResponse:
        store = _store(request)
        return JSONResponse(cart_json(b2b.get_cart(store, cartId), store.config.currency))

    @router.post("/V1/negotiableQuote/request")
    async def request_quote(request: Request) -> JSONResponse:
        return JSONResponse(b2b.request_quote(_store(request), await _json(request)))

    @router.post("/V1/negotiableQuote/submitToCustomer")
    async def submit_quote(request: Request) -> JSONResponse:
        return JSONResponse(b2b.submit_to_customer(_store(request), await _json(request)))

    @router.post("/V1/negotiableQuote/decline")
    async def decline_quote(request: Request) -> JSONResponse:
        return JSONResponse(b2b.decline_quote(_store(request), await _json(request)))

    @router.put("/V1/negotiableQuote/{quoteId}")
    async def update_quote(request: Request, quoteId: int) -> JSONResponse:
        body = await _json(request)
        b2b.update_quote(_store(request), quoteId, body["quote"])
        return JSONResponse([])  # a void service method

    @router.get("/V1/negotiableQuote/{quoteId}/comments")
    async def quote_comments(request: Request, quoteId: int) -> JSONResponse:
        cart = b2b.get_cart(_store(request), quoteId)
        comments = cart.negotiable.comments if cart.negotiable is not None else []
        return JSONResponse([quote_comment_json(c) for c in comments])

    # -- catalog (fixed paths before `/V1/products/{sku}`) --

    @router.post("/V1/products/base-prices")
    async def update_base_prices(request: Request) -> JSONResponse:
        body = await _json(request)
        return JSONResponse(catalog.update_base_prices(_store(request), body["prices"]))

    @router.post("/V1/products/base-prices-information")
    async def base_prices(request: Request) -> JSONResponse:
        body = await _json(request)
        return JSONResponse(catalog.base_prices(_store(request), body["skus"]))

    @router.post("/V1/products/special-price")
    async def update_special_prices(request: Request) -> JSONResponse:
        body = await _json(request)
        return JSONResponse(catalog.update_special_prices(_store(request), body["prices"]))

    @router.post("/V1/products/special-price-information")
    async def special_prices(request: Request) -> JSONResponse:
        body = await _json(request)
        return JSONResponse(catalog.special_prices(_store(request), body["skus"]))

    @router.post("/V1/products/tier-prices")
    async def add_tier_prices(request: Request) -> JSONResponse:
        body = await _json(request)
        return JSONResponse(catalog.update_tier_prices(_store(request), body["prices"], replace=False))

    @router.put("/V1/products/tier-prices")
    async def replace_tier_prices(request: Request) -> JSONResponse:
        body = await _json(request)
        return JSONResponse(catalog.update_tier_prices(_store(request), body["prices"], replace=True))

    @router.post("/V1/products/tier-prices-information")
    async def tier_prices(request: Request) -> JSONResponse:
        body = await _json(request)
        return JSONResponse(catalog.tier_prices(_store(request), body["skus"]))

    @router.get("/V1/categories/{categoryId}")
    async def get_category(request: Request, categoryId: int) -> JSONResponse:
        store = _store(request)
        category = catalog.get_category(store, categoryId)
        return JSONResponse(category_json(category, catalog.children_of(store, category.id)))

    @router.get("/V1/products/attributes/{attributeCode}/options")
    async def attribute_options(request: Request, attributeCode: str) -> JSONResponse:
        return JSONResponse(catalog.attribute_options(_store(request), attributeCode))

    @router.get("/V1/products/{sku}")
    async def get_product(request: Request, sku: str) -> JSONResponse:
        return JSONResponse(product_json(catalog.get_product(_store(request), sku)))

    @router.put("/V1/products/{sku}")
    async def update_product(request: Request, sku: str) -> JSONResponse:
        body = await _json(request)
        return JSONResponse(product_json(catalog.update_product(_store(request), sku, body["product"])))

    return router


async def _json_or_empty(request: Request) -> JSONBody:
    return await _json(request) if await request.body() else {}
