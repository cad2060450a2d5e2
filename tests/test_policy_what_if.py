"""Policy what-if, the pure part (`routing.what_if`): past cases' facts through two policies, and the
command's checks that need no Temporal (the new policy validated as the registry validates it).
The replay of real cases from Temporal is in tests/test_policy_what_if_flow.py."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter

from casebridge.cli import execute
from casebridge.policy_what_if import parse_since, past_case
from casebridge.settings import Settings
from routing.facts import OrderFacts
from routing.fulfillment_policy import ExceptionType
from routing.policy import StorePolicy, load_policy
from routing.what_if import (
    FULFILLMENT_EXCEPTION,
    ORDER_REVIEW,
    RETURN,
    ExceptionReported,
    Handling,
    PastCase,
    ReturnRequest,
    Route,
    route_case,
    route_exception,
    route_order,
    route_return_request,
    what_if,
)
from workflows.registry import CASE_KINDS
from workflows.return_case import ReturnFacts, ReturnLineFacts

ROOT = Path(__file__).resolve().parents[1]
DEMO_SHOP = "casebridge-demo.myshopify.com"
DEMO_POLICY = ROOT / "config" / "policies" / f"{DEMO_SHOP}.yaml"


def demo_policy_data() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(DEMO_POLICY.read_text())
    return data


def changed(change: dict[str, Any]) -> StorePolicy:
    """The demo shop's policy with `change` merged into its order review rules."""
    data = demo_policy_data()
    data["order_review"]["rules"].update(change)
    return StorePolicy.model_validate(data)


CURRENT = load_policy(DEMO_POLICY)
# total_at_least 1000 -> 200, and VIP customers no longer reviewed for being VIP.
NEW = changed({"total_at_least": 200, "customer_tags": ["wholesale"]})


def order(order_id: str, total: str, **more: Any) -> OrderFacts:
    return OrderFacts.model_validate(
        {"order_id": order_id, "order_name": f"#{order_id}", "currency": "USD", "total": total, "subtotal": total}
        | {"risk_level": "LOW", "shipping_country": "US"}
        | more
    )


def past_order(facts: OrderFacts) -> PastCase:
    return PastCase(
        case_id=f"order-review/shopify/{DEMO_SHOP}/{facts.order_id}",
        case_type=ORDER_REVIEW,
        ref=facts.order_name,
        facts=facts,
        recorded=route_order(CURRENT.order_review, facts),
    )


def test_an_order_is_reviewed_by_the_policys_team_when_a_rule_matches() -> None:
    large = order("1001", "1500.00")
    assert route_order(CURRENT.order_review, large) == Route(
        Handling.REVIEWED, ("order-review",), ("order total 1500.00 USD >= 1000",)
    )
    assert route_order(CURRENT.order_review, order("1002", "250.00")).handling is Handling.NO_CASE
    assert route_order(NEW.order_review, order("1002", "250.00")).teams == ("order-review",)


def test_what_if_tallies_both_policies_and_lists_the_cases_whose_route_changes() -> None:
    cases = [
        past_order(order("1001", "1500.00")),  # large: reviewed by both
        past_order(order("1002", "250.00", customer_tags=["vip"])),  # VIP: reviewed now, still (>= 200)
        past_order(order("1003", "120.00", customer_tags=["vip"])),  # VIP and small: no longer reviewed
        past_order(order("1004", "90.00", risk_level="HIGH")),  # high risk: reviewed by both
    ]

    [entry] = what_if(cases, CURRENT, NEW).values()

    assert (entry.current.cases, entry.current.opened, entry.new.opened) == (4, 4, 3)
    assert entry.current.teams["order-review"] == 4 and entry.new.teams["order-review"] == 3
    assert entry.new.handling[Handling.NO_CASE] == 1 and entry.current.auto_decided == entry.new.auto_decided == 0
    [change] = entry.changes
    assert (change.ref, change.case_id) == ("#1003", f"order-review/shopify/{DEMO_SHOP}/1003")
    assert change.current.describe(ORDER_REVIEW) == "reviewed by order-review"
    assert change.new.describe(ORDER_REVIEW) == "no review (the order passes)"
    assert entry.recorded_differs == 0  # the cases' own copies are today's file


