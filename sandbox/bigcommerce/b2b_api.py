"""B2B Edition routes (`/api/v3/io/...` relative to the B2B mount): companies (list, read, status),
company credit, quotes (`/rfq`), company users (`/users`, read) and their orders (`/orders`, read). Answers are
`{code, data, meta: {message}}`.

An order belongs to a company when its customer is one of the company's users (B2B Edition records
the company when a company user places an order). ASSUMPTION: the sandbox looks the company up when
the order is read, so a customer made a company user later sees their earlier orders listed too (B2B
Edition needs `PUT /customers/{customerId}/orders/b2b` for that, not simulated)."""

from __future__ import annotations

import time
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from sandbox.bigcommerce import rendering as r
from sandbox.bigcommerce.errors import StoreError
from sandbox.bigcommerce.http_support import context_of
from sandbox.bigcommerce.rest_api import runtime_of
from sandbox.bigcommerce.state import CompanyState, OrderState

if TYPE_CHECKING:
    from sandbox.bigcommerce.simulator import BigCommerceSimulator

IO = "/api/v3/io"
QUOTE_DATE_FORMAT = "%m/%d/%Y"


def ok(data: Any, **meta: Any) -> JSONResponse:
    return JSONResponse({"code": 200, "data": data, "meta": {"message": "SUCCESS", **meta}})


def company_of(request: Request, company_id: int) -> CompanyState:
    company = runtime_of(request).state.companies.get(company_id)
    if company is None:
        raise StoreError(404, "Company not found.")
    return company


def credit_enabled(request: Request) -> None:
    if not runtime_of(request).config.b2b_credit_enabled:
        raise StoreError(400, "Bad Request", errors={"errMsg": "Store company credit is not enabled"})


