r"""Recording the replay gate's histories from the end-to-end tests.

The flow tests that finish a case on one of its main paths call `keep_history(handle, name)` once
the case has finished. Normally that does nothing; with `CASEBRIDGE_RECORD_HISTORIES=1` it writes
the case's history to `tests/replay_histories/<name>.json`, which `tests/test_replay.py` replays
against the current workflow code. Re-recording every history is one command:

    CASEBRIDGE_RECORD_HISTORIES=1 \
        .venv/bin/python -m pytest -q $(grep -l '^from tests.support.histories' tests/test_*.py)

(`tests/test_replay.py` checks that every history file has exactly one test recording it.)"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHandle

RECORD_ENV = "CASEBRIDGE_RECORD_HISTORIES"
HISTORIES_DIR = Path(__file__).resolve().parent.parent / "replay_histories"

_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")
_recorded: set[str] = set()


def recording() -> bool:
    return os.environ.get(RECORD_ENV) == "1"


async def keep_history(handle: WorkflowHandle[Any, Any], name: str) -> None:
    """When recording, write the finished case's history to `replay_histories/<name>.json`."""
    if not _NAME.fullmatch(name):
        raise ValueError(f"history name {name!r}: lower-case letters, digits, '_' and '-' only")
    if not recording():
        return
    if name in _recorded:
        raise AssertionError(f"history {name!r} recorded twice in one session: one test per path")
    _recorded.add(name)
    await handle.result()  # the case has finished: its history ends with its completion
    history = await handle.fetch_history()
    closed = history.events[-1].event_type
    if closed != EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
        raise AssertionError(f"{handle.id} ended with {EventType.Name(closed)}, not a completed case")
    # `to_json` is protobuf's JSON (2-space indent, fields in schema order): stable for diffs.
    (HISTORIES_DIR / f"{name}.json").write_text(history.to_json() + "\n")
