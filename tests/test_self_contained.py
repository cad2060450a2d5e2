"""A fresh clone stands on its own: the official specs are vendored in `specs/` (each file's origin
in `specs/SOURCES.md`), nothing reads a folder beside the project, and production code imports
nothing that only the sandbox or the tests install, nor anything the image (requirements/runtime.lock)
lacks."""

from __future__ import annotations

import ast
import gzip
import hashlib
import os
import re
from pathlib import Path

import pytest

from sandbox.specs import read_text, specs_dir

ROOT = Path(__file__).parent.parent
SPECS = ROOT / "specs"
SKIPPED_DIRS = {".git", ".venv", ".stack", "build", "dist", "node_modules", "__pycache__"}
SCANNED_SUFFIXES = {".py", ".yaml", ".yml", ".toml", ".cfg", ".ini", ".sh"}
SCANNED_NAMES = {"Makefile", "Dockerfile"}
# The reference folder that sits beside a developer's checkout, never beside a user's clone: a
# parent-relative path to it, its specs folder, or its name as a segment of a pathlib join.
BESIDE = "shared"
OUTSIDE_PATH = re.compile(rf"""\.\./{BESIDE}\b|{BESIDE}/specs|["']{BESIDE}["']\s*[/,)]|/\s*["']{BESIDE}["']""")

PRODUCTION = ["casebridge", "activities", "connectors", "routing", "shim", "workflows", "worker.py", "starter.py"]
# Top-level modules of the `sandbox` and `dev` extras (and the project's own test-only packages).
NOT_IN_PRODUCTION = {"sandbox", "tests", "bench", "graphql", "openapi_core", "werkzeug", "starlette", "multipart"}
NOT_IN_PRODUCTION |= {"pytest", "pytest_asyncio", "packaging", "playwright"}


def _project_files() -> list[Path]:
    found = []
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in SKIPPED_DIRS and not d.endswith((".egg-info", "_cache"))]
        here = Path(folder)
        found += [here / f for f in files if Path(f).suffix in SCANNED_SUFFIXES or f in SCANNED_NAMES]
    found += [p for p in (ROOT / ".ci").iterdir() if p.is_file()]
    return found


def test_no_project_file_reads_a_folder_beside_the_project() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in _project_files()
        if path != Path(__file__)  # the patterns above
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1)
        if OUTSIDE_PATH.search(line)
    ]
    assert not offenders, "\n".join(offenders)


def test_specs_default_to_the_project_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CASEBRIDGE_SPECS_DIR", raising=False)
    assert specs_dir() == SPECS


def test_gzipped_specs_read_under_their_published_names() -> None:
    published = SPECS / "bigcommerce" / "orders.v3.yml"
    assert not published.exists() and published.with_name("orders.v3.yml.gz").is_file()
    assert read_text(published).startswith("openapi: '3.0.3'")


# Folders of files copied from public repositories, each with a SOURCES.md that names every file
# (repository, commit, path, licence) and its sha256 (of the uncompressed bytes for a `.gz`).
VENDORED = [SPECS, ROOT / "deploy" / "k8s" / "schemas"]


@pytest.mark.parametrize("folder", VENDORED, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_vendored_file_has_its_provenance(folder: Path) -> None:
    sources = (folder / "SOURCES.md").read_text()
    rows = {m.group(1): m.group(2) for m in re.finditer(r"^\| `([^`]+)` \|.*`([0-9a-f]{64})` \|$", sources, re.M)}
    vendored = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    missing = [name for name in vendored if name != "SOURCES.md" and name not in rows]
    assert not missing, f"no row with a sha256 in {folder.name}/SOURCES.md: {missing}"
    for name, digest in rows.items():
        data = (folder / name).read_bytes()
        content = gzip.decompress(data) if name.endswith(".gz") else data
        assert hashlib.sha256(content).hexdigest() == digest, f"{name} is not the copy SOURCES.md describes"


def _imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            modules |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module.split(".")[0])
    return modules


def test_production_code_needs_no_sandbox_or_dev_package() -> None:
    files = [p for name in PRODUCTION for p in ([ROOT / name] if name.endswith(".py") else (ROOT / name).rglob("*.py"))]
    offenders = {
        f"{path.relative_to(ROOT)}: {sorted(wrong)}"
        for path in files
        if (wrong := _imported_modules(path) & NOT_IN_PRODUCTION)
    }
    assert not offenders, sorted(offenders)


def _locked_distributions(lock: Path) -> set[str]:
    return {
        re.sub(r"[-_.]+", "-", match.group(1)).lower()
        for match in re.finditer(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==", lock.read_text(), re.MULTILINE)
    }


def test_the_image_has_every_package_production_code_imports() -> None:
    """deploy/Dockerfile installs requirements/runtime.lock and nothing else: every third-party module
    that production code imports must come from a distribution pinned there."""
    import sys
    from importlib.metadata import packages_distributions

    files = [p for name in PRODUCTION for p in ([ROOT / name] if name.endswith(".py") else (ROOT / name).rglob("*.py"))]
    own = {Path(name).stem for name in PRODUCTION}
    third_party = {m for path in files for m in _imported_modules(path)} - set(sys.stdlib_module_names) - own
    providers = packages_distributions()
    locked = _locked_distributions(ROOT / "requirements" / "runtime.lock")
    unknown = sorted(m for m in third_party if m not in providers)
    assert not unknown, f"imported by production code, installed by no distribution: {unknown}"
    missing = {
        module: providers[module]
        for module in sorted(third_party)
        if not {re.sub(r"[-_.]+", "-", d).lower() for d in providers[module]} & locked
    }
    assert not missing, f"not in requirements/runtime.lock (the image lacks them): {missing}"
