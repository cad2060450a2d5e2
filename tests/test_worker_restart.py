"""Durability: the worker process is killed (SIGKILL) in the middle of a case and a new one is
started; the case completes and every side effect happened exactly once."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from decimal import Decimal
from pathlib import Path

from temporalio.testing import WorkflowEnvironment

from routing.policy import load_policy
from tests.support.log_scan import SUITE_LOG
from tests.support.stack import Stack, eventually
from tests.support.world import SHOP, TENANT
from workflows.messages import CaseStatus
from workflows.order_review import OrderReview, OrderReviewInput

ROOT = Path(__file__).resolve().parents[1]


def start_worker(temporal_env: WorkflowEnvironment, queue: str, config_dir: Path, log: Path) -> subprocess.Popen[bytes]:
    env = dict(
        os.environ,
        TEMPORAL_ADDRESS=temporal_env.client.service_client.config.target_host,
        TASK_QUEUE=queue,
        CONFIG_DIR=str(config_dir),
    )
    SUITE_LOG.watch_file(log)  # scanned for secrets and personal data when the test ends
    return subprocess.Popen(
        [sys.executable, str(ROOT / "worker.py")],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


async def test_case_survives_a_killed_worker(
    stack: Stack, temporal_env: WorkflowEnvironment, config_dir: Path, tmp_path: Path
) -> None:
    queue = f"restart-{uuid.uuid4().hex[:8]}"
    log = tmp_path / "worker.log"
    # A small order: the shim routes nothing, so this test alone starts the case, on its own queue.
    order = await stack.create_order(SHOP, unit_price="20.00")
    case_id = f"order-review/shopify/{SHOP}/{order.legacy_resource_id}"
    policy = load_policy(config_dir / "policies" / f"{SHOP}.yaml").order_review
    amount = order.total_price.shop_money.amount
    case_input = OrderReviewInput(
        case_id=case_id,
        platform="shopify",
        store=SHOP,
        opentext_tenant=TENANT,
        callback_url=f"{stack.shim_url}/callbacks/opentext/workflow?tenant={TENANT}",
        facts={
            "order_id": order.legacy_resource_id,
            "order_gid": order.id,
            "order_name": order.name,
            "currency": "USD",
            "total": amount,
            "subtotal": amount,
            "discount_total": Decimal(0),
        },
        reasons=["opened by hand for the restart test"],
        policy=policy,
    )

    first = start_worker(temporal_env, queue, config_dir, log)
    try:
        handle = await stack.client.start_workflow(OrderReview.run, case_input, id=case_id, task_queue=queue)
        task_id = await stack.open_task_id(case_id)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()

    # The reviewer decides while no worker runs: the callback is answered 503 and redelivered.
    await stack.opentext.claim_task(task_id, "rita@example.test")
    await stack.opentext.complete_task(task_id, "approved", {"reviewer": "rita@example.test"})
    await asyncio.sleep(1)
    second = start_worker(temporal_env, queue, config_dir, log)
    try:
        result = await asyncio.wait_for(handle.result(), timeout=90)
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=30)

    assert result.status is CaseStatus.APPROVED, log.read_text()[-3000:]
    released = await stack.order(SHOP, order.id)
    assert [fo.status for fo in released.fulfillment_orders] == ["OPEN"]
    fo_id = released.fulfillment_orders[0].id

    async def hold_webhooks() -> tuple[int, int] | None:
        deliveries = await stack.deliveries(system="shopify")
        placed = sum(
            1 for d in deliveries if d["label"] == "fulfillment_orders/placed_on_hold" and fo_id in str(d["body"])
        )
        freed = sum(
            1 for d in deliveries if d["label"] == "fulfillment_orders/hold_released" and fo_id in str(d["body"])
        )
        return (placed, freed) if freed else None

    assert await eventually(hold_webhooks, what="hold webhooks") == (1, 1)
    assert len(await stack.opentext.find_processes(case_id)) == 1
    assert released.tags.count("casebridge-approved") == 1
