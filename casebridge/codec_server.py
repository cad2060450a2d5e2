"""The codec server: opens Casebridge's encrypted payloads for the Temporal Web UI and CLI of
people who hold its token. `python -m casebridge.codec_server` serves it on
CODEC_SERVER_HOST:CODEC_SERVER_PORT (default 127.0.0.1:8234).

It speaks Temporal's codec server protocol: `POST /encode` and `POST /decode` take and answer
`{"payloads": [...]}`, the Payloads protobuf as JSON, and the caller names its namespace in
`X-Namespace` (only TEMPORAL_NAMESPACE is served: the keys belong to it). Every request must be
authenticated, or it is answered 401 without a word about the payloads:

- `Authorization: Bearer <CODEC_SERVER_TOKEN>`: the CLI
  (`temporal workflow show --codec-endpoint http://.../ --codec-auth "Bearer $TOKEN"`) and scripts;
- the `casebridge_codec` cookie, set by signing in once at `GET /login` with the token: the Web UI
  sends it when its codec settings say "Include cross-origin credentials";
- with CODEC_SERVER_JWKS_URL set, `Authorization: Bearer <the person's access token>`, which the UI
  sends when its codec settings say "Pass the user access token" (Temporal Cloud's UI, or a
  self-hosted UI with SSO): the token is verified (`casebridge.ui_access_tokens`) and the person it
  names must be one of CODEC_SERVER_READERS, or the answer is 403.

Tokens are compared in constant time. CORS admits CODEC_SERVER_UI_ORIGINS only (the UI runs in the
browser and calls this server from its own origin), with credentials.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import parse_qs

import uvicorn
from fastapi import FastAPI, Header, HTTPException, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse, RedirectResponse
from google.protobuf import json_format
from temporalio.api.common.v1 import Payloads

from casebridge.logs import configure_logging
from casebridge.payload_codec import EncryptionCodec, PayloadDecryptError, PayloadKeysError, load_payload_keys
from casebridge.secrets import MissingSecretError, resolve_secret
from casebridge.settings import Settings, get_settings
from casebridge.ui_access_tokens import (
    AccessTokenVerifier,
    Person,
    Readers,
    SigningKeys,
    SigningKeysUnavailable,
    TokenPolicy,
    TokenRejected,
)

log = logging.getLogger(__name__)

TOKEN_SECRET = "CODEC_SERVER_TOKEN"
SESSION_COOKIE = "casebridge_codec"
# A history page asks for many payloads at once; a payload is at most 2 MB in Temporal.
MAX_BODY_BYTES = 8 * 1024 * 1024
_MIN_TOKEN_LENGTH = 16


class CodecServerConfigError(Exception):
    """The codec server cannot start (no keys, no token): the message says what to set."""


@dataclass(frozen=True)
class SignedInReaders:
    """People signed in to the Temporal UI: whose keys sign their tokens, and who of them may read."""

    keys: SigningKeys
    verifier: AccessTokenVerifier
    readers: Readers


def signed_in_readers(settings: Settings) -> SignedInReaders | None:
    """The UI's access tokens as the settings accept them, or None (CODEC_SERVER_JWKS_URL unset)."""
    if not settings.codec_server_jwks_url:
        if settings.codec_server_readers.strip():
            raise CodecServerConfigError(
                "CODEC_SERVER_READERS is set but CODEC_SERVER_JWKS_URL is not: "
                "no access token can be checked, so the readers could never sign in"
            )
        return None
    try:
        readers = Readers(settings.codec_server_readers)
        keys = SigningKeys(settings.codec_server_jwks_url)
    except ValueError as err:
        raise CodecServerConfigError(str(err)) from None
    if not readers:
        raise CodecServerConfigError(
            "CODEC_SERVER_JWKS_URL is set but CODEC_SERVER_READERS names no one: "
            "every signed-in person would be refused"
        )
    policy = TokenPolicy(
        audience=settings.codec_server_jwt_audience,
        email_claim=settings.codec_server_jwt_email_claim,
        issuer=settings.codec_server_jwt_issuer,
    )
    return SignedInReaders(keys=keys, verifier=AccessTokenVerifier(policy, keys), readers=readers)


def _origins(settings: Settings) -> list[str]:
    return [origin.strip().rstrip("/") for origin in settings.codec_server_ui_origins.split(",") if origin.strip()]


def load_token() -> bytes:
    try:
        token = resolve_secret(TOKEN_SECRET).get_secret_value()
    except MissingSecretError:
        raise CodecServerConfigError(
            f"{TOKEN_SECRET} is not set (environment, {TOKEN_SECRET}_FILE or .env): the codec server "
            "opens customers' data and serves no one unauthenticated"
        ) from None
    if len(token) < _MIN_TOKEN_LENGTH:
        raise CodecServerConfigError(f"{TOKEN_SECRET} is shorter than {_MIN_TOKEN_LENGTH} characters")
    return token.encode()


