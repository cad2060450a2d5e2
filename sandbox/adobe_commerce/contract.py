"""The official Adobe Commerce 2.4.9 admin schema (OpenAPI 3), checked against every REST request.

The sandbox serves a store at `/adobe-commerce/rest/{store_code}/V1/...`; the schema's server is
`https://{host}/rest/{store_code}`, so URLs are mapped onto `https://localhost/rest/...` first.
Contract tests use the same contract for the requests the connector sends.
"""

from __future__ import annotations

import re
from pathlib import Path

from sandbox.openapi_contract import SpecContract
from sandbox.specs import specs_dir

SPEC_FILE = "adobe-commerce/admin-schema-2.4.9.openapi3.yaml"
_SANDBOX_PREFIX = re.compile(r"^https?://[^/]+(?:/[^?]*?)?/adobe-commerce/rest/")


def spec_path() -> Path:
    return specs_dir() / SPEC_FILE


def rewrite(url: str) -> str:
    """`http://127.0.0.1:8100/adobe-commerce/rest/default/V1/x?q` -> `https://localhost/rest/default/V1/x?q`."""
    return _SANDBOX_PREFIX.sub("https://localhost/rest/", url, count=1)


def spec_contract() -> SpecContract:
    return SpecContract(spec_path(), rewrite)
