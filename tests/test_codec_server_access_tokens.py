"""The codec server and the Temporal UI's access tokens ("Pass the user access token").

A provider publishes its keys over real HTTP here, as Temporal Cloud does at
https://login.tmprl.cloud/.well-known/jwks.json, and signs tokens shaped as Cloud's: audience
`https://saas-api.tmprl.cloud`, the person's e-mail in `https://saas-api.tmprl.cloud/user/email`.
Only readers' tokens open payloads; every forged, expired or misdirected token gets the same 401."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from fastapi import FastAPI
from google.protobuf import json_format
from temporalio.api.common.v1 import Payloads

from casebridge.codec_server import CodecServerConfigError, build
from casebridge.settings import Settings
from casebridge.ui_access_tokens import SigningKeys, TokenRejected
from tests.test_codec_server import TOKEN, UI, bearer, sealed_body

AUDIENCE = "https://saas-api.tmprl.cloud"
EMAIL_CLAIM = "https://saas-api.tmprl.cloud/user/email"
READERS = "ops.lead@casebridge.test, @support.casebridge.test"


@dataclass
class Provider:
    """An OIDC provider's key endpoint: what it publishes, how often it was asked, and whether it is up."""

    url: str
    published: list[dict[str, Any]] = field(default_factory=list)
    requests: int = 0
    up: bool = True


class SigningKey:
    def __init__(self, kid: str, algorithm: str = "RS256") -> None:
        self.kid = kid
        self.algorithm = algorithm
        self.private: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey = (
            ec.generate_private_key(ec.SECP256R1())
            if algorithm.startswith("ES")
            else rsa.generate_private_key(public_exponent=65537, key_size=2048)
        )

    def jwk(self) -> dict[str, Any]:
        algorithm = jwt.get_algorithm_by_name(self.algorithm)
        public = json.loads(algorithm.to_jwk(self.private.public_key()))
        return {**public, "kid": self.kid, "use": "sig", "alg": self.algorithm}

    def public_pem(self) -> bytes:
        return self.private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def token(self, email: str | None = "ops.lead@casebridge.test", **overrides: Any) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": "https://login.tmprl.cloud/",
            "sub": "google-oauth2|1029384756",
            "aud": [AUDIENCE, "https://login.tmprl.cloud/userinfo"],
            "iat": now,
            "exp": now + 3600,
            "scope": "openid profile email",
        }
        if email is not None:
            claims[EMAIL_CLAIM] = email
        claims.update(overrides)
        claims = {k: v for k, v in claims.items() if v is not None}
        return jwt.encode(claims, self.private, algorithm=self.algorithm, headers={"kid": self.kid})


@pytest.fixture(scope="module")
def cloud_key() -> SigningKey:
    return SigningKey("cloud-2026-11")


