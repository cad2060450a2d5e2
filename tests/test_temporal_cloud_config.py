"""The connection to Temporal Cloud as the production overlays configure it, built without
connecting: by API key (from a mounted file) and by mTLS (client certificate and key from mounted
files), through the SDK's environment configuration. Also the worker's process plumbing: its health
endpoint and a SIGTERM that drains every worker at once."""

from __future__ import annotations

import asyncio
import datetime
import os
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from temporalio.service import TLSConfig

from casebridge.health import HealthServer
from casebridge.secrets import _dotenv
from casebridge.settings import Settings
from casebridge.temporal import TemporalConfigError, connect_config
from worker import deployment_config, run_workers

NAMESPACE = "casebridge.a1b2c"


@pytest.fixture(autouse=True)
def no_ambient_configuration(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Only what each test passes: no TEMPORAL_* of the machine, no developer's `.env`."""
    for name in [n for n in os.environ if n.startswith("TEMPORAL_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("CASEBRIDGE_ENV_FILE", str(tmp_path / "absent.env"))
    monkeypatch.chdir(tmp_path)  # Settings reads ./.env
    _dotenv.cache_clear()


def client_certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed client certificate and its key, as a TLS Secret mounts them."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "casebridge-worker")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "tls.crt", directory / "tls.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


def test_temporal_cloud_by_api_key_from_a_mounted_file(tmp_path: Path) -> None:
    key_file = tmp_path / "api-key"
    key_file.write_text("the-api-key\n")
    env = {
        "TEMPORAL_ADDRESS": "us-east-1.aws.api.temporal.io:7233",
        "TEMPORAL_NAMESPACE": NAMESPACE,
        "TEMPORAL_API_KEY_FILE": str(key_file),
    }
    config = connect_config(Settings(), env)
    assert config["target_host"] == "us-east-1.aws.api.temporal.io:7233"
    assert config["namespace"] == NAMESPACE
    assert config["api_key"] == "the-api-key"
    assert config["tls"] is True  # TLS with the system's roots, as Cloud's API-key endpoints need


def test_temporal_cloud_by_mtls_from_mounted_files(tmp_path: Path) -> None:
    cert_path, key_path = client_certificate(tmp_path)
    env = {
        "TEMPORAL_ADDRESS": f"{NAMESPACE}.tmprl.cloud:7233",
        "TEMPORAL_NAMESPACE": NAMESPACE,
        "TEMPORAL_TLS_CLIENT_CERT_PATH": str(cert_path),
        "TEMPORAL_TLS_CLIENT_KEY_PATH": str(key_path),
    }
    config = connect_config(Settings(), env)
    assert config["target_host"] == f"{NAMESPACE}.tmprl.cloud:7233"
    assert "api_key" not in config
    tls = config["tls"]
    assert isinstance(tls, TLSConfig)
    assert tls.client_cert == cert_path.read_bytes() and tls.client_private_key == key_path.read_bytes()
    assert tls.client_cert is not None and tls.client_cert.startswith(b"-----BEGIN CERTIFICATE-----")


def test_a_toml_profile_is_read_and_the_process_settings_win(tmp_path: Path) -> None:
    profile = tmp_path / "temporal.toml"
    profile.write_text(
        f'[profile.cloud]\naddress = "{NAMESPACE}.tmprl.cloud:7233"\nnamespace = "{NAMESPACE}"\napi_key = "k"\n'
    )
    env = {"TEMPORAL_CONFIG_FILE": str(profile), "TEMPORAL_PROFILE": "cloud"}
    config = connect_config(Settings(), env)
    assert (config["target_host"], config["namespace"], config["api_key"]) == (
        f"{NAMESPACE}.tmprl.cloud:7233",
        NAMESPACE,
        "k",
    )
    local = connect_config(Settings(temporal_address="127.0.0.1:7233", temporal_namespace="default"), env)
    assert (local["target_host"], local["namespace"]) == ("127.0.0.1:7233", "default")


def test_a_missing_certificate_file_is_a_configuration_error(tmp_path: Path) -> None:
    env = {"TEMPORAL_TLS_CLIENT_CERT_PATH": str(tmp_path / "absent.crt")}
    with pytest.raises(TemporalConfigError, match=r"absent\.crt"):
        connect_config(Settings(), env)


def test_no_configuration_is_the_local_dev_server() -> None:
    config = connect_config(Settings(), {})
    assert config["target_host"] == "localhost:7233" and config["namespace"] == "default"
    assert "tls" not in config and "api_key" not in config


def test_the_build_id_becomes_the_worker_deployment_version() -> None:
    assert deployment_config(Settings()) is None
    config = deployment_config(Settings(worker_build_id="0.2.0"))
    assert config is not None
    assert config.version.to_canonical_string() == "casebridge.0.2.0"
    assert config.use_worker_versioning is False


class FakeWorker:
    """Shuts down only once every worker has begun shutting down: one after another would hang."""

    def __init__(self, name: str, everyone: asyncio.Barrier) -> None:
        self.task_queue = name
        self.is_shutdown = False
        self._everyone = everyone
        self._stopped = asyncio.Event()

    async def run(self) -> None:
        await self._stopped.wait()

    async def shutdown(self) -> None:
        await self._everyone.wait()
        self.is_shutdown = True
        self._stopped.set()


async def test_sigterm_drains_every_worker_at_once() -> None:
    everyone = asyncio.Barrier(3)
    workers: list[Any] = [FakeWorker(f"q{i}", everyone) for i in range(3)]
    stop = asyncio.Event()
    running = asyncio.create_task(run_workers(workers, stop))
    stop.set()
    await asyncio.wait_for(running, timeout=10)
    assert all(w.is_shutdown for w in workers)


async def test_the_health_endpoint_answers_the_probes() -> None:
    ready = False
    server = HealthServer("127.0.0.1", 0, ready=lambda: ready)
    await server.start()

    async def get(path: str) -> bytes:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        await writer.drain()
        status_line = await reader.readline()
        writer.close()
        return status_line

    try:
        assert b" 200 " in await get("/healthz")
        assert b" 503 " in await get("/readyz")
        ready = True
        assert b" 200 " in await get("/readyz")
        assert b" 404 " in await get("/docs")
    finally:
        await server.stop()
