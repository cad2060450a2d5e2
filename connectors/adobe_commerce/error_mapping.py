"""Translation of Adobe Commerce answers and transport failures into `connectors.errors`.

Magento's web API errors are `{"message": "...", "parameters": [...] | {...}}` where the message
holds `%1`-style (list) or `%name`-style (dict) placeholders; the readable text fills them in.
Only status codes and the service's own error text are used: request headers (tokens, OAuth
signatures) and bodies never enter an exception message.
"""

from __future__ import annotations

import json
import re

import httpx

from connectors.adobe_commerce.contract import DEFAULT_RETRY_AFTER_SECONDS, SYSTEM
from connectors.errors import (
    AuthenticationError,
    ConflictError,
    ConnectorError,
    NotFoundError,
    RateLimitedError,
    RejectedError,
    TransientError,
)
from connectors.retry_after import retry_after_seconds

_MAX_MESSAGE = 300
_PLACEHOLDER = re.compile(r"%(\d+|[A-Za-z_][A-Za-z0-9_]*)")


def render_message(message: str, parameters: object) -> str:
    """Fill Magento placeholders: `%1`.. from a list, `%name` from a dict (or from a list in order,
    as the price APIs do). Unknown placeholders stay as they are."""
    if isinstance(parameters, dict):
        named = {str(k): v for k, v in parameters.items()}

        def by_name(match: re.Match[str]) -> str:
            key = match.group(1)
            return str(named[key]) if key in named else match.group(0)

        return _PLACEHOLDER.sub(by_name, message)
    if isinstance(parameters, list):
        values = [str(v) for v in parameters]
        sequential = iter(values)

        def by_position(match: re.Match[str]) -> str:
            key = match.group(1)
            if key.isdigit():
                index = int(key) - 1
                return values[index] if 0 <= index < len(values) else match.group(0)
            return next(sequential, match.group(0))

        return _PLACEHOLDER.sub(by_position, message)
    return message


def service_message(response: httpx.Response) -> tuple[str, object]:
    """The readable error text and the parsed body (for `details`), whatever the shape."""
    try:
        body: object = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        text = response.text.strip()
        return (text[:_MAX_MESSAGE] or response.reason_phrase or "no error text"), None
    if isinstance(body, dict):
        message = body.get("message")
        if isinstance(message, str) and message:
            return render_message(message, body.get("parameters"))[:_MAX_MESSAGE], body
        # IMS answers `{"error", "error_description"}`.
        for key in ("error_description", "error"):
            if body.get(key):
                return str(body[key])[:_MAX_MESSAGE], body
    return json.dumps(body)[:_MAX_MESSAGE], body


def error_for_response(response: httpx.Response, operation: str, *, token_request: bool = False) -> ConnectorError:
    """The connector error for a non-2xx answer. 401s reaching here are final (already re-authenticated)."""
    status = response.status_code
    message, details = service_message(response)

    def make(kind: type[ConnectorError], text: str = message, retry_after: float | None = None) -> ConnectorError:
        return kind(
            text, system=SYSTEM, operation=operation, status_code=status, details=details, retry_after=retry_after
        )

    if status == 429:
        retry_after = retry_after_seconds(response)
        return make(RateLimitedError, retry_after=DEFAULT_RETRY_AFTER_SECONDS if retry_after is None else retry_after)
    if status >= 500 or status == 408:
        return make(TransientError, retry_after=retry_after_seconds(response))
    # A refused token request is a configuration problem (wrong user, password, client or secret).
    if status in (401, 403) or (token_request and status in (400, 404)):
        return make(AuthenticationError, ("token request refused: " if token_request else "") + message)
    if status == 404:
        return make(NotFoundError)
    if status == 409:
        return make(ConflictError)
    return make(RejectedError)


def error_for_transport(exc: httpx.HTTPError, operation: str) -> TransientError:
    """Timeouts and connection failures: the request may or may not have reached the service."""
    kind = "timeout" if isinstance(exc, httpx.TimeoutException) else "network error"
    return TransientError(f"{kind}: {type(exc).__name__}", system=SYSTEM, operation=operation)
