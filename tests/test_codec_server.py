"""The codec server: the Temporal codec protocol behind a token, CORS for the UI's origin only."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from google.protobuf import json_format
from temporalio.api.common.v1 import Payloads

from casebridge.codec_server import SESSION_COOKIE, CodecServerConfigError, build
from casebridge.payload_codec import ENCRYPTED_ENCODING, data_converter, new_key_entry
from casebridge.settings import Settings
from tests.support.world import SECRETS

UI = "https://ui.casebridge.test"
TOKEN = SECRETS["CODEC_SERVER_TOKEN"]
CUSTOMER = {"name": "Ada Byron", "email": "ada.byron@example.test"}


def settings() -> Settings:
    return Settings(codec_server_ui_origins=UI, temporal_namespace="cases")


@pytest.fixture
async def codec_server() -> AsyncIterator[httpx.AsyncClient]:
    app: FastAPI = build(settings())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://codec.test") as client:
        yield client


async def sealed_body() -> str:
    """What the UI posts to /decode: payloads as the workers sealed them (the suite's keys)."""
    payloads = await data_converter(Settings()).encode([CUSTOMER])
    return json_format.MessageToJson(Payloads(payloads=payloads))


def bearer(token: str = TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "X-Namespace": "cases", "Content-Type": "application/json"}


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong-token-of-some-length"},
        {"Authorization": f"Bearer {TOKEN}x"},
        {"Authorization": f"Basic {TOKEN}"},
        {"Cookie": f"{SESSION_COOKIE}=nope"},
    ],
    ids=["none", "wrong", "longer", "not-bearer", "bad-cookie"],
)
async def test_unauthenticated_requests_get_401(codec_server: httpx.AsyncClient, headers: dict[str, str]) -> None:
    body = await sealed_body()
    for path in ("/decode", "/encode"):
        response = await codec_server.post(path, content=body, headers=headers)
        assert response.status_code == 401
        assert "Ada" not in response.text


async def test_decode_with_the_token(codec_server: httpx.AsyncClient) -> None:
    response = await codec_server.post("/decode", content=await sealed_body(), headers=bearer())
    assert response.status_code == 200
    [payload] = json_format.Parse(response.text, Payloads()).payloads
    assert payload.metadata["encoding"] == b"json/plain"
    assert b"ada.byron@example.test" in payload.data


async def test_encode_then_decode_round_trip(codec_server: httpx.AsyncClient) -> None:
    plain = data_converter(Settings(allow_plain_payloads=True)).payload_converter.to_payloads([CUSTOMER])
    body = json_format.MessageToJson(Payloads(payloads=plain))
    encoded = await codec_server.post("/encode", content=body, headers=bearer())
    assert encoded.status_code == 200
    sealed = json_format.Parse(encoded.text, Payloads())
    assert sealed.payloads[0].metadata["encoding"] == ENCRYPTED_ENCODING
    assert b"ada.byron" not in sealed.payloads[0].SerializeToString()
    decoded = await codec_server.post("/decode", content=encoded.text, headers=bearer())
    assert json_format.Parse(decoded.text, Payloads()).payloads[0] == plain[0]


async def test_the_protocol_json_is_protobuf_json(codec_server: httpx.AsyncClient) -> None:
    """What the UI sends: metadata values and data in base64 (protobuf's JSON for bytes)."""
    data = base64.b64encode(b'"hello"').decode()
    body = {"payloads": [{"metadata": {"encoding": base64.b64encode(b"json/plain").decode()}, "data": data}]}
    response = await codec_server.post("/decode", json=body, headers=bearer())
    assert response.status_code == 200
    assert response.json() == body  # a plain payload passes through


async def test_other_namespaces_and_bad_bodies_are_refused(codec_server: httpx.AsyncClient) -> None:
    other = {**bearer(), "X-Namespace": "someone-else"}
    assert (await codec_server.post("/decode", content=await sealed_body(), headers=other)).status_code == 403
    assert (await codec_server.post("/decode", content="not json", headers=bearer())).status_code == 400


async def test_a_payload_of_an_unknown_key_is_refused_by_name(codec_server: httpx.AsyncClient) -> None:
    from casebridge.payload_codec import EncryptionCodec, parse_payload_keys

    stranger = EncryptionCodec(parse_payload_keys(new_key_entry("elsewhere")))
    plain = data_converter(Settings(allow_plain_payloads=True)).payload_converter.to_payloads([CUSTOMER])
    body = json_format.MessageToJson(Payloads(payloads=await stranger.encode(plain)))
    response = await codec_server.post("/decode", content=body, headers=bearer())
    assert response.status_code == 422
    assert "'elsewhere'" in response.json()["detail"]


async def test_cors_admits_the_configured_ui_origin_only(codec_server: httpx.AsyncClient) -> None:
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type,x-namespace",
    }
    allowed = await codec_server.options("/decode", headers={"Origin": UI, **preflight})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == UI
    assert allowed.headers["access-control-allow-credentials"] == "true"
    assert "x-namespace" in allowed.headers["access-control-allow-headers"].lower()

    refused = await codec_server.options("/decode", headers={"Origin": "https://evil.test", **preflight})
    assert refused.status_code == 400
    assert "access-control-allow-origin" not in refused.headers

    response = await codec_server.post(
        "/decode", content=await sealed_body(), headers={"Origin": "https://evil.test", **bearer()}
    )
    assert "access-control-allow-origin" not in response.headers
    response = await codec_server.post("/decode", content=await sealed_body(), headers={"Origin": UI, **bearer()})
    assert response.headers["access-control-allow-origin"] == UI


async def test_signing_in_sets_the_cookie_the_ui_sends(codec_server: httpx.AsyncClient) -> None:
    assert (await codec_server.get("/login")).status_code == 200
    wrong = await codec_server.post("/login", data={"token": "not-the-token-at-all"})
    assert wrong.status_code == 401 and SESSION_COOKIE not in wrong.cookies

    signed_in = await codec_server.post("/login", data={"token": TOKEN})
    assert signed_in.status_code == 303
    cookie = signed_in.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie
    headers = {"X-Namespace": "cases", "Cookie": f"{SESSION_COOKIE}={signed_in.cookies[SESSION_COOKIE]}"}
    response = await codec_server.post("/decode", content=await sealed_body(), headers=headers)
    assert response.status_code == 200


def test_it_does_not_start_without_a_token_or_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("casebridge.secrets._dotenv", lambda: {})
    monkeypatch.delenv("CODEC_SERVER_TOKEN")
    with pytest.raises(CodecServerConfigError, match="CODEC_SERVER_TOKEN is not set"):
        build(settings())
    monkeypatch.setenv("CODEC_SERVER_TOKEN", "short")
    with pytest.raises(CodecServerConfigError, match="shorter than 16"):
        build(settings())
    monkeypatch.delenv("CASEBRIDGE_PAYLOAD_KEYS")
    with pytest.raises(CodecServerConfigError, match="no payload keys"):
        build(settings())
