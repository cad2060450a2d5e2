"""Which letter tells the customer how a fulfillment exception was resolved, as pure code: the table
(`routing.exception_letters`), the reviewer's delivery date, the policies' letter lists, and the
letter activity's driver fields for the held lines and the returned items."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from pydantic import JsonValue, ValidationError

from activities.letters import backorder_fields, return_authorisation_fields
from activities.transaction_models import OrderTransactions, TransactionLine
from routing.communications import LetterPurpose
from routing.exception_letters import delivery_date_of, proactive_letter
from routing.fulfillment_policy import EXCEPTION_LETTERS, ExceptionType, FulfillmentExceptionPolicy, Resolution
from routing.policy import ReturnsPolicy

STOCK = [ExceptionType.BACKORDER, ExceptionType.INVENTORY_SHORTAGE]
OTHERS = [t for t in ExceptionType if t not in STOCK]
TODAY = date(2026, 12, 4)


@pytest.mark.parametrize("exception_type", STOCK)
def test_a_stock_problem_that_leaves_lines_waiting_sends_the_backorder_letter(exception_type: ExceptionType) -> None:
    for resolution in (Resolution.SPLIT_SHIPMENT, Resolution.NEW_DELIVERY_DATE, Resolution.SHIP_AS_IS):
        assert proactive_letter(exception_type, resolution) is LetterPurpose.BACKORDER
    for resolution in (Resolution.CANCEL_ORDER, Resolution.CANCEL_LINES, Resolution.SUBSTITUTE_ITEM):
        assert proactive_letter(exception_type, resolution) is None


@pytest.mark.parametrize("exception_type", OTHERS)
def test_any_other_exception_with_a_new_date_sends_the_delay_letter(exception_type: ExceptionType) -> None:
    assert proactive_letter(exception_type, Resolution.NEW_DELIVERY_DATE) is LetterPurpose.ORDER_DELAY
    others = [r for r in Resolution if r is not Resolution.NEW_DELIVERY_DATE]
    assert [proactive_letter(exception_type, r) for r in others] == [None] * len(others)


def test_the_reviewers_delivery_date_is_a_date_from_today_on() -> None:
    assert delivery_date_of(None, TODAY) is None
    assert delivery_date_of("  ", TODAY) is None
    assert delivery_date_of("2026-12-04", TODAY) == TODAY
    assert delivery_date_of(" 2027-01-15 ", TODAY) == date(2027, 1, 15)
    with pytest.raises(ValueError, match="is in the past"):
        delivery_date_of("2026-12-03", TODAY)
    for wrong in ("2026-02-30", "15/01/2027", "20270115", "2027-01-15T10:00:00", "soon"):
        with pytest.raises(ValueError, match="must be a date as YYYY-MM-DD"):
            delivery_date_of(wrong, TODAY)


def test_policies_list_only_the_letters_their_cases_send() -> None:
    route = {"teams": ["warehouse"], "on_timeout": "ship-as-is"}
    sla = {"reminder_after": "PT1H", "escalate_after": "PT2H", "timeout_after": "PT3H"}
    base = {"types": {"backorder": route}, "sla": sla}
    assert FulfillmentExceptionPolicy.model_validate(base).letters == list(EXCEPTION_LETTERS)
    assert FulfillmentExceptionPolicy.model_validate({**base, "letters": []}).letters == []
    with pytest.raises(ValidationError, match="not sent for fulfillment exceptions"):
        FulfillmentExceptionPolicy.model_validate({**base, "letters": ["refund"]})

    returns = {"route": {"process_definition_key": "k", "team": "t", "escalation_team": "e"}, "sla": sla}
    policy = ReturnsPolicy.model_validate(returns)
    assert policy.letters == [LetterPurpose.RETURN_AUTHORISATION] and policy.send_back_within is None
    with pytest.raises(ValidationError, match="not sent for returns"):
        ReturnsPolicy.model_validate({**returns, "letters": ["backorder"]})
    with pytest.raises(ValidationError, match="send_back_within must be positive"):
        ReturnsPolicy.model_validate({**returns, "send_back_within": "PT0S"})


def order() -> OrderTransactions:
    return OrderTransactions(
        order_id="1",
        order_name="#1001",
        created_at=datetime(2026, 12, 1, tzinfo=UTC),
        currency="EUR",
        total=Decimal("90.00"),
        status="paid",
        lines=[
            TransactionLine(sku="LAMP-1", title="Lamp", quantity=2),
            TransactionLine(sku="SHADE-1", title="Shade", quantity=1),
        ],
    )


def test_the_held_lines_are_named_from_the_order() -> None:
    content: dict[str, JsonValue] = {
        "backorder": {"expectedDate": None, "items": [{"sku": "LAMP-1", "quantity": 1}, {"sku": "GONE", "quantity": 3}]}
    }
    assert backorder_fields(LetterPurpose.BACKORDER, order(), content) == {
        "backorder": {
            "expectedDate": None,
            "items": [
                {"sku": "LAMP-1", "name": "Lamp", "quantity": 1},
                {"sku": "GONE", "name": "GONE", "quantity": 3},  # not on the order: the SKU names it
            ],
        }
    }
    # No lines reported: the whole order waits.
    undated: dict[str, JsonValue] = {"backorder": {"expectedDate": "2027-01-02"}}
    dated = backorder_fields(LetterPurpose.BACKORDER, order(), undated)
    assert dated["backorder"] == {
        "expectedDate": "2027-01-02",
        "items": [
            {"sku": "LAMP-1", "name": "Lamp", "quantity": 2},
            {"sku": "SHADE-1", "name": "Shade", "quantity": 1},
        ],
    }
    assert backorder_fields(LetterPurpose.ORDER_DELAY, order(), content) == {}


def test_the_returned_items_get_their_skus_from_the_order() -> None:
    content: dict[str, JsonValue] = {
        "returnedItems": [{"name": "Shade", "quantity": 1}, {"name": "Gift card", "quantity": 1}]
    }
    assert return_authorisation_fields(LetterPurpose.RETURN_AUTHORISATION, order(), content) == {
        "items": [
            {"sku": "SHADE-1", "name": "Shade", "quantity": 1},
            {"sku": "", "name": "Gift card", "quantity": 1},
        ]
    }
    assert return_authorisation_fields(LetterPurpose.REFUND, order(), content) == {}