def test_a_new_team_is_a_route_change_and_counted_per_team() -> None:
    data = demo_policy_data()
    data["order_review"]["route"]["team"] = "fraud-desk"
    cases = [past_order(order("1001", "1500.00"))]

    [entry] = what_if(cases, CURRENT, StorePolicy.model_validate(data)).values()

    assert entry.current.teams == {"order-review": 1} and entry.new.teams == {"fraud-desk": 1}
    assert len(entry.changes) == 1 and entry.new.opened == entry.current.opened == 1


def test_a_rule_on_a_fact_the_case_never_read_counts_as_not_matching_and_says_so() -> None:
    """Shopify's risk level is read only when the policy has a risk rule; without it, it is unknown."""
    no_risk = order("1005", "80.00", risk_level=None)
    route = route_order(changed({"risk_levels": ["MEDIUM", "HIGH"]}).order_review, no_risk)
    assert route.handling is Handling.NO_CASE and route.unknown == ("risk level",)

    [entry] = what_if([past_order(no_risk)], CURRENT, changed({"risk_levels": ["HIGH"]})).values()
    assert entry.new.unknown == {"risk level": 1}


def test_a_case_opened_under_an_earlier_policy_is_noted() -> None:
    earlier = changed({"total_at_least": 100})
    facts = order("1006", "150.00")
    case = PastCase("order-review/x/y/1006", ORDER_REVIEW, "#1006", facts, route_order(earlier.order_review, facts))

    [entry] = what_if([case], CURRENT, CURRENT).values()

    assert entry.recorded_differs == 1 and entry.changes == []
    assert entry.current.handling[Handling.NO_CASE] == 1


# --- returns ---------------------------------------------------------------------------------------


def a_return(value: str, reason: str, *, categories: list[str] | None = None) -> ReturnFacts:
    return ReturnFacts(
        return_id="R1",
        return_gid="gid://shopify/Return/1",
        return_name="#1010-R1",
        order_id="1010",
        order_gid="gid://shopify/Order/1010",
        currency="USD",
        ordered_at=datetime(2025, 3, 1, tzinfo=UTC),
        lines=[
            ReturnLineFacts(
                line_item_gid="gid://shopify/LineItem/1",
                title="Jacket",
                quantity=1,
                unit_price=Decimal(value),
                reason=reason,
                categories=categories or [],
            )
        ],
    )


def request(facts: ReturnFacts, *, categories_read: bool = True) -> ReturnRequest:
    return ReturnRequest(facts, datetime(2025, 3, 10, tzinfo=UTC), categories_read=categories_read, shipment_read=False)


def test_returns_are_auto_approved_declined_or_reviewed_as_the_returns_policy_says() -> None:
    policy = CURRENT.returns
    assert route_return_request(policy, request(a_return("30.00", "SIZE_TOO_SMALL"))).handling is Handling.AUTO_APPROVED
    reviewed = route_return_request(policy, request(a_return("80.00", "SIZE_TOO_SMALL")))
    assert reviewed.teams == ("returns-review",) and "above the auto-approval limit" in reviewed.reasons[0]

    data = demo_policy_data()
    data["returns"]["auto_approve"]["value_at_most"] = 100
    raised = StorePolicy.model_validate(data)
    assert route_case(raised, request(a_return("80.00", "SIZE_TOO_SMALL"))).handling is Handling.AUTO_APPROVED
    assert route_case(raised, request(a_return("80.00", "DEFECTIVE"))).handling is Handling.REVIEWED

    del data["returns"]
    assert route_case(StorePolicy.model_validate(data), request(a_return("80.00", "DEFECTIVE"))) == Route(
        Handling.NO_CASE
    )


