"""What every signed endpoint does first: read the body within a size limit, then refuse anything
not genuinely signed with one answer, before any JSON is parsed or any lookup is answered.

A stranger learns nothing from a refusal: a bad signature, a stale or future timestamp, missing
headers, an unknown shop, store, tenant or event source all get `401 invalid signature` (the
reason is logged for us). Where a secret is chosen by something the request names, an unknown name
is verified against a random secret so it costs the same time as a known one.
"""

from __future__ import annotations

import logging
import secrets
from typing import TypeVar

from fastapi import HTTPException, Request
from pydantic import BaseModel, ValidationError

log = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)

INVALID_SIGNATURE = "invalid signature"
# Verifying against this when the named shop, store, tenant or source is unknown: it never matches.
NO_SECRET = secrets.token_urlsafe(32)


def unauthenticated(endpoint: str, reason: str) -> HTTPException:
    """The one refusal of an unauthenticated request; why is only in our log."""
    log.info("%s: refused an unauthenticated request (%s)", endpoint, reason[:200])
    return HTTPException(401, INVALID_SIGNATURE)


async def bounded_body(request: Request) -> bytes:
    """The raw body, read up to `shim_max_body_bytes`: 413 beyond it, before anything is hashed or
    parsed. Read as a stream and counted, so a missing or understated Content-Length does not help."""
    limit: int = request.app.state.deps.settings.shim_max_body_bytes
    too_large = HTTPException(413, f"request body over the {limit}-byte limit")
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.strip().isdigit() or int(declared) > limit):
        raise too_large
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def parse_verified(model: type[M], body: bytes, what: str) -> M:
    """A verified body as `model`: 400 when it is not JSON, 422 naming every problem otherwise
    (JSON nested beyond the parser's depth limit included)."""
    try:
        return model.model_validate_json(body)
    except ValidationError as err:
        raise invalid(what, err) from err


def invalid(what: str, err: ValidationError, prefix: tuple[str, ...] = ()) -> HTTPException:
    """400 for a body that is not JSON, else 422 naming each field (under `prefix`) and its problem."""
    errors = err.errors(include_input=False, include_url=False)
    problems = "; ".join(f"{'.'.join(str(p) for p in (*prefix, *e['loc'])) or 'body'}: {e['msg']}" for e in errors[:20])
    not_json = any(e["type"] == "json_invalid" and "recursion" not in e["msg"] for e in errors)
    if any(e["type"] == "json_invalid" and "recursion" in e["msg"] for e in errors):
        problems = "body: JSON nested too deeply"
    return HTTPException(400 if not_json else 422, f"invalid {what}: {problems}"[:2000])
