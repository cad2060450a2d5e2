"""Connect to Temporal the same way everywhere: local dev server, self-hosted cluster or Temporal
Cloud (API key from the environment, TLS then implied).

A server that is not reachable yet (its pod still starting, a rolling restart, a network blip) is
waited for: the worker and the shim retry with back-off, logging each attempt, until connected or
until `TEMPORAL_CONNECT_TIMEOUT_SECONDS` have passed. Exiting at once would make every pod crash-loop
whenever Temporal is down when they start."""

from __future__ import annotations

import asyncio
import logging
import time

from temporalio.client import Client

from casebridge import payload_codec
from casebridge.secrets import MissingSecretError, resolve_secret
from casebridge.settings import Settings

log = logging.getLogger(__name__)

FIRST_RETRY_SECONDS = 1.0
MAX_RETRY_SECONDS = 15.0


class TemporalUnreachable(RuntimeError):
    """Temporal did not answer within the configured time."""


async def connect(settings: Settings) -> Client:
    try:
        api_key: str | None = resolve_secret(settings.temporal_api_key_env).get_secret_value()
    except MissingSecretError:
        api_key = None
    deadline = time.monotonic() + settings.temporal_connect_timeout_seconds
    pause = FIRST_RETRY_SECONDS
    attempt = 0
    while True:
        attempt += 1
        try:
            client = await Client.connect(
                settings.temporal_address,
                namespace=settings.temporal_namespace,
                api_key=api_key,
                tls=api_key is not None,
                data_converter=payload_codec.data_converter(settings),
            )
        except RuntimeError as err:  # the SDK's "Failed client connect: ..." (refused, DNS, TLS, timeout)
            left = deadline - time.monotonic()
            if left <= 0:
                raise TemporalUnreachable(
                    f"Temporal at {settings.temporal_address} unreachable after {attempt} attempts "
                    f"({settings.temporal_connect_timeout_seconds:g} s): {err}"
                ) from err
            wait = min(pause, left)
            log.warning(
                "Temporal at %s unreachable (attempt %d), next attempt in %.1f s: %s",
                settings.temporal_address,
                attempt,
                wait,
                err,
            )
            await asyncio.sleep(wait)  # back-off between attempts, bounded by the deadline
            pause = min(pause * 2, MAX_RETRY_SECONDS)
            continue
        if attempt > 1:
            log.info("connected to Temporal at %s (attempt %d)", settings.temporal_address, attempt)
        return client
