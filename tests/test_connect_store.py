"""Connecting a store with the `casebridge` command: `webhooks sync` subscribes the shim on each
platform exactly once, after which an order placed through the store's own API starts its case;
`stores check` passes on the test registry and names the store whose secret is missing or whose
API refuses the credentials (the worker and the shim refuse to start on the same check);
`search-attributes register` registers on a self-hosted namespace and prints the tcld command for
Temporal Cloud.

The session's sandbox already has the shim subscribed (tests/conftest.py), so these tests run
against a sandbox of their own, in which nothing was subscribed, with its own shim and worker on
the session's Temporal server (its ids are of another generation, so its cases are new ones).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from google.protobuf.duration_pb2 import Duration
from temporalio.api.operatorservice.v1 import ListSearchAttributesRequest
from temporalio.api.workflowservice.v1 import RegisterNamespaceRequest
from temporalio.testing import WorkflowEnvironment

from casebridge.cli import execute
from casebridge.settings import Settings
from casebridge.store_check import StoresNotReady, require_stores_ready
from sandbox.app import create_app as create_sandbox
from tests.support.servers import free_port, serve
from tests.support.shim_stack import stack_with_shim
from tests.support.stack import Stack, eventually
from tests.support.world import ADOBE_STORE, BC_FLOW_STORE, SHOP, sandbox_config, write_config
from tests.test_order_review_adobe import place_order as place_adobe_order
from tests.test_order_review_bigcommerce import seed_order as place_bigcommerce_order
from worker import build_store_workers, build_worker
from workflows import search_attributes as sa
from workflows.messages import CaseStatus
from workflows.order_review import KIND as ORDER_REVIEW

ROOT = Path(__file__).parent.parent
# Ids and order numbers past those of the session's sandbox (generation 0): same Temporal server.
GENERATION = 41
SHOPIFY_TOPICS = {"ORDERS_CREATE", "ORDERS_CANCELLED", "FULFILLMENT_ORDERS_PLACED_ON_HOLD", "RETURNS_REQUEST"}
BIGCOMMERCE_SCOPES = {"store/order/created", "store/order/statusUpdated"}
ADOBE_EVENTS = {
    "com.adobe.commerce.observer.sales_order_place_after",
    "com.adobe.commerce.observer.sales_order_save_commit_after",
    "com.adobe.commerce.observer.rma_save_commit_after",
}


def fresh_sandbox_config() -> Any:
    config = sandbox_config()
    return config.model_copy(
        update={
            "shops": [s.model_copy(update={"generation": GENERATION}) for s in config.shops],
            "bigcommerce_stores": [s.model_copy(update={"generation": GENERATION}) for s in config.bigcommerce_stores],
            "adobe_stores": [s.model_copy(update={"generation": GENERATION}) for s in config.adobe_stores],
        }
    )


@pytest.fixture(scope="module")
async def fresh(temporal_env: WorkflowEnvironment, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Stack]:
    """A sandbox in which nothing is subscribed yet, with its own config, shim and worker."""
    client = temporal_env.client
    async with serve(create_sandbox(fresh_sandbox_config())) as sandbox_url:
        config_dir = write_config(tmp_path_factory.mktemp("fresh-config"), sandbox_url)
        settings = Settings(
            config_dir=config_dir,
            task_queue=f"connect-{uuid.uuid4().hex[:8]}",
            shim_public_url=f"http://127.0.0.1:{free_port()}",
            decision_timeout_seconds=5,
        )
        async with stack_with_shim(client, settings, sandbox_url) as stack:
            workers = [
                build_worker(client, settings, stack.connections),
                *build_store_workers(client, settings, stack.connections, store_ids=[SHOP, BC_FLOW_STORE, ADOBE_STORE]),
            ]
            async with contextlib.AsyncExitStack() as running:
                for worker in workers:
                    await running.enter_async_context(worker)
                yield stack


# -- what each platform holds -------------------------------------------------------------------


async def shopify_subscriptions(stack: Stack) -> list[tuple[str, str]]:
    return sorted(await stack.shop(SHOP).webhook_subscriptions())


async def bigcommerce_hooks(stack: Stack) -> list[tuple[int, str, str, bool]]:
    hooks = await stack.connections.bigcommerce(BC_FLOW_STORE).list_hooks()
    return sorted((h.id, h.scope, h.destination, h.is_active) for h in hooks)


async def adobe_registrations(stack: Stack) -> list[dict[str, Any]]:
    url = f"{stack.sandbox_url}/adobe-commerce/_admin/stores/{ADOBE_STORE}/io-events/registrations"
    response = await stack.http.get(url)
    response.raise_for_status()
    registrations: list[dict[str, Any]] = response.json()
    return registrations


async def subscriptions(stack: Stack, platform: str) -> list[Any]:
    if platform == "shopify":
        return list(await shopify_subscriptions(stack))
    if platform == "bigcommerce":
        return list(await bigcommerce_hooks(stack))
    return await adobe_registrations(stack)


def assert_subscribed(stack: Stack, platform: str, listed: list[Any]) -> None:
    shim = stack.settings.shim_public_url
    if platform == "shopify":
        assert set(listed) == {(topic, f"{shim}/webhooks/shopify") for topic in SHOPIFY_TOPICS}
        assert len(listed) == len(SHOPIFY_TOPICS)
    elif platform == "bigcommerce":
        assert {(scope, url, active) for _, scope, url, active in listed} == {
            (scope, f"{shim}/webhooks/bigcommerce", True) for scope in BIGCOMMERCE_SCOPES
        }
        assert len(listed) == len(BIGCOMMERCE_SCOPES)
    else:
        [registration] = listed
        assert registration["url"] == f"{shim}/webhooks/adobe-commerce"
        assert set(registration["event_codes"]) == ADOBE_EVENTS


async def place_order_starting_review(stack: Stack, platform: str) -> str:
    """An order above the policy's review threshold, placed through the store's API; its case id."""
    if platform == "shopify":
        order = await stack.create_order(SHOP, unit_price="1500.00")
        return ORDER_REVIEW.case_id("shopify", SHOP, order.legacy_resource_id)
    if platform == "bigcommerce":
        placed = await place_bigcommerce_order(stack, "1450.00")
        return ORDER_REVIEW.case_id("bigcommerce", BC_FLOW_STORE, str(placed["id"]))
    placed = await place_adobe_order(stack, "1650.00")
    return ORDER_REVIEW.case_id("adobe-commerce", ADOBE_STORE, str(placed["entity_id"]))


STORES = {"shopify": SHOP, "bigcommerce": BC_FLOW_STORE, "adobe": ADOBE_STORE}


@pytest.mark.parametrize("platform", ["shopify", "bigcommerce", "adobe"])
async def test_webhooks_sync_subscribes_once_and_orders_start_cases(
    fresh: Stack, platform: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await subscriptions(fresh, platform) == [], "the store had subscriptions before the sync"

    assert await execute(["webhooks", "sync", STORES[platform]], fresh.settings) == 0
    first = await subscriptions(fresh, platform)
    assert_subscribed(fresh, platform, first)
    out = capsys.readouterr().out
    assert f"{len(first if platform != 'adobe' else ADOBE_EVENTS)} subscriptions made, 0 already there" in out

    assert await execute(["webhooks", "sync", STORES[platform]], fresh.settings) == 0
    assert await subscriptions(fresh, platform) == first  # the same subscriptions, nothing new
    assert "0 subscriptions made" in capsys.readouterr().out

    case_id = await place_order_starting_review(fresh, platform)
    await fresh.case_started(case_id)
    view = await fresh.status_is(case_id, CaseStatus.IN_REVIEW)
    assert view.review_task_id is not None


async def test_webhooks_sync_reactivates_a_disabled_bigcommerce_hook(
    fresh: Stack, capsys: pytest.CaptureFixture[str]
) -> None:
    """BigCommerce switches a hook off after failed deliveries; the sync switches it back on."""
    assert await execute(["webhooks", "sync", BC_FLOW_STORE], fresh.settings) == 0
    client = fresh.connections.bigcommerce(BC_FLOW_STORE)
    [created] = [h for h in await client.list_hooks() if h.scope == "store/order/created"]
    await client.set_hook_active(created.id, False)
    capsys.readouterr()

    assert await execute(["webhooks", "sync", BC_FLOW_STORE], fresh.settings) == 0
    assert "reactivated store/order/created" in " ".join(capsys.readouterr().out.split())
    assert_subscribed(fresh, "bigcommerce", await bigcommerce_hooks(fresh))


async def test_webhooks_sync_names_an_unknown_store(fresh: Stack, capsys: pytest.CaptureFixture[str]) -> None:
    assert await execute(["webhooks", "sync", "no-such-store"], fresh.settings) == 1
    err = capsys.readouterr().err
    assert "no store 'no-such-store'" in err and SHOP in err


async def test_webhooks_sync_says_what_to_register_by_hand_for_a_real_adobe_instance(
    fresh: Stack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without a registrations API (`io_events_registrations_url`) the Developer Console is the place."""
    shutil.copytree(fresh.config_dir, tmp_path, dirs_exist_ok=True)
    stores = tmp_path / "stores.yaml"
    lines = stores.read_text().splitlines(keepends=True)
    stores.write_text("".join(line for line in lines if "io_events_registrations_url" not in line))
    settings = fresh.settings.model_copy(update={"config_dir": tmp_path})

    assert await execute(["webhooks", "sync", ADOBE_STORE], settings) == 1
    captured = capsys.readouterr()
    assert f"register {fresh.settings.shim_public_url}/webhooks/adobe-commerce in the Adobe Developer Console" in (
        " ".join(captured.out.split())
    )
    assert f"adobe-commerce {ADOBE_STORE}: register" in captured.err


