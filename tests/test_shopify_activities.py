"""Shopify activities stay idempotent when two attempts of one step overlap (an attempt that timed
out on our side may still be running at Shopify when the retry starts)."""

from __future__ import annotations

import asyncio

from temporalio.testing import ActivityEnvironment

from activities.models import HoldOrderRequest
from activities.shopify import ShopifyActivities
from tests.support.stack import Stack
from tests.support.world import SHOP


async def test_overlapping_hold_attempts_place_one_hold(stack: Stack) -> None:
    # A small order: the shim opens no case, so only this test holds it.
    order = await stack.create_order(SHOP, unit_price="15.00")
    activities = ShopifyActivities(stack.connections)
    request = HoldOrderRequest(
        store=SHOP, order_gid=order.id, handle=f"casebridge-review-{order.legacy_resource_id}", reason_notes="test"
    )
    env = ActivityEnvironment()
    # Shopify is slow to answer both holds: the second attempt reads the order before the first
    # attempt's hold exists, so both send it and Shopify refuses the second handle.
    await stack.fault(system="shopify", operation="fulfillmentOrderHold", effect="latency", seconds=0.5, times=2)

    first, second = await asyncio.gather(
        env.run(activities.hold_order, request), env.run(activities.hold_order, request)
    )

    assert first.holds == second.holds and len(first.holds) == 1
    held = await stack.order(SHOP, order.id)
    assert [len(fo.fulfillment_holds) for fo in held.fulfillment_orders] == [1]
