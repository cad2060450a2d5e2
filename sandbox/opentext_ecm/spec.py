"""Request checking against OpenText's published Content Server and Business Workspaces specs.

Used by the simulator (to refuse what the real server refuses) and by contract tests (through
`tests.support.spec_transport.SpecCheckingTransport`, to check what the connector sends).

The published documents describe the wire only loosely in a few places that every client meets, so
they are loaded with these corrections (each one is what OpenText's own pyxecm does and the
reference `opentext-apis.md` section 3 records); nothing else is changed:

1. The Business Workspaces spec declares HTTP Basic auth globally; its calls are Content Server REST
   calls authenticated by the `OTCSTicket` header like every other, so that scheme is required.
2. `POST /v1/auth` (log in) cannot require a ticket; the specs inherit the global ticket scheme.
3. `GET /v1/auth` also accepts an OTDS bearer token (`Authorization: Bearer`) to exchange for a ticket.
4. Operations documented as `application/x-www-form-urlencoded` take binary `file` parts, which only
   `multipart/form-data` can carry: multipart is accepted with the same schema.
5. Structured arguments travel as a JSON string in the form field `body` (the CS spec says so in its
   operation notes). The JSON in `body` is validated against the operation's request schema: the
   form schema for Content Server operations (with form semantics: scalars are text on the wire, so
   `"144"` and `144` are the same integer), the JSON schema for Business Workspaces operations, which
   in turn also accept the form/multipart envelope `body=<json>`.

A plain `application/json` body on a write is refused outright (ASSUMPTION, see
`connectors.opentext.content_server_contract`).

Records Management (`/v1/nodes/{id}/rmclassifications`) has its own REST API, which neither vendored
spec covers. Its calls are checked against `records_management_supplement()`, a minimal document
written from OpenText's pyxecm (`assign_rm_classification`, `get_node_records_details`): an
ASSUMPTION until the Records Management spec is vendored.
"""

from __future__ import annotations

import copy
import json
import re
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP
from functools import cache
from typing import Any, Literal
from urllib.parse import parse_qs, urlencode, urlsplit

from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_core.templating.paths.finders import APICallPathFinder
from werkzeug.datastructures import Headers, ImmutableMultiDict

from sandbox.openapi_contract import SpecContract
from sandbox.specs import read_text, specs_dir

SpecKind = Literal["content-server", "business-workspaces", "records-management"]

SPEC_FILES: dict[SpecKind, str] = {
    "content-server": "content-server-rest-api-2.0.2.normalized.json",
    "business-workspaces": "business-workspaces-rest-api-v1-v2.normalized.json",
}
# Where each spec's paths start: the CS spec has no `servers` (paths begin at `/v1`, `/v2` on any
# host); the BW spec's server is `http://content_server_url/api`.
_SPEC_ROOTS: dict[SpecKind, str] = {
    "content-server": "http://content-server",
    "business-workspaces": "http://content_server_url/api",
    "records-management": "http://content-server",
}
# REST paths (below `/api`) that the Business Workspaces spec describes.
_BW_PATH = re.compile(
    r"^/v\d+/(businessworkspaces|forms/businessworkspaces)(/|$)|^/v2/nodes/\d+/businessworkspaceroles$"
    r"|^/v1/nodes/[^/]+/businessworkspace$"
)
_RM_PATH = re.compile(r"^/v1/nodes/[^/]+/rmclassifications$")

JSON_BODY_REFUSED = (
    "application/json request bodies are not supported: send form fields, with structured arguments "
    "as JSON in the form field 'body'"
)
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
BODY_FIELD = "body"

_FORM = "application/x-www-form-urlencoded"
_MULTIPART = "multipart/form-data"
_JSON = "application/json"
_BODY_ENVELOPE = {"type": "object", "properties": {BODY_FIELD: {"type": "string"}}, "required": [BODY_FIELD]}


@dataclass(frozen=True)
class _CorrectedSpec:
    api: OpenAPI
    finder: APICallPathFinder
    json_native: frozenset[tuple[str, str]]  # (path, method) documented with a JSON body


