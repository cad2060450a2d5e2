"""Error answers of the simulated Exstream services, and the route class that sends them.

Every service answers errors as `{timestamp, status, error, message, details, errorCode, path}`
(the SDK's `ExstreamErrorResponse`; sample `exstream_error.response.json`). The identity service
answers OAuth errors instead (`{"error", "error_description"}`). The numeric `errorCode` values are
inventions except 400012 (the sample's unresolved communication); they are listed here so a test or
an operator can tell the refusals apart.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Coroutine
from http import HTTPStatus
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

# -- error codes (ASSUMPTION except UNRESOLVED_COMMUNICATION) ---------------------------------------
MISSING_HEADER = 400010
INVALID_DRIVER_DATA = 400011
UNRESOLVED_COMMUNICATION = 400012  # the sample's code
DATA_SOURCE_MISMATCH = 400013
MISSING_DRIVER_FIELDS = 400014
INVALID_PARAMETER = 400015
UNKNOWN_BRAND = 400016
UNSUPPORTED_LANGUAGE = 400017
MISSING_CHANNEL_ADDRESS = 400018
UNAUTHORIZED = 401001
DOMAIN_NOT_FOUND = 404001
RESOURCE_NOT_FOUND = 404002
JOB_NOT_FOUND = 404003
SERVICE_NOT_FOUND = 404004
NOT_ACCEPTABLE = 406001
JOB_NOT_FINISHED = 409001
UNSUPPORTED_MEDIA_TYPE = 415001
TOO_MANY_REQUESTS = 429001
INTERNAL_ERROR = 500001
SERVICE_UNAVAILABLE = 503001

# The API paths start at one of these; anything before them is the sandbox's mount prefix.
_API_ROOTS = ("/design/", "/orchestration/", "/tenants/")


class ExstreamHttpError(Exception):
    """Raised anywhere in the simulator; the route turns it into the service's error answer."""

    def __init__(
        self,
        status_code: int,
        message: str,
        error_code: int,
        details: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"HTTP {status_code}: {message}")
        self.status_code = status_code
        self.message = message
        self.error_code = error_code
        self.details = details
        self.headers = headers or {}


class OAuthError(Exception):
    """An identity-service refusal: `{"error", "error_description"}`."""

    def __init__(self, status_code: int, error: str, description: str) -> None:
        super().__init__(f"HTTP {status_code}: {error}")
        self.status_code = status_code
        self.body = {"error": error, "error_description": description}


def api_path(request: Request) -> str:
    """The path as the real service sees it (without the sandbox's mount prefix)."""
    path = request.url.path
    starts = [path.find(root) for root in _API_ROOTS if root in path]
    return path[min(starts) :] if starts else path


def error_body(status_code: int, message: str, error_code: int, details: str | None, path: str) -> dict[str, object]:
    return {
        "timestamp": int(time.time() * 1000),
        "status": status_code,
        "error": HTTPStatus(status_code).phrase,
        "message": message,
        "details": details or "",
        "errorCode": error_code,
        "path": path,
    }


def error_response(request: Request, exc: ExstreamHttpError) -> JSONResponse:
    body = error_body(exc.status_code, exc.message, exc.error_code, exc.details, api_path(request))
    return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)


class ExstreamRoute(APIRoute):
    """Turns simulator errors and FastAPI's own request validation into the service's error bodies
    (a router cannot install app-level exception handlers, so the translation lives in its routes)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except ExstreamHttpError as exc:
                return error_response(request, exc)
            except OAuthError as exc:
                return JSONResponse(exc.body, status_code=exc.status_code, headers={"Cache-Control": "no-store"})
            except RequestValidationError as exc:
                problems = "; ".join(
                    f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in list(exc.errors())[:5]
                )
                invalid = ExstreamHttpError(400, f"Invalid request: {problems}", INVALID_PARAMETER, problems)
                return error_response(request, invalid)

        return guarded
