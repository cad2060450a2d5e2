"""What every simulated BigCommerce call goes through before and after its handler.

Before: the store (path `store_hash`, or `X-Store-Hash` on B2B Edition), `X-Auth-Token`, the
store's request quota (REST only), injected faults, and the official spec (`BigCommerceContract`).
After: the `X-Rate-Limit-*` headers on every answer (errors included) and, for a LATENCY fault,
the delay. LATENCY delays the answer AFTER the work is done: the worst case for a client that times
out, since the change happened but the client never hears of it.

A router cannot install app-level exception handlers, so all of this lives in the route class.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, Protocol

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from sandbox.bigcommerce.errors import Api, StoreError

REST_MARKER = "/stores/{store_hash}"
B2B_MARKER = "/api/"


@dataclass
class CallContext:
    """Handed to each handler through `request.state.bigcommerce`."""

    store: Any  # `StoreRuntime`; typed loosely here to keep this module free of the simulator
    api: Api
    operation: str
    body: bytes
    response_headers: dict[str, str] = field(default_factory=dict)
    delay_seconds: float = 0.0

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


class Admitter(Protocol):
    """The simulator side: decides whether a call may reach its handler."""

    def admit(self, request: Request, context: CallContext, mount: str) -> Awaitable[None]: ...


def api_of(path: str) -> Api:
    if REST_MARKER in path:
        return Api.V2 if "/v2/" in path or path.endswith("/v2") else Api.V3
    return Api.B2B


def operation_of(method: str, route_path: str) -> str:
    """`METHOD /v2/orders/{order_id}` from a route path such as `/stores/{store_hash}/v2/orders/{order_id}`
    (B2B: `GET /api/v3/io/rfq`); any mount prefix in front is dropped."""
    if REST_MARKER in route_path:
        return f"{method} {route_path.partition(REST_MARKER)[2]}"
    _, marker, rest = route_path.partition(B2B_MARKER)
    return f"{method} {marker}{rest}"


def mount_of(api: Api, request_path: str) -> str:
    """Where the simulator is mounted, from the path actually requested (e.g. `/bigcommerce`)."""
    marker = B2B_MARKER if api is Api.B2B else "/stores/"
    index = request_path.find(marker)
    return request_path[:index] if index >= 0 else ""


def context_of(request: Request) -> CallContext:
    context = request.state.bigcommerce
    assert isinstance(context, CallContext)
    return context


def error_response(exc: StoreError, api: Api) -> Response:
    if exc.bare:
        return Response(status_code=exc.status, headers=exc.headers)
    return JSONResponse(exc.body(api), status_code=exc.status_for(api), headers=exc.headers)


def route_class(admitter: Admitter) -> type[APIRoute]:
    """An `APIRoute` subclass bound to one simulator."""

    class BigCommerceRoute(APIRoute):
        def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
            handler = super().get_route_handler()
            api = api_of(self.path)
            method = next(iter(sorted(self.methods or {"GET"})))
            operation = operation_of(method, self.path)

            async def guarded(request: Request) -> Response:
                context = CallContext(store=None, api=api, operation=operation, body=b"")
                request.state.bigcommerce = context
                try:
                    await admitter.admit(request, context, mount_of(api, request.url.path))
                    response = await handler(request)
                except StoreError as exc:
                    response = error_response(exc, api)
                except RequestValidationError as exc:
                    problems = "; ".join(
                        f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in list(exc.errors())[:5]
                    )
                    response = error_response(StoreError(400, f"Invalid request: {problems}"), api)
                for name, value in context.response_headers.items():
                    response.headers.setdefault(name, value)
                if context.delay_seconds:
                    await asyncio.sleep(context.delay_seconds)
                return response

            return guarded

    return BigCommerceRoute
