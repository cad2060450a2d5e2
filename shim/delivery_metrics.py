"""Counts every delivery to the shim's signed endpoints (`/webhooks`, `/callbacks`, `/events`) by
endpoint, result (`accepted` or `refused`) and the reason of a refusal, read from the answer's status
(the shim answers every signed endpoint alike, README "What the shim answers"). A plain ASGI
middleware: it sees the status without buffering a body."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from casebridge.metrics import record_webhook_delivery

# The ASGI interface, spelled out: production code imports no starlette of its own (FastAPI's).
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

SIGNED_PREFIXES = ("/webhooks/", "/callbacks/", "/events/")
REFUSAL_REASONS = {
    400: "not_json",
    401: "invalid_signature",
    403: "source_not_allowed",
    404: "not_found",
    405: "method_not_allowed",
    409: "decision_refused",
    413: "too_large",
    422: "invalid",
    503: "unavailable",
}


def refusal_reason(status: int) -> str:
    return REFUSAL_REASONS.get(status, "server_error" if status >= 500 else f"http_{status}")


class DeliveryMetrics:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not path.startswith(SIGNED_PREFIXES):
            await self.app(scope, receive, send)
            return
        status = 500  # an exception before any answer: the server answers 500

        async def send_counting(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_counting)
        finally:
            # The route the router matched (it notes it in the scope); anything not routed is one
            # label, so strangers cannot add series.
            endpoint = str(getattr(scope.get("route"), "path", "unrouted"))
            if status < 400:
                record_webhook_delivery(endpoint, "accepted", "")
            else:
                record_webhook_delivery(endpoint, "refused", refusal_reason(status))