def test_return_categories_not_read_when_the_case_opened_are_unknown() -> None:
    route = route_return_request(CURRENT.returns, request(a_return("30.00", "UNWANTED"), categories_read=False))
    assert route.handling is Handling.AUTO_APPROVED and route.unknown == ("product categories",)


def test_what_if_counts_a_return_decided_by_policy_as_auto_decided() -> None:
    data = demo_policy_data()
    data["returns"]["auto_approve"]["value_at_most"] = 100
    case = PastCase("return/x/y/R1", RETURN, "#1010-R1", request(a_return("80.00", "COLOR")), Route(Handling.REVIEWED))

    [entry] = what_if([case], CURRENT, StorePolicy.model_validate(data)).values()

    assert (entry.current.opened, entry.current.auto_decided) == (1, 0)
    assert (entry.new.opened, entry.new.auto_decided) == (1, 1)
    assert entry.changes[0].new.describe(RETURN) == "auto-approved"


# --- fulfillment exceptions ---------------------------------------------------------------------------


def test_a_fulfillment_exception_goes_to_its_types_teams_or_is_refused_without_a_route() -> None:
    shortage = ExceptionReported(ExceptionType.INVENTORY_SHORTAGE, Decimal("120.00"))
    policy = CURRENT.fulfillment_exceptions
    assert policy is not None
    assert route_exception(policy, shortage).teams == ("warehouse", "customer-service")

    data = demo_policy_data()
    del data["fulfillment_exceptions"]["types"]["inventory_shortage"]
    data["fulfillment_exceptions"]["finance_above"] = 100
    stricter = StorePolicy.model_validate(data)
    backorder = ExceptionReported(ExceptionType.BACKORDER, Decimal("120.00"))
    assert route_case(stricter, shortage).describe(FULFILLMENT_EXCEPTION) == "refused (no route for the exception type)"
    assert route_case(stricter, backorder).teams == ("warehouse", "customer-service", "finance")
    unknown_total = route_case(stricter, ExceptionReported(ExceptionType.BACKORDER, None))
    assert unknown_total.unknown == ("order total",)


@pytest.mark.parametrize("path", sorted((ROOT / "config" / "policies").glob("*.yaml")), ids=lambda p: p.name)
def test_each_demo_policy_replayed_against_itself_changes_nothing(path: Path) -> None:
    policy = load_policy(path)
    facts = [order("1", "1500.00"), order("2", "10.00"), order("3", "10.00", customer_tags=["wholesale"])]
    cases = [past_order(f) for f in facts]
    cases.append(PastCase("r", RETURN, "R", request(a_return("30.00", "UNWANTED")), Route(Handling.AUTO_APPROVED)))
    cases.append(
        PastCase(
            "f", FULFILLMENT_EXCEPTION, "#1", ExceptionReported(ExceptionType.BACKORDER, None), Route(Handling.NO_CASE)
        )
    )
    for entry in what_if(cases, policy, policy).values():
        assert entry.changes == [] and entry.current == entry.new


# --- the command's checks before it reads Temporal --------------------------------------------------


def test_since_takes_days_hours_weeks_minutes_or_iso_8601() -> None:
    assert parse_since("30d") == timedelta(days=30)
    assert parse_since("12h") == timedelta(hours=12)
    assert parse_since("2w") == timedelta(weeks=2)
    assert parse_since("P1D") == timedelta(days=1)
    for bad in ("soon", "0d", "-3d"):
        with pytest.raises(ValueError, match="--since"):
            parse_since(bad)


DEMO_SETTINGS = Settings(config_dir=ROOT / "config", temporal_address="127.0.0.1:1")  # never reached


