"""Checked in a real browser: an operator finds a case by its order number in the Temporal Web UI,
opens it and reads its summary, what it waits on, and its input decrypted by the codec server.

Headless Chromium (Debian's `chromium`: `make browser`, and `.ci/run` installs it) is driven by
Playwright against a dev server of this module's own: the session's has no Web UI. The operator's
way in is the one the README gives: sign in once at the codec server's /login with its token, then
in the UI's codec settings use the browser's endpoint with "Include cross-origin credentials", so
the UI's calls to the codec server carry the sign-in cookie. Screenshots are kept in
test-artifacts/browser/ (ignored by git); the test prints their paths.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from playwright.async_api import BrowserContext, FrameLocator, Page, async_playwright, expect
from temporalio.client import WorkflowHandle
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from casebridge import codec_server
from casebridge.connections import Connections
from casebridge.settings import Settings
from casebridge.stores import load_registry
from connectors.shopify.models import Order
from routing.policy import TimeoutAction
from tests.support.dev_server import start_dev_server
from tests.support.servers import free_port, serve
from tests.support.stack import eventually
from tests.support.world import SECRETS
from tests.support.world import SLA_SHOP as SHOP
from tests.test_order_review_sla import SlaHarness
from worker import build_worker
from workflows.messages import CaseStatus, CaseView

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "browser"
# This machine (and CI) may have no network: without these Chromium keeps dialling Google's services
# (updates, sync, QUIC probes) and floods the log with refused connections. Playwright passes most of
# them as well; they are listed so that what the test relies on does not depend on its defaults. The
# fresh --user-data-dir is `launch_persistent_context`'s (Playwright refuses it among the args).
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",  # runs as root in CI containers, where Chromium's sandbox cannot start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
UI_TIMEOUT_MS = 15_000  # per step: the UI polls the server and the codec server, never this long
NAMESPACE = "default"

if not CHROMIUM.exists():
    # CI installs it (.ci/run): there a missing browser is a failure, not a skip.
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} missing in CI: .ci/run should have installed Debian's chromium", pytrace=False)
    pytest.skip(f"{CHROMIUM} missing: `make browser` installs Debian's chromium", allow_module_level=True)


@dataclass
class UiStack:
    """A dev server with its Web UI wired to a codec server, and a worker of its own."""

    env: WorkflowEnvironment
    sandbox_url: str
    ui_url: str
    codec_url: str
    harness: SlaHarness
    cases: list[WorkflowHandle[Any, Any]] = field(default_factory=list)

    async def case(self, amount: str) -> tuple[Order, str]:
        order = await self.harness.create_order(amount)
        case_id, handle = await self.harness.open_case(order, TimeoutAction.REJECT)
        self.cases.append(handle)
        return order, case_id

    async def refuse_next_hold(self) -> None:
        """Shopify refuses this store's next fulfillment hold: the case opening now parks at once."""
        rule = {"system": "shopify", "operation": "fulfillmentOrderHold", "effect": "user_error", "store": SHOP}
        async with httpx.AsyncClient() as http:
            response = await http.post(f"{self.sandbox_url}/_sandbox/faults", json=rule | {"message": "locked"})
        response.raise_for_status()

    async def close(self) -> None:
        """Ends the open cases (their reconciliation activity in flight would keep the worker's
        shutdown waiting) and forgets a fault no case used."""
        for handle in self.cases:
            with contextlib.suppress(RPCError):
                await handle.terminate("end of the browser test")
        async with httpx.AsyncClient() as http:
            await http.delete(f"{self.sandbox_url}/_sandbox/faults", params={"store": SHOP})

    async def status_is(self, case_id: str, status: CaseStatus) -> CaseView:
        handle = self.env.client.get_workflow_handle(case_id)

        async def reached() -> CaseView | None:
            view = await handle.query("status", result_type=CaseView)
            return view if view.status is status else None

        return await eventually(reached, what=f"{case_id} to be {status.value}")


