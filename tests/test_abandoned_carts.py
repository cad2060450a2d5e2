"""Abandoned-cart reminders on the time-skipping server, against the simulated Shopify, BigCommerce,
Adobe Commerce and Exstream over HTTP: a checkout or cart left alone gets one "Abandoned Cart Reminder" after the
policy's delay (a duplicate event changes nothing), one that became an order gets none, and a
customer who refused e-mail gets it by the next channel or not at all."""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import JsonValue
from temporalio.client import WorkflowHandle

from activities.preferences import PREFERENCES_FIELD
from casebridge.connections import Connections
from connectors.adobe_commerce.cart_models import CartAddress
from connectors.opentext.content_server_models import BusinessObject
from routing.abandoned_carts import AbandonedCartPolicy
from routing.communications import CommunicationsPolicy, LetterChannel
from routing.policy import load_policy
from tests.support.carts import cart_case_input, open_checkout, shopify_customer
from tests.support.histories import keep_history
from tests.support.letters import letter_sent
from tests.support.world import ADOBE_DOCS_STORE, BC_DOCS_STORE, DOCS_SHOP, TENANT, TENANT_ID, ecm_system
from tests.test_order_triggers import Harness
from tests.test_order_triggers import harness as harness
from workflows.abandoned_cart import KIND, REMINDER_KEY, AbandonedCart, CartEvent
from workflows.messages import AuditEntry, CaseResult, CaseStatus

EXSTREAM_ADMIN = f"/opentext/exstream/_admin/tenants/{TENANT_ID}/domains/casebridge"
REMINDER = "Abandoned Cart Reminder"
CART_URL = "https://shop.example/cart/{cart_id}"
POLICY = AbandonedCartPolicy(remind_after=timedelta(hours=4), cart_url=CART_URL)


def communications(config_dir: Path, policy_file: str) -> CommunicationsPolicy:
    policy = load_policy(config_dir / "policies" / policy_file)
    assert policy.communications is not None
    return policy.communications


async def start_case(
    harness: Harness,
    platform: str,
    store: str,
    cart_id: str,
    letters: CommunicationsPolicy,
    reference: str,
    *,
    files_documents: bool = False,
) -> WorkflowHandle[AbandonedCart, CaseResult]:
    env, _, queue = harness
    # A case id of its own per test run: the session's sandbox outlives the time-skipping server.
    case_id = f"{KIND.case_id(platform, store, cart_id)}-{uuid.uuid4().hex[:6]}"
    return await env.client.start_workflow(
        AbandonedCart.run,
        cart_case_input(case_id, platform, store, cart_id, letters, reference, POLICY, files_documents=files_documents),
        id=case_id,
        task_queue=queue,
    )


async def recorded(handle: WorkflowHandle[AbandonedCart, CaseResult], event: str, count: int) -> list[AuditEntry]:
    """Wait in real time (queries skip no time) until the case has recorded `event` `count` times."""
    deadline = asyncio.get_running_loop().time() + 30
    while True:
        trail = [e for e in await handle.query(AbandonedCart.audit) if e.event == event]
        if len(trail) >= count:
            return trail
        assert asyncio.get_running_loop().time() < deadline, await handle.query(AbandonedCart.audit)
        await asyncio.sleep(0.05)


async def reminders(sandbox_url: str, case_id: str) -> list[dict[str, Any]]:
    async with httpx.AsyncClient() as http:
        answer = await http.get(f"{sandbox_url}{EXSTREAM_ADMIN}/deliveries")
        answer.raise_for_status()
        return [
            d
            for d in answer.json()
            if (d["documentId"] or "").startswith(f"letter/{case_id}/") and d["communication"] == REMINDER
        ]


