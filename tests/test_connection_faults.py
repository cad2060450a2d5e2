"""Every REST connector treats a connection cut mid-response as transient (Temporal retries it)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
import pytest

from casebridge.connections import Connections
from casebridge.stores import load_registry
from connectors.adobe_commerce.search import Filter
from connectors.errors import TransientError
from tests.support.world import ADOBE_STORE, BC_STORE, TENANT

Call = Callable[[Connections], Awaitable[object]]

CALLS: dict[str, tuple[str, Call]] = {
    "bigcommerce": ("GET /stores/*", lambda c: c.bigcommerce(BC_STORE).list_customer_groups()),
    "adobe-commerce": (
        "GET /rest/*",
        lambda c: c.adobe_commerce(ADOBE_STORE).sales.find_orders([[Filter("increment_id", "x")]]),
    ),
    "opentext-workflow": ("GET /workflow/v1/tasks", lambda c: c.opentext_workflow(TENANT).list_tasks(business_key="x")),
    "opentext-exstream": ("GET /design/*", lambda c: c.exstream(TENANT).list_domains()),
    "opentext-ecm": ("POST /api/v1/auth", lambda c: c.content_server(TENANT).authenticate()),
}


@pytest.mark.parametrize("system", sorted(CALLS))
async def test_dropped_connection_is_transient(system: str, config_dir: Path, sandbox_url: str) -> None:
    operation, call = CALLS[system]
    connections = Connections(load_registry(config_dir))
    try:
        async with httpx.AsyncClient() as http:
            rule = {"system": system, "operation": operation, "effect": "drop_connection"}
            (await http.post(f"{sandbox_url}/_sandbox/faults", json=rule)).raise_for_status()
        with pytest.raises(TransientError):
            await call(connections)
        await call(connections)  # the fault is spent: the same call now goes through
    finally:
        await connections.aclose()