@cache  # one per SpecKind: a smaller cache would reload a spec in turn
def corrected_spec(kind: SpecKind) -> _CorrectedSpec:
    """Load once per process (the CS document takes seconds) with the corrections listed above."""
    if kind == "records-management":
        document = records_management_supplement()
    else:
        document = json.loads(read_text(specs_dir() / "opentext" / SPEC_FILES[kind]))  # stored gzipped
    json_native = _correct(document, kind)
    api = OpenAPI.from_dict(document)
    return _CorrectedSpec(api, APICallPathFinder(api.spec), frozenset(json_native))


def _correct(document: dict[str, Any], kind: SpecKind) -> set[tuple[str, str]]:
    schemes = document.setdefault("components", {}).setdefault("securitySchemes", {})
    if kind == "business-workspaces":  # correction 1
        schemes["OTCSTicket"] = {"type": "apiKey", "name": "OTCSTicket", "in": "header"}
        document["security"] = [{"OTCSTicket": []}]
    auth = document["paths"].get("/v1/auth", {})
    if "post" in auth:  # correction 2
        auth["post"]["security"] = []
    if "get" in auth:  # correction 3
        schemes["OTDSBearer"] = {"type": "http", "scheme": "bearer"}
        auth["get"]["security"] = [{"OTCSTicket": []}, {"OTDSBearer": []}]
    json_native: set[tuple[str, str]] = set()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            content = operation.get("requestBody", {}).get("content") if isinstance(operation, dict) else None
            if not content:
                continue
            if _FORM in content:  # corrections 4 and 5 (form-native)
                content.setdefault(_MULTIPART, copy.deepcopy(content[_FORM]))
                content.setdefault(_JSON, copy.deepcopy(content[_FORM]))
            elif _JSON in content:  # correction 5 (JSON-native)
                json_native.add((path, method))
                content.setdefault(_FORM, {"schema": copy.deepcopy(_BODY_ENVELOPE)})
                content.setdefault(_MULTIPART, {"schema": copy.deepcopy(_BODY_ENVELOPE)})
    return json_native


def records_management_supplement() -> dict[str, Any]:
    """The Records Management calls the simulator serves, as pyxecm makes them (ASSUMPTION: not
    in a vendored spec). `POST` takes its arguments as JSON in the form field `body`."""
    node_id = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
    answer = {"200": {"description": "ok"}, "400": {"description": "Bad Request"}}
    return {
        "openapi": "3.0.3",
        "info": {"title": "Records Management REST (supplement, ASSUMPTION)", "version": "0"},
        "components": {"securitySchemes": {"OTCSTicket": {"type": "apiKey", "name": "OTCSTicket", "in": "header"}}},
        "security": [{"OTCSTicket": []}],
        "paths": {
            "/v1/nodes/{id}/rmclassifications": {
                "get": {"operationId": "getRecordsDetails", "parameters": [node_id], "responses": answer},
                "post": {
                    "operationId": "assignRMClassification",
                    "parameters": [node_id],
                    "requestBody": {
                        "required": True,
                        "content": {
                            _JSON: {
                                "schema": {
                                    "type": "object",
                                    "required": ["class_id"],
                                    "additionalProperties": False,
                                    "properties": {
                                        "class_id": {"type": "integer"},
                                        "apply_to_sub_items": {"type": "boolean"},
                                        "rm_metadataToken": {"type": "string"},
                                    },
                                }
                            }
                        },
                    },
                    "responses": answer,
                },
            }
        },
    }


class _SpecRequest:
    """The request protocol openapi-core expects, built from plain values."""

    def __init__(self, method: str, url: str, headers: Mapping[str, str], body: bytes | None, content_type: str):
        parts = urlsplit(url)
        self.host_url = f"{parts.scheme}://{parts.netloc}"
        self.path = parts.path
        self.method = method.lower()
        self.body = body
        self.content_type = content_type
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(parse_qs(parts.query, keep_blank_values=True)),
            header=Headers(dict(headers)),
            cookie=ImmutableMultiDict({}),
        )


