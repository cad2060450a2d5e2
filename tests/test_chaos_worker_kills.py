"""Worker processes SIGKILLed at seeded random moments while cases of every type run on every
platform (order review on Shopify, BigCommerce and Adobe Commerce; returns on Shopify and
BigCommerce; fulfillment exceptions on Shopify and BigCommerce; an order's documents and an
abandoned cart on Shopify), then restarted: every case ends as its decision says, and the
sandbox's side-effect ledger shows each hold, release, cancellation, refund, return decision,
OpenText process and letter exactly once.

The seed is printed; `CASEBRIDGE_CHAOS_SEED=<n>` replays a failing run's kill schedule."""

from __future__ import annotations

import asyncio
import os
import random
import time
from pathlib import Path

from temporalio.testing import WorkflowEnvironment

from tests.support.chaos import SCENARIOS, chaos_stack, check_ledger, kill_workers, letters_settled
from workflows.messages import CaseStatus

EXPECTED_STATUS = {
    "order-review shopify approved": CaseStatus.APPROVED,
    "order-review shopify rejected": CaseStatus.REJECTED,
    "order-review bigcommerce approved": CaseStatus.APPROVED,
    "order-review bigcommerce rejected": CaseStatus.REJECTED,
    "order-review adobe rejected": CaseStatus.REJECTED,
    "return shopify auto-approved": CaseStatus.APPROVED,
    "return bigcommerce reviewed refund": CaseStatus.APPROVED,
    "fulfillment-exception shopify new date": CaseStatus.APPROVED,
    "fulfillment-exception bigcommerce cancelled": CaseStatus.REJECTED,
    "order-documents shopify shipped": CaseStatus.OPEN,  # it listens on for later events
    "abandoned-cart shopify reminded": CaseStatus.APPROVED,
}


async def test_cases_of_every_type_survive_killed_workers(temporal_env: WorkflowEnvironment, tmp_path: Path) -> None:
    seed = int(os.environ.get("CASEBRIDGE_CHAOS_SEED", time.time_ns() % 1_000_000))
    print(f"chaos seed: {seed} (CASEBRIDGE_CHAOS_SEED={seed} replays the kill schedule)")
    rng = random.Random(seed)
    address = temporal_env.client.service_client.config.target_host
    # Its own id generation: no other sandbox on this Temporal server (41: test_connect_store) uses 61.
    async with chaos_stack(temporal_env.client, address, tmp_path, generation=61, workers=2) as chaos:
        cases = asyncio.gather(*(scenario(chaos.stack) for scenario in SCENARIOS))
        kills = asyncio.create_task(kill_workers(chaos.workers, rng, 4, gap=(0.3, 1.5)))
        try:
            runs = await cases
        finally:
            kills.cancel()
            log = chaos.workers.log_tail()
        await chaos.stack.connections.aclose()
        await letters_settled(chaos.ledger, runs)
        check = check_ledger(chaos.ledger, runs)

    print(
        f"kills: {chaos.workers.kills}, cases: {len(runs)}, effects: {check.effects}, "
        f"duplicate letters (at least once, README): {len(check.duplicate_letters)}"
    )
    assert chaos.workers.kills >= 1, "no worker was killed while the cases ran"
    assert {r.name: r.status for r in runs} == EXPECTED_STATUS, log
    assert check.lost == [], check.lost
    assert check.duplicated == [], check.duplicated
