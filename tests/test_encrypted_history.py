"""Encrypted history end to end: a real order review on the suite's (encrypted) stack, then its
history read raw from the server by a client without the codec, as Temporal Cloud stores it."""

from __future__ import annotations

import uuid
from typing import Any

from temporalio.api.history.v1 import History
from temporalio.api.sdk.v1 import WorkflowMetadata
from temporalio.client import Client

from casebridge.payload_codec import ENCRYPTED_ENCODING
from tests.support.histories import decode_payloads
from tests.support.stack import Stack
from tests.support.world import SHOP
from tests.test_order_review_flow import REVIEWER, case_of, decide
from workflows.messages import CaseStatus

# A customer whose every detail is unique to this test (PERSONAL_DATA in tests/support/world.py
# keeps them out of the logs too).
FIRST, LAST = "Imogen", "Quartermaine"
PHONE = "+14155550187"
STREET, CITY, ZIP = "42 Wisteria Lane", "Fairview", "90211"


def customer_order(email: str) -> dict[str, Any]:
    address = {
        "firstName": FIRST,
        "lastName": LAST,
        "phone": PHONE,
        "address1": STREET,
        "city": CITY,
        "zip": ZIP,
        "countryCode": "US",
    }
    return {
        "email": email,
        "phone": PHONE,
        "currency": "USD",
        "lineItems": [
            {"title": "Chair", "quantity": 1, "priceSet": {"shopMoney": {"amount": "1500.00", "currencyCode": "USD"}}}
        ],
        "shippingAddress": address,
        "billingAddress": address,
        "customer": {"toUpsert": {"email": email, "firstName": FIRST, "lastName": LAST, "tags": ["vip"]}},
        "financialStatus": "PAID",
    }


async def test_no_personal_data_in_the_raw_history(stack: Stack) -> None:
    email = f"imogen.quartermaine-{uuid.uuid4().hex[:6]}@example.test"
    personal = [FIRST, LAST, f"{FIRST} {LAST}", email, email.split("@")[0], PHONE, PHONE[2:], STREET, "Wisteria"]
    customer = list(personal)
    personal += [REVIEWER]  # the reviewer's e-mail arrives with the decision

    order = await stack.shop(SHOP).create_order(customer_order(email))
    case_id = case_of(SHOP, order.legacy_resource_id)
    handle = await stack.case_started(case_id)
    await decide(stack.opentext, await stack.open_task_id(case_id), "approved")
    assert (await handle.result()).status is CaseStatus.APPROVED

    # What the server holds, read by a client that has no codec (the default converter).
    raw_client = Client(stack.client.service_client, namespace=stack.client.namespace)
    history = await raw_client.get_workflow_handle(case_id).fetch_history()
    raw = History(events=history.events).SerializeToString()
    leaked = [value for value in personal if value.encode() in raw]
    assert not leaked, f"personal data in the stored history: {leaked}"
    assert ENCRYPTED_ENCODING in raw

    # The test means something: the case did carry the customer's e-mail, sealed.
    decoded = History(events=history.events)
    await decode_payloads(decoded, stack.client.data_converter.payload_codec)  # type: ignore[arg-type]
    assert email.encode() in decoded.SerializeToString()

    # Search attributes stay readable (they are indexed) and name no one.
    described = await raw_client.get_workflow_handle(case_id).describe()
    indexed = " ".join(str(pair.value) for pair in described.typed_search_attributes.search_attributes)
    assert "#" in indexed  # CaseRef, the order's name
    assert not [value for value in personal if value in indexed]

    # Summary and details (static, and the live details behind the UI's "current details"), as the
    # codec server shows them to an operator: no customer's name, e-mail, phone or address (who
    # decided is part of the case's record: the live status names the reviewer).
    readable = await handle.describe()
    metadata = await handle.query("__temporal_workflow_metadata", result_type=WorkflowMetadata)
    summary, details = await readable.static_summary(), await readable.static_details()
    shown = "\n".join([summary or "", details or "", metadata.current_details])
    assert "Order review" in shown and order.name in shown
    assert not [value for value in customer if value in shown]
