"""`BigCommerceB2BClient`: B2B Edition (`https://api-b2b.bigcommerce.com/api/v3/io`), one per store.

Companies (read, status), company credit, quotes (`/rfq`), a company's users and orders.
Answers are `{code, data, meta}`; errors carry `meta.message` (or `data.errMsg`) and map to
`connectors.errors` like the REST client (`system="bigcommerce-b2b"`).
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, SecretStr

from connectors.bigcommerce.contract import (
    B2B_HOST,
    B2B_PREFIX,
    B2B_SYSTEM,
    DEFAULT_MAX_LOCAL_WAIT_SECONDS,
    MAX_PAGES,
    PAGE_LIMIT,
    QUOTE_DATE_FORMAT,
    STORE_HASH_HEADER,
)
from connectors.bigcommerce.http import BigCommerceHttp, Params
from connectors.bigcommerce.models import (
    Company,
    CompanyCredit,
    CompanyCreditUpdate,
    CompanyOrder,
    CompanyStatus,
    CompanyUser,
    Quote,
    QuoteSummary,
)
from connectors.bigcommerce.rest import json_body, parse, parse_list, segment
from connectors.errors import ContractError
from connectors.lifecycle import Closing

_Model = TypeVar("_Model", bound=BaseModel)
ORDER_PAGE_LIMIT = 200  # `GET /orders` caps `limit` at 200 (order.yaml), below the other lists' cap


class BigCommerceB2BClient(Closing):
    def __init__(
        self,
        store_hash: str,
        access_token: SecretStr,
        *,
        base_url: str = B2B_HOST,
        timeout: float = 15.0,
        max_local_wait: float = DEFAULT_MAX_LOCAL_WAIT_SECONDS,
        transport: httpx.AsyncBaseTransport | None = None,
        page_size: int = PAGE_LIMIT,
    ) -> None:
        """`base_url` is `https://api-b2b.bigcommerce.com` or the sandbox's `http://host:port/bigcommerce-b2b`."""
        self._api = f"{base_url.rstrip('/')}{B2B_PREFIX}"
        # The B2B pagination schema caps `limit` below 250 (exclusive maximum).
        self._page_size = min(page_size, PAGE_LIMIT - 1)
        self.http = BigCommerceHttp(
            system=B2B_SYSTEM,
            access_token=access_token,
            extra_headers={STORE_HASH_HEADER: store_hash},
            timeout=timeout,
            max_local_wait=max_local_wait,
            transport=transport,
        )

    async def aclose(self) -> None:
        await self.http.aclose()

    # -- companies ------------------------------------------------------------------------------

    async def get_company(self, company_id: int) -> Company:
        data = await self._data("get_company", "GET", f"/companies/{segment(company_id)}")
        return parse(Company, data, "get_company", B2B_SYSTEM)

    async def list_companies(self, *, status: CompanyStatus | None = None, q: str | None = None) -> list[Company]:
        params: dict[str, str | int] = {}
        if status is not None:
            params["companyStatus"] = int(status)
        if q is not None:
            params["q"] = q
        items: list[Company] = []
        for _ in range(MAX_PAGES):
            body = await self._body(
                "list_companies", "GET", "/companies", params={**params, "offset": len(items), "limit": self._page_size}
            )
            data = body.get("data")
            if not isinstance(data, list):
                raise ContractError("company list without a data array", system=B2B_SYSTEM, operation="list_companies")
            items.extend(parse_list(Company, data, "list_companies", B2B_SYSTEM))
            total = ((body.get("meta") or {}).get("pagination") or {}).get("totalCount")
            if not data or total is None or len(items) >= int(total):
                return items
        raise ContractError(f"more than {MAX_PAGES} pages", system=B2B_SYSTEM, operation="list_companies")

    async def set_company_status(self, company_id: int, status: CompanyStatus) -> None:
        """Approve (1), reject (2), deactivate (3) or reset to pending (0). Idempotent."""
        await self._data(
            "set_company_status", "PUT", f"/companies/{segment(company_id)}/status", json={"companyStatus": int(status)}
        )

    # -- credit ---------------------------------------------------------------------------------

    async def get_company_credit(self, company_id: int) -> CompanyCredit:
        """400 "Store company credit is not enabled" (a `RejectedError`) when the store lacks the feature."""
        data = await self._data("get_company_credit", "GET", f"/companies/{segment(company_id)}/credit")
        return parse(CompanyCredit, data, "get_company_credit", B2B_SYSTEM)

    async def update_company_credit(self, company_id: int, update: CompanyCreditUpdate) -> CompanyCredit:
        data = await self._data(
            "update_company_credit", "PUT", f"/companies/{segment(company_id)}/credit", json=update.wire()
        )
        return parse(CompanyCredit, data, "update_company_credit", B2B_SYSTEM)

    # -- users ----------------------------------------------------------------------------------

    async def list_company_users(self, company_id: int) -> list[CompanyUser]:
        """The company's users (its admins and buyers), across all pages."""
        items: list[CompanyUser] = []
        for _ in range(MAX_PAGES):
            body = await self._body(
                "list_company_users",
                "GET",
                "/users",
                params={"companyId": company_id, "offset": len(items), "limit": self._page_size},
            )
            data = body.get("data")
            if not isinstance(data, list):
                raise ContractError("user list without a data array", system=B2B_SYSTEM, operation="list_company_users")
            items.extend(parse_list(CompanyUser, data, "list_company_users", B2B_SYSTEM))
            total = ((body.get("meta") or {}).get("pagination") or {}).get("totalCount")
            if not data or total is None or len(items) >= int(total):
                return [u for u in items if u.company_id == company_id]
        raise ContractError(f"more than {MAX_PAGES} pages", system=B2B_SYSTEM, operation="list_company_users")

    # -- orders ---------------------------------------------------------------------------------

    async def list_company_orders(
        self, company_id: int, created_from: datetime, created_to: datetime
    ) -> list[CompanyOrder]:
        """The company's orders (those its users placed) created in `[created_from, created_to)`,
        oldest first, across all pages.

        The spec does not say whether `minCreated`/`maxCreated` include their bound: the query asks
        for whole seconds around the range and the answer is cut to it here."""
        params: dict[str, str | int] = {
            "companyId": company_id,
            "minCreated": math.floor(created_from.timestamp()),
            "maxCreated": math.ceil(created_to.timestamp()),
            "sortBy": "createdAt",
            "orderBy": "ASC",
        }
        items: list[CompanyOrder] = []
        for _ in range(MAX_PAGES):
            body = await self._body(
                "list_company_orders",
                "GET",
                "/orders",
                params={**params, "offset": len(items), "limit": min(self._page_size, ORDER_PAGE_LIMIT)},
            )
            data = body.get("data")
            if not isinstance(data, list):
                raise ContractError(
                    "order list without a data array", system=B2B_SYSTEM, operation="list_company_orders"
                )
            items.extend(parse_list(CompanyOrder, data, "list_company_orders", B2B_SYSTEM))
            total = ((body.get("meta") or {}).get("pagination") or {}).get("totalCount")
            if not data or total is None or len(items) >= int(total):
                kept = [o for o in items if o.company_id == company_id and created_from <= o.created_at < created_to]
                return sorted(kept, key=lambda o: (o.created_at, o.bc_order_id))
        raise ContractError(f"more than {MAX_PAGES} pages", system=B2B_SYSTEM, operation="list_company_orders")

    # -- quotes ---------------------------------------------------------------------------------

    async def list_quotes(self, *, status: int | None = None, company: str | None = None) -> list[QuoteSummary]:
        params: dict[str, str | int] = {}
        if status is not None:
            params["status"] = status
        if company is not None:
            params["company"] = company
        items: list[QuoteSummary] = []
        for _ in range(MAX_PAGES):
            data = await self._data(
                "list_quotes", "GET", "/rfq", params={**params, "offset": len(items), "limit": self._page_size}
            )
            rows = data.get("list") if isinstance(data, dict) else None
            if not isinstance(rows, list):
                raise ContractError("quote list without data.list", system=B2B_SYSTEM, operation="list_quotes")
            items.extend(parse_list(QuoteSummary, rows, "list_quotes", B2B_SYSTEM))
            total = (data.get("pagination") or {}).get("totalCount")
            if not rows or total is None or len(items) >= int(total):
                return items
        raise ContractError(f"more than {MAX_PAGES} pages", system=B2B_SYSTEM, operation="list_quotes")

    async def get_quote(self, quote_id: int, created: date | datetime | int) -> Quote:
        """`created` is the quote's creation date (a unix timestamp as `list_quotes` reports it, or
        a date): the endpoint requires it as `date=%m/%d/%Y`."""
        when = datetime.fromtimestamp(created, UTC) if isinstance(created, int) else created
        data = await self._data(
            "get_quote", "GET", f"/rfq/{segment(quote_id)}", params={"date": when.strftime(QUOTE_DATE_FORMAT)}
        )
        return parse(Quote, data, "get_quote", B2B_SYSTEM)

    # -- plumbing -------------------------------------------------------------------------------

    async def _body(
        self, operation: str, method: str, path: str, *, params: Params | None = None, json: Any = None
    ) -> dict[str, Any]:
        response = await self.http.request(operation, method, f"{self._api}{path}", params=params, json=json)
        body = json_body(response, operation, B2B_SYSTEM)
        if not isinstance(body, dict):
            raise ContractError("B2B answer is not a JSON object", system=B2B_SYSTEM, operation=operation)
        return body

    async def _data(
        self, operation: str, method: str, path: str, *, params: Params | None = None, json: Any = None
    ) -> Any:
        return (await self._body(operation, method, path, params=params, json=json)).get("data")
