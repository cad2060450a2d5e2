"""A `Stack` with a shim of its own, served in this process over real HTTP, for the session's stack
and for the tests that need their own sandbox, config or namespace."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

from temporalio.client import Client

from casebridge.connections import Connections
from casebridge.settings import Settings
from casebridge.stores import load_registry
from shim.app import create_app as create_shim
from tests.support.servers import serve
from tests.support.stack import Stack


@contextlib.asynccontextmanager
async def stack_with_shim(
    client: Client, settings: Settings, sandbox_url: str, *, driver_config_dir: Path | None = None
) -> AsyncIterator[Stack]:
    """The shim (on the port of `settings.shim_public_url`) starts cases through `client`; the test
    driver's connections read `driver_config_dir` (default: the shim's own `settings.config_dir`)."""
    connections = Connections(load_registry(driver_config_dir or settings.config_dir))

    async def connect(_: Settings) -> Client:
        return client

    shim = create_shim(settings, connect)
    try:
        async with serve(shim, port=urlsplit(settings.shim_public_url).port) as shim_url:
            stack = Stack(
                client=client,
                settings=settings,
                registry=connections.registry,
                connections=connections,
                sandbox_url=sandbox_url,
                shim_url=shim_url,
                config_dir=settings.config_dir,
                shim_app=shim,
            )
            try:
                yield stack
            finally:
                await stack.http.aclose()
    finally:
        await connections.aclose()
