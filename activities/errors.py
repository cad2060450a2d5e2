"""Map connector errors to Temporal failures in one place.

Retryable connector errors become retryable `ApplicationError`s (with the service's own back-off as
`next_retry_delay`); rejections become non-retryable ones, which the workflow turns into a parked
NEEDS_ATTENTION case instead of retrying a request that can never succeed.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import ParamSpec, TypeVar

from temporalio.exceptions import ApplicationError

from casebridge.stores import RegistryLookupError
from connectors.errors import ConnectorError

P = ParamSpec("P")
R = TypeVar("R")


def to_application_error(exc: ConnectorError) -> ApplicationError:
    delay = timedelta(seconds=exc.retry_after) if exc.retry_after else None
    return ApplicationError(
        str(exc),
        {"system": exc.system, "operation": exc.operation, "status_code": exc.status_code},
        type=type(exc).__name__,
        non_retryable=not exc.retryable,
        next_retry_delay=delay,
    )


def translate_errors(fn: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """Decorate an activity so connector and configuration errors leave it as typed failures."""

    @functools.wraps(fn)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await fn(*args, **kwargs)
        except ConnectorError as exc:
            raise to_application_error(exc) from exc
        except RegistryLookupError as exc:
            raise ApplicationError(str(exc), type="ConfigurationError", non_retryable=True) from exc

    return wrapper
