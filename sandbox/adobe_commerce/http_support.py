"""Request guard of the simulated web API: faults, store, authentication, schema — in Magento's order.

Every REST route goes through `guarded_route_class(guard)`: the guard runs before the handler
(injected faults first, as a load balancer or PHP would fail before routing), and `MagentoError` /
`PlainHttpError` become the exact HTTP answers.
"""

from __future__ import annotations

import asyncio
import math
import secrets
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse
from fastapi.routing import APIRoute

from sandbox.adobe_commerce.errors import MagentoError, PlainHttpError
from sandbox.faults import FaultEffect, FaultRule

# Delivery faults (drop/duplicate/delay) belong to the deliverer; an API call must not spend them.
API_FAULT_EFFECTS = {
    FaultEffect.HTTP_500,
    FaultEffect.HTTP_503,
    FaultEffect.THROTTLE,
    FaultEffect.LATENCY,
    FaultEffect.USER_ERROR,
}

# (request, operation) -> None; raises MagentoError to refuse.
Guard = Callable[[Request, str], Awaitable[None]]


def operation_of(method: str, path_format: str) -> str:
    """`POST /V1/orders/{id}/hold` from the route template (whatever prefix it is mounted under)."""
    index = path_format.find("/V1/")
    return f"{method} {path_format[index:] if index >= 0 else path_format}"


def guarded_route_class(guard: Guard) -> type[APIRoute]:
    class MagentoRoute(APIRoute):
        def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
            handler = super().get_route_handler()
            path_format = self.path_format

            async def guarded(request: Request) -> Response:
                try:
                    await guard(request, operation_of(request.method, path_format))
                    return await handler(request)
                except MagentoError as exc:
                    return JSONResponse(exc.body, status_code=exc.status_code, headers=exc.headers)
                except PlainHttpError as exc:
                    return PlainTextResponse(exc.text, status_code=exc.status_code, headers=exc.headers)
                except RequestValidationError as exc:
                    problems = "; ".join(str(e.get("msg")) for e in list(exc.errors())[:3])
                    return JSONResponse({"message": "%1", "parameters": [problems]}, status_code=400)

            return guarded

    return MagentoRoute


async def apply_fault(rule: FaultRule) -> None:
    """Act out an injected fault the way Commerce (or the CDN in front of it) would answer."""
    if rule.effect is FaultEffect.LATENCY:
        await asyncio.sleep(rule.seconds)
    elif rule.effect is FaultEffect.HTTP_500:
        report = secrets.token_hex(16)
        raise MagentoError(
            500,
            rule.message or f"Internal Error. Details are available in Magento log file. Report ID: webapi-{report}",
        )
    elif rule.effect is FaultEffect.HTTP_503:
        raise PlainHttpError(503, rule.message or "Service Temporarily Unavailable", {"Retry-After": "1"})
    elif rule.effect is FaultEffect.THROTTLE:
        retry_after = str(max(1, math.ceil(rule.seconds))) if rule.seconds else "1"
        raise MagentoError(429, rule.message or "Too Many Requests", headers={"Retry-After": retry_after})
    elif rule.effect is FaultEffect.USER_ERROR:
        raise MagentoError(400, rule.message or "The request was refused by the sandbox (injected fault).")
