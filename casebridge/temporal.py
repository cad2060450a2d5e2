"""Connect to Temporal the same way everywhere: local dev server, self-hosted cluster or Temporal
Cloud (API key from the environment, TLS then implied)."""

from __future__ import annotations

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from casebridge.secrets import MissingSecretError, resolve_secret
from casebridge.settings import Settings


async def connect(settings: Settings) -> Client:
    try:
        api_key: str | None = resolve_secret(settings.temporal_api_key_env).get_secret_value()
    except MissingSecretError:
        api_key = None
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        api_key=api_key,
        tls=api_key is not None,
        data_converter=pydantic_data_converter,
    )
