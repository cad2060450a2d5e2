"""Calling an activity directly in a test, as Temporal would call it again: a store's request
quota spent by earlier tests (BigCommerce's `cbflow` store is shared by the session) is a retryable
failure with the store's own retry delay, so the call is repeated after it, a few times at most.
Every other failure, retryable or not, is the test's to see."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

Request = TypeVar("Request")
Result = TypeVar("Result")


async def run_activity(
    activity: Callable[[Request], Awaitable[Result]], request: Request, *, attempts: int = 5
) -> Result:
    for attempt in range(1, attempts + 1):
        try:
            return await ActivityEnvironment().run(activity, request)
        except ApplicationError as err:
            if err.type != "RateLimitedError" or err.non_retryable or attempt == attempts:
                raise
            delay = err.next_retry_delay.total_seconds() if err.next_retry_delay else 1.0
            await asyncio.sleep(delay)
    raise AssertionError("unreachable")
