"""Where the official specs live: the project's own `specs/` folder (vendored copies, provenance in
`specs/SOURCES.md`), or wherever `CASEBRIDGE_SPECS_DIR` points.

Large documents are stored gzipped (`orders.v3.yml.gz`). Readers name the file as published
(`orders.v3.yml`) and open it with `open_text`/`read_text`, which take the plain file when it exists
and its `.gz` beside it otherwise, so a folder of uncompressed originals works as an override too.
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path
from typing import IO

PROJECT_ROOT = Path(__file__).resolve().parents[1]
GZIP_SUFFIX = ".gz"


def specs_dir() -> Path:
    configured = os.environ.get("CASEBRIDGE_SPECS_DIR")
    path = Path(configured) if configured else PROJECT_ROOT / "specs"
    if not path.is_dir():
        raise FileNotFoundError(f"official specs not found at {path}: restore specs/ or set CASEBRIDGE_SPECS_DIR")
    return path


def stored(path: Path) -> Path:
    """The file as stored: `path` itself, or `path.gz` when only the gzipped copy exists."""
    if path.is_file() or path.suffix == GZIP_SUFFIX:
        return path
    packed = path.with_name(path.name + GZIP_SUFFIX)
    return packed if packed.is_file() else path  # a missing file fails on open, naming `path`


def open_text(path: Path) -> IO[str]:
    """Open a spec file as UTF-8 text, decompressing transparently when it is stored gzipped."""
    actual = stored(path)
    if actual.suffix == GZIP_SUFFIX:
        return gzip.open(actual, "rt", encoding="utf-8")
    return actual.open(encoding="utf-8")


def read_text(path: Path) -> str:
    with open_text(path) as handle:
        return handle.read()
