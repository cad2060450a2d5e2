"""`casebridge policy what-if` on real cases: orders placed in a Shopify sandbox reach the shim by
signed webhook and open their order reviews, a warehouse report opens a fulfillment exception; the
command then finds them through visibility, reads each input from its history's first event, and
replays them through a changed policy.

Everything runs in a namespace of its own on the session's Temporal server (with its own sandbox
and shim, as tests/test_connect_store.py does), so the cases other tests open for the same shop do
not enter the counts. No worker runs: the what-if reads only each case's start event, which the
shim writes. The command connects with `casebridge.temporal.connect`, the data converter included.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from google.protobuf.duration_pb2 import Duration
from temporalio.api.workflowservice.v1 import RegisterNamespaceRequest
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from casebridge.cli import execute
from casebridge.settings import Settings
from casebridge.temporal import connect
from sandbox.app import create_app as create_sandbox
from tests.support.servers import free_port, serve
from tests.support.shim_stack import stack_with_shim
from tests.support.stack import Stack, eventually
from tests.support.world import POLICY, SHOP, sandbox_config, write_config
from tests.test_fulfillment_exception import post, report
from workflows.fulfillment_exception import KIND as FULFILLMENT_EXCEPTION
from workflows.order_review import KIND as ORDER_REVIEW

# Order ids past those of the session's sandbox and test_connect_store's (41).
GENERATION = 43


@dataclass
class WhatIfWorld:
    stack: Stack
    settings: Settings  # the command's: this namespace, reached through `connect`
    client: Client


@pytest.fixture(scope="module")
async def world(
    temporal_env: WorkflowEnvironment, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[WhatIfWorld]:
    namespace = f"what-if-{uuid.uuid4().hex[:8]}"
    await temporal_env.client.workflow_service.register_namespace(
        RegisterNamespaceRequest(
            namespace=namespace,
            workflow_execution_retention_period=Duration(seconds=int(timedelta(days=1).total_seconds())),
        )
    )
    config = sandbox_config()
    config = config.model_copy(
        update={"shops": [s.model_copy(update={"generation": GENERATION}) for s in config.shops]}
    )
    async with serve(create_sandbox(config)) as sandbox_url:
        config_dir = write_config(tmp_path_factory.mktemp("what-if-config"), sandbox_url)
        shim_port = free_port()
        settings = Settings(
            config_dir=config_dir,
            temporal_address=temporal_env.client.service_client.config.target_host,
            temporal_namespace=namespace,
            temporal_api_key_env="CASEBRIDGE_TEST_UNSET_API_KEY",
            task_queue=f"what-if-{uuid.uuid4().hex[:8]}",
            shim_public_url=f"http://127.0.0.1:{shim_port}",
        )

        async def registered() -> bool:
            # A new namespace reaches the server's namespace cache within seconds.
            return await execute(["search-attributes", "register"], settings) == 0

        await eventually(registered, timeout=30, what=f"namespace {namespace} to take search attributes")
        client = await connect(settings)
        async with stack_with_shim(client, settings, sandbox_url) as stack:
            await stack.shop(SHOP).subscribe_webhook("ORDERS_CREATE", f"{stack.shim_url}/webhooks/shopify")
            yield WhatIfWorld(stack, settings, client)


async def cases_listed(client: Client, count: int) -> None:
    """Wait until visibility lists this many cases of the shop (it follows the starts closely)."""

    async def listed() -> bool:
        return len([e async for e in client.list_workflows(f'CaseStore = "{SHOP}"')]) == count

    await eventually(listed, what=f"{count} cases of {SHOP} in visibility")


def changed_policy(directory: Path) -> Path:
    """The test shop's policy with a lower amount threshold (1000 -> 500), VIP customers no longer
    reviewed for being VIP, and finance brought into fulfillment exceptions above 1000 (was 5000)."""
    text = POLICY.format(store=SHOP, reconcile="PT1H", on_timeout="reject")
    for old, new in (
        ("total_at_least: 1000", "total_at_least: 500"),
        ("customer_tags: [vip, wholesale]", "customer_tags: [wholesale]"),
        ("finance_above: 5000", "finance_above: 1000"),
    ):
        assert old in text
        text = text.replace(old, new)
    path = directory / "new-policy.yaml"
    path.write_text(text)
    return path


def section(out: str, case_type: str) -> list[str]:
    """The report's lines about one case type (up to the next blank line)."""
    lines = out.splitlines()
    start = next(n for n, line in enumerate(lines) if line.startswith(f"{case_type}: "))
    end = next((n for n in range(start, len(lines)) if not lines[n].strip()), len(lines))
    return lines[start:end]


def counts(lines: list[str], label: str) -> tuple[int, int, int]:
    """(current, new, change) of the row with this label."""
    [row] = [line for line in lines if line.strip().startswith(label) and line.split()[-1].lstrip("+-").isdigit()]
    current, new, change = row.split()[-3:]
    return int(current), int(new), int(change)


