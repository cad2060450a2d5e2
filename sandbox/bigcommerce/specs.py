"""The official BigCommerce OpenAPI files, loaded once and checked against like the real gateway would.

Every REST and B2B Edition spec sits behind one `BigCommerceContract`, which picks the file from the
request path, so a connector test needs a single `(prefix, contract)` pair and the simulator a single
check per request. The sandbox serves

* `{mount}/stores/{hash}/v2|v3/...`   → `https://api.bigcommerce.com/stores/{hash}/v2|v3/...`
* `{b2b_mount}/api/v3/io/...`         → `https://api-b2b.bigcommerce.com/api/v3/io/...`
* `{b2b_mount}/api/io/...`            → `https://api-b2b.bigcommerce.com/api/io/...` (B2B auth)

The files are used as published, with the repairs in `_ERRATA` applied at load time; each repair
names the defect and why it would refuse correct requests. The documents themselves are not
meta-validated here (`customers.v2.yml` and three B2B files fail `openapi-spec-validator` on details
that never affect request checking, and validation costs seconds per file).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import yaml
from openapi_core import Config, OpenAPI

from sandbox.openapi_contract import SpecContract, _describe, _WireRequest
from sandbox.specs import read_text, specs_dir

REST_HOST = "https://api.bigcommerce.com"
B2B_HOST = "https://api-b2b.bigcommerce.com"
# B2B files `$ref` their shared models by absolute URL on GitHub; the same files are kept locally.
B2B_MODELS_URL = "https://raw.githubusercontent.com/bigcommerce/docs/main/docs/b2b-edition/models/"

# (API, first path segment) → spec file, relative to `specs/bigcommerce`.
_REST_FILES: dict[tuple[str, str], str] = {
    ("v2", "orders"): "orders.v2.oas2.yml",
    ("v2", "order_statuses"): "orders.v2.oas2.yml",
    ("v2", "customers"): "customers.v2.yml",
    ("v2", "customer_groups"): "customers.v2.yml",
    ("v3", "orders"): "orders.v3.yml",
    ("v3", "customers"): "customers.v3.yml",
    ("v3", "pricelists"): "price_lists.v3.yml",
    ("v3", "catalog"): "products_catalog.v3.yml",
    ("v3", "hooks"): "webhooks.v3.yml",
    ("v3", "carts"): "carts.v3.yml",
    ("v3", "abandoned-carts"): "abandoned_carts.v3.yml",
}
# (API, first, second path segment) → spec file, where one first segment spans several files.
_REST_SUBFILES: dict[tuple[str, str, str], str] = {
    ("v3", "catalog", "brands"): "brands_catalog.v3.yml",
}
_B2B_FILES: dict[str, str] = {
    "companies": "b2b-edition/company.yaml",
    "customer-groups": "b2b-edition/company.yaml",
    "rfq": "b2b-edition/quote.yaml",
    "orders": "b2b-edition/order.yaml",
    "users": "b2b-edition/user.yaml",
    "payments": "b2b-edition/payment.yaml",
    "company-payment-methods": "b2b-edition/payment.yaml",
}
# Sub-resources of a company documented in payment.yaml rather than company.yaml.
_B2B_PAYMENT_SUBRESOURCES = frozenset({"credit", "payment-terms", "payments"})


def _walk(node: Any, visit: Callable[[dict[str, Any]], None]) -> None:
    if isinstance(node, dict):
        visit(node)
        for value in node.values():
            _walk(value, visit)
    elif isinstance(node, list):
        for value in node:
            _walk(value, visit)


def _local_b2b_refs(spec: dict[str, Any], models_dir: Path) -> None:
    """Absolute GitHub `$ref`s → the same files beside the spec (no network, pinned content)."""
    base = models_dir.as_uri() + "/"

    def visit(node: dict[str, Any]) -> None:
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(B2B_MODELS_URL):
            node["$ref"] = base + ref[len(B2B_MODELS_URL) :]

    _walk(spec, visit)


_TYPE_CHECKS: dict[str, Callable[[object], bool]] = {
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
}


def _drop_mistyped_parameter_defaults(spec: dict[str, Any]) -> None:
    """quote.yaml documents `offset`/`limit` defaults as strings ("0") for integer parameters and
    `channelIds[]` as `1` for an array. openapi-core fills absent parameters with their defaults
    and then validates them, so every correct `GET /rfq` that leaves them out would be refused.
    A default is documentation of server behaviour; one that contradicts its own type is dropped."""

    def visit(node: dict[str, Any]) -> None:
        if node.get("in") not in ("query", "header", "path", "cookie"):
            return
        schema = node.get("schema")
        if not isinstance(schema, dict) or "default" not in schema:
            return
        check = _TYPE_CHECKS.get(str(schema.get("type")))
        if check is not None and not check(schema["default"]):
            del schema["default"]

    _walk(spec, visit)


def _refund_items_any_of(spec: dict[str, Any]) -> None:
    """orders.v3.yml: `ItemsRefund` is a `oneOf` whose `AmountBoundItem` and `TaxExemptItem`
    branches both accept `{"item_type": "ORDER", "item_id": 1, "amount": 1}` (the spec's own
    "Tax Exempt (Order Level)" example), so `oneOf` refuses every order-level refund. `anyOf`
    keeps each branch's checks without requiring exactly one match."""
    schemas = spec.get("components", {}).get("schemas", {})
    items = schemas.get("ItemsRefund")
    if isinstance(items, dict) and "oneOf" in items:
        items["anyOf"] = items.pop("oneOf")