# -- stores check -------------------------------------------------------------------------------


async def test_stores_check_names_an_unloadable_registry(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "stores.yaml").write_text("stores:\n  - platform: shopify\n    id: ${CASEBRIDGE_TEST_UNSET_SHOP}\n")
    assert await execute(["stores", "check"], Settings(config_dir=tmp_path)) == 1
    err = capsys.readouterr().err
    assert "registry" in err and "needs ${CASEBRIDGE_TEST_UNSET_SHOP}, which is not set" in err


async def test_stores_check_passes_on_the_test_registry(fresh: Stack, capsys: pytest.CaptureFixture[str]) -> None:
    assert await execute(["stores", "check"], fresh.settings) == 0
    lines = capsys.readouterr().out.splitlines()
    registry = fresh.registry
    for store in registry.stores:
        assert any(line.startswith("ok") and f"store {store.platform.value} {store.id} " in line for line in lines)
    for tenant in registry.opentext_tenants:
        assert any(line.startswith("ok") and f"tenant opentext {tenant.name} " in line for line in lines)
    assert not any(line.startswith("FAIL") for line in lines)
    await require_stores_ready(fresh.settings)  # what the worker and the shim run: no exception


def broken_config(stack: Stack, directory: Path, store: str, token_env: str) -> Path:
    """The test registry with one store's access token read from another variable."""
    shutil.copytree(stack.config_dir, directory, dirs_exist_ok=True)
    stores = directory / "stores.yaml"
    text = stores.read_text()
    entry = text.index(f"id: {store}\n")
    start = text.index("access_token_env: ", entry)
    end = text.index("\n", start)
    stores.write_text(text[:start] + f"access_token_env: {token_env}" + text[end:])
    return directory


