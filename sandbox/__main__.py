"""`python -m sandbox`: serve every simulator on SANDBOX_HOST:SANDBOX_PORT (default 127.0.0.1:8100)."""

from __future__ import annotations

import logging

import uvicorn

from casebridge.settings import get_settings
from sandbox.app import create_app
from sandbox.config import SandboxConfig


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = get_settings()
    app = create_app(SandboxConfig.from_env())
    uvicorn.run(app, host=settings.sandbox_host, port=settings.sandbox_port, log_level="info")


if __name__ == "__main__":
    main()
