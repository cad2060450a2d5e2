"""Which stores get a monthly statement schedule, when it runs, and which month a run states."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from activities.statement_models import StatementBatchRequest, month_before, month_bounds, month_range
from activities.statements import StatementStyle, statement_style
from casebridge.scheduled_jobs import planned_schedules
from casebridge.statement_schedules import plan_statement_schedules
from casebridge.stores import StoreRegistry
from routing.policy import PolicyError
from tests.support.world import POLICY
from workflows.monthly_statements import StatementsInput, statement_month

LAYOUT = {
    "document_category": {"id": 1},
    "workspaces": {"account": {"template_id": 2, "category_id": 3, "folders": {"statement": "Correspondence"}}},
}


def _registry(*stores: dict[str, Any], exstream: bool = True, layout: bool = True) -> StoreRegistry:
    tenant: dict[str, Any] = {
        "name": "t1",
        "base_url": "https://ot.example",
        "tenant_id": "x",
        "client_id_env": "A",
        "client_secret_env": "B",
        "callback_secret_env": "C",
        "content_server": {
            "base_url": "https://ecm.example/cs.exe",
            "username": "u",
            "password_env": "P",
            **({"layout": LAYOUT} if layout else {}),
        },
    }
    if exstream:
        tenant["exstream"] = {"base_url": "https://cc.example", "domain": "d"}
    common = {"api_base_url": "https://x", "access_token_env": "T", "webhook_secret_env": "S", "opentext_tenant": "t1"}
    return StoreRegistry.model_validate(
        {"opentext_tenants": [tenant], "stores": [{**common, "ecm_ext_system_id": "sys", **s} for s in stores]}
    )


def test_one_schedule_per_b2b_store_on_the_first_of_the_month() -> None:
    registry = _registry(
        {"platform": "shopify", "id": "trade.myshopify.com", "b2b": True, "activities_per_second": 5},
        {"platform": "shopify", "id": "retail.myshopify.com"},
        {"platform": "shopify", "id": "unfiled.myshopify.com", "b2b": True, "ecm_ext_system_id": None},
    )
    (job,) = plan_statement_schedules(registry)
    assert job.id == "casebridge/monthly-statements/shopify/trade.myshopify.com"
    assert job.workflow == "MonthlyStatements" and job.job_type == "monthly-statements" and job.every is None
    assert job.input == StatementsInput(
        tenant="t1", platform="shopify", store="trade.myshopify.com", store_rate_limited=True
    )
    (calendar,) = job.calendar
    assert [(r.start, r.end) for r in calendar.day_of_month] == [(1, 1)]
    assert [(r.start, r.end) for r in calendar.hour] == [(2, 2)]
    assert [j.id for j in planned_schedules(registry)] == [job.id]


def test_no_schedule_without_exstream_or_an_ecm_layout() -> None:
    store = {"platform": "shopify", "id": "trade.myshopify.com", "b2b": True}
    assert plan_statement_schedules(_registry(store, exstream=False)) == []
    assert plan_statement_schedules(_registry(store, layout=False)) == []


def test_b2b_stores_on_every_platform_are_planned() -> None:
    adobe_auth = {
        "mode": "oauth1",
        "consumer_key_env": "K",
        "consumer_secret_env": "S",
        "access_token_env": "A",
        "access_token_secret_env": "B",
    }
    registry = _registry(
        {"platform": "bigcommerce", "id": "abc123", "b2b": True},
        {"platform": "adobe-commerce", "id": "default", "b2b": True, "adobe_auth": adobe_auth},
    )
    assert [j.id for j in plan_statement_schedules(registry)] == [
        "casebridge/monthly-statements/bigcommerce/abc123",
        "casebridge/monthly-statements/adobe-commerce/default",
    ]


def test_the_statements_take_brand_and_language_from_the_store_policy(tmp_path: Path) -> None:
    (tmp_path / "policies").mkdir()
    policy = POLICY.format(store="trade.myshopify.com", reconcile="PT1H", on_timeout="reject")
    german = policy.replace("  languages: [en, de, fr]\n", "  language: de\n")
    (tmp_path / "policies" / "trade.yaml").write_text(german)
    (tmp_path / "policies" / "quiet.yaml").write_text(policy[: policy.index("communications:")])
    registry = _registry(
        {"platform": "shopify", "id": "trade.myshopify.com", "b2b": True, "policy_file": "policies/trade.yaml"},
        {"platform": "shopify", "id": "quiet.myshopify.com", "b2b": True, "policy_file": "policies/quiet.yaml"},
        {"platform": "shopify", "id": "bare.myshopify.com", "b2b": True},
    )
    styles = {
        j.input.store: (j.input.brand, j.input.language)
        for j in plan_statement_schedules(registry, tmp_path)
        if isinstance(j.input, StatementsInput)
    }
    assert styles == {
        "trade.myshopify.com": ("casebridge-outdoor", "de"),
        "quiet.myshopify.com": (None, None),  # a policy without `communications`
        "bare.myshopify.com": (None, None),  # no policy
    }
    assert [j.input for j in planned_schedules(registry, tmp_path)] == [
        j.input for j in plan_statement_schedules(registry, tmp_path)
    ]
    # Without the configuration directory (a planner given the registry only): the default style.
    assert {j.input.brand for j in plan_statement_schedules(registry) if isinstance(j.input, StatementsInput)} == {None}
    (tmp_path / "policies" / "trade.yaml").write_text("store: [")
    with pytest.raises(PolicyError):
        plan_statement_schedules(registry, tmp_path)


def test_statement_style_is_the_trade_brand_in_english_unless_the_policy_says() -> None:
    assert (statement_style(None, None).brand, statement_style(None, None).language) == ("casebridge-trade", "en")
    german = statement_style("casebridge-outdoor", "de")
    assert (german.brand, german.language) == ("casebridge-outdoor", "de")
    assert (german.communication, german.service) == (StatementStyle().communication, StatementStyle().service)


def test_a_run_states_the_month_before_its_scheduled_start() -> None:
    scheduled = datetime(2027, 1, 1, 2, 0, tzinfo=UTC)
    started = datetime(2027, 1, 1, 2, 0, 3, tzinfo=UTC)
    assert statement_month(None, scheduled, started) == "2026-12"
    assert statement_month(None, None, datetime(2026, 3, 31, 23, 59, tzinfo=UTC)) == "2026-02"  # by hand
    assert statement_month("2026-06", scheduled, started) == "2026-06"
    assert month_before(datetime(2026, 12, 1, tzinfo=UTC)) == "2026-11"
    assert month_bounds("2028-02") == (date(2028, 2, 1), date(2028, 2, 29))
    assert month_range("2026-12") == (datetime(2026, 12, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
    with pytest.raises(ValidationError, match="YYYY-MM"):
        StatementBatchRequest(tenant="t", platform="shopify", store="s", month="2026-13")
