"""Signing of the task-outcome callbacks the simulated process model sends.

The real Workflow Service has no webhook API; Casebridge's process model ends with an HTTP service
task that POSTs the task outcome back to Casebridge. Because that call crosses the internet, the
model signs it with a per-tenant shared secret (the tenant's `callback_secret`). This module is the
single definition of the format so that tests (and whoever writes the production verifier) can check
signatures the same way the sender makes them.

Wire format (version 1):

* `Content-Type: application/json`; the body is the exact bytes that were signed (serialised once,
  never re-encoded between signing and sending).
* `X-Casebridge-Timestamp: <unix seconds, decimal integer>`
* `X-Casebridge-Signature: v1=<hex>` where
  `hex = HMAC-SHA256(key=callback_secret (UTF-8), msg=f"{timestamp}.".encode() + body).hexdigest()`

A verifier must recompute the HMAC over the raw request body (not a re-serialised parse of it),
compare in constant time, and reject timestamps outside a tolerance window (default 300 s) so that a
captured request cannot be replayed later. The header may carry several comma-separated `v1=`
entries (room for secret rotation); one match is enough.

Body (JSON object): `tenantId`, `processInstanceId`, `processDefinitionKey`, `businessKey`, `taskId`,
`taskName`, `outcome`, `outcomeVariable`, `completedBy`, `completedAt` (ISO-8601 UTC), `variables`
(object: the variables given with the task completion, name -> value). Deliveries are at least once:
receivers must deduplicate (e.g. on `taskId`).
"""

from __future__ import annotations

import hashlib
import hmac
import time

TIMESTAMP_HEADER = "X-Casebridge-Timestamp"
SIGNATURE_HEADER = "X-Casebridge-Signature"
SIGNATURE_VERSION = "v1"
DEFAULT_TOLERANCE_SECONDS = 300


def _key(secret: str | bytes) -> bytes:
    return secret.encode() if isinstance(secret, str) else secret


def compute_signature(secret: str | bytes, timestamp: int | str, body: bytes) -> str:
    """The `X-Casebridge-Signature` value (`v1=<hex>`) for this timestamp and raw body."""
    digest = hmac.new(_key(secret), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"{SIGNATURE_VERSION}={digest}"


def signed_headers(secret: str | bytes, body: bytes, *, timestamp: int | None = None) -> dict[str, str]:
    """All headers a callback carries: content type, timestamp and signature."""
    ts = int(time.time()) if timestamp is None else timestamp
    return {
        "Content-Type": "application/json",
        TIMESTAMP_HEADER: str(ts),
        SIGNATURE_HEADER: compute_signature(secret, ts, body),
    }


def verify_signature(
    secret: str | bytes,
    body: bytes,
    timestamp: str | None,
    signature: str | None,
    *,
    now: float | None = None,
    tolerance_seconds: float = DEFAULT_TOLERANCE_SECONDS,
) -> bool:
    """True when `signature` is a valid v1 signature of `body` at a fresh `timestamp`."""
    if not timestamp or not signature:
        return False
    try:
        ts = int(timestamp)
    except ValueError:
        return False
    current = time.time() if now is None else now
    if abs(current - ts) > tolerance_seconds:
        return False
    expected = compute_signature(secret, ts, body)
    candidates = [part.strip() for part in signature.split(",")]
    # Compare every candidate (no early exit) so timing does not reveal which one matched.
    matched = False
    for candidate in candidates:
        matched |= hmac.compare_digest(candidate.encode(), expected.encode())
    return matched
