"""Secrets never reach log output, even from libraries logging headers at DEBUG; and neither
secrets nor customers' personal data reach the suite's own log output."""

from __future__ import annotations

import io
import json
import logging
import uuid

import httpx

from casebridge.logs import MASK, RedactSecrets
from tests.support.log_scan import LEAK, SUITE_LOG
from tests.support.stack import Stack, eventually
from tests.support.world import SECRETS, SHOP
from tests.test_order_review_flow import decide
from tests.test_shim import sample_order, shopify_headers
from workflows.messages import CaseStatus
from workflows.order_review import KIND as ORDER_REVIEW


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


# --- the suite's own log output (tests/support/log_scan.py, installed in tests/conftest.py) --------


def test_the_scan_finds_secrets_and_personal_data() -> None:
    """The scanner is not blind: a secret, a buyer's email, a street address and a customer's name
    logged by our code are each found (and then forgotten, so this test's guard passes)."""
    before = len(SUITE_LOG.leaks)
    leaky = logging.getLogger("shim.leak-check")
    leaky.info("verifying with %s", SECRETS["SHOPIFY_WEBHOOK_SECRET"])
    leaky.warning("order of buyer-0a1b2c3d@example.test")
    leaky.error("ship to %s", "1 Test Way, Springfield")
    leaky.info("customer %s", "Rita Returner")
    leaky.info("order #1001 for casebridge-test.myshopify.com")  # nothing personal
    found = SUITE_LOG.leaks[before:]
    assert [leak.where for leak in found] == ["shim.leak-check"] * 4
    assert all(SECRETS["SHOPIFY_WEBHOOK_SECRET"] not in leak.text for leak in found)  # the report masks it
    del SUITE_LOG.leaks[before:]


async def test_case_flows_log_no_secret_or_personal_data(stack: Stack) -> None:
    """A reviewed Shopify order with a named customer, email and address, rejected (cancel, refund);
    a forged and a malformed webhook: every record logged meanwhile is free of secrets and personal
    data, and the records are there to scan (the shim's and the worker's, naming the case)."""
    first = len(SUITE_LOG.records)
    email = f"buyer-{uuid.uuid4().hex[:8]}@example.test"
    order = await stack.create_order(SHOP, unit_price="2400.00", email=email, customer_tags=["vip"])
    case_id = ORDER_REVIEW.case_id("shopify", SHOP, order.legacy_resource_id)
    await stack.case_started(case_id)
    await decide(stack.opentext, await stack.open_task_id(case_id), "rejected")
    result = await stack.handle(case_id).result()
    assert result.status is CaseStatus.REJECTED

    body = sample_order(990400000001, "5000.00")
    forged = await stack.http.post(
        f"{stack.shim_url}/webhooks/shopify", content=body, headers=shopify_headers(body, secret="wrong")
    )
    assert forged.status_code == 401
    malformed = json.dumps({"id": 990400000002, "email": email}).encode()
    refused = await stack.http.post(
        f"{stack.shim_url}/webhooks/shopify", content=malformed, headers=shopify_headers(malformed)
    )
    assert refused.status_code == 422

    async def case_logged() -> list[str] | None:
        records = SUITE_LOG.records[first:]
        return records if any(case_id in r for r in records) else None

    records = await eventually(case_logged, what="the shim to log the case it started")
    assert len(records) >= 10, records  # the shim's, the worker's and the HTTP clients' records
    assert any("refused an unauthenticated request" in r for r in records), records
    assert [LEAK.sub("<<masked>>", r) for r in records if LEAK.search(r)] == []