@dataclass
class FormPayload:
    """A form or multipart body as the checker sees it: text fields, and file parts by size."""

    fields: list[tuple[str, str]]
    files: dict[str, int]


def parse_wire_body(content_type: str, body: bytes) -> FormPayload | None:
    """Split a raw form/multipart body; None for other media types."""
    base = content_type.split(";")[0].strip().lower()
    if base == _FORM:
        return FormPayload(
            [(k, v) for k, values in parse_qs(body.decode(), keep_blank_values=True).items() for v in values], {}
        )
    if base != _MULTIPART:
        return None
    message = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
    payload = FormPayload([], {})
    parts = message.get_payload() if message.is_multipart() else []
    for part in parts if isinstance(parts, list) else []:
        assert isinstance(part, Message)
        name = str(part.get_param("name", header="content-disposition") or "")
        data = part.get_payload(decode=True)
        raw = data if isinstance(data, bytes) else b""
        if part.get_filename() is not None:
            payload.files[name] = len(raw)
        else:
            payload.fields.append((name, raw.decode()))
    return payload


class ContentServerSpecContract(SpecContract):
    """`SpecContract` for one of the two OpenText ECM specs, with the corrections above."""

    def __init__(self, kind: SpecKind) -> None:
        nominal = SPEC_FILES.get(kind, SPEC_FILES["content-server"])  # the supplement has no file
        super().__init__(specs_dir() / "opentext" / nominal, self._to_spec_url)
        self.kind: SpecKind = kind

    def _to_spec_url(self, url: str) -> str:
        parts = urlsplit(url)
        rest = rest_path(parts.path)
        query = f"?{parts.query}" if parts.query else ""
        return f"{_SPEC_ROOTS[self.kind]}{rest}{query}"

    def errors(self, method: str, url: str, headers: Mapping[str, str], body: bytes | None) -> list[str]:
        content_type = _header(headers, "content-type")
        base = content_type.split(";")[0].strip().lower()
        if body and method.upper() in WRITE_METHODS and base == _JSON:
            return [JSON_BODY_REFUSED]
        payload = parse_wire_body(content_type, body) if body else None
        if body and payload is None:
            return [f"unsupported request media type {base or '(none)'!r}"]
        return self.check(method, url, headers, payload)

    def check(self, method: str, url: str, headers: Mapping[str, str], payload: FormPayload | None) -> list[str]:
        """Why the corrected spec refuses this request (body already split into fields and files)."""
        spec = corrected_spec(self.kind)
        spec_url = self.rewrite(url)
        plain = {k: v for k, v in headers.items() if k.lower() not in ("content-type", "content-length")}
        if payload is None:
            return _validate(spec, _SpecRequest(method, spec_url, plain, None, _JSON))
        pairs = payload.fields + [(name, "(binary)") for name in payload.files]
        problems = _validate(spec, _SpecRequest(method, spec_url, plain, urlencode(pairs).encode(), _FORM))
        if problems:
            return problems
        problems = _file_part_problems(spec, method, spec_url, payload.files)
        for raw in (value for name, value in payload.fields if name == BODY_FIELD):
            try:
                document = json.loads(raw)
            except json.JSONDecodeError as exc:
                problems.append(f"form field 'body' is not JSON: {exc.msg}")
                continue
            if not isinstance(document, dict):
                problems.append("form field 'body' must hold a JSON object")
                continue
            document = _with_form_semantics(spec, method, spec_url, document)
            body = json.dumps(document).encode()
            problems.extend(f"body: {p}" for p in _validate(spec, _SpecRequest(method, spec_url, plain, body, _JSON)))
        return problems


def rest_path(path: str) -> str:
    """The part of a URL path below the REST root `/api` (e.g. `/v2/nodes/5`), or the path itself."""
    match = re.search(r"/api(/v\d+(?:/.*)?)$", path)
    return match.group(1) if match else path


def spec_kind(path: str) -> SpecKind:
    """Which spec describes a URL path (anything under `/api`)."""
    rest = rest_path(path)
    if _BW_PATH.match(rest):
        return "business-workspaces"
    if _RM_PATH.match(rest):
        return "records-management"
    return "content-server"