async def test_an_invalid_new_policy_is_refused_naming_the_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = demo_policy_data()
    data["order_review"]["rules"]["discount_pct_at_least"] = 130
    data["order_review"]["sla"]["reminder_after"] = "PT99H"
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(data))

    assert await execute(["policy", "what-if", DEMO_SHOP, str(bad)], DEMO_SETTINGS) == 1

    err = capsys.readouterr().err
    assert err.startswith(f"policy what-if failed: invalid policy {bad}")
    assert "order_review.rules.discount_pct_at_least" in err and "reminder_after <= escalate_after" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["no-such-store", str(DEMO_POLICY)], "no store 'no-such-store'"),
        (["casebridgedemo", str(DEMO_POLICY)], f"is the policy of store '{DEMO_SHOP}', not 'casebridgedemo'"),
        ([DEMO_SHOP, "/no/such/policy.yaml"], "cannot read policy /no/such/policy.yaml"),
        ([DEMO_SHOP, str(DEMO_POLICY), "--since", "a while"], "--since 'a while'"),
    ],
    ids=["unknown-store", "another-stores-policy", "missing-file", "bad-since"],
)
async def test_the_command_refuses_what_it_cannot_compare(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await execute(["policy", "what-if", *argv], DEMO_SETTINGS) == 1
    assert message in capsys.readouterr().err


async def test_a_policy_that_is_not_yaml_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("order_review: [unclosed\n")
    assert await execute(["policy", "what-if", DEMO_SHOP, str(bad)], DEMO_SETTINGS) == 1
    assert f"cannot read policy {bad}" in capsys.readouterr().err


def test_the_evaluation_imports_no_temporal() -> None:
    """The replay logic stays pure: facts and policy in, route out (the command reads Temporal)."""
    code = "import sys, routing.what_if; sys.exit(any(m.split('.')[0] == 'temporalio' for m in sys.modules))"
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=False).returncode == 0


# --- the data shape of real cases ---------------------------------------------------------------------


def _routed_histories() -> list[Path]:
    """The recorded histories of the case types a store policy routes (the documents jobs, letters
    and reminders are no routing decisions: the what-if has nothing to compare for them)."""
    routed = {k.workflow_name for k in CASE_KINDS if k.name in (ORDER_REVIEW, RETURN, FULFILLMENT_EXCEPTION)}
    found = []
    for path in sorted((ROOT / "tests" / "replay_histories").glob("*.json")):
        started = WorkflowHistory.from_json(path.stem, path.read_text()).events[0]
        if started.workflow_execution_started_event_attributes.workflow_type.name in routed:
            found.append(path)
    return found


HISTORIES = _routed_histories()


@pytest.mark.parametrize("path", HISTORIES, ids=[p.stem for p in HISTORIES])
async def test_recorded_cases_read_as_past_cases_and_their_own_policy_routes_them_as_recorded(path: Path) -> None:
    """Every case type on every platform, as the end-to-end tests recorded it: its first event
    decodes into a past case, and the evaluation with the case's own policy copy agrees with how
    the shim routed it (so the what-if's 'current' column means what happened)."""
    started = WorkflowHistory.from_json(path.stem, path.read_text()).events[0]
    attributes = started.workflow_execution_started_event_attributes
    kind = {k.workflow_name: k for k in CASE_KINDS}[attributes.workflow_type.name]
    [case_input] = await pydantic_data_converter.decode(attributes.input.payloads, [kind.input_model])

    case = past_case(kind, case_input, started.event_time.ToDatetime(tzinfo=UTC))

    assert case.case_type == kind.name and case.case_id == case_input.case_id and "@" not in case.ref
    own = StorePolicy.model_validate(
        {"store": case_input.store, "order_review": CURRENT.order_review}
        | {FIELD_OF[case.case_type]: case_input.policy}
    )
    assert route_case(own, case.facts).same_route(case.recorded)
    for entry in what_if([case], CURRENT, NEW).values():  # the demo shop's policies take it as well
        assert entry.current.cases == 1


FIELD_OF = {ORDER_REVIEW: "order_review", RETURN: "returns", FULFILLMENT_EXCEPTION: "fulfillment_exceptions"}
