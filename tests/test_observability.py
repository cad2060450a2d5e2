"""Traces, metrics and logs of one case, from the signed webhook to the last API call.

A shim and a worker of their own, wired as production wires them (`casebridge.temporal.connect`
with the tracing interceptor and the worker's metrics runtime, the shim instrumented), on their own
task queue of the session's Temporal server, with the session's sandbox. A Shopify order of the
shop nobody subscribes to is placed in the sandbox and its signed `orders/create` posted to this
shim; a reviewer approves it in OpenText, whose callback reaches this shim; the case closes.
"""

from __future__ import annotations

import asyncio
import dataclasses
import io
import json
import logging
import re
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from opentelemetry.sdk.trace import ReadableSpan
from temporalio.testing import WorkflowEnvironment

from casebridge.logs import MASK, configure_logging, log_handler
from casebridge.settings import Settings
from casebridge.telemetry import tracing_active
from casebridge.temporal import connect
from casebridge.worker_metrics import worker_runtime
from connectors.telemetry import OPERATION_ATTRIBUTE, SYSTEM_ATTRIBUTE
from shim.__main__ import server_config
from shim.app import create_app as create_shim
from tests.support.servers import free_port, serve
from tests.support.spans import install_exporter
from tests.support.stack import Stack, eventually
from tests.support.world import SECRETS, SLA_SHOP
from tests.test_order_review_flow import decide
from tests.test_shim import sample_order, shopify_headers
from worker import build_worker
from workflows.messages import CaseStatus
from workflows.order_review import KIND as ORDER_REVIEW
from workflows.order_review import OrderReviewResult

SHOP = SLA_SHOP  # no webhook subscriptions: only this test's shim hears of its orders


@dataclasses.dataclass
class ObservedCase:
    case_id: str
    spans: list[ReadableSpan]
    log_lines: list[dict[str, Any]]
    worker_metrics: str
    shim_metrics: str


def _series(text: str, name: str, **labels: str) -> list[float]:
    """The values of the series `name` whose labels include `labels`."""
    values = []
    for line in text.splitlines():
        match = re.match(r"^([a-zA-Z_:][\w:]*)\{(.*)\}\s+(\S+)$", line)
        if not match or match[1] != name:
            continue
        found = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', match[2]))
        if all(found.get(k) == v for k, v in labels.items()):
            values.append(float(match[3]))
    return values


@pytest.fixture(scope="module")
async def observed(stack: Stack, temporal_env: WorkflowEnvironment) -> AsyncIterator[ObservedCase]:
    spans = install_exporter()
    assert tracing_active()
    shim_port = free_port()
    metrics_port = free_port()
    settings = stack.settings.model_copy(
        update={
            "task_queue": f"observed-{uuid.uuid4().hex[:8]}",
            "shim_public_url": f"http://127.0.0.1:{shim_port}",
            "temporal_address": temporal_env.client.service_client.config.target_host,
            "temporal_namespace": temporal_env.client.namespace,
            "worker_metrics_bind_address": f"127.0.0.1:{metrics_port}",
        }
    )
    runtime = worker_runtime(settings)
    assert runtime is not None
    client = await connect(settings, runtime=runtime)  # with the tracing interceptor: tracing is on

    async def shim_client(_: Settings) -> object:
        return client

    # The activities' lines are DEBUG (each API call's status), the suite's own scan sees INFO up.
    json_out = io.StringIO()
    handler = log_handler("json", json_out)
    handler.setLevel(logging.DEBUG)
    connector_logger = logging.getLogger("connectors")
    level = connector_logger.level
    connector_logger.setLevel(logging.DEBUG)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        shim = create_shim(settings, shim_client)  # type: ignore[arg-type]
        async with serve(shim, port=shim_port) as shim_url, build_worker(client, settings, stack.connections):
            order = await stack.create_order(SHOP, unit_price="1200.00")
            case_id = ORDER_REVIEW.case_id("shopify", SHOP, order.legacy_resource_id)
            body = sample_order(int(order.legacy_resource_id), "1200.00")
            delivered = await stack.http.post(
                f"{shim_url}/webhooks/shopify", content=body, headers=shopify_headers(body, shop=SHOP)
            )
            assert delivered.status_code == 200, delivered.text
            assert delivered.json()["case_id"] == case_id
            forged = await stack.http.post(
                f"{shim_url}/webhooks/shopify", content=body, headers=shopify_headers(body, shop=SHOP, secret="x")
            )
            assert forged.status_code == 401

            handle = client.get_workflow_handle(case_id, result_type=OrderReviewResult)
            task_id = await stack.open_task_id(case_id)
            await decide(stack.opentext, task_id, "approved")
            assert (await handle.result()).status is CaseStatus.APPROVED

            async def worker_scrape() -> str | None:
                text = (await stack.http.get(f"http://127.0.0.1:{metrics_port}/metrics")).text
                return text if _series(text, "casebridge_cases_closed_total", outcome="APPROVED") else None

            worker_metrics = await eventually(worker_scrape, what="the worker's metrics to show the closed case")
            shim_metrics = (await stack.http.get(f"{shim_url}/metrics")).text
            # The last activity's spans end before the workflow completes; the shim's when it answered.
            finished = list(spans.get_finished_spans())
    finally:
        root.removeHandler(handler)
        connector_logger.setLevel(level)
        spans.clear()
    lines = [json.loads(line) for line in json_out.getvalue().splitlines() if line.strip()]
    yield ObservedCase(case_id, finished, lines, worker_metrics, shim_metrics)


