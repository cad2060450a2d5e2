"""Connect to Temporal the same way everywhere: local dev server, self-hosted cluster or Temporal
Cloud, by API key or by mTLS.

The connection comes from the SDK's environment configuration (`temporalio.envconfig`): the
standard `TEMPORAL_ADDRESS`, `TEMPORAL_NAMESPACE`, `TEMPORAL_API_KEY`, `TEMPORAL_TLS_*` variables
over an optional TOML profile (`TEMPORAL_CONFIG_FILE`, `TEMPORAL_PROFILE`), so a Cloud namespace is
configured as the `temporal` CLI and the other SDKs configure it. Casebridge adds what a pod needs
beyond it: the API key from a mounted file (`TEMPORAL_API_KEY_FILE`; mTLS certificates already come
from files through `TEMPORAL_TLS_CLIENT_CERT_PATH` / `TEMPORAL_TLS_CLIENT_KEY_PATH`), the local
`.env`, and the process settings' address and namespace where no profile names them.

A server that is not reachable yet (its pod still starting, a rolling restart, a network blip) is
waited for: the worker and the shim retry with back-off, logging each attempt, until connected or
until `TEMPORAL_CONNECT_TIMEOUT_SECONDS` have passed. Exiting at once would make every pod crash-loop
whenever Temporal is down when they start."""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Mapping
from pathlib import Path

from temporalio.client import Client
from temporalio.envconfig import ClientConfigProfile, ClientConnectConfig
from temporalio.runtime import Runtime

from casebridge import payload_codec
from casebridge.secrets import dotenv_items
from casebridge.settings import Settings
from casebridge.telemetry import temporal_interceptors

log = logging.getLogger(__name__)

FIRST_RETRY_SECONDS = 1.0
MAX_RETRY_SECONDS = 15.0
# The variable envconfig reads the API key from; `Settings.temporal_api_key_env` may name another.
API_KEY_VARIABLE = "TEMPORAL_API_KEY"


class TemporalUnreachable(RuntimeError):
    """Temporal did not answer within the configured time."""


class TemporalConfigError(RuntimeError):
    """The connection settings cannot be used (a certificate file missing, an unreadable profile):
    retrying cannot help, so it is reported at once."""


def temporal_environment(settings: Settings, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The variables envconfig reads: the process environment over the local `.env`, with the API
    key resolved from `<name>` or the mounted file `<name>_FILE` (envconfig reads no `_FILE`)."""
    env = {**dotenv_items(), **(os.environ if environ is None else environ)}
    name = settings.temporal_api_key_env
    if value := env.get(name):
        env[API_KEY_VARIABLE] = value
    elif key_file := env.get(f"{name}_FILE"):
        try:
            env[API_KEY_VARIABLE] = Path(key_file).read_text().strip()
        except OSError as err:
            raise TemporalConfigError(f"{name}_FILE={key_file}: {err}") from err
    return env


def connect_config(settings: Settings, environ: Mapping[str, str] | None = None) -> ClientConnectConfig:
    """`Client.connect` arguments (address, namespace, API key, TLS) for this process.

    An address or namespace given to the process settings (environment, `.env`, or in code) wins;
    otherwise the profile's, otherwise the settings' defaults (the local dev server)."""
    try:
        profile = ClientConfigProfile.load(override_env_vars=temporal_environment(settings, environ))
        config = profile.to_client_connect_config()  # reads the TLS certificate files
    except (OSError, RuntimeError, ValueError) as err:
        raise TemporalConfigError(f"Temporal client configuration: {err}") from err
    if "temporal_address" in settings.model_fields_set or not config.get("target_host"):
        config["target_host"] = settings.temporal_address
    if "temporal_namespace" in settings.model_fields_set or not config.get("namespace"):
        config["namespace"] = settings.temporal_namespace
    return config


async def connect(settings: Settings, *, runtime: Runtime | None = None) -> Client:
    """`runtime`: the worker's, when it exports the SDK's metrics (`casebridge.worker_metrics`)."""
    config = connect_config(settings)
    address = config["target_host"]
    deadline = time.monotonic() + settings.temporal_connect_timeout_seconds
    pause = FIRST_RETRY_SECONDS
    attempt = 0
    while True:
        attempt += 1
        try:
            client = await Client.connect(
                **config,
                data_converter=payload_codec.data_converter(settings),
                interceptors=temporal_interceptors(),
                runtime=runtime,
            )
        except RuntimeError as err:  # the SDK's "Failed client connect: ..." (refused, DNS, TLS, timeout)
            left = deadline - time.monotonic()
            if left <= 0:
                raise TemporalUnreachable(
                    f"Temporal at {address} unreachable after {attempt} attempts "
                    f"({settings.temporal_connect_timeout_seconds:g} s): {err}"
                ) from err
            wait = min(pause, left)
            log.warning(
                "Temporal at %s unreachable (attempt %d), next attempt in %.1f s: %s", address, attempt, wait, err
            )
            await asyncio.sleep(wait)  # back-off between attempts, bounded by the deadline
            pause = min(pause * 2, MAX_RETRY_SECONDS)
            continue
        if attempt > 1:
            log.info("connected to Temporal at %s (attempt %d)", address, attempt)
        return client