def _price_list_rule_required_field(spec: dict[str, Any]) -> None:
    """customers.v2.yml: the `price_list` discount rule of `customerGroup_Post_Put` requires a
    property named `price_list`, which the rule does not have (it is `price_list_id`), so every
    customer group tied to a price list would be refused. Require the field the rule does have."""

    def visit(node: dict[str, Any]) -> None:
        required = node.get("required")
        properties = node.get("properties")
        if (
            isinstance(required, list)
            and "price_list" in required
            and isinstance(properties, dict)
            and "price_list_id" in properties
            and "price_list" not in properties
        ):
            node["required"] = ["price_list_id" if name == "price_list" else name for name in required]

    _walk(spec, visit)


def _order_sort_direction(spec: dict[str, Any]) -> None:
    """orders.v2.oas2.yml: the `sort` parameter's description says to add `:asc` or `:desc` to the
    field (its example is `sort=date_created:desc`), but its `enum` lists the bare fields only, so
    every sort with a direction would be refused. Accept a listed field with or without one."""
    parameter = spec.get("components", {}).get("parameters", {}).get("sort")
    schema = parameter.get("schema") if isinstance(parameter, dict) else None
    if isinstance(schema, dict) and isinstance(schema.get("enum"), list):
        fields = "|".join(str(value) for value in schema.pop("enum"))
        schema["pattern"] = f"^({fields})(:(asc|desc))?$"


_ERRATA: dict[str, list[Callable[[dict[str, Any]], None]]] = {
    "orders.v2.oas2.yml": [_order_sort_direction],
    "customers.v2.yml": [_price_list_rule_required_field],
    "orders.v3.yml": [_refund_items_any_of],
    "b2b-edition/quote.yaml": [_drop_mistyped_parameter_defaults],
}


@lru_cache(maxsize=32)
def load_bigcommerce_spec(relative: str) -> OpenAPI:
    """Parse once per process (a few hundred ms per file); `relative` is under `specs/bigcommerce`."""
    root = specs_dir() / "bigcommerce"
    path = root / relative
    # libyaml's loader when present: the pure-Python one takes seconds for these files.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    spec: dict[str, Any] = yaml.load(read_text(path), Loader=loader)  # stored gzipped: `*.yml.gz`
    if relative.startswith("b2b-edition/"):
        _local_b2b_refs(spec, root / "b2b-edition" / "models")
        _drop_mistyped_parameter_defaults(spec)
    for repair in _ERRATA.get(relative, []):
        repair(spec)
    return OpenAPI.from_dict(spec, config=Config(spec_validator_cls=None), base_uri=path.as_uri())


def preload() -> None:
    """Load every file now (simulator start-up), so the first request is not the slow one."""
    files = {*_REST_FILES.values(), *_REST_SUBFILES.values(), *_B2B_FILES.values(), "b2b-edition/authentication.yaml"}
    for relative in sorted(files):
        load_bigcommerce_spec(relative)


class BigCommerceContract(SpecContract):
    """Every BigCommerce spec behind one contract; the request path decides the file.

    `mount`/`b2b_mount` are where the sandbox serves the REST and B2B APIs (a real URL such as
    `https://api.bigcommerce.com/stores/abc/v3/hooks` is checked as it is)."""

    def __init__(self, mount: str = "/bigcommerce", b2b_mount: str = "/bigcommerce-b2b") -> None:
        super().__init__(specs_dir() / "bigcommerce", self._to_official)
        self.mount = mount.rstrip("/")
        self.b2b_mount = b2b_mount.rstrip("/")

    def spec_for(self, url: str) -> tuple[str, str] | None:
        """(spec file, official URL) for a sandbox or official URL; None when no file covers it."""
        parts = urlsplit(url)
        path = parts.path
        if parts.netloc == "api.bigcommerce.com":
            path = self.mount + path
        elif parts.netloc == "api-b2b.bigcommerce.com":
            path = self.b2b_mount + path
        official: str | None = None
        relative: str | None = None
        if path.startswith(self.mount + "/stores/"):
            rest = path[len(self.mount) :]  # /stores/{hash}/v2/...
            segments = rest.split("/")
            if len(segments) >= 5:
                sub = (segments[3], segments[4], segments[5]) if len(segments) >= 6 else None
                relative = _REST_SUBFILES.get(sub) if sub else None
                relative = relative or _REST_FILES.get((segments[3], segments[4]))
                official = REST_HOST + rest
        elif path.startswith(self.b2b_mount + "/api/"):
            rest = path[len(self.b2b_mount) :]  # /api/v3/io/... or /api/io/...
            if rest.startswith("/api/v3/io/"):
                segments = rest[len("/api/v3/io/") :].split("/")
                relative = _B2B_FILES.get(segments[0])
                if segments[0] == "companies" and len(segments) >= 3 and segments[2] in _B2B_PAYMENT_SUBRESOURCES:
                    relative = _B2B_FILES["payments"]
            elif rest.startswith("/api/io/"):
                relative = "b2b-edition/authentication.yaml"
            official = B2B_HOST + rest
        if relative is None or official is None:
            return None
        return relative, urlunsplit(("https", urlsplit(official).netloc, urlsplit(official).path, parts.query, ""))

    def _to_official(self, url: str) -> str:
        found = self.spec_for(url)
        return found[1] if found else url

    def errors(self, method: str, url: str, headers: Mapping[str, str], body: bytes | None) -> list[str]:
        found = self.spec_for(url)
        if found is None:
            return [f"no BigCommerce spec documents {method} {urlsplit(url).path}"]
        relative, official = found
        request = _WireRequest(method, official, headers, body)
        with warnings.catch_warnings():
            # B2B files use `allowEmptyValue`, which openapi-core reports as deprecated on every call.
            warnings.simplefilter("ignore", DeprecationWarning)
            return [_describe(err) for err in load_bigcommerce_spec(relative).iter_request_errors(request)]