async def rendered(sandbox_url: str, delivery: dict[str, Any], marker: str) -> list[str]:
    async with httpx.AsyncClient() as http:
        listed = await http.get(
            f"{sandbox_url}/opentext/exstream/_admin/outputs", params={"communicationId": delivery["communicationId"]}
        )
        listed.raise_for_status()
        texts = [
            (await http.get(f"{sandbox_url}/opentext/exstream/_admin/outputs/{o['id']}")).text for o in listed.json()
        ]
    # The marker ends where the text has no more of a URL ("cart/1" is not in "cart/12").
    whole = re.compile(re.escape(marker) + r"(?![0-9A-Za-z/_-])")
    return [t for t in texts if whole.search(t)]


async def test_an_abandoned_checkout_gets_one_reminder_after_the_delay_despite_a_duplicate_event(
    harness: Harness, config_dir: Path, sandbox_url: str
) -> None:
    env, connections, _ = harness
    email, customer = await shopify_customer(sandbox_url)
    checkout = await open_checkout(sandbox_url, email)
    letters = communications(config_dir, f"{DOCS_SHOP}.yaml")
    handle = await start_case(harness, "shopify", DOCS_SHOP, str(checkout["id"]), letters, "w-1", files_documents=True)
    # The same webhook delivered again: recognised, the reminder stays where it was.
    await handle.signal(AbandonedCart.cart_changed, CartEvent(kind="active", reference="w-1"))
    [opened] = await recorded(handle, "store event", 1)

    result = await asyncio.wait_for(handle.result(), timeout=120)
    await keep_history(handle, "abandoned_cart_shopify_reminded")

    assert result.status is CaseStatus.APPROVED and result.detail == "Reminder sent", result.detail
    trail = await handle.query(AbandonedCart.audit)
    assert [e.detail for e in trail if e.event == "store event"] == [opened.detail]
    [started] = [e for e in trail if e.event == "letter started"]
    assert started.at - opened.at >= POLICY.remind_after  # waited, durably, for its time
    letter = await letter_sent(env, handle.id, REMINDER_KEY)
    assert [s.channel for s in letter.sends] == [LetterChannel.EMAIL], letter
    [delivery] = await reminders(sandbox_url, handle.id)
    texts = await rendered(sandbox_url, delivery, checkout["abandoned_checkout_url"])
    assert texts and all("1 x Tent for two" in t for t in texts)
    # Filed in the shopper's account workspace: the reminder (Correspondence) and the audit report.
    account = await connections.content_server(TENANT).find_business_workspace(
        BusinessObject(
            ext_system_id=ecm_system("shopify", DOCS_SHOP), bo_type="customer", bo_id=customer.rsplit("/", 1)[-1]
        )
    )
    assert account is not None, "no account workspace"
    folders = {f.name: f.id for f in await connections.content_server(TENANT).list_children(account.id)}
    correspondence = await connections.content_server(TENANT).list_children(folders["Correspondence"])
    assert [d.name for d in correspondence if REMINDER in d.name], [d.name for d in correspondence]
    audit = await connections.content_server(TENANT).list_children(folders["Audit"])
    assert [d.name for d in audit] == [f"Audit report {handle.id.replace('/', ' ')}.html"]
    # Nothing of the shopper in the case's history: ids only.
    history = await handle.fetch_history()
    assert email not in history.to_json()


async def test_a_completed_checkout_gets_no_reminder(harness: Harness, config_dir: Path, sandbox_url: str) -> None:
    email, _ = await shopify_customer(sandbox_url)
    letters = communications(config_dir, f"{DOCS_SHOP}.yaml")
    announced, quiet = await open_checkout(sandbox_url, email), await open_checkout(sandbox_url, email)
    async with httpx.AsyncClient() as http:
        for checkout in (announced, quiet):
            paid = await http.post(f"{sandbox_url}/shopify/{DOCS_SHOP}/_admin/checkouts/{checkout['id']}/complete")
            paid.raise_for_status()
    # One case hears of the payment (`checkouts/update` with `completed_at`); the other finds it
    # on the platform when its reminder is due. (One at a time: each skips hours of time.)
    by_event = await start_case(harness, "shopify", DOCS_SHOP, str(announced["id"]), letters, "w-2")
    await by_event.signal(AbandonedCart.cart_changed, CartEvent(kind="completed", reference="w-2-paid"))
    closed = await asyncio.wait_for(by_event.result(), timeout=120)
    by_check = await start_case(harness, "shopify", DOCS_SHOP, str(quiet["id"]), letters, "w-3")
    checked = await asyncio.wait_for(by_check.result(), timeout=120)
    await keep_history(by_event, "abandoned_cart_shopify_completed")
    await keep_history(by_check, "abandoned_cart_shopify_found-ordered")

    assert closed.status is CaseStatus.APPROVED and "became an order" in closed.detail, closed.detail
    assert checked.detail == "No reminder: the checkout was completed", checked.detail
    for handle in (by_event, by_check):
        assert not [e for e in await handle.query(AbandonedCart.audit) if e.event == "letter started"]
        assert await reminders(sandbox_url, handle.id) == []


