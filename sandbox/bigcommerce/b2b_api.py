"""B2B Edition routes (`/api/v3/io/...` relative to the B2B mount): companies (list, read, status),
company credit and quotes (`/rfq`). Answers are `{code, data, meta: {message}}`."""

from __future__ import annotations

import time
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from sandbox.bigcommerce import rendering as r
from sandbox.bigcommerce.errors import StoreError
from sandbox.bigcommerce.http_support import context_of
from sandbox.bigcommerce.rest_api import runtime_of
from sandbox.bigcommerce.state import CompanyState

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
