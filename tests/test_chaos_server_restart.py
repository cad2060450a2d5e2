"""The Temporal server stopped (SIGTERM) mid-flight and started again on its persisted database and
port: cases of each type resume and complete, and the side-effect ledger shows every effect once.
The worker processes are not restarted by the test unless they exit (a supervisor's job); how many
had to be is printed and asserted (none: the SDK reconnects on its own)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.support.chaos import (
    DevServer,
    bigcommerce_review_rejected,
    chaos_stack,
    check_ledger,
    letters_settled,
    shopify_exception_new_date,
    shopify_review_approved,
    supervise,
)
from tests.support.stack import eventually
from workflows.messages import CaseStatus


async def test_cases_resume_after_the_server_restarts(tmp_path: Path) -> None:
    server = DevServer(tmp_path)
    server.start()
    try:
        client = await server.ready()
        async with chaos_stack(client, server.address, tmp_path, generation=63, workers=1) as chaos:
            stack = chaos.stack
            scenarios = [shopify_review_approved, bigcommerce_review_rejected, shopify_exception_new_date]
            cases = asyncio.gather(*(s(stack) for s in scenarios))

            async def in_flight() -> bool:
                # Mid-flight: every case has started and a worker answers for it (the worker
                # process is up and polling) before the outage.
                listed = [w async for w in client.list_workflows("CaseStatus IS NOT NULL")]
                views = [await stack.view(w.id) for w in listed]
                return len(views) >= len(scenarios)

            await eventually(in_flight, timeout=30, what="cases to start")
            await server.restart(down_for=1.0)
            runs = await cases
            restarted = await supervise(chaos.workers)
            await letters_settled(chaos.ledger, runs)
            check = check_ledger(chaos.ledger, runs)
    finally:
        server.stop()

    print(f"server restarts: {server.restarts}, worker processes restarted by the supervisor: {restarted}")
    assert [r.status for r in runs] == [CaseStatus.APPROVED, CaseStatus.REJECTED, CaseStatus.APPROVED]
    assert restarted == 0, "a worker process died with the server instead of reconnecting"
    assert check.lost == [], check.lost
    assert check.duplicated == [], check.duplicated