@pytest.mark.parametrize(
    ("channels", "expected"),
    [([LetterChannel.EMAIL, LetterChannel.WEB], [LetterChannel.WEB]), ([LetterChannel.EMAIL], [])],
    ids=["portal-instead", "not-at-all"],
)
async def test_a_customer_who_refused_email_gets_the_reminder_by_the_next_channel_or_not_at_all(
    harness: Harness, config_dir: Path, sandbox_url: str, channels: list[LetterChannel], expected: list[LetterChannel]
) -> None:
    env, connections, _ = harness
    email, customer = await shopify_customer(sandbox_url)
    refusal: dict[str, JsonValue] = {
        "email": {"accepts": False, "reason": "opted_out", "at": datetime.now(UTC).isoformat()}
    }
    await connections.shopify(DOCS_SHOP).set_customer_fields(customer, {PREFERENCES_FIELD: refusal})
    checkout = await open_checkout(sandbox_url, email)
    letters = communications(config_dir, f"{DOCS_SHOP}.yaml").model_copy(update={"channels": channels})
    handle = await start_case(harness, "shopify", DOCS_SHOP, str(checkout["id"]), letters, "w-4")

    result = await asyncio.wait_for(handle.result(), timeout=120)

    assert result.detail == "Reminder sent", result.detail
    letter = await letter_sent(env, handle.id, REMINDER_KEY)
    assert [s.channel for s in letter.sends if s.channel is not None] == expected
    assert letter.sends[-1].refused == [LetterChannel.EMAIL]
    assert letter.status == ("awaiting outcome" if expected else "not sent"), letter


async def test_a_guests_checkout_names_nobody_to_remind(harness: Harness, config_dir: Path, sandbox_url: str) -> None:
    checkout = await open_checkout(sandbox_url, f"guest-{uuid.uuid4().hex[:8]}@example.test", guest=True)
    letters = communications(config_dir, f"{DOCS_SHOP}.yaml")
    handle = await start_case(harness, "shopify", DOCS_SHOP, str(checkout["id"]), letters, "w-5")

    result = await asyncio.wait_for(handle.result(), timeout=120)

    assert result.detail == "No reminder: a guest's cart without an e-mail address: nobody to write to"
    assert await reminders(sandbox_url, handle.id) == []


def bc_admin(sandbox_url: str, path: str) -> str:
    return f"{sandbox_url}/bigcommerce/_admin/stores/{BC_DOCS_STORE}{path}"


async def abandoned_bigcommerce_cart(
    http: httpx.AsyncClient, sandbox_url: str, *, accepts_cart_emails: bool = True, guest_email: str | None = None
) -> tuple[str, str]:
    """(cart id, abandoned-cart token) of a cart BigCommerce has just reported abandoned."""
    cart: dict[str, Any] = {"lines": [{"sku": "GRIND-1", "name": "Grinder", "quantity": 2, "list_price": "50.00"}]}
    if guest_email is None:
        customer = await http.post(
            bc_admin(sandbox_url, "/customers"),
            json={
                "email": f"bc-shopper-{uuid.uuid4().hex[:8]}@example.test",
                "first_name": "Bea",
                "accepts_product_review_abandoned_cart_emails": accepts_cart_emails,
            },
        )
        customer.raise_for_status()
        cart["customer_id"] = int(customer.json()["id"])
    else:
        cart["email"] = guest_email
    made = await http.post(bc_admin(sandbox_url, "/carts"), json=cart)
    made.raise_for_status()
    cart_id = made.json()["data"]["id"]
    abandoned = await http.post(bc_admin(sandbox_url, f"/carts/{cart_id}/abandon"))
    abandoned.raise_for_status()
    return cart_id, abandoned.json()["data"]["token"]


