"""`/_driver/...` serves the sandbox to a test driver without injected faults: a chaos run's faults
reach Casebridge's calls (the usual paths), never the driver's own moves."""

from __future__ import annotations

import contextlib
from pathlib import Path

from casebridge.connections import Connections
from casebridge.stores import load_registry
from sandbox.driver import DRIVER_PREFIX
from tests.support.stack import Stack, eventually
from tests.support.world import SHOP, write_config


async def test_a_drivers_calls_leave_the_faults_for_casebridge(stack: Stack, tmp_path: Path) -> None:
    order = await stack.create_order(SHOP, unit_price="12.00")

    async def shim_done() -> bool:
        # The shim reads the order for its webhook: let it, before the rule is set.
        deliveries = await stack.deliveries(system="shopify", label="orders/create")
        return any(d["delivered"] and order.legacy_resource_id in d["body"] for d in deliveries)

    await eventually(shim_done, what="the shim to handle orders/create")
    driver = Connections(load_registry(write_config(tmp_path, f"{stack.sandbox_url}{DRIVER_PREFIX}")))
    # Fires once (times=1): whoever takes it first.
    rule = {"system": "shopify", "operation": "order", "effect": "http_503", "store": SHOP}
    await stack.fault(**rule)

    async def rule_left() -> bool:
        listed = (await stack.http.get(f"{stack.sandbox_url}/_sandbox/faults")).json()
        return any(r["system"] == "shopify" and r["store"] == SHOP and r["effect"] == "http_503" for r in listed)

    try:
        assert (await driver.shopify(SHOP).get_order(order.id)).id == order.id  # no fault for the driver
        assert await rule_left()
        with contextlib.suppress(Exception):  # what Casebridge's client makes of a 503 is not the point
            await stack.shop(SHOP).get_order(order.id)
        assert not await rule_left()  # the usual path took it
    finally:
        await stack.http.delete(f"{stack.sandbox_url}/_sandbox/faults", params={"store": SHOP})
        await driver.aclose()
