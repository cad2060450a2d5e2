"""Chaos runs: a stack of its own (sandbox, shim, worker *processes*) on a given Temporal server,
workers SIGKILLed and restarted at seeded random moments, cases of every type on every platform,
and the sandbox's side-effect ledger read at the end to prove each effect happened once.

Shared by the fast tests (tests/test_chaos_*.py) and the long run (`python -m bench.chaos`). The
sandbox gets its own id generation, so its order ids never meet the session sandbox's case ids on
the same Temporal server; the worker processes run `worker.py` exactly as deployed.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from temporalio.client import Client
from temporalio.service import RPCError

from casebridge.settings import Settings
from sandbox.app import create_app as create_sandbox
from sandbox.config import SandboxConfig
from sandbox.driver import DRIVER_PREFIX
from sandbox.effects import EffectKind, EffectLedger
from sandbox.world import SandboxWorld
from tests.support.log_scan import SUITE_LOG
from tests.support.servers import free_port, serve
from tests.support.shim_stack import stack_with_shim
from tests.support.stack import Stack, eventually
from tests.support.world import (
    ADOBE_STORE,
    BC_FLOW_STORE,
    DOCS_SHOP,
    SHOP,
    TENANT_ID,
    export_secrets,
    sandbox_config,
    write_config,
)
from workflows.messages import CaseResult, CaseStatus

ROOT = Path(__file__).resolve().parents[2]


def chaos_sandbox_config(generation: int) -> SandboxConfig:
    """The test world with its own id generation (order numbers and ids start elsewhere)."""
    config = sandbox_config()
    return config.model_copy(
        update={
            "shops": [s.model_copy(update={"generation": generation}) for s in config.shops],
            "bigcommerce_stores": [s.model_copy(update={"generation": generation}) for s in config.bigcommerce_stores],
            "adobe_stores": [s.model_copy(update={"generation": generation}) for s in config.adobe_stores],
        }
    )


class WorkerPool:
    """`worker.py` processes on one task queue; killed with SIGKILL (no goodbye), restarted fresh."""

    def __init__(self, temporal_address: str, queue: str, config_dir: Path, log: Path, size: int) -> None:
        self._env = dict(
            os.environ,
            TEMPORAL_ADDRESS=temporal_address,
            TASK_QUEUE=queue,
            CONFIG_DIR=str(config_dir),
            STORES_CHECK_AT_STARTUP="false",  # restarts come quickly; the stores are known good
        )
        self._log = log
        SUITE_LOG.watch_file(log)  # in the test suite: scanned for secrets and personal data
        self.processes: list[subprocess.Popen[bytes]] = [self._spawn() for _ in range(size)]
        self.kills = 0

    def _spawn(self) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [sys.executable, str(ROOT / "worker.py")],
            cwd=ROOT,
            env=self._env,
            stdout=self._log.open("ab"),
            stderr=subprocess.STDOUT,
        )

    def kill(self, index: int) -> None:
        process = self.processes[index]
        process.send_signal(signal.SIGKILL)
        process.wait()
        self.kills += 1

    def restart(self, index: int) -> None:
        self.processes[index] = self._spawn()

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def log_tail(self, chars: int = 3000) -> str:
        return self._log.read_text(errors="replace")[-chars:] if self._log.exists() else ""


@dataclass
class ChaosStack:
    stack: Stack
    world: SandboxWorld
    workers: WorkerPool

    @property
    def ledger(self) -> EffectLedger:
        return self.world.effects


@contextlib.asynccontextmanager
async def chaos_stack(
    client: Client, temporal_address: str, directory: Path, *, generation: int, workers: int = 2
) -> AsyncIterator[ChaosStack]:
    """Sandbox and shim in this process, `workers` worker processes, every platform subscribed.

    Casebridge (shim, workers) calls the sandbox at its usual paths, where faults are injected; the
    driver (the stack's connections and admin calls: customers placing orders, reviewers deciding)
    calls it under `/_driver`, where none are, so the run counts what Casebridge did."""
    export_secrets()
    app = create_sandbox(chaos_sandbox_config(generation))
    world: SandboxWorld = app.state.world
    async with serve(app) as sandbox_url:
        config_dir = write_config(directory / "config", sandbox_url)
        driver_url = f"{sandbox_url}{DRIVER_PREFIX}"
        driver_config = write_config(directory / "driver-config", driver_url)
        shim_port = free_port()
        settings = Settings(
            config_dir=config_dir,
            task_queue=f"chaos-{uuid.uuid4().hex[:8]}",
            shim_public_url=f"http://127.0.0.1:{shim_port}",
            decision_timeout_seconds=5,
        )
        async with stack_with_shim(client, settings, driver_url, driver_config_dir=driver_config) as stack:
            await subscribe(stack)
            pool = WorkerPool(temporal_address, settings.task_queue, config_dir, directory / "workers.log", workers)
            try:
                yield ChaosStack(stack, world, pool)
            finally:
                pool.stop()


async def subscribe(stack: Stack) -> None:
    """What `casebridge webhooks sync` would subscribe, for the three flow stores and the documents shop."""
    hook = f"{stack.shim_url}/webhooks/shopify"
    for topic in ("ORDERS_CREATE", "ORDERS_CANCELLED", "RETURNS_REQUEST"):
        await stack.shop(SHOP).subscribe_webhook(topic, hook)
    for topic in ("ORDERS_CREATE", "FULFILLMENTS_CREATE", "REFUNDS_CREATE"):
        await stack.shop(DOCS_SHOP).subscribe_webhook(topic, hook)
    for scope in ("store/order/created", "store/order/statusUpdated"):
        await stack.connections.bigcommerce(BC_FLOW_STORE).ensure_hook(scope, f"{stack.shim_url}/webhooks/bigcommerce")
    registered = await stack.http.post(
        f"{stack.sandbox_url}/adobe-commerce/_admin/stores/{ADOBE_STORE}/io-events/registrations",
        json={
            "url": f"{stack.shim_url}/webhooks/adobe-commerce",
            "event_codes": ["observer.sales_order_place_after", "observer.rma_save_commit_after"],
        },
    )
    registered.raise_for_status()


# -- the cases -----------------------------------------------------------------------------------


@dataclass
class CaseRun:
    """One case driven to its end, and the side effects it must have caused exactly so often."""

    name: str
    case_id: str
    system: str
    store: str
    order: str
    expected: dict[EffectKind, int]
    letters_about: str | None = None  # the orderName a customer letter names, when one is due
    letters: int = 1  # how many distinct letters that order gets (more: a duplicate)
    reviewed: bool = True  # the case opens OpenText review processes
    status: CaseStatus | None = None
    detail: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


Scenario = Callable[[Stack], Awaitable[CaseRun]]

HOLD_ONCE = {EffectKind.HOLD_PLACED: 1, EffectKind.HOLD_RELEASED: 1}


async def _decide(stack: Stack, case_id: str, outcome: str, timeout: float) -> None:
    from tests.test_order_review_flow import decide  # the tests' own reviewer

    task_id = await stack.open_task_id(case_id, timeout=timeout)
    await decide(stack.opentext, task_id, outcome)


async def _finish(stack: Stack, run: CaseRun, timeout: float) -> CaseRun:
    handle = stack.client.get_workflow_handle(run.case_id, result_type=CaseResult)

    async def result() -> CaseResult:
        while True:
            try:
                done: CaseResult = await handle.result()
                return done
            except RPCError:
                # The Temporal server is restarting (a chaos outage): wait for it as a caller would.
                await asyncio.sleep(0.5)

    outcome = await asyncio.wait_for(result(), timeout=timeout)
    run.status, run.detail = outcome.status, outcome.detail
    return run


async def _sent(send: Callable[[], Awaitable[httpx.Response]], timeout: float) -> httpx.Response:
    """A signed event posted as its sender posts it: again after a 503 (the shim could not read the
    store, or reach Temporal, right now) with back-off, until the shim takes it."""
    deadline = time.monotonic() + timeout
    backoff = 0.5
    while True:
        answer = await send()
        if answer.status_code != 503 or time.monotonic() > deadline:
            return answer
        await asyncio.sleep(backoff)  # the sender's back-off
        backoff = min(backoff * 2, 8.0)


async def shopify_review_approved(stack: Stack, timeout: float = 90) -> CaseRun:
    from workflows.order_review import KIND

    order = await stack.create_order(SHOP, unit_price="1500.00")
    run = CaseRun(
        "order-review shopify approved",
        KIND.case_id("shopify", SHOP, order.legacy_resource_id),
        "shopify",
        SHOP,
        order.legacy_resource_id,
        {**HOLD_ONCE, EffectKind.ORDER_CANCELLED: 0, EffectKind.REFUND_CREATED: 0},
    )
    await stack.case_started(run.case_id, timeout=timeout)
    await _decide(stack, run.case_id, "approved", timeout)
    return await _finish(stack, run, timeout)


async def shopify_review_rejected(stack: Stack, timeout: float = 90) -> CaseRun:
    from workflows.order_review import KIND

    order = await stack.create_order(SHOP, unit_price="1200.00")
    run = CaseRun(
        "order-review shopify rejected",
        KIND.case_id("shopify", SHOP, order.legacy_resource_id),
        "shopify",
        SHOP,
        order.legacy_resource_id,
        {EffectKind.HOLD_PLACED: 1, EffectKind.ORDER_CANCELLED: 1, EffectKind.REFUND_CREATED: 0},
    )
    await stack.case_started(run.case_id, timeout=timeout)
    await _decide(stack, run.case_id, "rejected", timeout)
    return await _finish(stack, run, timeout)


async def bigcommerce_review_rejected(stack: Stack, timeout: float = 90) -> CaseRun:
    from tests.test_order_review_bigcommerce import seed_order
    from workflows.order_review import KIND

    order = await seed_order(stack, "1450.00")
    run = CaseRun(
        "order-review bigcommerce rejected",
        KIND.case_id("bigcommerce", BC_FLOW_STORE, str(order["id"])),
        "bigcommerce",
        BC_FLOW_STORE,
        str(order["id"]),
        {EffectKind.HOLD_PLACED: 1, EffectKind.ORDER_CANCELLED: 1, EffectKind.REFUND_CREATED: 1},
    )
    await stack.case_started(run.case_id, timeout=timeout)
    await _decide(stack, run.case_id, "rejected", timeout)
    return await _finish(stack, run, timeout)


async def bigcommerce_review_approved(stack: Stack, timeout: float = 90) -> CaseRun:
    from tests.test_order_review_bigcommerce import seed_order
    from workflows.order_review import KIND

    order = await seed_order(stack, "1350.00")
    run = CaseRun(
        "order-review bigcommerce approved",
        KIND.case_id("bigcommerce", BC_FLOW_STORE, str(order["id"])),
        "bigcommerce",
        BC_FLOW_STORE,
        str(order["id"]),
        {**HOLD_ONCE, EffectKind.ORDER_CANCELLED: 0, EffectKind.REFUND_CREATED: 0},
    )
    await stack.case_started(run.case_id, timeout=timeout)
    await _decide(stack, run.case_id, "approved", timeout)
    return await _finish(stack, run, timeout)


async def adobe_review_rejected(stack: Stack, timeout: float = 90) -> CaseRun:
    from tests.test_order_review_adobe import place_order
    from workflows.order_review import KIND

    order = await place_order(stack, "1500.00", invoiced=True, shipping_amount="20.00")
    run = CaseRun(
        "order-review adobe rejected",
        KIND.case_id("adobe-commerce", ADOBE_STORE, str(order["entity_id"])),
        "adobe-commerce",
        ADOBE_STORE,
        str(order["entity_id"]),
        {EffectKind.REFUND_CREATED: 1, EffectKind.HOLD_PLACED: 1},
    )
    await stack.case_started(run.case_id, timeout=timeout)
    await _decide(stack, run.case_id, "rejected", timeout)
    return await _finish(stack, run, timeout)


async def shopify_return_auto_approved(stack: Stack, timeout: float = 90) -> CaseRun:
    from tests.test_return_case import case_of, request_return, shipped_order

    order = await shipped_order(stack, "30.00")
    ret = await request_return(stack, order, "SIZE_TOO_SMALL")
    run = CaseRun(
        "return shopify auto-approved",
        case_of(ret),
        "shopify",
        SHOP,
        order.legacy_resource_id,
        {EffectKind.RETURN_APPROVED: 1, EffectKind.REFUND_CREATED: 1},
    )
    await stack.case_started(run.case_id, timeout=timeout)
    return await _finish(stack, run, timeout)


async def bigcommerce_return_refunded(stack: Stack, timeout: float = 90) -> CaseRun:
    from tests.test_return_case_bigcommerce import case_of as bc_return_case
    from tests.test_return_case_bigcommerce import paid_order, post, product_id, return_request

    order = await paid_order(stack)
    tent = product_id(order, "Tent")
    request = return_request(
        order, [{"order_product_id": tent, "quantity": 1, "reason": "There was a problem with the product"}]
    )
    answer = await _sent(lambda: post(stack, request), timeout)
    assert answer.status_code == 200 and answer.json()["result"] in ("started", "duplicate"), answer.text
    run = CaseRun(
        "return bigcommerce reviewed refund",
        bc_return_case(request),
        "bigcommerce",
        BC_FLOW_STORE,
        str(order["id"]),
        {EffectKind.REFUND_CREATED: 1},
    )
    await _decide(stack, run.case_id, "refund", timeout)
    return await _finish(stack, run, timeout)


async def shopify_exception_new_date(stack: Stack, timeout: float = 90) -> CaseRun:
    from tests.test_fulfillment_exception import open_tasks, post, report
    from tests.test_order_review_flow import decide

    order = await stack.create_order(SHOP, unit_price="120.00")
    event = report(order.legacy_resource_id, "carrier_delay")
    answer = await _sent(lambda: post(stack, event), timeout)
    assert answer.status_code == 200, answer.text
    run = CaseRun(
        "fulfillment-exception shopify new date",
        answer.json()["case_id"],
        "shopify",
        SHOP,
        order.legacy_resource_id,
        {**HOLD_ONCE, EffectKind.ORDER_CANCELLED: 0},
        letters_about=order.name,
    )
    tasks = await eventually(
        lambda: open_tasks(stack, run.case_id, {"warehouse", "customer-service"}), timeout=timeout, what="tasks"
    )
    for task_id in tasks.values():
        await decide(stack.opentext, task_id, "new-delivery-date")
    return await _finish(stack, run, timeout)


async def bigcommerce_exception_cancelled(stack: Stack, timeout: float = 90) -> CaseRun:
    from tests.test_fulfillment_exception import open_tasks, post, report
    from tests.test_order_review_bigcommerce import seed_order
    from tests.test_order_review_flow import decide

    order = await seed_order(stack, "95.00")
    event = report(str(order["id"]), "payment_exception", platform="bigcommerce", store=BC_FLOW_STORE)
    answer = await _sent(lambda: post(stack, event), timeout)
    assert answer.status_code == 200, answer.text
    run = CaseRun(
        "fulfillment-exception bigcommerce cancelled",
        answer.json()["case_id"],
        "bigcommerce",
        BC_FLOW_STORE,
        str(order["id"]),
        {EffectKind.ORDER_CANCELLED: 1, EffectKind.HOLD_PLACED: 1, EffectKind.HOLD_RELEASED: 0},
    )
    tasks = await eventually(
        lambda: open_tasks(stack, run.case_id, {"finance", "customer-service"}), timeout=timeout, what="tasks"
    )
    await decide(stack.opentext, tasks["finance"], "cancel-order")
    return await _finish(stack, run, timeout)


async def shopify_order_documents(stack: Stack, timeout: float = 90) -> CaseRun:
    """An order placed and shipped in the documents shop: its workspace gets the order record and the
    shipping document, the customer the confirmation and the shipment notice, once each. The case
    keeps listening for later events, so the run ends when both letters were started."""
    from workflows.order_documents import KIND

    shop = stack.shop(DOCS_SHOP)
    order = await stack.create_order(DOCS_SHOP, unit_price="75.00", customer_tags=["regular"])
    run = CaseRun(
        "order-documents shopify shipped",
        KIND.case_id("shopify", DOCS_SHOP, order.legacy_resource_id),
        "shopify",
        DOCS_SHOP,
        order.legacy_resource_id,
        {EffectKind.HOLD_PLACED: 0, EffectKind.ORDER_CANCELLED: 0},
        letters_about=order.name,
        letters=2,
        reviewed=False,
    )
    await stack.case_started(run.case_id, timeout=timeout)
    fulfillment_order = (await shop.get_order(order.id)).fulfillment_orders[0]
    await shop.create_fulfillment(fulfillment_order.id)

    async def both_letters() -> bool | None:
        started = [e for e in await stack.audit(run.case_id) if e.event == "letter started"]
        return True if len(started) >= 2 else None

    await eventually(both_letters, timeout=timeout, what="the confirmation and the shipment notice started")
    run.status, run.detail = CaseStatus.OPEN, "following the order"
    return run


async def shopify_abandoned_cart(stack: Stack, timeout: float = 90) -> CaseRun:
    """A checkout left in the documents shop: its case sends one "Abandoned Cart Reminder" once the
    reminder is due. Started here with the reminder due in two seconds (the shop's own policy waits
    hours; the case the shim opened for the same checkout keeps waiting)."""
    from routing.abandoned_carts import AbandonedCartPolicy
    from routing.communications import CommunicationsPolicy
    from tests.support.carts import cart_case_input, open_checkout, shopify_customer
    from workflows.abandoned_cart import KIND, AbandonedCart

    email, _ = await shopify_customer(stack.sandbox_url)
    checkout = await open_checkout(stack.sandbox_url, email)
    cart_id = str(checkout["id"])
    case_id = f"{KIND.case_id('shopify', DOCS_SHOP, cart_id)}-chaos"
    letters = CommunicationsPolicy(brand="casebridge-outdoor")
    due_soon = AbandonedCartPolicy(remind_after=timedelta(seconds=2))
    await stack.client.start_workflow(
        AbandonedCart.run,
        cart_case_input(case_id, "shopify", DOCS_SHOP, cart_id, letters, "chaos", due_soon, files_documents=True),
        id=case_id,
        task_queue=stack.settings.task_queue,
    )
    run = CaseRun(
        "abandoned-cart shopify reminded",
        case_id,
        "shopify",
        DOCS_SHOP,
        cart_id,
        {EffectKind.ORDER_CANCELLED: 0},
        letters_about=f"cart {cart_id}",
        reviewed=False,
    )
    return await _finish(stack, run, timeout)


SCENARIOS: list[Scenario] = [
    shopify_review_approved,
    shopify_review_rejected,
    bigcommerce_review_approved,
    bigcommerce_review_rejected,
    adobe_review_rejected,
    shopify_return_auto_approved,
    bigcommerce_return_refunded,
    shopify_exception_new_date,
    bigcommerce_exception_cancelled,
    shopify_order_documents,
    shopify_abandoned_cart,
]


# -- the chaos -----------------------------------------------------------------------------------


async def kill_workers(pool: WorkerPool, rng: random.Random, kills: int, *, gap: tuple[float, float]) -> None:
    """`kills` SIGKILLs at seeded random moments, each worker restarted after a random pause."""
    for _ in range(kills):
        await asyncio.sleep(rng.uniform(*gap))
        index = rng.randrange(len(pool.processes))
        pool.kill(index)
        await asyncio.sleep(rng.uniform(0.0, 1.0))  # a moment with one pod fewer, as Kubernetes does
        pool.restart(index)


# Effects that must never happen twice for one case (per order; tags per tag).
ONCE_KINDS = {
    EffectKind.HOLD_PLACED,
    EffectKind.HOLD_RELEASED,
    EffectKind.ORDER_CANCELLED,
    EffectKind.REFUND_CREATED,
    EffectKind.RETURN_APPROVED,
    EffectKind.RETURN_DECLINED,
    EffectKind.ORDER_EDITED,
}


@dataclass
class LedgerCheck:
    lost: list[str] = field(default_factory=list)  # an expected effect that did not happen
    duplicated: list[str] = field(default_factory=list)  # an effect that happened more than once
    # Letters are at least once (README: Exstream has no idempotency key): counted, not failed.
    duplicate_letters: list[str] = field(default_factory=list)
    effects: int = 0


async def letters_settled(
    ledger: EffectLedger, runs: list[CaseRun], tenant: str = TENANT_ID, timeout: float = 60
) -> None:
    """Wait until every run's letter was handed to Exstream: a case starts its letter as a workflow
    of its own and may close before the letter is sent. Gives up silently after `timeout` (the
    ledger check then reports the letter lost)."""

    def pending() -> list[CaseRun]:
        return [
            run
            for run in runs
            if run.letters_about is not None
            and ledger.count(system="opentext-exstream", store=tenant, order=run.letters_about, kind="letter_sent")
            < run.letters
        ]

    async def all_sent() -> bool | None:
        return True if not pending() else None

    with contextlib.suppress(AssertionError, TimeoutError):
        await eventually(all_sent, timeout=timeout, what="every letter sent")


def check_ledger(ledger: EffectLedger, runs: list[CaseRun], tenant: str = TENANT_ID) -> LedgerCheck:
    """Every expected effect exactly as often as expected; nothing else twice; one OpenText
    process per review round (each business key started once); letters at least once (a second
    copy, sent when a worker died between Exstream's answer and the activity's completion, is
    listed in `duplicate_letters`)."""
    check = LedgerCheck()
    for run in runs:
        mine = ledger.find(system=run.system, store=run.store, order=run.order)
        check.effects += len(mine)
        for kind, want in run.expected.items():
            got = sum(1 for e in mine if e.kind == kind)
            if got < want:
                check.lost.append(f"{run.name} {run.case_id}: {kind} {got} < {want}")
            elif got > want:
                check.duplicated.append(f"{run.name} {run.case_id}: {kind} {got} > {want}")
        for kind in ONCE_KINDS - set(run.expected):
            got = sum(1 for e in mine if e.kind == kind)
            if got > 1:
                check.duplicated.append(f"{run.name} {run.case_id}: {kind} {got}")
        tags = [e.ref for e in mine if e.kind == EffectKind.TAG_ADDED]
        check.duplicated += [f"{run.name}: tag {t} added {tags.count(t)}x" for t in set(tags) if tags.count(t) > 1]
        processes = [
            e for e in ledger.find(system="opentext-workflow", store=tenant) if e.order.startswith(run.case_id)
        ]
        keys = [e.order for e in processes if e.kind == EffectKind.PROCESS_STARTED]
        if not keys and run.reviewed and run.expected.get(EffectKind.RETURN_APPROVED) is None:
            check.lost.append(f"{run.name} {run.case_id}: no OpenText process")
        check.duplicated += [
            f"{run.name}: process {k} started {keys.count(k)}x" for k in set(keys) if keys.count(k) > 1
        ]
        if run.letters_about is not None:
            letters = ledger.count(
                system="opentext-exstream", store=tenant, order=run.letters_about, kind="letter_sent"
            )
            if letters == 0:
                check.lost.append(f"{run.name} {run.case_id}: no letter")
            elif letters < run.letters:
                check.lost.append(f"{run.name} {run.case_id}: {letters} letters < {run.letters}")
            elif letters > run.letters:
                check.duplicate_letters.append(f"{run.name} {run.case_id}: {letters} letters")
    return check


# -- a Temporal server that can be stopped and started again on its database ---------------------


class DevServer:
    """`temporal server start-dev` on a fixed port with a database file, so a restart resumes."""

    def __init__(self, directory: Path, port: int | None = None) -> None:
        self.port = port or free_port()
        self.address = f"127.0.0.1:{self.port}"
        self._db = directory / "temporal.db"
        self._log = directory / "temporal.log"
        self._process: subprocess.Popen[bytes] | None = None
        self.restarts = 0

    def start(self) -> None:
        from workflows import search_attributes as sa

        attributes = [f"--search-attribute={key.name}={_SA_TYPES[key.indexed_value_type]}" for key in sa.ALL]
        self._process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "temporal"),
                "server",
                "start-dev",
                "--db-filename",
                str(self._db),
                "--ip",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--headless",
                "--log-level",
                "error",
                *attributes,
            ],
            stdout=self._log.open("ab"),
            stderr=subprocess.STDOUT,
        )

    def stop(self) -> None:
        """SIGTERM, as an orderly shutdown of the server pod; the database file stays."""
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGTERM)
            try:
                self._process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None

    async def restart(self, down_for: float = 1.0) -> None:
        self.stop()
        await asyncio.sleep(down_for)  # the outage itself: nothing is waited on, it just lasts
        self.start()
        self.restarts += 1
        await self.ready()

    async def ready(self, timeout: float = 30) -> Client:
        from casebridge.payload_codec import data_converter

        async def connected() -> Client | None:
            try:
                client = await Client.connect(self.address, data_converter=data_converter(Settings()))
                await client.count_workflows()
                return client
            except RuntimeError:
                return None

        return await eventually(connected, timeout=timeout, what=f"Temporal at {self.address}")


# The CLI's names for the indexed value types (temporalio IndexedValueType numbers).
_SA_TYPES = {1: "Text", 2: "Keyword", 3: "Int", 4: "Double", 5: "Bool", 6: "Datetime", 7: "KeywordList"}


async def supervise(pool: WorkerPool) -> int:
    """Restart any worker process that has exited on its own (what Kubernetes does); how many."""
    restarted = 0
    for index, process in enumerate(pool.processes):
        if process.poll() is not None:
            pool.restart(index)
            restarted += 1
    return restarted
