"""A case's keyed customer letter, read on the time-skipping server while the case runs."""

from __future__ import annotations

import asyncio

from temporalio.testing import WorkflowEnvironment

from workflows.customer_letter import CustomerLetter, LetterResult


async def letter_sent(env: WorkflowEnvironment, case_id: str, key: str) -> LetterResult:
    """The case's keyed letter once it has been handed to a channel or given up (it then listens
    for a bounce; only the case's handle skips time, so that wait is not awaited here)."""
    letter = env.client.get_workflow_handle(f"letter/{case_id}/{key}", result_type=LetterResult)
    deadline = asyncio.get_running_loop().time() + 30
    while True:
        status = await letter.query(CustomerLetter.status)
        if status.status != "sending":
            return status
        assert asyncio.get_running_loop().time() < deadline, status
        await asyncio.sleep(0.05)
