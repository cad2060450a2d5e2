"""The sandbox keeps its world in a state file across restarts (as `make down` / `make up` do): an
order and an OpenText review task created through its HTTP APIs are there after a new sandbox
process starts on the same file, so a case waiting in review still finds its task."""

from __future__ import annotations

import pickle
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from casebridge.connections import Connections
from casebridge.stores import load_registry
from sandbox.app import create_app
from sandbox.persistence import load, restore, snapshot
from tests.support.servers import free_port, serve
from tests.support.world import SHOP, TENANT, sandbox_config, write_config

REVIEW_MODEL = "casebridge_order_review"
# The case's callback; nothing completes the task here, so it is never called.
REVIEW_VARIABLES = {"team": "fraud-review", "callbackUrl": "http://127.0.0.1:9/callbacks/opentext/workflow"}


@asynccontextmanager
async def sandbox_on(port: int, state_file: Path | None, config_dir: Path) -> AsyncIterator[Connections]:
    """A sandbox process's life (start, serve, shut down) with fresh clients, as after `make up`."""
    async with serve(create_app(sandbox_config(), state_file=state_file), port=port) as url:
        connections = Connections(load_registry(write_config(config_dir, url)))
        try:
            yield connections
        finally:
            await connections.aclose()


async def test_orders_and_review_tasks_outlive_a_restart(tmp_path: Path) -> None:
    state_file = tmp_path / "stack" / "sandbox-world.pickle"
    port = free_port()
    business_key = f"order-review/shopify/{SHOP}/{uuid.uuid4().hex[:8]}"

    async with sandbox_on(port, state_file, tmp_path / "config") as before:
        order = await before.shopify(SHOP).create_order(
            {
                "email": "persist@example.test",
                "currency": "USD",
                "lineItems": [
                    {
                        "title": "Lamp",
                        "quantity": 1,
                        "priceSet": {"shopMoney": {"amount": "80.00", "currencyCode": "USD"}},
                    }
                ],
            }
        )
        opentext = before.opentext_workflow(TENANT)
        process = await opentext.start_process(
            REVIEW_MODEL, f"Review order {order.name}", business_key, REVIEW_VARIABLES | {"orderName": order.name}
        )
        [task] = await opentext.list_tasks(process_instance_id=process.id)
    assert state_file.is_file()

    async with sandbox_on(port, state_file, tmp_path / "config") as after:
        found = await after.shopify(SHOP).get_order(order.id)
        assert (found.id, found.name) == (order.id, order.name)
        opentext = after.opentext_workflow(TENANT)
        assert [p.id for p in await opentext.find_processes(business_key)] == [process.id]
        [still_open] = await opentext.list_tasks(business_key=business_key)
        assert still_open.id == task.id
        assert (await opentext.get_task(task.id)).id == task.id
        # New ids do not collide with the restored ones.
        second = await after.shopify(SHOP).create_order(
            {
                "email": "persist@example.test",
                "currency": "USD",
                "lineItems": [
                    {
                        "title": "Shade",
                        "quantity": 1,
                        "priceSet": {"shopMoney": {"amount": "20.00", "currencyCode": "USD"}},
                    }
                ],
            }
        )
        assert second.id != order.id and second.name != order.name


async def test_without_a_state_file_the_world_starts_empty(tmp_path: Path) -> None:
    port = free_port()
    async with sandbox_on(port, None, tmp_path / "config") as before:
        opentext = before.opentext_workflow(TENANT)
        await opentext.start_process(REVIEW_MODEL, "Review", "order-review/memory-only", REVIEW_VARIABLES)
    async with sandbox_on(port, None, tmp_path / "config") as after:
        assert await after.opentext_workflow(TENANT).find_processes("order-review/memory-only") == []
    assert list(tmp_path.glob("**/*.pickle")) == []


def test_a_world_saved_by_other_sandbox_code_is_not_loaded(tmp_path: Path) -> None:
    saved_by_other_code = tmp_path / "world.pickle"
    world = pickle.loads(snapshot(create_app(sandbox_config())))
    world["__sandbox_code__"] = "another version"
    saved_by_other_code.write_bytes(pickle.dumps(world))
    with pytest.raises(ValueError, match="another version of the sandbox"):
        restore(create_app(sandbox_config()), saved_by_other_code.read_bytes())
    load(create_app(sandbox_config()), saved_by_other_code)  # starts empty instead of failing