async def test_stores_check_names_a_store_whose_secret_is_missing(
    fresh: Stack, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config_dir = broken_config(fresh, tmp_path, SHOP, "CASEBRIDGE_TEST_UNSET_TOKEN")
    settings = fresh.settings.model_copy(update={"config_dir": config_dir})

    assert await execute(["stores", "check"], settings) == 1
    captured = capsys.readouterr()
    [failed] = [line for line in captured.out.splitlines() if line.startswith("FAIL")]
    assert f"store shopify {SHOP}" in failed
    assert "secret CASEBRIDGE_TEST_UNSET_TOKEN is not set" in failed
    assert f"store shopify {SHOP}: secret CASEBRIDGE_TEST_UNSET_TOKEN is not set" in captured.err
    with pytest.raises(StoresNotReady, match="CASEBRIDGE_TEST_UNSET_TOKEN"):
        await require_stores_ready(settings)


async def test_stores_check_names_a_store_whose_api_refuses_the_credentials(
    fresh: Stack, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    wrong = "bc_revoked_token_value"
    monkeypatch.setenv("CASEBRIDGE_TEST_REVOKED_TOKEN", wrong)
    config_dir = broken_config(fresh, tmp_path, BC_FLOW_STORE, "CASEBRIDGE_TEST_REVOKED_TOKEN")
    settings = fresh.settings.model_copy(update={"config_dir": config_dir})

    assert await execute(["stores", "check"], settings) == 1
    captured = capsys.readouterr()
    [failed] = [line for line in captured.out.splitlines() if line.startswith("FAIL")]
    assert f"store bigcommerce {BC_FLOW_STORE}" in failed
    assert "credentials refused" in failed
    assert f"store bigcommerce {BC_FLOW_STORE}: credentials refused" in captured.err
    assert wrong not in captured.out + captured.err  # the secret is named, never shown


@pytest.mark.parametrize("process", [["worker.py"], ["-m", "shim"]], ids=["worker", "shim"])
async def test_worker_and_shim_refuse_to_start_when_the_check_fails(
    fresh: Stack, tmp_path: Path, process: list[str]
) -> None:
    config_dir = broken_config(fresh, tmp_path, SHOP, "CASEBRIDGE_TEST_UNSET_TOKEN")
    env = {
        **os.environ,
        "CONFIG_DIR": str(config_dir),
        "TEMPORAL_ADDRESS": fresh.client.service_client.config.target_host,
        "SHIM_PORT": str(free_port()),
        "CASEBRIDGE_ENV_FILE": str(tmp_path / "no.env"),
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable, *process, cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    _, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    assert proc.returncode == 1
    assert "not started: stores check failed" in err.decode()
    assert f"store shopify {SHOP}: secret CASEBRIDGE_TEST_UNSET_TOKEN is not set" in err.decode()


# -- search attributes --------------------------------------------------------------------------


async def test_search_attributes_on_temporal_cloud_print_the_tcld_command(capsys: pytest.CaptureFixture[str]) -> None:
    settings = Settings(
        temporal_address="casebridge.a1b2c.tmprl.cloud:7233",
        temporal_namespace="casebridge.a1b2c",
        temporal_api_key_env="CASEBRIDGE_TEST_UNSET_API_KEY",
    )
    assert await execute(["search-attributes", "register"], settings) == 0
    out = capsys.readouterr().out
    [command] = [line for line in out.splitlines() if line.startswith("tcld ")]
    expected = " ".join(f"--search-attribute {key.name}={kind}" for key, kind in zip(sa.ALL, CLOUD_TYPES, strict=True))
    assert command == f"tcld namespace search-attributes add --namespace casebridge.a1b2c {expected}"


# The types as tcld spells them, in the order of `workflows.search_attributes.ALL`.
CLOUD_TYPES = ["Keyword"] * 6 + ["Datetime", "Double"]


async def test_an_api_key_means_temporal_cloud(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CASEBRIDGE_TEST_API_KEY", "a-cloud-api-key")
    settings = Settings(
        temporal_address="us-east-1.aws.example.internal:7233",
        temporal_namespace="casebridge.a1b2c",
        temporal_api_key_env="CASEBRIDGE_TEST_API_KEY",
    )
    assert await execute(["search-attributes", "register"], settings) == 0
    out = capsys.readouterr().out
    assert "tcld namespace search-attributes add --namespace casebridge.a1b2c" in out
    assert "a-cloud-api-key" not in out


async def test_search_attributes_register_on_a_self_hosted_namespace(
    temporal_env: WorkflowEnvironment, capsys: pytest.CaptureFixture[str]
) -> None:
    client = temporal_env.client
    namespace = f"casebridge-{uuid.uuid4().hex[:8]}"
    await client.workflow_service.register_namespace(
        RegisterNamespaceRequest(
            namespace=namespace,
            workflow_execution_retention_period=Duration(seconds=int(timedelta(days=1).total_seconds())),
        )
    )
    settings = Settings(
        temporal_address=client.service_client.config.target_host,
        temporal_namespace=namespace,
        temporal_api_key_env="CASEBRIDGE_TEST_UNSET_API_KEY",
    )

    async def registered() -> bool:
        # A new namespace reaches the server's namespace cache within seconds.
        return await execute(["search-attributes", "register"], settings) == 0

    await eventually(registered, timeout=30, what=f"namespace {namespace} to take search attributes")
    out = capsys.readouterr().out
    assert f"namespace {namespace}: registered {', '.join(key.name for key in sa.ALL)}" in out
    listed = await client.operator_service.list_search_attributes(ListSearchAttributesRequest(namespace=namespace))
    assert {key.name for key in sa.ALL} <= set(listed.custom_attributes)

    assert await execute(["search-attributes", "register"], settings) == 0
    out = capsys.readouterr().out
    assert "registered" in out and f"namespace {namespace}: registered " not in out
    assert f"namespace {namespace}: already registered" in out
