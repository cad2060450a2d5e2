"""Secrets never reach log output, even from libraries logging headers at DEBUG."""

from __future__ import annotations

import io
import logging

import httpx

from casebridge.logs import MASK, RedactSecrets


def capture(redactor: RedactSecrets) -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(redactor)
    logger = logging.getLogger(f"test-logs-{id(stream)}")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    return logger, stream


def test_known_secret_values_and_credential_headers_are_masked() -> None:
    logger, out = capture(RedactSecrets(["shpat_super_secret_token"]))
    logger.info("calling with token %s", "shpat_super_secret_token")
    logger.debug("send_request_headers.started headers=[(b'X-Auth-Token', b'bc-live-7f3a9c')]")
    logger.debug("response headers: {'OTCSTicket': 'a1b2c3d4e5f6', 'Content-Type': 'application/json'}")
    logger.debug("Authorization: Bearer eyJhbGciOi.payload.sig")
    text = out.getvalue()
    for leaked in ("shpat_super_secret_token", "bc-live-7f3a9c", "a1b2c3d4e5f6", "eyJhbGciOi"):
        assert leaked not in text
    assert text.count(MASK) == 4
    assert "application/json" in text  # ordinary values stay readable


def test_secrets_in_tracebacks_are_masked() -> None:
    logger, out = capture(RedactSecrets(["ot-client-secret-123"]))
    try:
        raise RuntimeError("login failed for client_secret=ot-client-secret-123")
    except RuntimeError:
        logger.exception("token request failed")
    assert "ot-client-secret-123" not in out.getvalue()
    assert "token request failed" in out.getvalue()


async def test_httpcore_style_header_dumps_are_masked() -> None:
    logger, out = capture(RedactSecrets([]))
    for name in ("httpx", "httpcore"):
        lib = logging.getLogger(name)
        lib.addHandler(logger.handlers[0])
        lib.setLevel(logging.DEBUG)

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"OTCSTicket": "rotated-ticket-value"})

    try:
        async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as client:
            response = await client.get("http://ecm.test/api/v2/nodes/1", headers={"OTCSTicket": "first-ticket-value"})
        logging.getLogger("httpcore").debug("receive_response_headers.complete return_value=%r", response.headers.raw)
    finally:
        for name in ("httpx", "httpcore"):
            logging.getLogger(name).removeHandler(logger.handlers[0])
    assert "rotated-ticket-value" not in out.getvalue()
