"""Check HTTP requests against an official OpenAPI document (the project's `specs/`).

Used on both sides of the wire: simulators refuse incoming requests the real API would refuse, and
contract tests check every request a connector sends. URLs are mapped onto the spec's server URL
first (the sandbox serves e.g. `/bigcommerce/stores/{hash}/v2/...`, the spec says
`https://api.bigcommerce.com/stores/{store_hash}/v2`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, cast
from urllib.parse import parse_qs, urlsplit

from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

from sandbox.specs import open_text


class _WireRequest:
    """The request protocol openapi-core expects, built from plain values."""

    def __init__(self, method: str, url: str, headers: Mapping[str, str], body: bytes | None) -> None:
        parts = urlsplit(url)
        self._scheme_host = f"{parts.scheme}://{parts.netloc}"
        self._path = parts.path
        self._method = method.lower()
        self._body = body or None
        self._content_type = headers.get("content-type") or headers.get("Content-Type") or ""
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(parse_qs(parts.query, keep_blank_values=True)),
            header=Headers(dict(headers)),
            cookie=ImmutableMultiDict({}),
        )

    @property
    def host_url(self) -> str:
        return self._scheme_host

    @property
    def path(self) -> str:
        return self._path

    @property
    def method(self) -> str:
        return self._method

    @property
    def body(self) -> bytes | None:
        return self._body

    @property
    def content_type(self) -> str:
        return self._content_type.split(";")[0].strip() or "application/json"


@lru_cache(maxsize=16)
def load_spec(path: Path) -> OpenAPI:
    """Parse once per process: the larger official specs take seconds to load. `path` names the file
    as published; a gzipped copy beside it (`path.gz`) is read transparently."""
    with open_text(path) as handle:
        # Same YAML loader as `from_file_path`. Any text stream will do (jsonschema-path's `SupportsRead`
        # protocol names `read`'s parameter, which `IO[str]` leaves positional).
        return OpenAPI.from_file(cast(Any, handle), base_uri=path.absolute().as_uri())


class SpecContract:
    def __init__(self, spec_path: Path, rewrite: Callable[[str], str]) -> None:
        self.spec_path = spec_path
        self.rewrite = rewrite  # maps a sandbox URL onto the spec's server URL

    def errors(self, method: str, url: str, headers: Mapping[str, str], body: bytes | None) -> list[str]:
        """Why the spec refuses this request; empty when it conforms."""
        request = _WireRequest(method, self.rewrite(url), headers, body)
        return [_describe(err) for err in load_spec(self.spec_path).iter_request_errors(request)]


def _describe(err: Exception) -> str:
    causes = [str(err)]
    cause = err.__cause__
    while cause is not None and len(causes) < 4:
        nested = getattr(cause, "schema_errors", None)
        if nested:
            causes.extend(str(getattr(e, "message", e)) for e in nested)
            break
        causes.append(str(cause))
        cause = cause.__cause__
    return ": ".join(causes)
