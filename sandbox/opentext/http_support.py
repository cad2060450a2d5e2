"""HTTP plumbing shared by the simulator's routes: error translation, body parsing, paging checks,
token request parsing and the effects of injected faults."""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import math
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError

from sandbox.faults import FaultEffect, FaultRule
from sandbox.opentext.errors import SimulatedHttpError, api_error, gateway_fault, invalid_body

DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 1000

# Delivery faults (drop/duplicate/delay) belong to the deliverer; an API call must not spend them.
API_FAULT_EFFECTS = {
    FaultEffect.HTTP_500,
    FaultEffect.HTTP_503,
    FaultEffect.THROTTLE,
    FaultEffect.LATENCY,
    FaultEffect.USER_ERROR,
}

_Body = TypeVar("_Body", bound=BaseModel)


class WorkflowRoute(APIRoute):
    """Turns simulator errors and FastAPI's request validation into the service's own error bodies.

    A router cannot install app-level exception handlers, so the translation lives in its routes.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except SimulatedHttpError as exc:
                return JSONResponse(exc.body, status_code=exc.status_code, headers=exc.headers)
            except RequestValidationError as exc:
                problems = "; ".join(
                    f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in list(exc.errors())[:5]
                )
                return JSONResponse({"exception": f"Invalid request: {problems}", "details": problems}, 400)

        return guarded


def parse_body(model: type[_Body], raw: bytes, context: str) -> _Body:
    try:
        return model.model_validate_json(raw or b"null")
    except ValidationError as exc:
        raise invalid_body(context, exc) from exc


def check_paging(offset: int, count: int) -> None:
    if offset < 0:
        raise api_error(400, "offset must not be negative", f"offset={offset}")
    if not 1 <= count <= MAX_PAGE_SIZE:
        raise api_error(400, f"count must be between 1 and {MAX_PAGE_SIZE}", f"count={count}")


def sorted_by(items: list[Any], key: Callable[[Any], Any], order: str) -> list[Any]:
    if order not in ("asc", "desc"):
        raise api_error(400, f"Invalid order '{order}'", "Use 'asc' or 'desc'.")
    return sorted(items, key=key, reverse=order == "desc")


async def token_request_fields(request: Request) -> dict[str, str]:
    """Client-credentials fields from a JSON or form body, plus HTTP Basic client authentication."""
    fields: dict[str, str] = {}
    content_type = request.headers.get("content-type", "")
    if "application/json" in content_type:
        try:
            parsed = json.loads(await request.body() or b"{}")
        except json.JSONDecodeError:
            parsed = {}
        if isinstance(parsed, dict):
            fields = {k: v for k, v in parsed.items() if isinstance(v, str)}
    elif "form" in content_type:
        form = await request.form()
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "basic":
        try:
            client_id, _, client_secret = base64.b64decode(credentials).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            client_id = client_secret = ""
        fields.setdefault("client_id", client_id)
        fields.setdefault("client_secret", client_secret)
    return fields


async def apply_fault(rule: FaultRule) -> None:
    """Act out an injected fault the way the API gateway or the runtime would answer."""
    if rule.effect is FaultEffect.LATENCY:
        await asyncio.sleep(rule.seconds)
    elif rule.effect is FaultEffect.HTTP_500:
        raise gateway_fault(
            500, rule.message or "Internal Server Error", "messaging.adaptors.http.flow.InternalServerError"
        )
    elif rule.effect is FaultEffect.HTTP_503:
        raise gateway_fault(
            503,
            rule.message or "The Service is temporarily unavailable",
            "messaging.adaptors.http.flow.ServiceUnavailable",
        )
    elif rule.effect is FaultEffect.THROTTLE:
        retry_after = str(max(1, math.ceil(rule.seconds))) if rule.seconds else "1"
        raise gateway_fault(
            429,
            rule.message or "Rate limit quota violation. Quota limit exceeded.",
            "policies.ratelimit.QuotaViolation",
            headers={"Retry-After": retry_after},
        )
    elif rule.effect is FaultEffect.USER_ERROR:
        raise api_error(400, rule.message or "Simulated refusal")
