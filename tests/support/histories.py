r"""Recording the replay gate's histories from the end-to-end tests.

The flow tests that finish a case on one of its main paths call `keep_history(handle, name)` once
the case has finished. Normally that does nothing; with `CASEBRIDGE_RECORD_HISTORIES=1` it writes
the case's history to `tests/replay_histories/<name>.json`, which `tests/test_replay.py` replays
against the current workflow code. Re-recording every history is one command:

    CASEBRIDGE_RECORD_HISTORIES=1 \
        .venv/bin/python -m pytest -q $(grep -l '^from tests.support.histories' tests/test_*.py)

(`tests/test_replay.py` checks that every history file has exactly one test recording it.)

The suite seals payloads with keys made for the session (casebridge/payload_codec.py), so a history
is written decrypted, through the recording client's codec: the files hold the plain JSON payloads
the replayer reads with any keys, and they are fake customers' data, fit to commit."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from google.protobuf.message import Message
from temporalio.api.common.v1 import Payload
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHandle
from temporalio.converter import PayloadCodec

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
    codec = handle._client.data_converter.payload_codec
    if codec is not None:
        for event in history.events:
            await decode_payloads(event, codec)
    closed = history.events[-1].event_type
    if closed != EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
        raise AssertionError(f"{handle.id} ended with {EventType.Name(closed)}, not a completed case")
    # `to_json` is protobuf's JSON (2-space indent, fields in schema order): stable for diffs.
    (HISTORIES_DIR / f"{name}.json").write_text(history.to_json() + "\n")


_PAYLOAD = Payload.DESCRIPTOR.full_name


async def decode_payloads(message: Message, codec: PayloadCodec) -> None:
    """Decode, in place, every Payload anywhere in `message` (inputs, results, failures, memos,
    headers, user metadata): a history as the codec's clients see it."""
    for field, value in message.ListFields():
        kind = field.message_type
        if kind is None:
            continue
        if kind.GetOptions().map_entry:
            entry = kind.fields_by_name["value"].message_type
            if entry is None:
                continue
            for key in list(value):
                if entry.full_name == _PAYLOAD:
                    value[key].CopyFrom((await codec.decode([value[key]]))[0])
                else:
                    await decode_payloads(value[key], codec)
        elif kind.full_name == _PAYLOAD:
            if field.is_repeated:
                decoded = await codec.decode(list(value))
                del value[:]
                value.extend(decoded)
            else:
                value.CopyFrom((await codec.decode([value]))[0])
        elif field.is_repeated:
            for item in value:
                await decode_payloads(item, codec)
        else:
            await decode_payloads(value, codec)
