"""A letter is sent once although Exstream has no idempotency key: the archive copy in the order's
workspace, named by the letter and its channel, records the send, and another attempt of the letter's
activity that finds it returns that send (a worker that died after filing, an answer lost on the way
back). An ECM failure right after the send is waited out within the attempt instead of failing it,
since a retried attempt would send again. Driven against the simulated Shopify, Exstream and Content
Server over HTTP; each call is one activity attempt, as the worker would run it."""

from __future__ import annotations

import pytest
from temporalio.testing import ActivityEnvironment

import activities.letters as letters_module
from activities.content_server import Filing
from activities.document_models import OpenWorkspaceRequest, WorkspaceRef, order_workspace
from activities.letter_models import LETTER_ID_PREFIX, SendLetterRequest
from activities.letters import LetterActivities
from routing.communications import CommunicationsPolicy, LetterChannel, LetterPurpose
from tests.support.stack import Stack
from tests.support.world import SHOP, TENANT
from tests.test_case_file import documents_in
from tests.test_customer_letters import deliveries_of

POLICY = CommunicationsPolicy(brand="casebridge-outdoor")


async def letter_for_a_new_order(stack: Stack, unit_price: str) -> tuple[SendLetterRequest, WorkspaceRef]:
    order = await stack.create_order(SHOP, unit_price=unit_price)
    subject = order_workspace(SHOP, order.legacy_resource_id, order.name)
    workspace = await Filing(stack.connections).open_workspace(
        OpenWorkspaceRequest(tenant=TENANT, platform="shopify", store=SHOP, subject=subject)
    )
    request = SendLetterRequest(
        letter_id=f"{LETTER_ID_PREFIX}test/once-{order.legacy_resource_id}",
        tenant=TENANT,
        platform="shopify",
        store=SHOP,
        order_id=order.legacy_resource_id,
        purpose=LetterPurpose.CASE_DECISION,
        communication=POLICY.communication_for(LetterPurpose.CASE_DECISION),
        policy=POLICY,
        content={"decision": {"headline": "Your return was approved", "detail": "Refunded to your card."}},
        workspace=workspace,
    )
    return request, workspace


async def archive_copies(stack: Stack, workspace: WorkspaceRef, request: SendLetterRequest) -> dict[str, str]:
    """The letter's archive copies in the workspace: name -> description."""
    key = request.letter_id.rsplit("/", 1)[-1]
    documents = await documents_in(stack, workspace.node_id, "Correspondence")
    return {d.name: d.description or "" for d in documents if key in d.name}


async def test_another_attempt_of_a_sent_letter_sends_nothing(stack: Stack) -> None:
    request, workspace = await letter_for_a_new_order(stack, "52.00")
    attempt = ActivityEnvironment().run
    letters = LetterActivities(stack.connections)

    first = await attempt(letters.send_letter, request)
    assert first.channel is LetterChannel.EMAIL and first.delivery_id and first.filed_node_id
    # The same letter's activity again, as after a worker died before reporting the first attempt.
    again = await attempt(LetterActivities(stack.connections).send_letter, request)
    assert (again.channel, again.delivery_id, again.filed_node_id) == (
        first.channel,
        first.delivery_id,
        first.filed_node_id,
    )
    assert [d["channel"] for d in await deliveries_of(stack, request.letter_id)] == ["email"]

    # The e-mail bounced: the letter goes by print, once, and its copy is filed beside the e-mail's.
    by_print = request.model_copy(update={"excluded": [LetterChannel.EMAIL]})
    printed = await attempt(letters.send_letter, by_print)
    assert printed.channel is LetterChannel.PRINT and printed.delivery_id not in (None, first.delivery_id)
    assert (await attempt(letters.send_letter, by_print)).delivery_id == printed.delivery_id
    assert [d["channel"] for d in await deliveries_of(stack, request.letter_id)] == ["email", "print"]
    copies = await archive_copies(stack, workspace, request)
    assert sorted(copies.values()) == [
        f"Sent by email as delivery {first.delivery_id}",
        f"Sent by print as delivery {printed.delivery_id}",
    ]
    assert sorted(name.rsplit(" ", 1)[-1] for name in copies) == ["(email).pdf", "(print).pdf"]


async def test_an_ecm_failure_after_the_send_does_not_send_again(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(letters_module, "ARCHIVE_FILING_PAUSE_SECONDS", 0.05)
    request, workspace = await letter_for_a_new_order(stack, "53.00")
    # Content Server fails the next two uploads: the archive copy of the letter Exstream just sent.
    await stack.fault(system="opentext-ecm", operation="POST /api/v2/nodes", effect="http_503", times=2)

    sent = await ActivityEnvironment().run(LetterActivities(stack.connections).send_letter, request)

    assert sent.channel is LetterChannel.EMAIL and sent.filed_node_id
    assert [d["channel"] for d in await deliveries_of(stack, request.letter_id)] == ["email"]
    assert list((await archive_copies(stack, workspace, request)).values()) == [
        f"Sent by email as delivery {sent.delivery_id}"
    ]
