r"""Determinism gate: histories recorded from real cases replay against the current workflow code.

A change to `workflows/` that would break running cases (a reordered activity, a removed timer)
fails here. Each history in `replay_histories/` is recorded by the end-to-end test that finishes a
case on that path (`keep_history(handle, name)`, tests/support/histories.py); re-record them all with

    CASEBRIDGE_RECORD_HISTORIES=1 \
        .venv/bin/python -m pytest -q $(grep -l '^from tests.support.histories' tests/test_*.py)

Until the first release, a change that alters a path's commands is re-recorded; after it, running
cases must replay, so such a change is gated with `workflow.patched(...)` (README, "Changing a
workflow").
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from casebridge.payload_codec import data_converter
from casebridge.settings import Settings
from worker import WORKFLOWS

TESTS = Path(__file__).parent
HISTORIES = sorted((TESTS / "replay_histories").glob("*.json"))


def recorded_names() -> list[str]:
    """The names the tests record, from their `keep_history(handle, "name")` calls."""
    names = []
    for path in sorted(TESTS.glob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "keep_history"
                and len(node.args) == 2
                and isinstance(node.args[1], ast.Constant)
            ):
                names.append(str(node.args[1].value))
    return names


def test_histories_are_present() -> None:
    assert len(HISTORIES) >= 4


def test_every_history_is_recorded_by_exactly_one_test() -> None:
    names = recorded_names()
    assert sorted(names) == sorted(set(names)), "a history name is recorded by two tests"
    assert {p.stem for p in HISTORIES} == set(names)


@pytest.mark.parametrize("path", HISTORIES, ids=[p.stem for p in HISTORIES])
async def test_history_replays(path: Path) -> None:
    history = WorkflowHistory.from_json(path.stem, path.read_text())
    # The full sandbox (the worker passes `workflows` through): every module is re-imported and a
    # non-deterministic call fails the replay.
    strict = SandboxedWorkflowRunner(restrictions=SandboxRestrictions.default)
    # The recorded histories hold plain payloads (tests/support/histories.py); the suite's converter
    # passes them through its codec unchanged, as a worker does with histories from before encryption.
    replayer = Replayer(workflows=WORKFLOWS, data_converter=data_converter(Settings()), workflow_runner=strict)
    await replayer.replay_workflow(history)
