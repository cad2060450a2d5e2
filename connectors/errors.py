"""The error taxonomy every connector raises.

Retryable errors are transient (network, 5xx, throttling): Temporal retries the activity, honouring
`retry_after` when the service said how long to wait. Everything else is a rejection by the external
system; retrying the same request cannot help, so the case parks for an operator instead.
"""

from __future__ import annotations

from pydantic import ValidationError


class ConnectorError(Exception):
    """Base of all connector errors. `retryable` decides what Temporal does with it."""

    retryable: bool = False

    def __init__(
        self,
        message: str,
        *,
        system: str,
        operation: str,
        status_code: int | None = None,
        retry_after: float | None = None,
        details: object = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.system = system
        self.operation = operation
        self.status_code = status_code
        self.retry_after = retry_after
        self.details = details

    def __str__(self) -> str:
        status = f" (HTTP {self.status_code})" if self.status_code else ""
        return f"{self.system} {self.operation}{status}: {self.message}"


class TransientError(ConnectorError):
    """Network failure, timeout or 5xx: the same request may succeed later."""

    retryable = True


class RateLimitedError(TransientError):
    """429 or a throttle reply; `retry_after` says when capacity returns."""


class AuthenticationError(ConnectorError):
    """Credentials refused even after a fresh token: an operator must fix configuration."""


class RejectedError(ConnectorError):
    """The system refused the request (4xx, GraphQL `userErrors`): retrying cannot help."""


class NotFoundError(RejectedError):
    """The object does not exist (or no longer exists) in the external system."""


class ConflictError(RejectedError):
    """The object is in a state that forbids the operation."""


class ContractError(ConnectorError):
    """The response did not match the documented shape: a bug on one side, not a transient fault."""


def contract_error(
    exc: ValidationError, what: str, *, system: str, operation: str, status_code: int | None = None
) -> ContractError:
    """An answer that did not validate as `what`, naming its first problems."""
    problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:3])
    return ContractError(f"unexpected {what}: {problems}", system=system, operation=operation, status_code=status_code)
