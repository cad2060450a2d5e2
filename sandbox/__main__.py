"""`python -m sandbox [--state-file PATH]`: serve every simulator on SANDBOX_HOST:SANDBOX_PORT
(default 127.0.0.1:8100); with a state file the world outlives the process (`sandbox.persistence`)."""

from __future__ import annotations

import argparse
import logging
import os
from pathlib import Path

import uvicorn

from casebridge.logs import configure_logging
from casebridge.settings import get_settings
from sandbox.app import create_app
from sandbox.config import SandboxConfig


def next_generation(state_dir: Path) -> int:
    """Count sandbox runs in the stack's state folder, so each run's ids follow the last run's."""
    state_dir.mkdir(parents=True, exist_ok=True)
    counter = state_dir / "sandbox-generation"
    generation = int(counter.read_text()) + 1 if counter.is_file() else 0
    counter.write_text(str(generation))
    return generation


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m sandbox")
    parser.add_argument("--state-file", type=Path, help="keep the world here across restarts (default: memory only)")
    args = parser.parse_args()
    configure_logging(logging.INFO)
    settings = get_settings()
    generation = next_generation(Path(os.environ.get("SANDBOX_STATE_DIR", ".stack")))
    app = create_app(SandboxConfig.from_env(generation), state_file=args.state_file)
    uvicorn.run(app, host=settings.sandbox_host, port=settings.sandbox_port, log_level="info")


if __name__ == "__main__":
    main()
