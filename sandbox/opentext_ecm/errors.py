"""Error answers of the simulated Content Server: `{"error": "..."}` with the server's status codes,
or an HTML page where a proxy in front of it would answer (gateway faults)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.routing import APIRoute


class SimulatedCsError(Exception):
    """Raised anywhere in the simulator; the route class turns it into this exact HTTP answer."""

    def __init__(
        self, status_code: int, message: str, *, headers: dict[str, str] | None = None, html: bool = False
    ) -> None:
        super().__init__(f"HTTP {status_code}: {message}")
        self.status_code = status_code
        self.message = message
        self.headers = headers or {}
        self.html = html

    def response(self) -> Response:
        if self.html:
            page = f"<html><head><title>{self.status_code}</title></head><body><h1>{self.message}</h1></body></html>"
            return HTMLResponse(page, status_code=self.status_code, headers=self.headers)
        return JSONResponse({"error": self.message}, status_code=self.status_code, headers=self.headers)


def cs_error(status_code: int, message: str) -> SimulatedCsError:
    return SimulatedCsError(status_code, message)


def node_missing(node_id: int | str) -> SimulatedCsError:
    # The 2.0.2 spec documents 400 (not 404) for nodes that do not exist or cannot be seen.
    return SimulatedCsError(400, f"Could not get a node for {node_id}.")


def name_clash(name: str) -> SimulatedCsError:
    # Documented as HTTP 500 for createNode2; clients must read the text, not the status.
    return SimulatedCsError(500, f"An item with the name '{name}' already exists.")


def authentication_required(reason: str = "Authentication Required") -> SimulatedCsError:
    return SimulatedCsError(401, reason)


class ContentServerRoute(APIRoute):
    """Translates simulator errors (and FastAPI's own validation) into Content Server's error body.

    A router cannot install app-level exception handlers, so the translation lives in its routes.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except SimulatedCsError as exc:
                return exc.response()
            except RequestValidationError as exc:
                problems = "; ".join(
                    f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in list(exc.errors())[:5]
                )
                return JSONResponse({"error": f"One or more parameters are invalid: {problems}"}, 400)

        return guarded
