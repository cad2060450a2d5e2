"""The shim's refusals and idempotence, over HTTP against the running stack."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import httpx
from temporalio import workflow
from temporalio.client import WorkflowExecutionStatus
from temporalio.service import RPCError, RPCStatusCode
from temporalio.worker import Worker

from connectors.opentext.callback_signing import signed_headers
from connectors.shopify.webhooks import sign, verify
from sandbox.specs import specs_dir
from tests.support.stack import Stack, eventually
from tests.support.world import SECRETS, SHOP
from workflows.messages import CaseStatus, CaseView, ReviewDecision, ReviewNotOpenYet
from workflows.order_review import KIND as ORDER_REVIEW

SPECS = specs_dir()
SAMPLE = SPECS / "shopify" / "webhooks" / "orders_create.json"


def shopify_headers(
    body: bytes, *, shop: str = SHOP, topic: str = "orders/create", secret: str | None = None
) -> dict[str, str]:
    secret = secret or SECRETS["SHOPIFY_WEBHOOK_SECRET"]
    return {
        "Content-Type": "application/json",
        "X-Shopify-Topic": topic,
        "X-Shopify-Hmac-Sha256": sign(secret.encode(), body),
        "X-Shopify-Shop-Domain": shop,
        "X-Shopify-API-Version": "2025-01",
        "X-Shopify-Webhook-Id": "test-delivery",
    }


def sample_order(order_id: int, total: str) -> bytes:
    payload: dict[str, Any] = json.loads(SAMPLE.read_bytes())
    payload.update(id=order_id, admin_graphql_api_id=f"gid://shopify/Order/{order_id}", total_price=total)
    return json.dumps(payload).encode()


def test_signature_matches_shopify_test_vector() -> None:
    headers = json.loads((SPECS / "shopify" / "webhooks" / "_delivery_headers.example.json").read_text())
    secret = headers["_test_secret"].encode()
    for name, delivery in headers["deliveries"].items():
        body = (SPECS / "shopify" / "webhooks" / name).read_bytes()
        assert verify(secret, body, delivery["X-Shopify-Hmac-Sha256"]), name
        assert not verify(secret + b"x", body, delivery["X-Shopify-Hmac-Sha256"]), name


async def test_bad_signature_is_refused_and_starts_nothing(stack: Stack) -> None:
    body = sample_order(990000000001, "5000.00")
    response = await stack.http.post(
        f"{stack.shim_url}/webhooks/shopify", content=body, headers=shopify_headers(body, secret="wrong")
    )
    assert response.status_code == 401
    assert response.json()["detail"] == "invalid signature"
    assert await _case_count(stack, ORDER_REVIEW.case_id("shopify", SHOP, "990000000001")) == 0


async def test_malformed_body_is_refused_with_reason(stack: Stack) -> None:
    not_json = b"{not json"
    response = await stack.http.post(
        f"{stack.shim_url}/webhooks/shopify", content=not_json, headers=shopify_headers(not_json)
    )
    assert response.status_code == 400

    missing = json.dumps({"id": 990000000002, "name": "#9"}).encode()
    response = await stack.http.post(
        f"{stack.shim_url}/webhooks/shopify", content=missing, headers=shopify_headers(missing)
    )
    assert response.status_code == 422
    assert "total_price" in response.json()["detail"]
    assert await _case_count(stack, ORDER_REVIEW.case_id("shopify", SHOP, "990000000002")) == 0


async def test_unknown_shop_is_refused_like_a_bad_signature(stack: Stack) -> None:
    body = sample_order(990000000003, "5000.00")
    response = await stack.http.post(
        f"{stack.shim_url}/webhooks/shopify", content=body, headers=shopify_headers(body, shop="nobody.myshopify.com")
    )
    assert (response.status_code, response.json()) == (401, {"detail": "invalid signature"})


async def test_duplicate_delivery_makes_one_case(stack: Stack) -> None:
    order = await stack.create_order(SHOP, unit_price="1750.00")
    case_id = ORDER_REVIEW.case_id("shopify", SHOP, order.legacy_resource_id)
    await stack.case_started(case_id)

    async def first_delivery() -> dict[str, Any] | None:
        for d in await stack.deliveries(system="shopify", label="orders/create"):
            # Shops number their orders alike: the shop's header tells this shop's delivery apart.
            ours = d["headers"].get("X-Shopify-Shop-Domain") == SHOP and order.legacy_resource_id in str(d["body"])
            if ours and d["delivered"]:
                return d
        return None

    delivery = await eventually(first_delivery, what="the orders/create delivery")
    # Shopify redelivers the identical request (same body, same X-Shopify-Webhook-Id).
    replay = await stack.http.post(
        f"{stack.shim_url}/webhooks/shopify", content=str(delivery["body"]).encode(), headers=delivery["headers"]
    )
    assert replay.status_code == 200
    assert replay.json()["result"] == "duplicate"
    assert await _case_count(stack, case_id) == 1


async def test_callback_signature_and_case_checks(stack: Stack) -> None:
    url = f"{stack.shim_url}/callbacks/opentext/workflow?tenant=test"
    secret = SECRETS["OPENTEXT_CALLBACK_SECRET"]
    payload = {
        "tenantId": "casebridge-test",
        "processInstanceId": "p-1",
        "processDefinitionKey": "casebridge_order_review",
        "businessKey": "order-review/shopify/none/1",
        "taskId": "t-1",
        "taskName": "Review order",
        "outcome": "approved",
        "outcomeVariable": "reviewOutcome",
        "completedBy": "x",
        "completedAt": "2026-11-21T10:00:00Z",
        "variables": {},
    }
    body = json.dumps(payload).encode()

    unsigned = await stack.http.post(url, content=body, headers={"Content-Type": "application/json"})
    assert unsigned.status_code == 401
    stale = await stack.http.post(url, content=body, headers=signed_headers(secret, body, timestamp=1))
    assert stale.status_code == 401
    unknown_tenant = await stack.http.post(
        f"{stack.shim_url}/callbacks/opentext/workflow?tenant=nope", content=body, headers=signed_headers(secret, body)
    )
    assert (unknown_tenant.status_code, unknown_tenant.json()) == (401, unsigned.json())
    unknown_case = await stack.http.post(url, content=body, headers=signed_headers(secret, body))
    assert unknown_case.status_code == 404

    # A real case: a decision for another task is refused with the case's reason.
    order = await stack.create_order(SHOP, unit_price="1900.00")
    case_id = ORDER_REVIEW.case_id("shopify", SHOP, order.legacy_resource_id)
    handle = await stack.case_started(case_id)
    await stack.open_task_id(case_id)
    view = await stack.view(case_id)
    wrong_task = dict(payload, businessKey=case_id, processInstanceId=view.review_process_id, taskId="other")
    body = json.dumps(wrong_task).encode()
    refused = await stack.http.post(url, content=body, headers=signed_headers(secret, body))
    assert refused.status_code == 409
    assert "task" in refused.json()["detail"]
    assert (await stack.view(case_id)).status is CaseStatus.IN_REVIEW

    right = dict(wrong_task, taskId=view.review_task_id)
    body = json.dumps(right).encode()
    accepted = await stack.http.post(url, content=body, headers=signed_headers(secret, body))
    assert accepted.status_code == 200
    result = await handle.result()
    assert result.status is CaseStatus.APPROVED

    # A redelivery of the same callback is answered from the first result, not applied again.
    redelivered = await stack.http.post(url, content=body, headers=signed_headers(secret, body))
    assert redelivered.status_code == 200
    assert len([e for e in await stack.audit(case_id) if e.event == "decision received"]) == 1

    # Any other decision for the closed case is refused.
    late = json.dumps(dict(right, taskId="later-task")).encode()
    refused_late = await stack.http.post(url, content=late, headers=signed_headers(secret, late))
    assert refused_late.status_code == 409
    assert "closed" in refused_late.json()["detail"]


async def test_a_decision_that_overtakes_its_task_is_answered_retry_later(stack: Stack) -> None:
    """OpenText may call back before the activity that opened the task has reported it to the
    case. That is no refusal (a 409 would end OpenText's retries and leave the case waiting for
    reconciliation): 503, so the callback comes again once the case knows its task."""
    url = f"{stack.shim_url}/callbacks/opentext/workflow?tenant=test"
    secret = SECRETS["OPENTEXT_CALLBACK_SECRET"]
    # Longer than the shim offers a decision again (`NOT_OPEN_YET_PAUSES`, 3 s in all).
    await stack.fault(
        system="opentext-workflow", operation="POST /workflow/v1/process-instances", effect="latency", seconds=8
    )
    order = await stack.create_order(SHOP, unit_price="1900.00")
    case_id = ORDER_REVIEW.case_id("shopify", SHOP, order.legacy_resource_id)
    handle = await stack.case_started(case_id)

    async def opening_review() -> bool:
        pending = (await handle.describe()).raw_description.pending_activities
        return any(a.activity_type.name == "opentext.start_review" for a in pending)

    await eventually(opening_review, what="the case opening its review task")
    early = {
        "tenantId": "casebridge-test",
        "processInstanceId": "p-early",
        "processDefinitionKey": "casebridge_order_review",
        "businessKey": case_id,
        "taskId": "t-early",
        "taskName": "Review order",
        "outcome": "approved",
        "outcomeVariable": "reviewOutcome",
        "completedBy": "x",
        "completedAt": "2026-11-21T10:00:00Z",
        "variables": {},
    }
    body = json.dumps(early).encode()
    answer = await stack.http.post(url, content=body, headers=signed_headers(secret, body))
    assert answer.status_code == 503, answer.text
    assert "not ready" in answer.json()["detail"]

    # Once the task is known, a decision for another task is a refusal, and the real one decides.
    task_id = await stack.open_task_id(case_id)
    answer = await stack.http.post(url, content=body, headers=signed_headers(secret, body))
    assert answer.status_code == 409, answer.text
    assert not [e for e in await stack.audit(case_id) if e.event == "decision received"]
    await stack.opentext.complete_task(task_id, "approved", {"reviewer": "test"})
    assert (await handle.result()).status is CaseStatus.APPROVED


@workflow.defn(name="TestOpeningReview", sandboxed=False)
class OpeningReview:
    """A case at the moment its review task exists in OpenText but the activity that opened it
    has not reported back: it refuses decisions as not open yet until `task_reported`."""

    def __init__(self) -> None:
        self.reported = False
        self.decision: ReviewDecision | None = None

    @workflow.run
    async def run(self) -> str:
        await workflow.wait_condition(lambda: self.decision is not None)
        assert self.decision is not None
        return self.decision.outcome

    @workflow.signal
    def task_reported(self) -> None:
        self.reported = True

    @workflow.update
    def decide(self, decision: ReviewDecision) -> CaseView:
        self.decision = decision
        return CaseView(case_id=workflow.info().workflow_id, case_type="test", status=CaseStatus.APPLYING, detail="")

    @decide.validator
    def check_decision(self, decision: ReviewDecision) -> None:
        if not self.reported:
            raise ReviewNotOpenYet("the case is still opening its review task")


async def test_a_decision_for_the_task_the_case_is_still_opening_is_taken_at_once(stack: Stack) -> None:
    """The callback that overtakes the activity's report by a moment is offered to the case again
    for a few seconds (not answered 503 at once, which makes OpenText wait and send it again)."""
    queue = f"opening-{uuid.uuid4().hex[:8]}"
    async with Worker(stack.client, task_queue=queue, workflows=[OpeningReview]):
        handle = await stack.client.start_workflow(
            "TestOpeningReview", id=f"opening-review-{uuid.uuid4().hex[:8]}", task_queue=queue
        )
        callback = {
            "tenantId": "casebridge-test",
            "processInstanceId": "p-1",
            "businessKey": handle.id,
            "taskId": "t-1",
            "outcome": "approved",
            "completedBy": "rita",
        }
        body = json.dumps(callback).encode()
        url = f"{stack.shim_url}/callbacks/opentext/workflow?tenant=test"
        secret = SECRETS["OPENTEXT_CALLBACK_SECRET"]
        posting = asyncio.create_task(stack.http.post(url, content=body, headers=signed_headers(secret, body)))
        # Still unanswered half a second later: the shim is offering the decision again.
        done, _ = await asyncio.wait({posting}, timeout=0.5)
        assert not done, f"answered at once: {posting.result().status_code} {posting.result().text}"
        await handle.signal("task_reported")
        answer = await asyncio.wait_for(posting, timeout=30)
        assert answer.status_code == 200, answer.text
        assert await handle.result() == "approved"


async def test_health_and_readiness(stack: Stack) -> None:
    async with httpx.AsyncClient() as http:
        assert (await http.get(f"{stack.shim_url}/healthz")).status_code == 200
        assert (await http.get(f"{stack.shim_url}/readyz")).json() == {"status": "ready"}
        assert (await http.get(f"{stack.shim_url}/openapi.json")).status_code == 200


async def _case_count(stack: Stack, case_id: str) -> int:
    """Runs recorded under this case id (0 when the id was never used)."""
    try:
        await stack.handle(case_id).describe()
    except RPCError as err:
        assert err.status is RPCStatusCode.NOT_FOUND
        return 0

    async def listed() -> list[WorkflowExecutionStatus | None]:
        return [e.status async for e in stack.client.list_workflows(f'WorkflowId = "{case_id}"')]

    return len(await eventually(listed, what="visibility to list the case"))