class ContentServerContracts(SpecContract):
    """Every Content Server REST call, each checked against the spec `spec_kind` picks for it."""

    def __init__(self) -> None:
        super().__init__(specs_dir() / "opentext" / SPEC_FILES["content-server"], lambda url: url)
        self.by_kind: dict[SpecKind, ContentServerSpecContract] = {}

    def errors(self, method: str, url: str, headers: Mapping[str, str], body: bytes | None) -> list[str]:
        kind = spec_kind(urlsplit(url).path)
        contract = self.by_kind.setdefault(kind, ContentServerSpecContract(kind))
        return contract.errors(method, url, headers, body)


def spec_contracts(base_url: str) -> list[tuple[str, SpecContract]]:
    """URL prefixes and contracts for `SpecCheckingTransport`, for a Content Server CGI URL."""
    return [(f"{base_url.rstrip('/')}/api/", ContentServerContracts())]


def _header(headers: Mapping[str, str], name: str) -> str:
    return next((v for k, v in headers.items() if k.lower() == name), "")


def _validate(spec: _CorrectedSpec, request: _SpecRequest) -> list[str]:
    with warnings.catch_warnings():
        # The CS spec marks its flag parameters (`?metadata`) `allowEmptyValue`, which openapi-core
        # reports as deprecated on every call that sends them; that is the spec's wording, not ours.
        warnings.filterwarnings("ignore", "Use of allowEmptyValue", DeprecationWarning)
        return [_describe(err) for err in spec.api.iter_request_errors(request)]


def _describe(err: Exception) -> str:
    causes = [str(err)]
    cause = err.__cause__
    while cause is not None and len(causes) < 4:
        nested = getattr(cause, "schema_errors", None)
        if nested:
            causes.extend(str(getattr(e, "message", e)) for e in nested)
            break
        if str(cause) not in causes:
            causes.append(str(cause))
        cause = cause.__cause__
    return ": ".join(causes)


def _operation(spec: _CorrectedSpec, method: str, spec_url: str) -> tuple[str, Any] | None:
    try:
        found = spec.finder.find(method.lower(), spec_url)
    except Exception:  # not found: validation has already said so
        return None
    return str(found.path.parts[-1]), found.operation


def _form_properties(spec: _CorrectedSpec, method: str, spec_url: str) -> tuple[bool, dict[str, Any]]:
    """(JSON-native?, the operation's declared form properties) for a request URL."""
    found = _operation(spec, method, spec_url)
    if found is None:
        return False, {}
    path, operation = found
    if (path, method.lower()) in spec.json_native:
        return True, {}
    try:
        properties = operation / "requestBody" / "content" / _FORM / "schema" / "properties"
        names = list(properties.keys())  # a SchemaPath: iterating it yields paths, not keys
        return False, {str(k): (properties / k).read_value() for k in names}
    except KeyError:
        return False, {}


def _file_part_problems(spec: _CorrectedSpec, method: str, spec_url: str, files: Iterable[str]) -> list[str]:
    names = list(files)
    if not names:
        return []
    _, properties = _form_properties(spec, method, spec_url)
    return [
        f"file part {name!r} is not a binary field of this operation"
        for name in names
        if (properties.get(name) or {}).get("format") != "binary"
    ]


def _with_form_semantics(spec: _CorrectedSpec, method: str, spec_url: str, document: dict[str, Any]) -> dict[str, Any]:
    """For form-native operations, read top-level scalars as the form fields they stand for."""
    json_native, properties = _form_properties(spec, method, spec_url)
    if json_native:
        return document
    coerced = dict(document)
    for key, value in document.items():
        declared = (properties.get(key) or {}).get("type")
        coerced[key] = _as_declared(value, declared)
    return coerced


def _as_declared(value: object, declared: object) -> object:
    if declared == "string" and isinstance(value, bool):
        return "true" if value else "false"
    if declared == "string" and isinstance(value, int | float):
        return str(value)
    if declared == "integer" and isinstance(value, str) and re.fullmatch(r"-?\d+", value):
        return int(value)
    if declared == "boolean" and isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return value