def _case_trace(observed: ObservedCase) -> tuple[int, list[ReadableSpan]]:
    starts = [
        s
        for s in observed.spans
        if s.name.startswith("StartWorkflow:") and (s.attributes or {}).get("temporalWorkflowID") == observed.case_id
    ]
    assert len(starts) == 1, sorted(s.name for s in observed.spans)
    trace_id = starts[0].context.trace_id
    return trace_id, [s for s in observed.spans if s.context.trace_id == trace_id]


async def test_one_trace_from_the_webhook_to_the_last_api_call(observed: ObservedCase) -> None:
    trace_id, in_trace = _case_trace(observed)
    by_id = {s.context.span_id: s for s in in_trace}
    names = [s.name for s in in_trace]

    def parent(span: ReadableSpan) -> ReadableSpan | None:
        return by_id.get(span.parent.span_id) if span.parent else None

    # The shim's request is the root; the start of the case is inside it.
    roots = [s for s in in_trace if s.parent is None]
    assert [r.name for r in roots] == ["POST /webhooks/shopify"], names
    start = next(s for s in in_trace if s.name == "StartWorkflow:OrderReview")
    ancestor = parent(start)
    while ancestor is not None and ancestor is not roots[0]:
        ancestor = parent(ancestor)
    assert ancestor is roots[0]
    # The workflow run continues the start; activities are scheduled by the run and run under it.
    run = next(s for s in in_trace if s.name == "RunWorkflow:OrderReview")
    assert parent(run) is start
    scheduled = [s for s in in_trace if s.name.startswith("StartActivity:")]
    ran = [s for s in in_trace if s.name.startswith("RunActivity:")]
    assert scheduled and ran, names
    assert all(parent(s) is not None for s in scheduled + ran)
    assert {parent(s).name for s in ran} <= {s.name for s in scheduled}  # type: ignore[union-attr]
    # Every connector call of the case, to Shopify and OpenText, is inside an activity of this trace;
    # the last ones (releasing the hold after the decision) too.
    calls = [s for s in in_trace if (s.attributes or {}).get(SYSTEM_ATTRIBUTE)]
    systems = {(s.attributes or {})[SYSTEM_ATTRIBUTE] for s in calls}
    assert {"shopify", "opentext-workflow"} <= systems, names
    operations = {(s.attributes or {})[OPERATION_ATTRIBUTE] for s in calls}
    assert "fulfillmentOrderReleaseHold" in operations, operations
    in_activities = [s for s in calls if parent(s) is not None and parent(s).name.startswith("RunActivity:")]  # type: ignore[union-attr]
    assert in_activities, names
    for call in calls:
        attributes = call.attributes or {}
        assert "url.full" not in attributes and "?" not in str(attributes.get("url.path", ""))
        assert attributes.get("http.response.status_code"), call.name
    assert trace_id  # one trace, not one per activity


async def test_activity_log_lines_carry_case_and_trace(observed: ObservedCase) -> None:
    trace_id, _ = _case_trace(observed)
    activity_lines = [
        line
        for line in observed.log_lines
        if line["logger"].startswith("connectors.") and line.get("case_id") == observed.case_id
    ]
    assert activity_lines, observed.log_lines[:5]
    assert {line["trace_id"] for line in activity_lines} == {f"{trace_id:032x}"}
    assert all(line["span_id"] and line["level"] and line["time"] for line in activity_lines)
    # The shim's own line naming the case it started is in the same trace.
    started = [line for line in observed.log_lines if line["logger"] == "shim.cases" and "started" in line["message"]]
    assert started and started[0]["case_id"] == observed.case_id and started[0]["trace_id"] == f"{trace_id:032x}"


