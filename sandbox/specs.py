"""Where the official specs live: `../shared/specs` beside the project (as on every developer
machine and in CI), or wherever `CASEBRIDGE_SPECS_DIR` points."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def specs_dir() -> Path:
    configured = os.environ.get("CASEBRIDGE_SPECS_DIR")
    path = Path(configured) if configured else PROJECT_ROOT.parent / "shared" / "specs"
    if not path.is_dir():
        raise FileNotFoundError(
            f"official specs not found at {path}: keep shared/ beside the project or set CASEBRIDGE_SPECS_DIR"
        )
    return path