@pytest.mark.parametrize("guest", [False, True], ids=["customer", "guest"])
async def test_an_abandoned_bigcommerce_cart_gets_one_reminder_by_email(
    harness: Harness, config_dir: Path, sandbox_url: str, guest: bool
) -> None:
    env, connections, _ = harness
    async with httpx.AsyncClient() as http:
        cart_id, token = await abandoned_bigcommerce_cart(
            http, sandbox_url, guest_email=f"bc-guest-{uuid.uuid4().hex[:8]}@example.test" if guest else None
        )
    assert await connections.bigcommerce(BC_DOCS_STORE).abandoned_cart_id(token) == cart_id
    letters = communications(config_dir, f"bigcommerce-{BC_DOCS_STORE}.yaml")
    handle = await start_case(harness, "bigcommerce", BC_DOCS_STORE, cart_id, letters, "bc-1")
    await handle.signal(AbandonedCart.cart_changed, CartEvent(kind="abandoned", reference="bc-1"))

    result = await asyncio.wait_for(handle.result(), timeout=120)

    assert result.detail == "Reminder sent", result.detail
    letter = await letter_sent(env, handle.id, REMINDER_KEY)
    assert [s.channel for s in letter.sends] == [LetterChannel.EMAIL], letter
    [delivery] = await reminders(sandbox_url, handle.id)
    texts = await rendered(sandbox_url, delivery, CART_URL.format(cart_id=cart_id))
    assert texts and all("2 x Grinder" in t for t in texts)


async def test_a_bigcommerce_cart_that_became_an_order_or_whose_customer_declined_cart_emails_gets_none(
    harness: Harness, config_dir: Path, sandbox_url: str
) -> None:
    env, _, _ = harness
    letters = communications(config_dir, f"bigcommerce-{BC_DOCS_STORE}.yaml")
    async with httpx.AsyncClient() as http:
        converted, _ = await abandoned_bigcommerce_cart(http, sandbox_url)
        declined, _ = await abandoned_bigcommerce_cart(http, sandbox_url, accepts_cart_emails=False)
        order = await http.post(
            bc_admin(sandbox_url, "/orders"),
            json={
                "billing_address": {
                    "first_name": "Bea",
                    "last_name": "Buyer",
                    "street_1": "1 Test Way",
                    "city": "Austin",
                    "zip": "78751",
                    "country": "United States",
                    "country_iso2": "US",
                    "email": "bea@example.test",
                },
                "products": [
                    {
                        "name": "Grinder",
                        "sku": "GRIND-1",
                        "quantity": 2,
                        "price_inc_tax": "50.00",
                        "price_ex_tax": "50.00",
                    }
                ],
            },
        )
        order.raise_for_status()
        made = await http.post(
            bc_admin(sandbox_url, f"/carts/{converted}/convert"), json={"order_id": order.json()["id"]}
        )
        made.raise_for_status()
    by_order = await start_case(harness, "bigcommerce", BC_DOCS_STORE, converted, letters, "bc-2")
    gone = await asyncio.wait_for(by_order.result(), timeout=120)
    email_only = letters.model_copy(update={"channels": [LetterChannel.EMAIL]})
    by_consent = await start_case(harness, "bigcommerce", BC_DOCS_STORE, declined, email_only, "bc-3")
    refused = await asyncio.wait_for(by_consent.result(), timeout=120)

    assert gone.detail == "No reminder: the cart became an order or was deleted", gone.detail
    assert await reminders(sandbox_url, by_order.id) == []
    assert refused.detail == "Reminder sent", refused.detail
    letter = await letter_sent(env, by_consent.id, REMINDER_KEY)
    assert letter.status == "not sent" and letter.sends[-1].refused == [LetterChannel.EMAIL], letter


