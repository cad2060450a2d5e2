"""Process settings, read from the environment and `.env` (pydantic-settings).

Secrets are not fields here: they are referenced by name from the store registry and resolved by
`casebridge.secrets` only where they are used (activities, the shim), so they never reach a workflow
input, a log line or the workflow history.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    temporal_address: str = "localhost:7233"
    temporal_namespace: str = "default"
    temporal_api_key_env: str = Field(
        default="TEMPORAL_API_KEY",
        description="Name of the variable holding a Temporal Cloud API key, when one is used.",
    )
    task_queue: str = "casebridge-cases"
    # How long the worker and the shim keep trying to reach Temporal when they start (0: once).
    temporal_connect_timeout_seconds: float = Field(default=300.0, ge=0)

    config_dir: Path = Path("config")
    # Where OpenText's process model calls back with task outcomes; the shim's public address.
    shim_public_url: str = "http://localhost:8000"

    shim_host: str = "127.0.0.1"
    shim_port: int = 8000
    sandbox_host: str = "127.0.0.1"
    sandbox_port: int = 8100
    temporal_port: int = 7233
    temporal_ui_port: int = 8233

    # The largest request body the shim reads (bytes); a larger one is refused with 413 before it
    # is hashed or parsed. Platform webhooks are a few kB; 1 MiB leaves room for big orders.
    shim_max_body_bytes: int = Field(default=1024 * 1024, ge=1024)

    # Cases a worker keeps in memory between their events (Temporal's sticky cache): about 150 KB
    # each (`make bench`; a bare workflow takes about 120 KB), so the worker's memory is bounded by
    # this, not by the cases open. A case beyond it is replayed from its history when its next event
    # comes (milliseconds of CPU; cases wait hours for people, so few events find them cached).
    worker_max_cached_workflows: int = Field(default=500, ge=0)

    # How long the shim waits for a case to accept a decision before answering 503.
    decision_timeout_seconds: float = 20.0

    # The worker's health endpoint for the kubelet's probes (`casebridge.health`); off unless a port
    # is given, so several workers on one machine (`make up`, the bench) do not collide.
    worker_health_host: str = "127.0.0.1"
    worker_health_port: int | None = Field(default=None, ge=0, le=65535)
    # On SIGTERM every worker of the process stops polling and running activities get this long to
    # finish, all workers at once: keep it below the pod's terminationGracePeriodSeconds.
    worker_graceful_shutdown_seconds: float = Field(default=60.0, ge=0)
    # Worker Versioning: the deployment version this worker reports (`<deployment>.<build id>`);
    # the build id is the image tag (deploy/ sets it). Unset: no deployment version.
    worker_deployment_name: str = Field(default="casebridge", pattern=r"^[^.]+$")
    worker_build_id: str | None = None
    # Route tasks by version (the server sends a version's tasks only to its workers once it is made
    # current, `temporal worker deployment set-current-version`); off: the version is only reported.
    worker_versioning: bool = False

    # The worker's metrics (the SDK's own, the cases' and the activities' external calls): the SDK
    # runtime's Prometheus endpoint on this `host:port` (e.g. `0.0.0.0:9464`); off unless set.
    worker_metrics_bind_address: str | None = Field(default=None, pattern=r"^[^:\s]*:\d{1,5}$")
    # `text` for people at a terminal, `json` (one object a line, with the case id and trace id) for
    # a log pipeline; the deploy manifests set `json`.
    log_format: Literal["text", "json"] = "text"

    # The worker and the shim run `casebridge stores check` before they start and refuse to start
    # when a store or tenant fails it; false skips it (e.g. to start while one store is down).
    stores_check_at_startup: bool = True

    # Payloads are encrypted with CASEBRIDGE_PAYLOAD_KEYS (a secret, `casebridge.payload_codec`);
    # without keys every process refuses to start unless this allows plain payloads (development).
    allow_plain_payloads: bool = False

    # The codec server (`python -m casebridge.codec_server`): decrypts payloads for the Temporal UI
    # and CLI of those holding CODEC_SERVER_TOKEN (a secret). CORS admits these origins only
    # (comma-separated): the Temporal UI's, e.g. https://cloud.temporal.io.
    codec_server_host: str = "127.0.0.1"
    codec_server_port: int = 8234
    codec_server_ui_origins: str = "http://localhost:8233"
    # The Temporal UI's "Pass the user access token": a JWT signed by a key published at this JWKS
    # URL (Temporal Cloud: https://login.tmprl.cloud/.well-known/jwks.json) for this audience, naming
    # the person's e-mail in this claim, is accepted too, for the CODEC_SERVER_READERS only
    # (comma-separated e-mail addresses, `@domain` for a whole domain). Unset: the token only.
    codec_server_jwks_url: str | None = None
    codec_server_jwt_audience: str = "https://saas-api.tmprl.cloud"
    codec_server_jwt_email_claim: str = "https://saas-api.tmprl.cloud/user/email"
    # Checked when set (the provider's `iss`); Temporal Cloud's is not documented, so unset there.
    codec_server_jwt_issuer: str | None = None
    codec_server_readers: str = ""


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
