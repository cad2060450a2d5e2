"""Shared plumbing of the REST client: URLs, v2 bare JSON vs v3 `{data, meta}`, paging, parsing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, SecretStr, TypeAdapter, ValidationError

from connectors.bigcommerce.contract import (
    DEFAULT_MAX_LOCAL_WAIT_SECONDS,
    MAX_PAGES,
    PAGE_LIMIT,
    REST_HOST,
    STORE_PATH,
    SYSTEM,
)
from connectors.bigcommerce.http import BigCommerceHttp, Params
from connectors.errors import ContractError, contract_error

_Model = TypeVar("_Model", bound=BaseModel)


def segment(value: str | int) -> str:
    """An id as one path segment: never let a value reshape the path."""
    return quote(str(value), safe="")


def parse(model: type[_Model], data: Any, operation: str, system: str = SYSTEM) -> _Model:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise contract_error(exc, f"{model.__name__} JSON", system=system, operation=operation) from exc


def parse_list(model: type[_Model], data: Any, operation: str, system: str = SYSTEM) -> list[_Model]:
    try:
        return TypeAdapter(list[model]).validate_python(data)  # type: ignore[valid-type]
    except ValidationError as exc:
        raise contract_error(exc, f"{model.__name__} list", system=system, operation=operation) from exc


def json_body(response: httpx.Response, operation: str, system: str = SYSTEM) -> Any:
    """The decoded body; `None` for 204 (v2 answers an empty page or list with 204 No Content)."""
    if response.status_code == 204 or not response.content:
        return None
    try:
        return response.json()
    except ValueError as exc:
        raise ContractError("response is not JSON", system=system, operation=operation) from exc


class RestBase:
    """Base of `BigCommerceClient`: one `httpx.AsyncClient` per store."""

    def __init__(
        self,
        store_hash: str,
        access_token: SecretStr,
        *,
        base_url: str = REST_HOST,
        timeout: float = 15.0,
        max_local_wait: float = DEFAULT_MAX_LOCAL_WAIT_SECONDS,
        transport: httpx.AsyncBaseTransport | None = None,
        page_size: int = PAGE_LIMIT,
    ) -> None:
        """`base_url` is `https://api.bigcommerce.com` or the sandbox's `http://host:port/bigcommerce`."""
        root = f"{base_url.rstrip('/')}{STORE_PATH.format(store_hash=segment(store_hash))}"
        self.store_hash = store_hash
        self._v2 = f"{root}/v2"
        self._v3 = f"{root}/v3"
        self._page_size = min(page_size, PAGE_LIMIT)
        self.http = BigCommerceHttp(
            system=SYSTEM,
            access_token=access_token,
            timeout=timeout,
            max_local_wait=max_local_wait,
            transport=transport,
        )

    async def aclose(self) -> None:
        await self.http.aclose()

    # -- v2: bare objects and arrays --------------------------------------------------------------

    async def _v2_call(
        self, operation: str, method: str, path: str, *, params: Params | None = None, json: Any = None
    ) -> Any:
        response = await self.http.request(operation, method, f"{self._v2}{path}", params=params, json=json)
        return json_body(response, operation)

    async def _v2_list(
        self, operation: str, path: str, model: type[_Model], params: Params | None = None
    ) -> list[_Model]:
        """Every item across `page`/`limit` pages; an empty page is a 204 or `[]`."""
        items: list[_Model] = []
        for page in range(1, MAX_PAGES + 1):
            body = await self._v2_call(
                operation, "GET", path, params={**(params or {}), "page": page, "limit": self._page_size}
            )
            if body is None:
                return items
            if not isinstance(body, list):
                raise ContractError("expected a JSON array", system=SYSTEM, operation=operation)
            items.extend(parse_list(model, body, operation))
            if len(body) < self._page_size:
                return items
        raise ContractError(f"more than {MAX_PAGES} pages", system=SYSTEM, operation=operation)

    # -- v3: `{data, meta}` envelopes -------------------------------------------------------------

    async def _v3_data(
        self, operation: str, method: str, path: str, *, params: Params | None = None, json: Any = None
    ) -> Any:
        response = await self.http.request(operation, method, f"{self._v3}{path}", params=params, json=json)
        body = json_body(response, operation)
        if body is None:
            return None
        if not isinstance(body, dict) or "data" not in body:
            raise ContractError("v3 answer without `data`", system=SYSTEM, operation=operation)
        return body["data"]

    async def _v3_list(
        self,
        operation: str,
        path: str,
        model: type[_Model],
        params: Params | None = None,
        keep: Callable[[_Model], bool] | None = None,
    ) -> list[_Model]:
        """Every item across pages, following `meta.pagination` (`current_page` vs `total_pages`)."""
        items: list[_Model] = []
        for page in range(1, MAX_PAGES + 1):
            response = await self.http.request(
                operation,
                "GET",
                f"{self._v3}{path}",
                params={**(params or {}), "page": page, "limit": self._page_size},
            )
            body = json_body(response, operation)
            if body is None:
                return items
            data = body.get("data") if isinstance(body, dict) else None
            if not isinstance(data, list):
                raise ContractError("v3 list without a `data` array", system=SYSTEM, operation=operation)
            batch = parse_list(model, data, operation)
            items.extend(item for item in batch if keep is None or keep(item))
            pagination = (body.get("meta") or {}).get("pagination") or {}
            total_pages = pagination.get("total_pages")
            current = pagination.get("current_page", page)
            if not batch or total_pages is None or current >= total_pages:
                return items
        raise ContractError(f"more than {MAX_PAGES} pages", system=SYSTEM, operation=operation)