async def test_metrics_after_one_case(observed: ObservedCase) -> None:
    worker, shim = observed.worker_metrics, observed.shim_metrics
    review = {"case_type": "order-review", "platform": "shopify"}
    assert _series(worker, "casebridge_cases_opened_total", **review)
    assert _series(worker, "casebridge_cases_closed_total", **review, outcome="APPROVED")
    assert _series(worker, "casebridge_case_status_entered_total", **review, status="IN_REVIEW")
    assert _series(worker, "casebridge_case_status_left_total", **review, status="IN_REVIEW")
    assert _series(worker, "casebridge_case_decision_seconds_count", case_type="order-review", team="review")
    assert _series(worker, "casebridge_case_decision_seconds_bucket", team="review", le="3600")  # hours, not 10 s
    # The activities' API calls, labelled with the activity that made them.
    shopify_ok = {"system": "shopify", "status": "200", "outcome": "ok"}
    assert sum(_series(worker, "casebridge_external_calls_total", **shopify_ok)) >= 3
    assert re.search(r'casebridge_external_calls_total\{activity_type="shopify\.[^"]+"', worker)
    assert _series(worker, "casebridge_external_calls_total", system="opentext-workflow", outcome="ok")
    assert _series(worker, "temporal_activity_execution_latency_count")  # the SDK's own series beside them
    # The shim: deliveries accepted and refused by reason.
    endpoint = {"endpoint": "/webhooks/shopify"}
    assert _series(shim, "casebridge_webhook_deliveries_total", **endpoint, result="accepted")
    assert _series(
        shim, "casebridge_webhook_deliveries_total", **endpoint, result="refused", reason="invalid_signature"
    )
    assert _series(
        shim, "casebridge_webhook_deliveries_total", endpoint="/callbacks/opentext/workflow", result="accepted"
    )


async def test_uvicorn_lines_are_masked() -> None:
    """uvicorn's own loggers (its access line holds the query string) go through the masking handler."""
    secret = SECRETS["SHOPIFY_WEBHOOK_SECRET"]
    out = io.StringIO()
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    root.handlers[:] = []  # as in a fresh process (and the suite's scanner keeps seeing the raw records)
    configure_logging(logging.INFO, "json")
    ours = [h for h in root.handlers if getattr(h, "casebridge", False)]
    assert len(ours) == 1
    ours[0].setStream(out)  # type: ignore[attr-defined]
    try:
        app = FastAPI()

        @app.get("/webhooks/probe")
        async def probe() -> dict[str, str]:
            logging.getLogger("uvicorn.error").warning("refusing token %s", secret)
            return {}

        port = free_port()
        config = server_config(app, Settings(shim_host="127.0.0.1", shim_port=port))
        assert config.log_config is None
        server = uvicorn.Server(config)
        task = asyncio.create_task(server.serve())
        try:
            while not server.started:
                assert not task.done()
                await asyncio.sleep(0.02)
            async with httpx.AsyncClient() as http:
                await http.get(f"http://127.0.0.1:{port}/webhooks/probe", params={"access_token": secret})
        finally:
            server.should_exit = True
            await task
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    loggers = {line["logger"] for line in lines}
    assert {"uvicorn.access", "uvicorn.error"} <= loggers, lines
    assert secret not in out.getvalue()
    assert any(MASK in line["message"] for line in lines if line["logger"] == "uvicorn.access")


async def test_the_dashboard_reads_series_that_exist(observed: ObservedCase) -> None:
    """Every series deploy/grafana/casebridge.json queries is one the worker or the shim exports
    (SLA breaches only once a review has missed a milestone, which this case did not)."""
    dashboard = (Path(__file__).parent.parent / "deploy" / "grafana" / "casebridge.json").read_text()
    queried = set(re.findall(r"casebridge_\w+", dashboard))
    exported = set(re.findall(r"^(casebridge_\w+?)[{ ]", observed.worker_metrics + observed.shim_metrics, re.M))
    assert queried - exported <= {"casebridge_case_sla_breaches_total"}, sorted(queried - exported)
