"""Resolve secrets by reference: `NAME` is read from the environment, from `NAME_FILE` (a mounted
file, the Kubernetes way; the variable itself may be in the local `.env`) or from the local `.env`.
Values are wrapped in `SecretStr` so that a stray repr or log line shows `**********`."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from dotenv import dotenv_values
from pydantic import SecretStr


class MissingSecretError(RuntimeError):
    """A referenced secret is configured nowhere; fail loudly at start-up, not mid-case."""


@lru_cache(maxsize=1)
def _dotenv() -> dict[str, str | None]:
    path = Path(os.environ.get("CASEBRIDGE_ENV_FILE", ".env"))
    return dict(dotenv_values(path)) if path.is_file() else {}


def dotenv_items() -> dict[str, str]:
    """The local `.env` as plain values (empty entries left out)."""
    return {k: v for k, v in _dotenv().items() if v}


def env_value(name: str) -> str | None:
    """A plain setting from the environment, falling back to the local `.env`."""
    return os.environ.get(name) or _dotenv().get(name)


def resolve_secret(name: str) -> SecretStr:
    if value := os.environ.get(name):
        return SecretStr(value)
    # `NAME_FILE` may sit in `.env` too: the local stack points at keys it generated in `.stack/`.
    if file_path := env_value(f"{name}_FILE"):
        return SecretStr(Path(file_path).read_text().strip())
    if value := _dotenv().get(name):
        return SecretStr(value)
    raise MissingSecretError(f"secret {name} is not set (environment, {name}_FILE or .env)")
