"""`/_driver/...`: the whole sandbox again, for a test driver's own calls, without injected faults.

A chaos run injects faults for Casebridge (its worker and shim call the simulators at their usual
paths). The driver, playing the customer who places an order and the reviewer who claims and
completes a task, calls under this prefix instead, so that a fault never fails the run's own
moves and the run's counts speak about Casebridge only. Deliveries its calls set off (a webhook to
the shim) are Casebridge's input and may still be faulted.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from sandbox.faults import DRIVER_CALL

DRIVER_PREFIX = "/_driver"


class DriverPrefixMiddleware:
    """Serves `/_driver/<path>` as `/<path>` with faults switched off for that request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not path.startswith(DRIVER_PREFIX + "/"):
            await self.app(scope, receive, send)
            return
        stripped = path[len(DRIVER_PREFIX) :]
        raw_path: bytes = scope.get("raw_path") or path.encode()
        scope = {**scope, "path": stripped, "raw_path": raw_path[len(DRIVER_PREFIX) :]}
        token = DRIVER_CALL.set(True)
        try:
            await self.app(scope, receive, send)
        finally:
            DRIVER_CALL.reset(token)