def add_routes(router: APIRouter, sim: BigCommerceSimulator) -> None:
    @router.get(IO + "/companies", tags=["bigcommerce b2b"])
    async def list_companies(
        request: Request, limit: int = 10, offset: int = 0, companyStatus: int | None = None, q: str | None = None
    ) -> JSONResponse:
        found = [
            c
            for c in sorted(runtime_of(request).state.companies.values(), key=lambda c: c.id)
            if (companyStatus is None or c.status == companyStatus) and (q is None or q.lower() in c.name.lower())
        ]
        page = found[offset : offset + limit]
        pagination = {"limit": limit, "offset": offset, "totalCount": len(found)}
        return ok([r.company_b2b(c, group_id_as_string=False) for c in page], pagination=pagination)

    @router.get(IO + "/companies/{companyId}", tags=["bigcommerce b2b"])
    async def get_company(request: Request, companyId: int) -> JSONResponse:
        return ok(r.company_b2b(company_of(request, companyId), group_id_as_string=True))

    @router.put(IO + "/companies/{companyId}/status", tags=["bigcommerce b2b"])
    async def set_status(request: Request, companyId: int) -> JSONResponse:
        company = company_of(request, companyId)
        company.status = int(context_of(request).json()["companyStatus"])
        company.updated_at = int(time.time())
        return ok({"companyId": company.id})

    @router.get(IO + "/companies/{companyId}/credit", tags=["bigcommerce b2b"])
    async def get_credit(request: Request, companyId: int) -> JSONResponse:
        credit_enabled(request)
        return ok(r.credit_b2b(company_of(request, companyId)))

    @router.put(IO + "/companies/{companyId}/credit", tags=["bigcommerce b2b"])
    async def put_credit(request: Request, companyId: int) -> JSONResponse:
        credit_enabled(request)
        company = company_of(request, companyId)
        body: dict[str, Any] = context_of(request).json()
        credit = company.credit
        credit.enabled = bool(body.get("creditEnabled", credit.enabled))
        credit.currency = str(body.get("creditCurrency", credit.currency))
        if "availableCredit" in body:
            credit.available = Decimal(str(body["availableCredit"]))
        credit.limit_purchases = bool(body.get("limitPurchases", credit.limit_purchases))
        credit.hold = bool(body.get("creditHold", credit.hold))
        company.updated_at = int(time.time())
        return ok(r.credit_b2b(company))

    @router.get(IO + "/orders", tags=["bigcommerce b2b"])
    async def list_orders(
        request: Request,
        limit: int = 10,
        offset: int = 0,
        companyId: int | None = None,
        minCreated: int | None = None,
        maxCreated: int | None = None,
        minModified: int | None = None,
        maxModified: int | None = None,
        sortBy: str = "updatedAt",
        orderBy: str = "DESC",
    ) -> JSONResponse:
        """Sorted by `sortBy` (`createdAt`, `updatedAt`), `orderBy` (`DESC` by default). The spec's
        default window ("orders created or updated in the last year") applies only when no date
        bound is given. ASSUMPTION: `min*` bounds are inclusive and `max*` bounds exclusive; orders
        of no company (B2C, guests) are listed with `companyId` 0."""
        state = runtime_of(request).state
        bounded = any(v is not None for v in (minCreated, maxCreated, minModified, maxModified))
        year_ago = int(time.time()) - 365 * 24 * 3600

        def company_of_order(order: OrderState) -> int:
            return state.company_of_customer(order.customer_id)

        def listed(order: OrderState) -> bool:
            created, modified = int(order.date_created.timestamp()), int(order.date_modified.timestamp())
            return (
                not order.is_deleted
                and (companyId is None or company_of_order(order) == companyId)
                and (bounded or max(created, modified) >= year_ago)
                and (minCreated is None or created >= minCreated)
                and (maxCreated is None or created < maxCreated)
                and (minModified is None or modified >= minModified)
                and (maxModified is None or modified < maxModified)
            )

        found = sorted(
            (o for o in state.orders.values() if listed(o)),
            key=lambda o: (o.date_created if sortBy == "createdAt" else o.date_modified, o.id),
            reverse=orderBy == "DESC",
        )
        page = [r.order_b2b(o, company_of_order(o)) for o in found[offset : offset + limit]]
        return ok(page, pagination={"totalCount": len(found), "limit": limit, "offset": offset})

    @router.get(IO + "/users", tags=["bigcommerce b2b"])
    async def list_users(
        request: Request,
        limit: int = 10,
        offset: int = 0,
        companyId: int | None = None,
        roles: Annotated[list[int] | None, Query()] = None,
        email: str | None = None,
    ) -> JSONResponse:
        """Oldest first. ASSUMPTION: the sandbox applies the `companyId`, `roles` and `email` filters;
        the others the spec lists (dates, channel, `q`) are accepted and not applied."""
        state = runtime_of(request).state
        found = [
            u
            for u in sorted(state.company_users.values(), key=lambda u: u.id)
            if (companyId is None or u.company_id == companyId)
            and (roles is None or u.role in roles)
            and (email is None or state.customers[u.customer_id].email.lower() == email.lower())
        ]
        page = [r.user_b2b(u, state.customers[u.customer_id]) for u in found[offset : offset + limit]]
        return ok(page, pagination={"totalCount": len(found), "limit": limit, "offset": offset})

    @router.get(IO + "/rfq", tags=["bigcommerce b2b"])
    async def list_quotes(
        request: Request, offset: int = 0, limit: int = 10, status: int | None = None, company: str | None = None
    ) -> JSONResponse:
        found = [
            q
            for q in sorted(runtime_of(request).state.rfqs.values(), key=lambda q: q.id)
            if (status is None or q.status == status) and (company is None or q.company_name == company)
        ]
        rows = [r.rfq_summary_b2b(q) for q in found[offset : offset + limit]]
        return ok({"list": rows, "pagination": {"totalCount": len(found), "offset": offset, "limit": limit}})

    @router.get(IO + "/rfq/{quote_id}", tags=["bigcommerce b2b"])
    async def get_quote(request: Request, quote_id: int, date: str) -> JSONResponse:
        try:
            datetime.strptime(date, QUOTE_DATE_FORMAT)
        except ValueError as exc:
            raise StoreError(400, "The date must use the %m/%d/%Y format.") from exc
        rfq = runtime_of(request).state.rfqs.get(quote_id)
        if rfq is None:
            raise StoreError(404, "Quote not found.")
        return ok(r.rfq_detail_b2b(rfq))
