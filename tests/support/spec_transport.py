"""An httpx transport for contract tests: every request a connector sends is checked against the
official spec before it goes out; what does not conform is recorded (and still sent, so the test
also sees how the simulator answers)."""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx

from sandbox.openapi_contract import SpecContract


@dataclass
class Violation:
    method: str
    url: str
    errors: list[str]


@dataclass
class SpecCheckingTransport(httpx.AsyncBaseTransport):
    # (URL prefix, contract): the first prefix the request URL starts with decides the spec.
    contracts: list[tuple[str, SpecContract]]
    inner: httpx.AsyncBaseTransport = field(default_factory=httpx.AsyncHTTPTransport)
    checked: int = 0
    violations: list[Violation] = field(default_factory=list)
    unchecked: list[str] = field(default_factory=list)  # URLs no contract covers

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        contract = next((c for prefix, c in self.contracts if url.startswith(prefix)), None)
        if contract is None:
            self.unchecked.append(f"{request.method} {url}")
        else:
            body = await request.aread()
            errors = contract.errors(request.method, url, dict(request.headers), body or None)
            self.checked += 1
            if errors:
                self.violations.append(Violation(request.method, url, errors))
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()
