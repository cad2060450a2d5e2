"""`python -m shim`: serve the webhook shim on SHIM_HOST:SHIM_PORT (default 127.0.0.1:8000)."""

from __future__ import annotations

import asyncio
import logging

import uvicorn

from casebridge.logs import configure_logging
from casebridge.payload_codec import PayloadKeysError, require_payload_keys
from casebridge.settings import get_settings
from casebridge.store_check import StoresNotReady, require_stores_ready
from casebridge.temporal import connect
from shim.app import create_app


def main() -> None:
    configure_logging(logging.INFO)  # masks credential headers and known secret values
    settings = get_settings()
    try:
        require_payload_keys(settings)  # case inputs are encrypted, or plain payloads explicitly allowed
    except PayloadKeysError as err:
        raise SystemExit(f"casebridge shim not started: {err}") from None
    try:
        # Every store and tenant answers with its credentials, or the shim does not start.
        asyncio.run(require_stores_ready(settings))
    except StoresNotReady as err:
        raise SystemExit(f"casebridge shim not started: stores check failed: {err}") from None
    uvicorn.run(create_app(settings, connect), host=settings.shim_host, port=settings.shim_port, log_level="info")


if __name__ == "__main__":
    main()