def create_app(
    settings: Settings, codec: EncryptionCodec, token: bytes, people: SignedInReaders | None = None
) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        if people is not None:
            await people.keys.aclose()

    app = FastAPI(title="Casebridge codec server", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    origins = _origins(settings)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=origins,
        allow_credentials=True,  # the UI's "Include cross-origin credentials" sends the cookie
        allow_methods=["POST"],
        allow_headers=["Authorization", "Content-Type", "X-Namespace"],
        max_age=600,
    )

    def token_matches(candidate: str | None) -> bool:
        # compare_digest takes as long whatever the first differing byte: no timing oracle.
        return candidate is not None and hmac.compare_digest(candidate.encode(), token)

    def unauthenticated() -> HTTPException:
        return HTTPException(401, "unauthenticated", headers={"WWW-Authenticate": 'Bearer realm="casebridge-codec"'})

    async def reader(bearer: str) -> Person:
        """The signed-in person a UI access token names, once they are known to be a reader."""
        assert people is not None
        try:
            person = await people.verifier.verify(bearer)
        except TokenRejected as err:
            # The reason stays in the log: a caller who is refused learns nothing from the answer.
            log.info("access token refused: %s", err)
            raise unauthenticated() from None
        except SigningKeysUnavailable as err:
            log.warning("access token not checked: %s", err)
            raise HTTPException(503, "access tokens cannot be checked now", headers={"Retry-After": "30"}) from None
        if not people.readers.admit(person.email):
            log.info("payloads withheld from %s: not one of the readers", person.subject)
            raise HTTPException(403, "signed in, but not one of this codec server's readers (CODEC_SERVER_READERS)")
        return person

    async def authenticate(request: Request) -> None:
        authorization = request.headers.get("authorization", "")
        scheme, _, credentials = authorization.partition(" ")
        bearer = credentials.strip() if scheme.lower() == "bearer" else None
        if token_matches(bearer) or token_matches(request.cookies.get(SESSION_COOKIE)):
            return
        if bearer and people is not None:
            person = await reader(bearer)
            # Who opened customers' data, by the provider's user id (no e-mail in the logs).
            log.info("%s for %s", request.url.path.rsplit("/", 1)[-1], person.subject)
            return
        raise unauthenticated()

    async def payloads_of(request: Request, namespace: str | None) -> Payloads:
        """The request's payloads, once its caller and namespace are allowed."""
        await authenticate(request)
        if namespace is not None and namespace != settings.temporal_namespace:
            raise HTTPException(403, f"namespace {namespace!r} is not served here")
        body = await request.body()
        if len(body) > MAX_BODY_BYTES:
            raise HTTPException(413, "payloads too large")
        payloads = Payloads()
        try:
            json_format.Parse(body, payloads)
        except json_format.ParseError:
            raise HTTPException(400, 'expected {"payloads": [...]}, the Payloads protobuf as JSON') from None
        return payloads

    def answer(payloads: Payloads) -> Response:
        return Response(json_format.MessageToJson(payloads, indent=None), media_type="application/json")

    @app.post("/encode")
    async def encode(
        request: Request, x_namespace: Annotated[str | None, Header(alias="X-Namespace")] = None
    ) -> Response:
        payloads = await payloads_of(request, x_namespace)
        return answer(Payloads(payloads=await codec.encode(payloads.payloads)))

    @app.post("/decode")
    async def decode(
        request: Request, x_namespace: Annotated[str | None, Header(alias="X-Namespace")] = None
    ) -> Response:
        payloads = await payloads_of(request, x_namespace)
        try:
            decoded = await codec.decode(payloads.payloads)
        except PayloadDecryptError as err:
            # Names the key id, never data: e.g. a key retired too early.
            log.warning("decode refused: %s", err)
            raise HTTPException(422, str(err)) from None
        return answer(Payloads(payloads=decoded))

    @app.get("/login", response_class=HTMLResponse)
    async def login_form() -> str:
        return (
            "<!doctype html><title>Casebridge codec server</title>"
            "<p>Sign in to read encrypted payloads in the Temporal UI "
            "(its codec settings: tick <em>Include cross-origin credentials</em>).</p>"
            '<form method="post" action="/login"><input type="password" name="token" '
            'autocomplete="current-password" placeholder="codec server token" autofocus> '
            "<button>Sign in</button></form>"
        )

    @app.post("/login")
    async def login(request: Request) -> Response:
        # The token in a form body, never in a URL: URLs end up in access logs and browser history.
        body = await request.body()
        if len(body) > 4096:
            raise HTTPException(413, "too large")
        submitted = parse_qs(body.decode(errors="replace")).get("token", [""])[0]
        if not token_matches(submitted):
            raise HTTPException(401, "unauthenticated")
        response = RedirectResponse("/login/done", status_code=303)
        response.set_cookie(
            SESSION_COOKIE,
            submitted,
            httponly=True,
            # The UI and this server are the same site (localhost, or one domain): the cookie goes
            # along with the UI's credentialed requests and with nobody else's. Behind HTTPS it is
            # also Secure.
            samesite="strict",
            secure=request.url.scheme == "https",
            max_age=12 * 3600,
        )
        return response

    @app.get("/login/done", response_class=HTMLResponse)
    async def login_done() -> str:
        return "<!doctype html><title>Casebridge codec server</title><p>Signed in; reload the Temporal UI.</p>"

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


def build(settings: Settings) -> FastAPI:
    """The app from the configuration, or CodecServerConfigError/PayloadKeysError naming what is wrong."""
    keys = load_payload_keys()
    if keys is None:
        raise CodecServerConfigError(
            "no payload keys (CASEBRIDGE_PAYLOAD_KEYS or CASEBRIDGE_PAYLOAD_KEYS_FILE): nothing to decode with"
        )
    if not _origins(settings):
        raise CodecServerConfigError("CODEC_SERVER_UI_ORIGINS names no origin (the Temporal UI's, for CORS)")
    return create_app(settings, EncryptionCodec(keys), load_token(), signed_in_readers(settings))


def main() -> None:
    configure_logging(logging.INFO)  # masks credential headers and known secret values
    settings = get_settings()
    try:
        app = build(settings)
    except (CodecServerConfigError, PayloadKeysError) as err:
        raise SystemExit(f"casebridge codec server not started: {err}") from None
    uvicorn.run(app, host=settings.codec_server_host, port=settings.codec_server_port, log_level="info")


if __name__ == "__main__":
    main()
