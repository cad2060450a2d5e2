"""The customer's evidence for a return reaches its case through the shim: a reviewer asks for
photos, the storefront posts them (signed) to `/events/return-evidence`, a second review round
opens with them, and the refund follows. BigCommerce return requests make the case (no returns API)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import httpx

from tests.support.stack import Stack, eventually
from tests.support.world import BC_FLOW_STORE, SHOP
from tests.test_fulfillment_exception import emails_with
from tests.test_order_review_flow import decide
from tests.test_return_case_bigcommerce import paid_order, product_id, return_request, sandbox_order, signed_headers
from tests.test_return_case_bigcommerce import started as request_started
from workflows.messages import CaseStatus
from workflows.return_case import ReturnCase


async def post_evidence(stack: Stack, body: dict[str, Any] | bytes, **signing: str) -> httpx.Response:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return await stack.http.post(
        f"{stack.shim_url}/events/return-evidence", content=raw, headers=signed_headers(raw, **signing)
    )


def evidence(return_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "platform": "bigcommerce",
        "store": BC_FLOW_STORE,
        "return_id": return_id,
        "submitted_by": "rita.returner@example.test",
        "note": "The tent pole arrived snapped",
        "links": ["https://uploads.example.test/returns/pole-1.jpg"],
        **extra,
    }


async def test_evidence_posted_by_the_storefront_reopens_the_review(stack: Stack) -> None:
    order = await paid_order(stack)
    request = return_request(order, [{"order_product_id": product_id(order, "Tent"), "quantity": 1, "reason": "x"}])
    case_id = await request_started(stack, request)
    return_id = case_id.rsplit("/", 1)[-1]
    first_task = await stack.open_task_id(case_id)
    await decide(stack.opentext, first_task, "request-evidence")

    async def waiting() -> bool:
        view = await stack.view(case_id)
        return view.status is CaseStatus.IN_REVIEW and "evidence" in view.detail

    await eventually(waiting, what="the case to wait for evidence")

    # Asking means telling the customer: an Exstream letter with what is needed and by when (the
    # letter is a workflow of its own, sent while the case waits).
    [asked] = await emails_with(stack, return_id.split(":")[-1], "photos or proof")
    assert "Please send them by" in asked
    posted = await post_evidence(stack, evidence(return_id))
    assert posted.status_code == 200, posted.text
    assert (posted.json()["result"], posted.json()["case_id"]) == ("signalled", case_id)

    async def second_round() -> str | None:
        view = await stack.view(case_id)
        task = view.review_task_id
        return task if task not in (None, first_task) and view.status is CaseStatus.IN_REVIEW else None

    task_id = await eventually(second_round, what="the second review round")
    process = await stack.opentext.get_process((await stack.view(case_id)).review_process_id or "")
    assert "pole-1.jpg" in str(process)  # the reviewer sees the links
    await decide(stack.opentext, task_id, "refund")
    result = await stack.client.get_workflow_handle_for(ReturnCase.run, case_id).result()

    assert result.status is CaseStatus.APPROVED
    refunds = (await sandbox_order(stack, order["id"]))["refunds"]
    assert [Decimal(str(r["total_amount"])) for r in refunds] == [Decimal("300.00")]
    trail = await stack.audit(case_id)
    assert any(e.event == "evidence received" and e.actor == "rita.returner@example.test" for e in trail)

    # BigCommerce tells the customer nothing itself: the refund goes out as Exstream's refund letter.
    [refunded] = await emails_with(stack, "We refunded", f"for order {order['id']} ")
    assert "300.00" in refunded


async def test_evidence_is_authenticated_and_validated(stack: Stack) -> None:
    assert (await post_evidence(stack, evidence("storefront-returns:RET-x"), secret="wrong")).status_code == 401
    missing = await post_evidence(stack, evidence("storefront-returns:RET-nosuchreturn"))
    assert missing.status_code == 404
    assert "no open return case" in missing.json()["detail"]
    empty = await post_evidence(stack, evidence("storefront-returns:RET-x", note="", links=[]))
    assert empty.status_code == 422
    not_a_link = await post_evidence(stack, evidence("storefront-returns:RET-x", links=["javascript:alert(1)"]))
    assert not_a_link.status_code == 422
    # The storefront's return form may not report about the Shopify shop (403).
    elsewhere = await post_evidence(stack, evidence("123", platform="shopify", store=SHOP))
    assert elsewhere.status_code == 403
