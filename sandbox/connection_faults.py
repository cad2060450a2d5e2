"""DROP_CONNECTION for every REST simulator, in one place: the response head goes out, then the
connection is cut, as a load balancer or a crashed upstream does. The client sees a protocol error
mid-response (httpx `RemoteProtocolError`), never a body, and must treat the call as "maybe done".

The rule's operation is matched against `METHOD /path` below the system's mount point, e.g.
`POST /v3/orders/*` for BigCommerce or `*` for any call. Shopify handles this fault itself.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from sandbox.faults import FaultEffect, FaultInjector

# Longest prefix first: the first match names the system.
MOUNTS = [
    ("/bigcommerce-b2b", "bigcommerce-b2b"),
    ("/bigcommerce", "bigcommerce"),
    ("/adobe-commerce", "adobe-commerce"),
    ("/opentext/otcs/cs.exe", "opentext-ecm"),
    ("/opentext/exstream", "opentext-exstream"),
    ("/opentext", "opentext-workflow"),
]


def _store_of(segments: list[str]) -> str | None:
    """The store a REST path names: BigCommerce `/stores/{hash}/...`, Adobe `/rest/{code}/...`."""
    if len(segments) > 1 and segments[0] in ("stores", "rest"):
        return segments[1]
    return None


class SimulatedConnectionDrop(Exception):
    """Raised after the response head is sent, so the server aborts the connection."""


class DropConnectionMiddleware:
    def __init__(self, app: ASGIApp, faults: FaultInjector) -> None:
        self.app = app
        self.faults = faults

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path: str = scope["path"]
            for prefix, system in MOUNTS:
                if path.startswith(prefix + "/"):
                    operation = f"{scope['method']} {path[len(prefix) :]}"
                    segments = path[len(prefix) :].strip("/").split("/")
                    if self.faults.take(
                        system, operation, {FaultEffect.DROP_CONNECTION}, store=_store_of(segments), orders=segments
                    ):
                        await send(
                            {
                                "type": "http.response.start",
                                "status": 200,
                                "headers": [(b"content-type", b"application/json"), (b"content-length", b"1024")],
                            }
                        )
                        raise SimulatedConnectionDrop(f"sandbox fault: {system} connection dropped")
                    break
        await self.app(scope, receive, send)
