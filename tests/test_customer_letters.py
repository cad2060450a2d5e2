"""Customer letters through the `CustomerLetter` building block, on Temporal against the simulated
Shopify, Exstream and Content Server over HTTP: the store's brand and language pick the template and
legal text; a bounced e-mail falls back to print and the refusal reaches the customer record, so the
next letter goes straight to print; a case's letter is filed in the order's workspace."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from temporalio.api.history.v1 import History
from temporalio.client import WorkflowHandle

from activities.letter_models import LETTER_ID_PREFIX, SendLetterRequest
from routing.communications import CommunicationsPolicy, LetterChannel, LetterPurpose
from tests.support.histories import decode_payloads, keep_history
from tests.support.stack import Stack, eventually
from tests.support.world import SHOP, TENANT, TENANT_ID
from tests.test_case_file import documents_in, ecm, order_workspace_id
from tests.test_fulfillment_exception import open_tasks, post, report
from tests.test_order_review_flow import decide
from workflows.customer_letter import CustomerLetter, LetterInput, LetterResult, letter_search_attributes
from workflows.delivery_outcomes import DeliveryOutcomeFeed, FeedInput, feed_id, feed_search_attributes
from workflows.fulfillment_exception import KIND as FULFILLMENT_EXCEPTION
from workflows.messages import CaseStatus

EXSTREAM_ADMIN = f"/opentext/exstream/_admin/tenants/{TENANT_ID}/domains/casebridge"


async def start_letter(
    stack: Stack, order_id: str, policy: CommunicationsPolicy, headline: str
) -> WorkflowHandle[CustomerLetter, LetterResult]:
    letter_id = f"{LETTER_ID_PREFIX}test/{uuid.uuid4().hex[:10]}"
    request = SendLetterRequest(
        letter_id=letter_id,
        tenant=TENANT,
        platform="shopify",
        store=SHOP,
        order_id=order_id,
        purpose=LetterPurpose.CASE_DECISION,
        communication=policy.communication_for(LetterPurpose.CASE_DECISION),
        policy=policy,
        content={"decision": {"headline": headline, "detail": "Test detail."}},
    )
    return await stack.client.start_workflow(
        CustomerLetter.run,
        LetterInput(request=request, ref="order under test"),
        id=letter_id,
        task_queue=stack.settings.task_queue,
        search_attributes=letter_search_attributes(),
    )


async def deliveries_of(stack: Stack, letter_id: str) -> list[dict[str, Any]]:
    answer = await stack.http.get(f"{stack.sandbox_url}{EXSTREAM_ADMIN}/deliveries")
    answer.raise_for_status()
    return [d for d in answer.json() if d["documentId"] == letter_id]


async def rendered(stack: Stack, marker: str) -> list[str]:
    """The documents Exstream rendered that contain `marker`."""
    listed = await stack.http.get(f"{stack.sandbox_url}/opentext/exstream/_admin/outputs")
    listed.raise_for_status()
    found = []
    for output in listed.json():
        content = await stack.http.get(f"{stack.sandbox_url}/opentext/exstream/_admin/outputs/{output['id']}")
        if marker in content.text:
            found.append(content.text)
    return found


async def test_the_stores_brand_and_language_pick_template_and_legal_text(stack: Stack) -> None:
    order = await stack.create_order(SHOP, unit_price="40.00")
    # The customer's locale (en) is not one the policy offers: the store's language (de) is used.
    policy = CommunicationsPolicy(
        brand="casebridge-trade", language="de", languages=["de"], bounce_wait=timedelta(seconds=1)
    )
    headline = f"Headline {uuid.uuid4().hex[:8]}"
    handle = await start_letter(stack, order.legacy_resource_id, policy, headline)

    result = await handle.result()
    assert result.status == "sent", result  # no outcome feed runs in this test: sent, no bounce seen
    [send] = result.sends
    assert (send.channel, send.brand, send.language) == (LetterChannel.EMAIL, "casebridge-trade", "de")
    [email] = [d for d in await deliveries_of(stack, handle.id) if d["channel"] == "email"]
    assert email["store"] == SHOP and email["communication"] == "Case Decision Letter"
    documents = await rendered(stack, headline)
    assert documents, "the letter was not rendered"
    for text in documents:
        assert "Casebridge Trade Supply GmbH" in text  # the German legal text of the trade brand
        assert "Sehr geehrte Damen und Herren" in text
        assert order.name in text


async def test_a_bounced_email_falls_back_to_print_and_the_refusal_is_kept(stack: Stack) -> None:
    email = f"bouncing-{uuid.uuid4().hex[:8]}@example.test"
    order = await stack.create_order(SHOP, unit_price="45.00", email=email, customer_tags=["regular"])
    assert order.customer is not None
    bounced = await stack.http.post(f"{stack.sandbox_url}{EXSTREAM_ADMIN}/bouncing-emails", json={"email": email})
    assert bounced.status_code == 204, bounced.text
    feed = await stack.client.start_workflow(
        DeliveryOutcomeFeed.run,
        FeedInput(tenant=TENANT, poll_every=timedelta(seconds=1)),
        id=f"{feed_id(TENANT)}-{uuid.uuid4().hex[:6]}",
        task_queue=stack.settings.task_queue,
        search_attributes=feed_search_attributes(),
    )
    policy = CommunicationsPolicy(brand="casebridge-outdoor", bounce_wait=timedelta(minutes=10))
    try:
        first = await start_letter(stack, order.legacy_resource_id, policy, "Your return was approved")
        result = await first.result()
        await keep_history(first, "customer_letter_bounced-to-print")
        assert result.status == "delivered", result
        assert [s.channel for s in result.sends] == [LetterChannel.EMAIL, LetterChannel.PRINT]
        assert [(o.channel, o.type) for o in result.outcomes] == [
            (LetterChannel.EMAIL, "bounced"),
            (LetterChannel.PRINT, "delivered"),
        ]
        deliveries = await deliveries_of(stack, first.id)
        assert [(d["channel"], d["outcome"]) for d in deliveries] == [("email", "bounced"), ("print", "delivered")]
        # Whom it went to and what it said stayed in the activity: the letter's decoded history
        # holds neither the e-mail address nor the postal address nor the rendered document.
        history = History(events=(await first.fetch_history()).events)
        await decode_payloads(history, stack.client.data_converter.payload_codec)  # type: ignore[arg-type]
        raw = history.SerializeToString()
        assert email.encode() not in raw and b"1 Test Way" not in raw and b"%PDF" not in raw

        # The bounce reached the Shopify customer record ...
        customer = order.customer.id

        async def refused() -> dict[str, Any] | None:
            record = await stack.shop(SHOP).customer_record(customer)
            preferences: Any = record.fields.get("communication_preferences")
            email_entry = preferences.get("email") if isinstance(preferences, dict) else None
            return preferences if isinstance(email_entry, dict) and email_entry.get("accepts") is False else None

        preferences = await eventually(refused, what="the bounce on the customer record")
        assert preferences["email"]["reason"] == "bounced"

        # ... so the next letter leaves e-mail out from the start.
        second = await start_letter(stack, order.legacy_resource_id, policy, "Your refund was paid")
        later = await second.result()
        assert [s.channel for s in later.sends] == [LetterChannel.PRINT]
        assert later.sends[0].refused == [LetterChannel.EMAIL]
        assert [d["channel"] for d in await deliveries_of(stack, second.id)] == ["print"]
    finally:
        await feed.terminate(reason="test over")


async def test_a_cases_letter_is_rendered_for_its_order_and_filed_in_the_workspace(stack: Stack) -> None:
    order = await stack.create_order(SHOP, unit_price="130.00")
    answer = await post(stack, report(order.legacy_resource_id, "carrier_delay"))
    assert answer.status_code == 200, answer.text
    case_id = FULFILLMENT_EXCEPTION.case_id("shopify", SHOP, order.legacy_resource_id)
    tasks = await open_tasks(stack, case_id, {"warehouse", "customer-service"})
    for task_id in tasks.values():
        await decide(stack.opentext, task_id, "new-delivery-date")
    assert (await stack.handle(case_id).result()).status is CaseStatus.APPROVED

    [started] = [e for e in await stack.audit(case_id) if e.event == "letter started"]
    letter_id = started.detail.split(": ", 1)[1]
    assert letter_id.startswith(f"{LETTER_ID_PREFIX}{case_id}/")
    letter = stack.client.get_workflow_handle(letter_id, result_type=LetterResult)

    async def filed() -> LetterResult | None:
        status = await letter.query(CustomerLetter.status)
        return status if status.sends and status.sends[0].filed_node_id else None

    status = await eventually(filed, what="the letter filed in the order's workspace")
    assert status.sends[0].channel is LetterChannel.EMAIL
    workspace_id = await order_workspace_id(stack, order.legacy_resource_id)
    [document] = await documents_in(stack, workspace_id, "Correspondence")
    assert document.id == status.sends[0].filed_node_id
    assert document.name.startswith(f"Order Delay Letter {order.name}")  # a carrier delay's new date
    pdf = (await ecm(stack).download_version(document.id, 1)).content
    assert pdf.startswith(b"%PDF") and order.name.encode() in pdf and b"Casebridge Outdoor" in pdf
    await letter.terminate(reason="test over")  # it would listen for a bounce for the policy's wait
