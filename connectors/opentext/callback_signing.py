"""Verification (and, for tests and tools, creation) of signed task-outcome callbacks.

The OpenText Workflow Service has no webhooks (an ASSUMPTION, see `contract.py`): Casebridge's process
model ends with an HTTP service task that POSTs the reviewer's outcome to Casebridge, signed with the
tenant's shared callback secret. This module is the receiving side's definition of that format. The
sandbox simulator signs with its own, independent implementation
(`sandbox/opentext/callback_signing.py`), so a disagreement between the two shows up in the contract
tests instead of being hidden by shared code.

Format, version 1:

* `X-Casebridge-Timestamp: <unix seconds>`
* `X-Casebridge-Signature: v1=<hex HMAC-SHA256(secret, f"{timestamp}.".encode() + raw_body)>`;
  several comma-separated entries are allowed (secret rotation), one valid entry suffices.
* The HMAC covers the raw request bytes: verify before parsing, never over a re-serialised body.
* Timestamps more than `DEFAULT_TOLERANCE_SECONDS` away from now are refused (replay protection);
  deliveries are at least once, so receivers still deduplicate on `taskId`.
"""

from __future__ import annotations

import hashlib
import hmac
import time

TIMESTAMP_HEADER = "X-Casebridge-Timestamp"
SIGNATURE_HEADER = "X-Casebridge-Signature"
SCHEME = "v1"
DEFAULT_TOLERANCE_SECONDS = 300.0


def _digest(secret: str | bytes, timestamp: int, body: bytes) -> str:
    key = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(key, str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()


def sign(secret: str | bytes, body: bytes, timestamp: int) -> str:
    """The signature header value for `body` sent at `timestamp`."""
    return f"{SCHEME}={_digest(secret, timestamp, body)}"


def signed_headers(secret: str | bytes, body: bytes, *, timestamp: int | None = None) -> dict[str, str]:
    """Headers of a correctly signed callback (tests, replay tools)."""
    ts = int(time.time()) if timestamp is None else timestamp
    return {"Content-Type": "application/json", TIMESTAMP_HEADER: str(ts), SIGNATURE_HEADER: sign(secret, body, ts)}


def verify_signature(
    secret: str | bytes,
    body: bytes,
    timestamp: str | None,
    signature: str | None,
    *,
    tolerance_seconds: float = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> bool:
    """True only for a fresh timestamp and a matching `v1` signature over exactly these bytes."""
    if not timestamp or not signature or not secret:
        return False
    try:
        ts = int(timestamp.strip())
    except ValueError:
        return False
    if abs((time.time() if now is None else now) - ts) > tolerance_seconds:
        return False
    expected = _digest(secret, ts, body).encode()
    valid = False
    for entry in signature.split(","):
        scheme, _, value = entry.strip().partition("=")
        # compare_digest on every entry: the time taken does not tell which one matched.
        valid |= scheme == SCHEME and hmac.compare_digest(value.encode(), expected)
    return valid
