"""The worker's health endpoint for the kubelet: `GET /healthz` (live: the event loop answers) and
`GET /readyz` (ready: every worker of the process polls its task queue, and none is draining).

The worker serves no other HTTP, so this is a few lines of asyncio rather than a web framework.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

# A probe sends one short request; a client that sends nothing within this is dropped.
REQUEST_TIMEOUT_SECONDS = 5.0
MAX_HEADER_LINES = 100


class HealthServer:
    def __init__(self, host: str, port: int, ready: Callable[[], bool]) -> None:
        self.host = host
        self.port = port
        self._ready = ready
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._answer, self.host, self.port)
        if self.port == 0:  # an ephemeral port (tests): report the one bound
            self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    def status_of(self, path: str) -> int:
        if path == "/healthz":
            return 200
        if path == "/readyz":
            return 200 if self._ready() else 503
        return 404

    async def _answer(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            async with asyncio.timeout(REQUEST_TIMEOUT_SECONDS):
                request_line = await reader.readline()
                for _ in range(MAX_HEADER_LINES):  # the headers are read and ignored
                    if (await reader.readline()).strip() == b"":
                        break
            parts = request_line.decode("latin-1").split()
            status = self.status_of(parts[1].split("?")[0]) if len(parts) >= 2 and parts[0] == "GET" else 405
            body = {200: b"ok\n", 503: b"not ready\n", 404: b"not found\n"}.get(status, b"method not allowed\n")
            reason = {200: "OK", 503: "Service Unavailable", 404: "Not Found"}.get(status, "Method Not Allowed")
            writer.write(
                f"HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain\r\nContent-Length: {len(body)}\r\n"
                f"Connection: close\r\n\r\n".encode()
                + body
            )
            await writer.drain()
        except (TimeoutError, ConnectionError, UnicodeDecodeError):
            pass  # a probe that went away, or not HTTP: nothing to answer
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()
