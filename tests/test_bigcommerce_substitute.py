"""`bigcommerce.substitute_items` called directly against the session sandbox (the `cbflow` store):
the ordered units that cannot ship are replaced by another catalog product in one order update, the
customer never pays more (a dearer substitute at the replaced price, a cheaper one's difference
refunded once), and a repeated call finds the update done instead of adding or refunding again."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import pytest
from temporalio.exceptions import ApplicationError

from activities.bigcommerce import BigCommerceActivities
from activities.models import SubstituteItemsRequest, Substitution
from connectors.bigcommerce.models import NewShipment, ShipmentItemRequest
from tests.support.activity_calls import run_activity
from tests.support.stack import Stack
from tests.support.world import BC_FLOW_STORE

STAFF_NOTE = "Casebridge: lamp substituted"


def admin_url(stack: Stack, path: str) -> str:
    return f"{stack.sandbox_url}/bigcommerce/_admin/stores/{BC_FLOW_STORE}{path}"


async def admin_post(stack: Stack, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await stack.http.post(admin_url(stack, path), json=body)
    response.raise_for_status()
    created: dict[str, Any] = response.json()
    return created


async def sandbox_order(stack: Stack, order_id: int) -> dict[str, Any]:
    response = await stack.http.get(admin_url(stack, f"/orders/{order_id}"))
    response.raise_for_status()
    order: dict[str, Any] = response.json()
    return order


class Catalog:
    """A lamp on order (40.00) and two substitutes for it, with SKUs of their own per test."""

    def __init__(self) -> None:
        tag = uuid.uuid4().hex[:6].upper()
        self.lamp, self.dearer, self.cheaper = f"LAMP-{tag}", f"LAMP-PRO-{tag}", f"LAMP-MINI-{tag}"
        self.ids: dict[str, int] = {}

    async def seed(self, stack: Stack) -> None:
        for sku, name, price in [
            (self.lamp, "Lamp", "40.00"),
            (self.dearer, "Lamp Pro", "55.00"),
            (self.cheaper, "Lamp Mini", "25.00"),
        ]:
            product = await admin_post(stack, "/products", {"name": name, "sku": sku, "price": price})
            self.ids[sku] = int(product["id"])


async def lamp_order(stack: Stack, catalog: Catalog) -> dict[str, Any]:
    """Two lamps at 40.00 and a shade at 20.00, paid 100.00 (below the order-review limits)."""
    address = {"first_name": "Sam", "street_1": "1 Test Way", "city": "Austin", "zip": "78751", "country_iso2": "US"}
    return await admin_post(
        stack,
        "/orders",
        {
            "billing_address": address,
            "products": [
                {"product_id": catalog.ids[catalog.lamp], "quantity": 2},
                {"name": "Shade", "quantity": 1, "price_inc_tax": "20.00", "price_ex_tax": "20.00"},
            ],
        },
    )


def request(order: dict[str, Any], *substitutions: Substitution, key: str | None = None) -> SubstituteItemsRequest:
    return SubstituteItemsRequest(
        store=BC_FLOW_STORE,
        order_ref=str(order["id"]),
        key=key or f"fulfillment-exception/bigcommerce/{BC_FLOW_STORE}/test-{uuid.uuid4().hex[:8]}/substitute",
        substitutions=list(substitutions),
        restock=True,
        notify_customer=False,
        staff_note=STAFF_NOTE,
        refund_note="Substitute is cheaper",
    )


def lines(order: dict[str, Any]) -> list[tuple[str, int, Decimal]]:
    return [(p["sku"], p["quantity"], Decimal(p["price_inc_tax"])) for p in order["products"]]


async def test_a_dearer_substitute_costs_the_customer_nothing_more(stack: Stack) -> None:
    catalog = Catalog()
    await catalog.seed(stack)
    order = await lamp_order(stack, catalog)
    activities = BigCommerceActivities(stack.connections)

    result = await run_activity(
        activities.substitute_items,
        request(order, Substitution(sku=catalog.lamp, quantity=1, substitute_sku=catalog.dearer)),
    )

    assert result.applied and result.refund_id is None and result.refunded == 0
    assert result.absorbed == Decimal("15.00") and result.currency == "USD"
    [line] = result.lines
    assert (line.sku, line.substitute_sku, line.substitute_title, line.quantity) == (
        catalog.lamp,
        catalog.dearer,
        "Lamp Pro",
        1,
    )
    after = await sandbox_order(stack, order["id"])
    assert lines(after) == [
        (catalog.lamp, 1, Decimal("40.00")),  # lowered
        ("", 1, Decimal("20.00")),
        (catalog.dearer, 1, Decimal("40.00")),  # at the replaced price, not its 55.00
    ]
    assert after["products"][2]["product_id"] == catalog.ids[catalog.dearer]
    assert Decimal(after["total_inc_tax"]) == Decimal("100.00")  # the customer pays the same
    assert after["refunds"] == []
    assert after["staff_notes"].splitlines()[-1] == STAFF_NOTE


async def test_a_cheaper_substitute_refunds_the_difference_once(stack: Stack) -> None:
    catalog = Catalog()
    await catalog.seed(stack)
    order = await lamp_order(stack, catalog)
    activities = BigCommerceActivities(stack.connections)
    asked = request(order, Substitution(sku=catalog.lamp, quantity=2, substitute_sku=catalog.cheaper))

    first = await run_activity(activities.substitute_items, asked)
    again = await run_activity(activities.substitute_items, asked)  # a retry after a lost answer

    assert first.applied and not again.applied
    assert first.refunded == again.refunded == Decimal("30.00") and first.absorbed == again.absorbed == 0
    assert first.refund_id is not None and again.refund_id == first.refund_id
    assert again.lines == first.lines
    after = await sandbox_order(stack, order["id"])
    assert lines(after) == [
        (catalog.lamp, 0, Decimal("40.00")),  # removed: BigCommerce keeps the row at quantity 0
        ("", 1, Decimal("20.00")),
        (catalog.cheaper, 2, Decimal("25.00")),  # one substitute line, not two
    ]
    assert Decimal(after["total_inc_tax"]) == Decimal("70.00")
    [refund] = after["refunds"]
    assert Decimal(str(refund["total_amount"])) == Decimal("30.00")
    assert [(i["item_type"], i["item_id"]) for i in refund["items"]] == [("ORDER", order["id"])]
    assert refund["items"][0]["reason"].startswith("Substitute is cheaper")
    assert after["staff_notes"].splitlines().count(STAFF_NOTE) == 1


async def test_a_dearer_substitute_twice_updates_the_order_once(stack: Stack) -> None:
    catalog = Catalog()
    await catalog.seed(stack)
    order = await lamp_order(stack, catalog)
    activities = BigCommerceActivities(stack.connections)
    asked = request(order, Substitution(sku=catalog.lamp, quantity=2, substitute_sku=catalog.dearer))

    first = await run_activity(activities.substitute_items, asked)
    again = await run_activity(activities.substitute_items, asked)

    assert first.applied and not again.applied and again.absorbed == first.absorbed == Decimal("30.00")
    after = await sandbox_order(stack, order["id"])
    assert [sku for sku, _, _ in lines(after)].count(catalog.dearer) == 1
    assert after["refunds"] == []
    assert Decimal(after["total_inc_tax"]) == Decimal("100.00")


async def test_a_retry_after_a_failed_step_finishes_what_the_first_attempt_began(stack: Stack) -> None:
    """The update fails first (nothing changes): the retry applies the recorded plan. Then the
    update goes through but the refund fails: the retry finds the update and only refunds."""
    catalog = Catalog()
    await catalog.seed(stack)
    activities = BigCommerceActivities(stack.connections)

    order = await lamp_order(stack, catalog)
    asked = request(order, Substitution(sku=catalog.lamp, quantity=1, substitute_sku=catalog.cheaper))
    await stack.fault(system="bigcommerce", operation="PUT /v2/orders/{order_id}", effect="http_503")
    with pytest.raises(ApplicationError) as unavailable:
        await run_activity(activities.substitute_items, asked)
    assert unavailable.value.type == "TransientError" and not unavailable.value.non_retryable
    assert lines(await sandbox_order(stack, order["id"]))[0] == (catalog.lamp, 2, Decimal("40.00"))
    retried = await run_activity(activities.substitute_items, asked)
    assert retried.applied and retried.refunded == Decimal("15.00")

    order = await lamp_order(stack, catalog)
    asked = request(order, Substitution(sku=catalog.lamp, quantity=1, substitute_sku=catalog.cheaper))
    await stack.fault(
        system="bigcommerce", operation="POST /v3/orders/{order_id}/payment_actions/refunds", effect="http_500"
    )
    with pytest.raises(ApplicationError) as failed:
        await run_activity(activities.substitute_items, asked)
    assert failed.value.type == "TransientError"
    assert (await sandbox_order(stack, order["id"]))["refunds"] == []
    retried = await run_activity(activities.substitute_items, asked)
    assert not retried.applied and retried.refunded == Decimal("15.00") and retried.refund_id is not None
    after = await sandbox_order(stack, order["id"])
    assert [sku for sku, _, _ in lines(after)].count(catalog.cheaper) == 1
    assert len(after["refunds"]) == 1


async def test_an_unknown_substitute_or_too_many_units_is_refused_before_any_change(stack: Stack) -> None:
    catalog = Catalog()
    await catalog.seed(stack)
    order = await lamp_order(stack, catalog)
    client = stack.connections.bigcommerce(BC_FLOW_STORE)
    lamp_line = order["products"][0]["id"]
    await client.create_shipment(
        order["id"],
        NewShipment(
            order_address_id=order["shipping_addresses"][0]["id"],
            items=[ShipmentItemRequest(order_product_id=lamp_line, quantity=1)],
        ),
    )
    activities = BigCommerceActivities(stack.connections)

    unknown = f"NOT-SOLD-{uuid.uuid4().hex[:6]}"
    with pytest.raises(ApplicationError, match=unknown) as refused:
        await run_activity(
            activities.substitute_items,
            request(order, Substitution(sku=catalog.lamp, quantity=1, substitute_sku=unknown)),
        )
    assert refused.value.type == "ConflictError" and refused.value.non_retryable
    with pytest.raises(ApplicationError, match=f"2 x {catalog.lamp}: only 1 unshipped") as refused:
        await run_activity(
            activities.substitute_items,
            request(order, Substitution(sku=catalog.lamp, quantity=2, substitute_sku=catalog.cheaper)),
        )
    assert refused.value.type == "ConflictError" and refused.value.non_retryable

    after = await sandbox_order(stack, order["id"])
    assert [quantity for _, quantity, _ in lines(after)] == [2, 1]
    assert after["refunds"] == [] and after["metafields"] == []


async def test_a_cancelled_order_is_refused(stack: Stack) -> None:
    catalog = Catalog()
    await catalog.seed(stack)
    order = await lamp_order(stack, catalog)
    await stack.connections.bigcommerce(BC_FLOW_STORE).cancel_order(order["id"])

    with pytest.raises(ApplicationError, match="Cancelled") as refused:
        await run_activity(
            BigCommerceActivities(stack.connections).substitute_items,
            request(order, Substitution(sku=catalog.lamp, quantity=1, substitute_sku=catalog.cheaper)),
        )

    assert refused.value.type == "ConflictError" and refused.value.non_retryable
    assert [quantity for _, quantity, _ in lines(await sandbox_order(stack, order["id"]))] == [2, 1]
