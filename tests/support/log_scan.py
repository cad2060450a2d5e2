"""Every log record of the test session, scanned for secrets and customers' personal data.

`SUITE_LOG` is installed on the root logger for the whole session (tests/conftest.py), at INFO as in
production, and formats each record the way a log shipper would see it (message and traceback).
The worker subprocesses some tests start write to files; those are registered with `watch_file`
and scanned too. A guard fixture fails any test during which something leaked."""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from tests.support.world import PERSONAL_DATA, SECRETS

# What the test world's secrets and customers look like in text. Secrets by value; personal data by
# the test world's own customers (their emails, names and street addresses).
LEAK = re.compile(
    "|".join(
        [
            *(re.escape(value) for value in sorted(SECRETS.values(), key=len, reverse=True)),
            *PERSONAL_DATA,
        ]
    )
)

# The simulators are the platforms and OpenText themselves: what they log is theirs, not Casebridge's.
NOT_OURS = ("sandbox",)

_FORMAT = logging.Formatter("%(levelname)s %(name)s: %(message)s")


@dataclass(frozen=True)
class Leak:
    where: str  # a logger's name, or a log file's path
    text: str


class SuiteLog(logging.Handler):
    """Keeps every formatted record (the suite logs a few tens of thousands) and what leaked."""

    def __init__(self) -> None:
        super().__init__(level=logging.INFO)
        self.records: list[str] = []
        self.leaks: list[Leak] = []
        self.files: list[Path] = []
        self._guard = threading.Lock()  # the worker's activity threads log too

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.split(".")[0] in NOT_OURS:
            return
        try:
            text = _FORMAT.format(record)
        except Exception:  # a record that cannot be formatted is the library's bug, not a leak
            return
        found = LEAK.search(text)
        with self._guard:
            self.records.append(text)
            if found:
                self.leaks.append(Leak(record.name, _around(text, found)))

    def watch_file(self, path: Path) -> None:
        """A subprocess's log file (a `worker.py` the test started), scanned when the test ends."""
        self.files.append(path)

    def scan_files(self) -> list[Leak]:
        leaks = []
        for path in self.files:
            text = path.read_text(errors="replace") if path.exists() else ""
            leaks += [Leak(str(path), _around(text, found)) for found in LEAK.finditer(text)]
        self.files.clear()
        return leaks


def _around(text: str, found: re.Match[str]) -> str:
    """The leaked value in its context, the value itself masked (the report must not leak either)."""
    start, end = found.span()
    return f"{text[max(0, start - 120) : start]}<<{found.group()[:3]}...>>{text[end : end + 120]}"


SUITE_LOG = SuiteLog()


def install() -> None:
    """Record every record from INFO up, as production's `configure_logging` does."""
    root = logging.getLogger()
    if SUITE_LOG not in root.handlers:
        root.addHandler(SUITE_LOG)
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)