async def test_what_if_replays_the_shops_cases_through_the_changed_policy(
    world: WhatIfWorld, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stack = world.stack
    large = await stack.create_order(SHOP, unit_price="1500.00")  # reviewed by both: its total
    vip_small = await stack.create_order(SHOP, unit_price="300.00", customer_tags=["vip"])  # no longer reviewed
    vip_large = await stack.create_order(SHOP, unit_price="700.00", customer_tags=["vip"])  # now for its total
    # No rule of the current policy matches: no case, so the new policy's review of it (600 >= 500)
    # cannot show in the what-if. The limit the report states.
    passed = await stack.create_order(SHOP, unit_price="600.00")
    review_ids = [ORDER_REVIEW.case_id("shopify", SHOP, o.legacy_resource_id) for o in (large, vip_small, vip_large)]
    for case_id in review_ids:
        await stack.case_started(case_id)
    shortage = await post(stack, report(large.legacy_resource_id, "inventory_shortage"))
    assert shortage.status_code == 200, shortage.text
    exception_id = FULFILLMENT_EXCEPTION.case_id("shopify", SHOP, large.legacy_resource_id)
    await cases_listed(world.client, 4)
    passed_id = ORDER_REVIEW.case_id("shopify", SHOP, passed.legacy_resource_id)
    await stack.assert_no_case(passed_id)
    capsys.readouterr()

    new_policy = changed_policy(tmp_path)
    assert await execute(["policy", "what-if", SHOP, str(new_policy), "--since", "1d"], world.settings) == 0

    out = capsys.readouterr().out
    if os.environ.get("CASEBRIDGE_SHOW_WHAT_IF"):
        Path(os.environ["CASEBRIDGE_SHOW_WHAT_IF"]).write_text(out)
    assert out.startswith(f"Policy what-if for shopify {SHOP}: 4 cases started since ")
    assert "(1d)" in out.splitlines()[0]
    reviews = section(out, "order-review")
    assert reviews[0] == "order-review: 3 cases"
    assert reviews[1].split() == ["current", "new", "change"]
    assert counts(reviews, "cases opened") == (3, 2, -1)
    assert counts(reviews, "decided by policy (no person)") == (0, 0, 0)
    assert counts(reviews, "routed to people") == (3, 2, -1)
    assert counts(reviews, "team order-review") == (3, 2, -1)
    assert counts(reviews, "no review (the order passes)") == (0, 1, +1)
    changes = reviews[reviews.index("  route changes: 1 of 3") :]
    assert changes[1].split() == [vip_small.name, review_ids[1]]
    assert changes[2].strip() == "reviewed by order-review -> no review (the order passes)"
    assert changes[3].strip() == "current policy: customer tagged vip"

    exceptions = section(out, "fulfillment-exception")
    assert exceptions[0] == "fulfillment-exception: 1 case"
    assert counts(exceptions, "cases opened") == (1, 1, 0)
    assert counts(exceptions, "team warehouse") == (1, 1, 0)
    assert counts(exceptions, "team customer-service") == (1, 1, 0)
    assert counts(exceptions, "team finance") == (0, 1, +1)
    shown = [line.strip() for line in exceptions]
    assert f"{large.name}  {exception_id}" in shown
    assert "reviewed by warehouse + customer-service -> reviewed by warehouse + customer-service + finance" in shown
    assert "new policy: inventory_shortage; order total 1500.00 above 1000: finance joins" in shown

    assert passed_id not in out and passed.name not in out
    assert "Limits: only events that opened a case are in Temporal." in " ".join(out.split())
    assert "@" not in out  # case ids and order names only: no customer's e-mail


async def test_a_store_without_cases_says_so(
    world: WhatIfWorld, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    new_policy = changed_policy(tmp_path)
    # A policy file is one store's: the test shop's is refused for another shop.
    assert await execute(["policy", "what-if", "reconcile-test.myshopify.com", str(new_policy)], world.settings) == 1
    assert "is the policy of store 'casebridge-test.myshopify.com'" in capsys.readouterr().err

    other = tmp_path / "other.yaml"
    # No order of the reconcile shop reached this namespace's shim: no case to replay.
    other.write_text(POLICY.format(store="reconcile-test.myshopify.com", reconcile="PT1H", on_timeout="reject"))
    assert await execute(["policy", "what-if", "reconcile-test.myshopify.com", str(other)], world.settings) == 0
    out = capsys.readouterr().out
    assert "reconcile-test.myshopify.com: 0 cases started since" in out and "(30d)" in out
    assert "No case of this store started in that period: nothing to replay." in out
    assert "Limits: only events that opened a case are in Temporal." in " ".join(out.split())
