"""Content Server answers mapped onto `connectors.errors`: what is final (rejections, conflicts,
not found, refused logins) and what is worth another attempt (server faults, throttling, transport
failures). The phrases it relies on live in `connectors.opentext.content_server_contract`."""

from __future__ import annotations

import json
from typing import Any

import httpx

from connectors.errors import (
    AuthenticationError,
    ConflictError,
    ConnectorError,
    NotFoundError,
    RateLimitedError,
    RejectedError,
    TransientError,
)
from connectors.opentext.content_server_contract import (
    ALREADY_EXISTS_PHRASE,
    DEFAULT_RETRY_AFTER_SECONDS,
    NOT_FOUND_PHRASES,
    SYSTEM,
)
from connectors.retry_after import retry_after_seconds

_MAX_MESSAGE = 300


def error_message(response: httpx.Response) -> tuple[str, object]:
    """Content Server's error text (`error`, plus `errorDetail`) and the parsed body, if JSON."""
    try:
        body: object = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        # Proxies answer with HTML pages; never echo them (or anything request-related) at length.
        return f"non-JSON answer ({response.headers.get('content-type', 'no content type')})", None
    if isinstance(body, dict) and body.get("error"):
        message = str(body["error"])
        if body.get("errorDetail"):
            message = f"{message} ({body['errorDetail']})"
        return message[:_MAX_MESSAGE], body
    return json.dumps(body)[:_MAX_MESSAGE], body


def error_for_response(response: httpx.Response, operation: str, *, login: bool = False) -> ConnectorError:
    """The connector error for a non-2xx answer. 401s reaching here are final (already re-logged)."""
    status = response.status_code
    message, details = error_message(response)
    lowered = message.lower()
    common: dict[str, Any] = {"system": SYSTEM, "operation": operation, "status_code": status, "details": details}
    if status == 429:
        retry_after = retry_after_seconds(response)
        return RateLimitedError(
            message, retry_after=DEFAULT_RETRY_AFTER_SECONDS if retry_after is None else retry_after, **common
        )
    # Name clashes come as 500 (node creation) or 400 (category already applied): final, not faults.
    if ALREADY_EXISTS_PHRASE in lowered and status in (400, 409, 500):
        return ConflictError(message, **common)
    if status == 404 or (status in (400, 500) and any(phrase in lowered for phrase in NOT_FOUND_PHRASES)):
        return NotFoundError(message, **common)
    if status >= 500 or status == 408:
        return TransientError(message, **common)
    # A refused login (bad password, unknown OTDS token) is a configuration problem.
    if status in (401, 403) or login:
        return AuthenticationError(("login refused: " if login else "") + message, **common)
    if status == 409:
        return ConflictError(message, **common)
    return RejectedError(message, **common)


def transport_error(exc: httpx.HTTPError, operation: str) -> TransientError:
    """Timeouts and connection failures: the request may or may not have reached the server."""
    kind = "timeout" if isinstance(exc, httpx.TimeoutException) else "network error"
    return TransientError(f"{kind}: {type(exc).__name__}", system=SYSTEM, operation=operation)
