"""The lock files pin the whole tree and agree with pyproject.toml (`make lock` regenerates them):
every declared dependency is pinned at a version it accepts, the runtime lock is the production
subset of the dev lock at the same versions, and nothing of the `sandbox`/`dev`/`temporal` extras
reaches the runtime lock unless production needs it too."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
# `name==version` at the start of a line, then optional markers, hashes on continuation lines.
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def _pins(lock: str) -> dict[str, Version]:
    pins: dict[str, Version] = {}
    for line in (ROOT / "requirements" / lock).read_text().splitlines():
        if not line.strip() or line.startswith((" ", "#")):
            continue
        match = PIN.match(line)
        assert match, f"{lock}: not an exact pin: {line!r}"
        pins[canonicalize_name(match[1])] = Version(match[2])
    return pins


def _unpinned(requirements: list[str], pins: dict[str, Version]) -> list[str]:
    wrong = []
    for text in requirements:
        requirement = Requirement(text)
        pinned = pins.get(canonicalize_name(requirement.name))
        if pinned is None or not requirement.specifier.contains(pinned, prereleases=True):
            wrong.append(f"{text} (locked: {pinned})")
    return wrong


def test_the_dev_lock_pins_every_declared_dependency() -> None:
    declared = PYPROJECT["dependencies"] + [r for extra in PYPROJECT["optional-dependencies"].values() for r in extra]
    assert not _unpinned(declared, _pins("dev.lock")), "run `make lock`"


def test_the_runtime_lock_is_the_production_part_of_the_dev_lock() -> None:
    runtime, dev = _pins("runtime.lock"), _pins("dev.lock")
    assert not _unpinned(PYPROJECT["dependencies"], runtime), "run `make lock`"
    assert {name: dev.get(name) for name in runtime} == runtime
    production = {canonicalize_name(Requirement(r).name) for r in PYPROJECT["dependencies"]}
    extras_only = {
        canonicalize_name(Requirement(r).name) for extra in PYPROJECT["optional-dependencies"].values() for r in extra
    }
    # Imported directly by the sandbox or the tests, and dependencies of production packages anyway
    # (FastAPI, temporalio; `packaging` of the OpenTelemetry instrumentation).
    also_needed_by_production = {"starlette", "protobuf", "packaging"}
    assert not (extras_only - production - also_needed_by_production) & runtime.keys()
