"""Translation of BigCommerce answers and transport failures into `connectors.errors`.

Three error shapes reach the connector: v3 `{status, title, type, errors}`, v2 `[{status, message}]`
and B2B Edition `{code, data, meta: {message}}`. Only the service's own text is used in messages;
request headers (the access token) and bodies (customer data) never enter an exception.
"""

from __future__ import annotations

import json

import httpx

from connectors.errors import (
    AuthenticationError,
    ConflictError,
    ConnectorError,
    NotFoundError,
    RejectedError,
    TransientError,
)

_MAX_MESSAGE = 300


def _v3_message(body: dict[str, object]) -> str | None:
    title = body.get("title")
    if not isinstance(title, str) or not title:
        return None
    errors = body.get("errors")
    if isinstance(errors, dict) and errors:
        listed = "; ".join(f"{key}: {value}" for key, value in list(errors.items())[:5])
        return f"{title} ({listed})"
    detail = body.get("detail")
    return f"{title} ({detail})" if isinstance(detail, str) and detail else title


def _b2b_message(body: dict[str, object]) -> str | None:
    data = body.get("data")
    if isinstance(data, dict) and isinstance(data.get("errMsg"), str) and data["errMsg"]:
        return str(data["errMsg"])
    meta = body.get("meta")
    if isinstance(meta, dict) and isinstance(meta.get("message"), str) and meta["message"]:
        return str(meta["message"])
    return None


def service_message(response: httpx.Response) -> tuple[str, object]:
    """The human-readable error text and the parsed body (for `details`), whatever the shape."""
    try:
        body: object = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return (response.text[:_MAX_MESSAGE] or response.reason_phrase or "no error text"), None
    message: str | None = None
    if isinstance(body, list):
        # v2: `[{"status": 400, "message": "..."}]`, sometimes several entries.
        parts = [str(e.get("message")) for e in body if isinstance(e, dict) and e.get("message")]
        message = "; ".join(parts) or None
    elif isinstance(body, dict):
        message = _v3_message(body) or _b2b_message(body)
        if message is None and isinstance(body.get("message"), str):
            message = str(body["message"])
        # v3 batch answers (`{"data": [ErrorResponse, ...]}`) nest the errors one level down.
        nested = body.get("data")
        if message is None and isinstance(nested, list):
            parts = [_v3_message(e) or "" for e in nested if isinstance(e, dict)]
            message = "; ".join(p for p in parts if p) or None
    return (message or json.dumps(body))[:_MAX_MESSAGE], body


def error_for_response(response: httpx.Response, *, system: str, operation: str) -> ConnectorError:
    """The connector error for a non-2xx answer other than 429 (throttling is handled by the caller)."""
    status = response.status_code
    message, details = service_message(response)
    kind: type[ConnectorError]
    if status >= 500 or status == 408:
        kind = TransientError
    elif status in (401, 403):
        kind = AuthenticationError
    elif status == 404:
        kind = NotFoundError
    elif status == 409:
        kind = ConflictError
    else:
        kind = RejectedError  # 400 and 422 above all: the store refused this request as sent
    return kind(message, system=system, operation=operation, status_code=status, details=details)


def error_for_transport(exc: httpx.HTTPError, *, system: str, operation: str) -> TransientError:
    """Timeouts and connection failures: the request may or may not have reached the store."""
    kind = "timeout" if isinstance(exc, httpx.TimeoutException) else "network error"
    return TransientError(f"{kind}: {type(exc).__name__}", system=system, operation=operation)
