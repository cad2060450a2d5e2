"""Determinism gate: histories recorded from real cases replay against the current workflow code.

A change to `workflows/` that would break running cases (a reordered activity, a removed timer)
fails here; such a change needs `workflow.patched(...)`. The histories in `replay_histories/`
were exported with `temporal workflow show --output json` from the local stack's demo cases.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from worker import WORKFLOWS

HISTORIES = sorted((Path(__file__).parent / "replay_histories").glob("*.json"))


def test_histories_are_present() -> None:
    assert len(HISTORIES) >= 4


@pytest.mark.parametrize("path", HISTORIES, ids=[p.stem for p in HISTORIES])
async def test_history_replays(path: Path) -> None:
    history = WorkflowHistory.from_json(path.stem, path.read_text())
    replayer = Replayer(workflows=WORKFLOWS, data_converter=pydantic_data_converter)
    await replayer.replay_workflow(history)