@pytest.fixture
def provider(cloud_key: SigningKey) -> Iterator[Provider]:
    state = Provider(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.requests += 1
            if not state.up or self.path != "/.well-known/jwks.json":
                self.send_error(503 if not state.up else 404)
                return
            body = json.dumps({"keys": state.published}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/.well-known/jwks.json"
    state.published = [cloud_key.jwk()]
    # A short poll: shutdown() waits for the serving loop to look, 0.5 s by default.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


def settings(provider: Provider, readers: str = READERS) -> Settings:
    return Settings(
        codec_server_ui_origins="https://cloud.temporal.io",
        temporal_namespace="cases",
        codec_server_jwks_url=provider.url,
        codec_server_readers=readers,
    )


@pytest.fixture
async def codec_server(provider: Provider) -> AsyncIterator[httpx.AsyncClient]:
    app: FastAPI = build(settings(provider))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="https://codec.test") as client:
            yield client


def ui_request(token: str) -> dict[str, str]:
    """The headers the Cloud UI sends with "Pass the user access token"."""
    return {
        "Authorization": f"Bearer {token}",
        "X-Namespace": "cases",
        "Content-Type": "application/json",
        "Origin": "https://cloud.temporal.io",
    }


async def test_a_readers_token_opens_payloads(codec_server: httpx.AsyncClient, cloud_key: SigningKey) -> None:
    for email in ("ops.lead@casebridge.test", "Ops.Lead@Casebridge.Test", "night.shift@support.casebridge.test"):
        response = await codec_server.post(
            "/decode", content=await sealed_body(), headers=ui_request(cloud_key.token(email))
        )
        assert response.status_code == 200, (email, response.text)
        [payload] = json_format.Parse(response.text, Payloads()).payloads
        assert b"ada.byron@example.test" in payload.data
        assert response.headers["access-control-allow-origin"] == "https://cloud.temporal.io"


async def test_a_signed_in_person_who_is_no_reader_gets_403(
    codec_server: httpx.AsyncClient, cloud_key: SigningKey
) -> None:
    for email in ("someone@casebridge.test", "x@eu.support.casebridge.test", "ops.lead@casebridge.test.evil"):
        for path in ("/decode", "/encode"):
            response = await codec_server.post(
                path, content=await sealed_body(), headers=ui_request(cloud_key.token(email))
            )
            assert response.status_code == 403, (email, path)
            assert "CODEC_SERVER_READERS" in response.json()["detail"]
            assert "Ada" not in response.text and "ada.byron" not in response.text


async def test_forged_expired_and_misdirected_tokens_get_401(
    codec_server: httpx.AsyncClient, cloud_key: SigningKey
) -> None:
    impostor = SigningKey(cloud_key.kid)  # the provider's key id, another private key
    unpublished = SigningKey("not-published")
    hour_ago = int(time.time()) - 3600
    header, claims, _ = cloud_key.token().split(".")
    refused = {
        "forged signature": impostor.token(),
        "unknown key": unpublished.token(),
        "expired": cloud_key.token(exp=hour_ago, iat=hour_ago - 60),
        "not yet valid": cloud_key.token(nbf=int(time.time()) + 600),
        "another audience": cloud_key.token(aud="https://api.example.test"),
        "no audience": cloud_key.token(aud=None),
        "no expiry": cloud_key.token(exp=None),
        "no e-mail": cloud_key.token(email=None),
        "unsigned (alg none)": jwt.encode({"aud": AUDIENCE, EMAIL_CLAIM: "ops.lead@casebridge.test"}, "", "none"),
        "signature stripped": f"{header}.{claims}.",
        # HS256 "signed" with the public key everyone can fetch: never accepted for a published key.
        "algorithm confusion": _hmac_token(cloud_key),
        "not a JWT": "not-a-token-but-long-enough",
    }
    for name, token in refused.items():
        response = await codec_server.post("/decode", content=await sealed_body(), headers=ui_request(token))
        assert response.status_code == 401, name
        assert response.json() == {"detail": "unauthenticated"}, name


def _hmac_token(key: SigningKey) -> str:
    # PyJWT refuses to sign HS256 with a PEM key, so the token is built by hand, as an attacker would.
    import base64
    import hashlib
    import hmac

    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    claims = {"aud": AUDIENCE, EMAIL_CLAIM: "ops.lead@casebridge.test", "exp": int(time.time()) + 600}
    signing_input = f"{part({'alg': 'HS256', 'typ': 'JWT', 'kid': key.kid})}.{part(claims)}"
    signature = hmac.new(key.public_pem(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"


async def test_the_codec_token_and_other_namespaces_still_apply(
    codec_server: httpx.AsyncClient, cloud_key: SigningKey
) -> None:
    assert (await codec_server.post("/decode", content=await sealed_body(), headers=bearer(TOKEN))).status_code == 200
    other = {**ui_request(cloud_key.token()), "X-Namespace": "someone-else"}
    assert (await codec_server.post("/decode", content=await sealed_body(), headers=other)).status_code == 403


async def test_the_key_list_is_read_once_for_all_its_keys(
    codec_server: httpx.AsyncClient, provider: Provider, cloud_key: SigningKey
) -> None:
    """A provider publishes its next key beside the current one (RSA and EC keys alike)."""
    successor = SigningKey("cloud-2026-12", algorithm="ES256")
    provider.published = [cloud_key.jwk(), successor.jwk()]
    for key in (cloud_key, successor, cloud_key, successor):
        response = await codec_server.post("/decode", content=await sealed_body(), headers=ui_request(key.token()))
        assert response.status_code == 200, key.kid
    assert provider.requests == 1


async def test_unknown_key_ids_do_not_make_it_hammer_the_provider(provider: Provider, cloud_key: SigningKey) -> None:
    now = [1000.0]
    keys = SigningKeys(provider.url, min_interval=30.0, max_age=3600.0, clock=lambda: now[0])
    try:
        await keys.key(cloud_key.kid)
        for n in range(20):
            with pytest.raises(TokenRejected, match="unknown key"):
                await keys.key(f"made-up-{n}")
        assert provider.requests == 1  # within 30 s of the last read: no new read
        successor = SigningKey("cloud-2027-01")
        provider.published = [successor.jwk()]
        now[0] += 31
        assert (await keys.key(successor.kid)).key_id == successor.kid
        assert provider.requests == 2
        now[0] += 3600  # stale: read again even for a known key
        with pytest.raises(TokenRejected):
            await keys.key(cloud_key.kid)  # withdrawn by the provider
        assert provider.requests == 3
    finally:
        await keys.aclose()


async def test_a_provider_that_is_down(
    codec_server: httpx.AsyncClient, provider: Provider, cloud_key: SigningKey
) -> None:
    provider.up = False
    response = await codec_server.post("/decode", content=await sealed_body(), headers=ui_request(cloud_key.token()))
    assert response.status_code == 503 and response.headers["retry-after"] == "30"
    provider.up = True
    assert (
        await codec_server.post("/decode", content=await sealed_body(), headers=ui_request(cloud_key.token()))
    ).status_code == 200


async def test_keys_read_earlier_serve_while_the_provider_is_down(provider: Provider, cloud_key: SigningKey) -> None:
    now = [0.0]
    keys = SigningKeys(provider.url, clock=lambda: now[0])
    try:
        await keys.key(cloud_key.kid)
        provider.up = False
        now[0] += 7200
        assert (await keys.key(cloud_key.kid)).key_id == cloud_key.kid
        assert provider.requests == 2
    finally:
        await keys.aclose()


async def test_logs_name_the_subject_never_the_email(
    codec_server: httpx.AsyncClient, cloud_key: SigningKey, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="casebridge")
    for email in ("ops.lead@casebridge.test", "someone@casebridge.test"):
        await codec_server.post("/decode", content=await sealed_body(), headers=ui_request(cloud_key.token(email)))
    lines = [record.getMessage() for record in caplog.records]
    assert any("decode for google-oauth2|1029384756" in line for line in lines), lines
    assert any("withheld from google-oauth2|1029384756" in line for line in lines), lines
    assert not any("@casebridge.test" in line for line in lines), lines


@pytest.mark.parametrize(
    ("changes", "complaint"),
    [
        ({"codec_server_jwks_url": None}, "CODEC_SERVER_JWKS_URL is not"),
        ({"codec_server_readers": " "}, "names no one"),
        ({"codec_server_readers": "ops.lead"}, "neither an e-mail address nor @domain"),
        ({"codec_server_jwks_url": "http://login.example.test/.well-known/jwks.json"}, "not HTTPS"),
    ],
    ids=["readers-without-keys", "keys-without-readers", "bad-reader", "plain-http"],
)
def test_a_half_configuration_stops_the_server(provider: Provider, changes: dict[str, Any], complaint: str) -> None:
    with pytest.raises(CodecServerConfigError, match=complaint):
        build(settings(provider).model_copy(update=changes))


async def test_without_a_jwks_url_ui_tokens_are_refused(cloud_key: SigningKey) -> None:
    """The default: only the codec token and its sign-in cookie (tests/test_codec_server.py)."""
    app = build(Settings(codec_server_ui_origins=UI, temporal_namespace="cases"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://codec.test") as client:
        response = await client.post("/decode", content=await sealed_body(), headers=ui_request(cloud_key.token()))
    assert response.status_code == 401
