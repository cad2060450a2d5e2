"""A sampling profile of a running process (py-spy), summarised for people: the functions where
the samples were (self) and the ones they were under (inclusive), with file and line.

`Profiler(proc, out)` records from `start()` until `stop()`; the raw samples (collapsed stacks, one
line per stack with its count) stay beside the summary, e.g. for a flame graph.
"""

from __future__ import annotations

import signal
import subprocess
from collections import Counter
from pathlib import Path

from bench.procs import BIN, Proc

RATE = 250  # samples per second


class Profiler:
    def __init__(self, proc: Proc, out: Path) -> None:
        self.proc, self.out = proc, out
        self.raw = out.with_suffix(".collapsed")
        self.recorder: subprocess.Popen[bytes] | None = None

    def start(self) -> bool:
        spy = BIN / "py-spy"
        if not spy.exists():
            return False
        argv = [str(spy), "record", "--pid", str(self.proc.pid), "--rate", str(RATE), "--format", "raw"]
        self.recorder = subprocess.Popen(
            [*argv, "--nonblocking", "--threads", "--output", str(self.raw)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        return True

    def stop(self, top: int = 30) -> Path | None:
        if self.recorder is None:
            return None
        self.recorder.send_signal(signal.SIGINT)  # py-spy writes what it has and exits
        self.recorder.wait(60)
        if not self.raw.is_file():
            return None
        self.out.write_text(summary(self.raw.read_text(), top))
        return self.out


def summary(collapsed: str, top: int) -> str:
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in collapsed.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [frame for frame in stack.split(";") if not frame.startswith("thread ")]
        if not frames:
            continue
        total += count
        own[frames[-1]] += count
        for frame in set(frames):
            inclusive[frame] += count

    def rows(counter: Counter[str]) -> list[str]:
        return [f"| {n / total:6.1%} | `{frame}` |" for frame, n in counter.most_common(top)]

    return "\n".join(
        [
            f"{total} samples at {RATE}/s (every thread, idle ones included)",
            "",
            "## Self",
            "| share | function (file:line) |",
            "|---|---|",
            *rows(own),
            "",
            "## Inclusive",
            "| share | function (file:line) |",
            "|---|---|",
            *rows(inclusive),
            "",
        ]
    )