async def adobe_guest_cart(connections: Connections, sandbox_url: str, email: str) -> int:
    """A guest's quote with a lamp in it and the shopper's addresses (and so e-mail) given."""
    sku = f"LAMP-{uuid.uuid4().hex[:6].upper()}"
    async with httpx.AsyncClient() as http:
        seeded = await http.post(
            f"{sandbox_url}/adobe-commerce/_admin/stores/{ADOBE_DOCS_STORE}/products",
            json={"sku": sku, "name": "Desk lamp", "price": 40},
        )
        seeded.raise_for_status()
    carts = connections.adobe_commerce(ADOBE_DOCS_STORE).carts
    cart_id = await carts.create_guest_cart()
    await carts.add_item(cart_id, sku, 2)
    address = CartAddress(
        firstname="Ada",
        lastname="Buyer",
        street=["1 Summit Way"],
        city="Austin",
        postcode="78751",
        country_id="US",
        region_code="TX",
        telephone="5550100",
        email=email,
    )
    await carts.set_shipping_information(
        cart_id, shipping=address, billing=address, carrier_code="flatrate", method_code="flatrate"
    )
    return cart_id


async def test_an_adobe_commerce_cart_is_reminded_until_it_is_ordered(
    harness: Harness, config_dir: Path, sandbox_url: str
) -> None:
    env, connections, _ = harness
    letters = communications(config_dir, f"adobe-{ADOBE_DOCS_STORE}.yaml")
    left = await adobe_guest_cart(connections, sandbox_url, f"adobe-guest-{uuid.uuid4().hex[:8]}@example.test")
    ordered = await adobe_guest_cart(connections, sandbox_url, f"adobe-buyer-{uuid.uuid4().hex[:8]}@example.test")
    order_id = await connections.adobe_commerce(ADOBE_DOCS_STORE).carts.place_order(ordered, "checkmo")

    # One at a time, the one with a letter last (a second case's timer did not fire on the
    # time-skipping server while the first one's letter still waited for its outcome).
    skipped = await start_case(harness, "adobe-commerce", ADOBE_DOCS_STORE, str(ordered), letters, "quote-2")
    not_sent = await asyncio.wait_for(skipped.result(), timeout=120)
    reminded = await start_case(harness, "adobe-commerce", ADOBE_DOCS_STORE, str(left), letters, "quote-1")
    sent = await asyncio.wait_for(reminded.result(), timeout=120)

    assert sent.detail == "Reminder sent", sent.detail
    letter = await letter_sent(env, reminded.id, REMINDER_KEY)
    assert [s.channel for s in letter.sends] == [LetterChannel.EMAIL], letter
    [delivery] = await reminders(sandbox_url, reminded.id)
    texts = await rendered(sandbox_url, delivery, CART_URL.format(cart_id=left))
    assert texts and all("2 x Desk lamp" in t for t in texts)
    assert not_sent.detail == f"No reminder: the cart was ordered or closed (order {order_id})", not_sent.detail


@pytest.mark.parametrize(
    ("settings", "complaint"),
    [
        ({"remind_after": "PT0S"}, "must be positive"),
        ({"remind_after": "P60D"}, "at most 30 days"),
        ({"cart_url": "https://shop.example/{cart}"}, "names cart"),
        ({"cart_url": "shop.example/{cart_id}"}, r"not an http\(s\) URL"),
    ],
)
def test_a_cart_policy_that_could_not_write_its_letter_is_refused_at_load(
    settings: dict[str, Any], complaint: str
) -> None:
    with pytest.raises(ValueError, match=complaint):
        AbandonedCartPolicy.model_validate(settings)
