"""Translation of Workflow Service answers and transport failures into `connectors.errors`.

Only status codes and the service's own error text are used; request headers (tokens) and bodies
(which may hold customer data) never enter an exception message.
"""

from __future__ import annotations

import json

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
from connectors.opentext.contract import DEFAULT_RETRY_AFTER_SECONDS, SYSTEM
from connectors.retry_after import retry_after_seconds

_MAX_MESSAGE = 300


def service_message(response: httpx.Response) -> tuple[str, object]:
    """The human-readable error text and the parsed body (for `details`), whatever the shape.

    Shapes: runtime `{"exception", "details"}`, gateway `{"fault": {"faultstring", ...}}`,
    identity `{"error", "error_description"}`; anything else is shown as (truncated) text.
    """
    try:
        body: object = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return (response.text[:_MAX_MESSAGE] or response.reason_phrase or "no error text"), None
    if isinstance(body, dict):
        fault = body.get("fault")
        if isinstance(fault, dict) and fault.get("faultstring"):
            return str(fault["faultstring"]), body
        for key in ("exception", "error_description", "message", "error"):
            if body.get(key):
                return str(body[key])[:_MAX_MESSAGE], body
    return json.dumps(body)[:_MAX_MESSAGE], body


def error_for_response(response: httpx.Response, operation: str, *, token_request: bool = False) -> ConnectorError:
    """The connector error for a non-2xx answer. 401s reaching here are final (already refreshed)."""
    status = response.status_code
    message, details = service_message(response)
    if status == 429:
        retry_after = retry_after_seconds(response)
        return RateLimitedError(
            message,
            system=SYSTEM,
            operation=operation,
            status_code=status,
            details=details,
            retry_after=retry_after if retry_after is not None else DEFAULT_RETRY_AFTER_SECONDS,
        )
    if status >= 500 or status == 408:
        return TransientError(message, system=SYSTEM, operation=operation, status_code=status, details=details)
    # Any refusal of the token request is a configuration problem (wrong client, secret or tenant).
    if status in (401, 403) or token_request:
        prefix = "token request refused: " if token_request else ""
        return AuthenticationError(
            prefix + message, system=SYSTEM, operation=operation, status_code=status, details=details
        )
    if status == 404:
        return NotFoundError(message, system=SYSTEM, operation=operation, status_code=status, details=details)
    if status == 409:
        return ConflictError(message, system=SYSTEM, operation=operation, status_code=status, details=details)
    return RejectedError(message, system=SYSTEM, operation=operation, status_code=status, details=details)


def error_for_transport(exc: httpx.HTTPError, operation: str) -> TransientError:
    """Timeouts and connection failures: the request may or may not have reached the service."""
    kind = "timeout" if isinstance(exc, httpx.TimeoutException) else "network error"
    return TransientError(f"{kind}: {type(exc).__name__}", system=SYSTEM, operation=operation)
