"""Readable reasons from Temporal failure chains, for the audit trail and NEEDS_ATTENTION."""

from __future__ import annotations

from temporalio.exceptions import ActivityError, ApplicationError, FailureError, TimeoutError


def describe_failure(err: BaseException) -> str:
    """The innermost meaningful message: 'ShopifyRejected: … [CODE]' rather than 'Activity failed'."""
    cause: BaseException | None = err
    while isinstance(cause, ActivityError) and cause.cause is not None:
        cause = cause.cause
    if isinstance(cause, ApplicationError):
        return f"{cause.type or 'Error'}: {cause.message}"
    if isinstance(cause, TimeoutError):
        return f"timed out ({cause.type.name if cause.type else 'unknown'})"
    if isinstance(cause, FailureError):
        return cause.message
    return str(cause)
