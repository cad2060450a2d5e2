"""OAuth 1.0a request signing (RFC 5849, section 3), as Adobe Commerce integrations require.

Only what a client with pre-issued access tokens needs: the signature base string (3.4.1), HMAC-SHA1
or HMAC-SHA256 signatures (3.4.2) and the `Authorization: OAuth ...` header (3.5.1). Request bodies
are JSON here, so only query and `oauth_*` parameters enter the signature (form bodies would too).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Iterable
from urllib.parse import parse_qsl, quote, urlsplit

_DIGESTS = {"HMAC-SHA1": hashlib.sha1, "HMAC-SHA256": hashlib.sha256}
_DEFAULT_PORTS = {"http": 80, "https": 443}


def percent_encode(value: str) -> str:
    """RFC 3986 percent-encoding of everything but the unreserved characters (3.6)."""
    return quote(value.encode(), safe="-._~")


def base_string_uri(url: str) -> str:
    """Scheme and host in lower case, default port dropped, no query or fragment (3.4.1.2)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    authority = host if port is None or port == _DEFAULT_PORTS.get(scheme) else f"{host}:{port}"
    return f"{scheme}://{authority}{parts.path or '/'}"


def query_parameters(url: str) -> list[tuple[str, str]]:
    """The decoded query parameters of `url` (form decoding: `+` is a space)."""
    return parse_qsl(urlsplit(url).query, keep_blank_values=True)


def normalized_parameters(params: Iterable[tuple[str, str]]) -> str:
    """Encode every name and value, sort by name then value, join as `n=v&...` (3.4.1.3.2)."""
    encoded = sorted((percent_encode(name), percent_encode(value)) for name, value in params)
    return "&".join(f"{name}={value}" for name, value in encoded)


def signature_base_string(method: str, url: str, params: Iterable[tuple[str, str]]) -> str:
    """`METHOD&uri&params`, each part percent-encoded (3.4.1.1). `params` excludes `oauth_signature`."""
    return "&".join(
        (
            percent_encode(method.upper()),
            percent_encode(base_string_uri(url)),
            percent_encode(normalized_parameters(params)),
        )
    )


def sign(base_string: str, consumer_secret: str, token_secret: str, signature_method: str) -> str:
    """Base64 HMAC of the base string keyed by `consumer_secret&token_secret` (3.4.2)."""
    digest = _DIGESTS.get(signature_method)
    if digest is None:
        raise ValueError(f"unsupported OAuth signature method {signature_method!r}")
    key = f"{percent_encode(consumer_secret)}&{percent_encode(token_secret)}".encode()
    return base64.b64encode(hmac.new(key, base_string.encode(), digest).digest()).decode()


def authorization_header(
    method: str,
    url: str,
    *,
    consumer_key: str,
    consumer_secret: str,
    token: str,
    token_secret: str,
    signature_method: str = "HMAC-SHA256",
    nonce: str | None = None,
    timestamp: int | None = None,
    body_params: Iterable[tuple[str, str]] = (),
) -> str:
    """The `Authorization` header value for one request to `url` (its query is signed too)."""
    oauth = {
        "oauth_consumer_key": consumer_key,
        "oauth_nonce": nonce if nonce is not None else secrets.token_hex(16),
        "oauth_signature_method": signature_method,
        "oauth_timestamp": str(timestamp if timestamp is not None else int(time.time())),
        "oauth_token": token,
        "oauth_version": "1.0",
    }
    params = [*query_parameters(url), *body_params, *oauth.items()]
    base = signature_base_string(method, url, params)
    oauth["oauth_signature"] = sign(base, consumer_secret, token_secret, signature_method)
    fields = ", ".join(f'{percent_encode(k)}="{percent_encode(v)}"' for k, v in sorted(oauth.items()))
    return f"OAuth {fields}"
