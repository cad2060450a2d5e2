"""A worker or shim started before its Temporal server (a pod scheduled while Temporal is still
coming up) waits for it instead of exiting: it retries with back-off, logging each attempt; the
worker ends up polling its task queue, the shim ready, once the server answers on that port."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest
from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest

from casebridge.settings import Settings
from casebridge.temporal import TemporalUnreachable, connect
from shim.app import create_app as create_shim
from tests.support.chaos import ROOT, DevServer
from tests.support.servers import free_port, serve
from tests.support.stack import eventually


def _spawn_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """`worker.py` as deployed, its log in a file the test reads."""
    with log.open("wb") as out:
        return subprocess.Popen([sys.executable, str(ROOT / "worker.py")], cwd=ROOT, env=env, stdout=out, stderr=out)


async def test_worker_started_before_the_server_waits_for_it_and_polls(config_dir: Path, tmp_path: Path) -> None:
    port = free_port()
    queue = f"connect-{uuid.uuid4().hex[:8]}"
    log = tmp_path / "worker.log"
    env = dict(
        os.environ,
        TEMPORAL_ADDRESS=f"127.0.0.1:{port}",
        TASK_QUEUE=queue,
        CONFIG_DIR=str(config_dir),
        STORES_CHECK_AT_STARTUP="false",
        TEMPORAL_CONNECT_TIMEOUT_SECONDS="120",
    )
    worker = _spawn_worker(env, log)
    server = DevServer(tmp_path, port=port)
    try:

        async def retrying() -> bool:
            assert worker.poll() is None, f"the worker exited: {log.read_text()}"
            return log.read_text().count("unreachable (attempt") >= 2

        await eventually(retrying, timeout=30, what="the worker to retry connecting")

        server.start()
        client = await server.ready()
        request = DescribeTaskQueueRequest(
            namespace=client.namespace,
            task_queue=TaskQueue(name=queue),
            task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        )

        async def polling() -> bool:
            assert worker.poll() is None, f"the worker exited: {log.read_text()}"
            return bool((await client.workflow_service.describe_task_queue(request)).pollers)

        await eventually(polling, timeout=60, what="the worker to poll its task queue")
        assert "connected to Temporal" in log.read_text()
    finally:
        worker.terminate()
        worker.wait(timeout=60)
        server.stop()


async def test_connect_gives_up_at_its_deadline_naming_the_address(caplog: pytest.LogCaptureFixture) -> None:
    """The shim connects through the same function: it waits as long, then stops with the reason
    (a pod then restarts, after minutes rather than in a tight loop)."""
    address = f"127.0.0.1:{free_port()}"
    settings = Settings(temporal_address=address, temporal_connect_timeout_seconds=1.5)
    with caplog.at_level(logging.WARNING, logger="casebridge.temporal"), pytest.raises(TemporalUnreachable) as err:
        await connect(settings)
    assert address in str(err.value)
    # Only this logger's records: a background task of an earlier test may log meanwhile.
    attempts = [r.getMessage().split(" (attempt")[0] for r in caplog.records if r.name == "casebridge.temporal"]
    assert len(attempts) >= 2 and set(attempts) == {f"Temporal at {address} unreachable"}, attempts


async def test_shim_started_before_the_server_is_live_then_ready(config_dir: Path, tmp_path: Path) -> None:
    """The shim serves at once, live but not ready (what needs Temporal is answered 503, so senders
    redeliver), and ready once the server answers on its port; it never exits for want of Temporal."""
    port = free_port()
    settings = Settings(
        config_dir=config_dir,
        temporal_address=f"127.0.0.1:{port}",
        task_queue=f"connect-{uuid.uuid4().hex[:8]}",
        temporal_connect_timeout_seconds=2,  # each round of attempts gives up quickly; the shim goes on
    )
    server = DevServer(tmp_path, port=port)
    async with serve(create_shim(settings, connect)) as shim_url, httpx.AsyncClient(timeout=10) as http:
        try:
            assert (await http.get(f"{shim_url}/healthz")).status_code == 200
            assert (await http.get(f"{shim_url}/readyz")).status_code == 503
            server.start()
            await server.ready()

            async def ready() -> bool:
                return (await http.get(f"{shim_url}/readyz")).status_code == 200

            await eventually(ready, timeout=60, what="the shim to reach Temporal")
        finally:
            server.stop()