@pytest.fixture(scope="module")
async def ui_stack(config_dir: Path, sandbox_url: str) -> AsyncIterator[UiStack]:
    codec_port, ui_port = free_port(), free_port()
    # Both on localhost: the UI and the codec server are then the same site, so the browser sends
    # the codec server's SameSite=strict sign-in cookie along with the UI's cross-origin calls.
    ui_url, codec_url = f"http://localhost:{ui_port}", f"http://localhost:{codec_port}"
    codec_app = codec_server.build(Settings(codec_server_ui_origins=ui_url))
    connections = Connections(load_registry(config_dir))
    queue = f"ui-{uuid.uuid4().hex[:8]}"
    async with serve(codec_app, port=codec_port):
        env = await start_dev_server(ui_port=ui_port, ui_codec_endpoint=codec_url)
        try:
            async with build_worker(env.client, Settings(config_dir=config_dir, task_queue=queue), connections):
                stack = UiStack(env, sandbox_url, ui_url, codec_url, SlaHarness(env, connections, config_dir, queue))
                await ui_ready(ui_url)
                try:
                    yield stack
                finally:
                    await stack.close()
        finally:
            await env.shutdown()
            await connections.aclose()


async def ui_ready(ui_url: str) -> None:
    """The UI answers once its server has started (start_local waits for gRPC only)."""
    async with httpx.AsyncClient(timeout=2) as http:

        async def answers() -> bool:
            try:
                return (await http.get(ui_url)).status_code == 200
            except httpx.HTTPError as err:
                raise LookupError(str(err)) from None

        await eventually(answers, timeout=20, what=f"the Temporal UI at {ui_url}")


@contextlib.asynccontextmanager
async def chromium(profile: Path) -> AsyncIterator[BrowserContext]:
    async with async_playwright() as playwright:
        context = await playwright.chromium.launch_persistent_context(
            str(profile),  # a fresh profile: no codec settings or cookies from an earlier run
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": 1400, "height": 1100},
        )
        context.set_default_timeout(UI_TIMEOUT_MS)
        expect.set_options(timeout=UI_TIMEOUT_MS)
        try:
            yield context
        finally:
            await context.close()


async def sign_in_to_codec_server(page: Page, codec_url: str) -> None:
    """What the README asks of an operator: sign in once with the codec server's token."""
    await page.goto(f"{codec_url}/login")
    await page.get_by_placeholder("codec server token").fill(SECRETS["CODEC_SERVER_TOKEN"])
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_text("Signed in")).to_be_visible()


async def use_codec_server_with_credentials(page: Page, ui_url: str, codec_url: str) -> None:
    """The UI's codec settings (kept in the browser): the dev server's endpoint alone makes the UI
    call the codec server without cookies, so the operator sets it as their browser's endpoint and
    ticks "Include cross-origin credentials"."""
    await page.goto(f"{ui_url}/namespaces/{NAMESPACE}/workflows")
    await page.get_by_role("button", name=re.compile("^Codec Server")).click()
    dialog = page.get_by_role("dialog")
    await dialog.get_by_text("Use my browser setting").click()
    await dialog.get_by_placeholder("Paste your endpoint here").fill(codec_url)
    await dialog.get_by_text("Include cross-origin credentials").click()
    await expect(dialog.get_by_role("switch", name="Include cross-origin credentials")).to_be_checked()
    await dialog.get_by_role("button", name="Apply").click()
    await expect(dialog).to_be_hidden()


async def open_case_by_ref(page: Page, ui_url: str, ref: str, case_id: str) -> None:
    """The workflow list filtered by the case's order number, as an operator searches it."""
    query = f'CaseRef="{ref}"'
    await page.goto(f"{ui_url}/namespaces/{NAMESPACE}/workflows?query={quote(query)}")
    # Two cases run on this server: the query leaves one.
    await expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^\s*1 Workflow\b"))
    await expect(page.get_by_role("link", name=case_id)).to_have_count(1)
    await page.get_by_role("link", name=case_id).click()
    await expect(page.get_by_role("heading", name=case_id)).to_be_visible()


