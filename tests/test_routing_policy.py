"""Routing rules and policy validation (pure code: no server needed)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import ValidationError

from routing.facts import OrderFacts, RiskLevel
from routing.fulfillment_policy import FulfillmentExceptionPolicy
from routing.policy import OrderReviewRules, PolicyError, load_policy
from routing.rules import review_reasons

ROOT = Path(__file__).resolve().parents[1]


def facts(**overrides: object) -> OrderFacts:
    base: dict[str, object] = {
        "order_id": "1",
        "order_name": "#1001",
        "currency": "USD",
        "total": Decimal("100.00"),
        "subtotal": Decimal("100.00"),
    }
    base.update(overrides)
    return OrderFacts.model_validate(base)


RULES = OrderReviewRules(
    total_at_least=Decimal(1000),
    discount_pct_at_least=Decimal(30),
    risk_levels=[RiskLevel.HIGH],
    restricted_countries=["kp"],
    customer_tags=["VIP", "wholesale"],
)


def test_ordinary_order_needs_no_review() -> None:
    assert review_reasons(RULES, facts(shipping_country="US", risk_level=RiskLevel.LOW)) == []


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"total": Decimal(1000)}, "order total"),
        ({"subtotal": Decimal(60), "discount_total": Decimal(40)}, "discount 40.00%"),
        ({"risk_level": RiskLevel.HIGH}, "risk level HIGH"),
        ({"shipping_country": "KP"}, "restricted destination KP"),
        ({"customer_tags": ["Vip"]}, "customer tagged vip"),
    ],
)
def test_each_rule_gives_its_reason(overrides: dict[str, object], expected: str) -> None:
    reasons = review_reasons(RULES, facts(**overrides))
    assert len(reasons) == 1 and expected in reasons[0]


def test_shipped_policy_files_are_valid() -> None:
    for path in (ROOT / "config" / "policies").glob("*.yaml"):
        policy = load_policy(path)
        # Named after the store, with a platform prefix where the store id alone says little.
        assert path.stem in (policy.store, f"adobe-{policy.store}"), path


def test_invalid_policy_is_refused_with_reason(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "store: s\norder_review:\n  rules: {}\n  route: {team: a, escalation_team: b}\n"
        "  sla: {reminder_after: PT2H, escalate_after: PT1H, timeout_after: PT3H}\n"
    )
    with pytest.raises(PolicyError, match="reminder_after <= escalate_after"):
        load_policy(path)


def test_a_team_sla_must_name_a_team_of_the_policy() -> None:
    sla = {"reminder_after": "PT1H", "escalate_after": "PT2H", "timeout_after": "PT3H"}
    policy = {
        "types": {"carrier_delay": {"teams": ["warehouse"], "on_timeout": "ship-as-is"}},
        "sla": sla,
        "team_sla": {"warehous": sla},
    }
    with pytest.raises(ValidationError, match="team_sla names teams no exception type has: warehous"):
        FulfillmentExceptionPolicy.model_validate(policy)
    policy["team_sla"] = {"warehouse": {**sla, "timeout_after": "PT9H"}}
    parsed = FulfillmentExceptionPolicy.model_validate(policy)
    assert parsed.team_sla["warehouse"].timeout_after.total_seconds() == 9 * 3600


def test_the_platforms_own_emails_go_out_only_without_a_letter() -> None:
    sla = {"reminder_after": "PT1H", "escalate_after": "PT2H", "timeout_after": "PT3H"}
    base = {"types": {"carrier_delay": {"teams": ["warehouse"], "on_timeout": "ship-as-is"}}, "sla": sla}
    with_letter = FulfillmentExceptionPolicy.model_validate(base)
    assert with_letter.customer_notice is not None and not with_letter.platform_emails_customer
    without_letter = FulfillmentExceptionPolicy.model_validate({**base, "customer_notice": None})
    assert without_letter.platform_emails_customer
    silent = FulfillmentExceptionPolicy.model_validate(
        {**base, "customer_notice": None, "cancel": {"notify_customer": False}}
    )
    assert not silent.platform_emails_customer
