"""`python -m shim`: serve the webhook shim on SHIM_HOST:SHIM_PORT (default 127.0.0.1:8000)."""

from __future__ import annotations

import asyncio
import logging

import uvicorn
from fastapi import FastAPI

from casebridge.logs import configure_logging
from casebridge.payload_codec import PayloadKeysError, require_payload_keys
from casebridge.settings import Settings, get_settings
from casebridge.store_check import StoresNotReady, require_stores_ready
from casebridge.telemetry import configure_tracing
from casebridge.temporal import connect
from shim.app import create_app


def server_config(app: FastAPI, settings: Settings) -> uvicorn.Config:
    # log_config=None: uvicorn keeps its hands off logging, so its loggers (request lines included)
    # go through the root handler of `configure_logging`, which masks secrets and formats as set.
    return uvicorn.Config(app, host=settings.shim_host, port=settings.shim_port, log_config=None, log_level="info")


def main() -> None:
    settings = get_settings()
    configure_logging(logging.INFO, settings.log_format)  # masks credential headers and known secret values
    configure_tracing("casebridge-shim")  # only when OTEL_* variables ask for it
    try:
        require_payload_keys(settings)  # case inputs are encrypted, or plain payloads explicitly allowed
    except PayloadKeysError as err:
        raise SystemExit(f"casebridge shim not started: {err}") from None
    try:
        # Every store and tenant answers with its credentials, or the shim does not start.
        asyncio.run(require_stores_ready(settings))
    except StoresNotReady as err:
        raise SystemExit(f"casebridge shim not started: stores check failed: {err}") from None
    uvicorn.Server(server_config(create_app(settings, connect), settings)).run()


if __name__ == "__main__":
    main()
