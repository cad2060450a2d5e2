"""`routing.return_rules.route_return`: value, reason, category and warranty routing of returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from routing.policy import PolicyError, ReturnsPolicy, StorePolicy, load_policy
from routing.return_rules import ReturnRouting, WarrantyStatus, route_return

ORDERED = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)


@dataclass
class Line:
    reason: str
    categories: list[str] = field(default_factory=list)
    title: str = "Item"


def policy(**returns: Any) -> ReturnsPolicy:
    base: dict[str, Any] = {
        "auto_approve": {"value_at_most": 50, "reasons": ["UNWANTED", "STYLE"]},
        "route": {"team": "returns-review", "escalation_team": "returns-leads"},
        "sla": {"reminder_after": "PT4H", "escalate_after": "PT12H", "timeout_after": "PT48H"},
        "return_window": "P30D",
        "warranty": "P1Y",
        "categories": {"Electronics": {"review_always": True, "warranty": "P2Y"}, "apparel": {}},
    }
    return ReturnsPolicy.model_validate(base | returns)


def route(
    p: ReturnsPolicy, *lines: Line, value: str = "20", days_after: int = 5, ordered: datetime | None = ORDERED
) -> ReturnRouting:
    return route_return(p, list(lines), Decimal(value), "USD", ordered, ORDERED + timedelta(days=days_after))


def test_small_low_risk_return_in_window_is_auto_approved() -> None:
    routing = route(policy(), Line("UNWANTED", ["apparel"]))
    assert routing.action == "auto-approve"
    assert routing.reasons == []
    assert routing.warranty_status == "in-return-window"


def test_always_reviewed_category_is_never_auto_approved_matching_names_case_insensitively() -> None:
    routing = route(policy(), Line("UNWANTED", ["  ELECTRONICS "], title="Headphones"))
    assert routing.action == "review"
    assert routing.reasons == ["Headphones: category electronics is always reviewed"]
    assert routing.categories == ["electronics"]


def test_unknown_categories_fall_back_to_the_default_rules() -> None:
    assert route(policy(), Line("UNWANTED", ["garden"])).action == "auto-approve"


def test_defective_after_the_window_inside_the_warranty_is_a_warranty_claim() -> None:
    routing = route(policy(), Line("DEFECTIVE", ["apparel"], title="Jacket"), days_after=100)
    assert routing.action == "review"
    assert routing.warranty_claim
    assert routing.warranty_status == "warranty-claim"
    assert any(
        r.startswith("Jacket: warranty claim") and "ended 2026-02-09" in r and "until 2027-01-10" in r
        for r in routing.reasons
    )


def test_category_warranty_outlasts_the_default() -> None:
    routing = route(policy(), Line("DEFECTIVE", ["electronics"]), days_after=500)  # > P1Y, < P2Y
    assert routing.lines[0].status is WarrantyStatus.WARRANTY_CLAIM
    assert route(policy(), Line("DEFECTIVE", ["apparel"]), days_after=500).lines[0].status is (
        WarrantyStatus.OUT_OF_WARRANTY
    )


def test_out_of_warranty_is_reviewed_with_the_reason_by_default() -> None:
    routing = route(policy(), Line("DEFECTIVE", title="Lamp"), days_after=400)
    assert routing.action == "review"
    assert not routing.warranty_claim
    assert "Lamp: out of warranty (warranty ended 2027-01-10)" in routing.reasons


def test_out_of_warranty_is_declined_when_the_policy_says_so() -> None:
    routing = route(policy(out_of_warranty="decline"), Line("DEFECTIVE", title="Lamp"), days_after=400)
    assert routing.action == "decline"
    assert routing.reasons == ["Lamp: out of warranty (warranty ended 2027-01-10) (declined by policy)"]


def test_a_mixed_return_is_reviewed_even_when_one_line_would_be_declined() -> None:
    p = policy(out_of_warranty="decline")
    routing = route(p, Line("DEFECTIVE", ["apparel"], "Lamp"), Line("DEFECTIVE", ["electronics"], "TV"), days_after=400)
    assert routing.action == "review"
    assert routing.warranty_claim  # the TV
    assert any(r.startswith("Lamp: out of warranty") for r in routing.reasons)


def test_late_return_for_another_reason_is_reviewed_or_declined_per_policy() -> None:
    late = Line("UNWANTED", title="Scarf")
    reviewed = route(policy(), late, days_after=31)
    assert reviewed.action == "review"
    assert reviewed.reasons == ["Scarf: outside the return window (ended 2026-02-09)"]
    assert route(policy(outside_window="decline"), late, days_after=31).action == "decline"


def test_the_last_day_of_the_window_is_inside_it() -> None:
    assert route(policy(), Line("UNWANTED"), days_after=30).action == "auto-approve"


def test_without_a_warranty_a_late_defect_is_out_of_warranty() -> None:
    routing = route(policy(warranty=None, categories={}), Line("DEFECTIVE", title="Mug"), days_after=40)
    assert routing.reasons[-1] == "Mug: out of warranty (no warranty)"


def test_unknown_order_date_is_reviewed() -> None:
    routing = route(policy(), Line("UNWANTED"), ordered=None)
    assert routing.action == "review"
    assert routing.warranty_status == "order-date-unknown"


def test_a_policy_without_windows_or_categories_routes_by_value_and_reason_only() -> None:
    p = policy(return_window=None, warranty=None, categories={})
    assert not p.reads_categories and not p.reads_order_date
    routing = route(p, Line("UNWANTED"), days_after=5000, ordered=None)
    assert routing.action == "auto-approve"
    assert routing.warranty_status == ""
    assert route(p, Line("DEFECTIVE"), value="80").reasons == [
        "value 80 USD is above the auto-approval limit 50",
        "reason DEFECTIVE is not low-risk",
    ]


def test_what_the_shim_reads_follows_the_policy() -> None:
    assert policy().reads_categories and policy().reads_order_date
    only_category_window = policy(return_window=None, warranty=None, categories={"tv": {"return_window": "P14D"}})
    assert only_category_window.reads_order_date


@pytest.mark.parametrize(
    "change",
    [
        {"warranty": "-P1D"},
        {"return_window": "PT0S"},
        {"categories": {"tv": {"warranty": "-P1D"}}},
        {"categories": {"TV": {}, " tv": {}}},
        {"out_of_warranty": "refund"},
        {"warranty_reasons": ["BROKEN"]},
    ],
)
def test_invalid_returns_policies_are_refused(change: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        policy(**change)


def test_shipped_policy_files_stay_valid() -> None:
    from pathlib import Path

    for path in sorted(Path("config/policies").glob("*.yaml")):
        try:
            loaded: StorePolicy = load_policy(path)
        except PolicyError as err:  # pragma: no cover - the failure message is the point
            pytest.fail(str(err))
        assert loaded.returns is None or isinstance(loaded.returns, ReturnsPolicy)


def test_a_category_may_decline_out_of_warranty_returns_on_its_own() -> None:
    p = policy(categories={"garden": {"out_of_warranty": "decline"}, "tools": {}})
    assert route(p, Line("DEFECTIVE", ["garden"]), days_after=400).action == "decline"
    assert route(p, Line("DEFECTIVE", ["garden", "tools"]), days_after=400).action == "review"
    assert route(p, Line("DEFECTIVE", ["tools"]), days_after=400).action == "review"


def test_categories_match_by_the_stores_category_ids_too() -> None:
    p = policy(categories={"electronics": {"review_always": True, "category_ids": [23, "24"]}})
    routing = route(p, Line("UNWANTED", ["24", "31"]))
    assert routing.action == "review"
    assert routing.categories == ["electronics"]
    assert route(p, Line("UNWANTED", ["31"])).action == "auto-approve"