def amount_of(order: Order) -> str:
    """The total as summaries show it: two decimals."""
    return f"{order.total_price.shop_money.amount:.2f}"


async def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")
    return path


async def expect_decrypted_input(page: Page, case_id: str, order: Order) -> None:
    """The case's input as the worker sealed it, shown in clear: only the codec server can open it
    (Temporal holds binary/encrypted payloads)."""
    shown = page.get_by_test_id("input-and-result")
    await expect(shown).to_contain_text(f'"case_id": "{case_id}"')
    await expect(shown).to_contain_text(f'"order_name": "{order.name}"')
    await expect(shown).to_contain_text(f'"store": "{SHOP}"')


def markdown_card(page: Page, heading: str) -> FrameLocator:
    """A card of the User Metadata tab: the UI renders each markdown text in a sandboxed frame
    under its heading."""
    return page.get_by_role("heading", name=heading).locator("xpath=following::iframe[1]").content_frame


async def expect_user_metadata(page: Page, summary: str, waiting_on: str | re.Pattern[str]) -> None:
    await page.get_by_role("tab", name="User Metadata").click()
    await expect(markdown_card(page, "Summary").get_by_text(summary, exact=True)).to_be_visible()
    current = markdown_card(page, "Current Details")
    await expect(current.get_by_role("heading", name=summary)).to_be_visible()
    await expect(current.locator("body")).to_contain_text(waiting_on)


async def test_an_operator_reads_cases_in_the_web_ui(ui_stack: UiStack, tmp_path: Path) -> None:
    in_review, in_review_id = await ui_stack.case("1400.00")
    await ui_stack.status_is(in_review_id, CaseStatus.IN_REVIEW)
    # A second case parks at its first step: Shopify refuses the hold once.
    await ui_stack.refuse_next_hold()
    parked, parked_id = await ui_stack.case("2600.00")
    view = await ui_stack.status_is(parked_id, CaseStatus.NEEDS_ATTENTION)
    assert view.attention is not None

    async with asyncio.timeout(60), chromium(tmp_path / "chromium-profile") as browser:
        page = browser.pages[0] if browser.pages else await browser.new_page()
        try:
            # Not signed in: the codec server answers the UI 401, and the UI says so.
            await open_case_by_ref(page, ui_stack.ui_url, in_review.name, in_review_id)
            # Above the case, in the main content ("Skip to Main Content" leads there).
            await expect(page.locator("#content").get_by_text("Codec Server could not connect")).to_be_visible()

            await sign_in_to_codec_server(page, ui_stack.codec_url)
            await use_codec_server_with_credentials(page, ui_stack.ui_url, ui_stack.codec_url)

            await open_case_by_ref(page, ui_stack.ui_url, in_review.name, in_review_id)
            await expect_decrypted_input(page, in_review_id, in_review)
            await screenshot(page, "case-in-review-input")
            await expect_user_metadata(
                page,
                f"Order review {in_review.name}, {amount_of(in_review)} USD (Shopify {SHOP})",
                # The UI's markdown turns the quotes curly.
                re.compile(r"Waiting for a decision on task .Review order. \(order-review\)"),
            )
            await screenshot(page, "case-in-review")

            await open_case_by_ref(page, ui_stack.ui_url, parked.name, parked_id)
            await expect_decrypted_input(page, parked_id, parked)
            await screenshot(page, "case-parked-input")
            await expect_user_metadata(
                page,
                f"Order review {parked.name}, {amount_of(parked)} USD (Shopify {SHOP})",
                re.compile(
                    r"Waiting for an operator since \d{4}-\d\d-\d\d \d\d:\d\d UTC: step hold fulfillment orders"
                ),
            )
            await screenshot(page, "case-parked")
        except BaseException:
            with contextlib.suppress(Exception):  # the failure itself is what matters
                await screenshot(page, "failure")
            raise
