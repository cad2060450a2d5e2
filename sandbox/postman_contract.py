"""Check HTTP requests against OpenText's own Postman collection, for APIs without an OpenAPI file.

A request conforms when some item of the collection has the same method and path pattern
(`{{variable}}` and `:variable` segments match any value), every header the item sets is present
(`Accept` and `Content-Type` with the item's value), the query keys are among the item's (its enabled
ones all present; values compared unless they are ids or numbers), the item's auth is used (the
collection's bearer token unless the item says otherwise) and the body has the item's shape: a
template body (with `{{placeholders}}`) must have the same keys and fixed values, an example body
(e.g. a driver record) the same JSON type.

Calls the collection does not contain but the connector makes on purpose (documented ASSUMPTIONS)
can be declared as `assumed` path templates: they are accepted, still checked for bearer auth, and
listed separately so a test can see exactly which requests no official material covers.

Example-specific collections (OpenText's OT2 Workflow tutorials) need a looser reading, switched on
per contract with `CollectionLeniency` (off by default, so the Exstream checks stay as they are):

* `auth_in_headers`: the item's auth may be written as its own `Authorization: Bearer {{token}}`
  header instead of Postman auth; that scheme is then required (a request with another scheme, or
  none, still fails). Postman auth declared on the item, a folder or the collection counts as well.
* `example_queries`: the item's query is one example of a filterable list, not the only request: its
  parameters may be left out, a value the connector sends must have the example's form (a boolean
  stays `true`/`false`, a number stays digits), and parameters the item lacks are accepted only when
  `documented` names them for that item, with the source that documents them. So a misspelt or
  invented filter still fails, while `processInstanceId=...` on "Get all tasks" passes.
* `documented` body keys: for an item with documented extras, a template body must carry every key
  of the item and may add only the documented ones (e.g. `businessKey` on the start call, shown in
  OpenText's sample); literal strings stay fixed values unless declared `example_values` (the demo's
  process name), and every other value keeps the collection's JSON type.
* `content_type_only_with_body`: a `Content-Type` header the item sets on a request without a body
  (the tutorials put one on every GET) is required only when a body is sent: without one it
  describes nothing.

Independently of the mode, an empty raw body (`"raw": ""`) means no body, as Postman sends it, and
auth is inherited item -> folders -> collection, as Postman resolves it.

`PostmanContract` is a `SpecContract`, so `tests.support.spec_transport.SpecCheckingTransport` uses it
like an OpenAPI contract.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from sandbox.openapi_contract import SpecContract
from sandbox.specs import read_text

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_HOST_VARIABLE = re.compile(r"^\{\{([^}]+)\}\}")
_COMPARED_HEADERS = ("accept", "content-type")


def _is_variable(segment: str) -> bool:
    return (
        segment.startswith(":")
        or (segment.startswith("{{") and segment.endswith("}}"))
        or (segment.startswith("{") and segment.endswith("}"))
    )


def _media(value: str) -> str:
    return value.split(";")[0].strip().lower()


def _segments(path: str) -> list[str]:
    return [unquote(s) for s in path.strip("/").split("/") if s]


def _path_matches(pattern: Iterable[str], actual: list[str]) -> bool:
    expected = list(pattern)
    return len(expected) == len(actual) and all(
        _is_variable(e) or e == a for e, a in zip(expected, actual, strict=True)
    )


@dataclass(frozen=True)
class DocumentedExtras:
    """What a source other than the collection documents for one collection item's call."""

    source: str  # where it is documented (reference section, sample file), for the reader
    query: frozenset[str] = frozenset()
    body_keys: frozenset[str] = frozenset()
    # Body keys whose literal value in the collection is the demo's own (a name, a model key): only
    # its JSON type is compared. Other literal strings stay fixed values (e.g. `"outcome": "none"`).
    example_values: frozenset[str] = frozenset()


@dataclass(frozen=True)
class CollectionLeniency:
    """How loosely to read a collection (see the module docstring); the default is strict."""

    auth_in_headers: bool = False
    example_queries: bool = False
    content_type_only_with_body: bool = False
    documented: Mapping[str, DocumentedExtras] = field(default_factory=dict)  # by item name

    @classmethod
    def example_collections(cls, documented: Mapping[str, DocumentedExtras]) -> CollectionLeniency:
        return cls(auth_in_headers=True, example_queries=True, content_type_only_with_body=True, documented=documented)


STRICT = CollectionLeniency()


def _value_form(value: str) -> str:
    if value.lower() in ("true", "false"):
        return "a boolean"
    if value.isdigit():
        return "a number"
    return "text"


@dataclass(frozen=True)
class PostmanItem:
    name: str
    method: str
    host_variable: str
    path: tuple[str, ...]
    headers: Mapping[str, str]  # enabled headers, lower-cased names
    query: Mapping[str, str]  # enabled query parameters
    optional_query: frozenset[str]  # documented but disabled parameters
    auth: str  # "bearer", "basic", "noauth" (inherited from folders and the collection)
    body_mode: str | None
    raw_body: str | None
    collection: str = ""  # the file it comes from

    @property
    def header_auth(self) -> str | None:
        """The scheme of an `Authorization` header the item sets itself (`Bearer {{token}}`)."""
        value = self.headers.get("authorization")
        if value is None:
            return None
        scheme = value.partition(" ")[0].lower()
        return scheme if scheme in ("bearer", "basic") else None

    def problems(
        self,
        headers: Mapping[str, str],
        query: list[tuple[str, str]],
        body: bytes | None,
        leniency: CollectionLeniency = STRICT,
    ) -> list[str]:
        extras = leniency.documented.get(self.name)
        found = [*self._header_problems(headers, body, leniency)]
        if leniency.example_queries:
            found += self._example_query_problems(query, extras.query if extras else frozenset())
        else:
            found += self._query_problems(query)
        return found + self._body_problems(headers, body, extras)

    def _header_problems(
        self, headers: Mapping[str, str], body: bytes | None, leniency: CollectionLeniency
    ) -> list[str]:
        problems = []
        for name, value in self.headers.items():
            sent = headers.get(name)
            if sent is None:
                if not (leniency.content_type_only_with_body and name == "content-type" and not body):
                    problems.append(f"header {name!r} missing")
            elif name in _COMPARED_HEADERS and "{{" not in value and _media(sent) != _media(value):
                problems.append(f"header {name!r} is {sent!r}, the collection sends {value!r}")
        authorization = headers.get("authorization", "")
        scheme = authorization.partition(" ")[0].lower()
        auth = self.auth
        if leniency.auth_in_headers and auth == "noauth" and self.header_auth is not None:
            auth = self.header_auth  # the collection writes its auth as a header
        if auth == "noauth" and authorization:
            problems.append("sends Authorization where the collection sends none")
        elif auth in ("bearer", "basic") and scheme != auth:
            problems.append(f"Authorization is not {auth!r}")
        return problems

    def _query_problems(self, query: list[tuple[str, str]]) -> list[str]:
        problems = []
        sent = dict(query)
        for key, value in self.query.items():
            if key not in sent:
                problems.append(f"query parameter {key!r} missing")
            elif not (_UUID.match(value) or value.isdigit() or "{{" in value) and sent[key] != value:
                problems.append(f"query parameter {key!r} is {sent[key]!r}, the collection sends {value!r}")
        unknown = sorted(set(sent) - set(self.query) - self.optional_query)
        if unknown:
            problems.append(f"query parameters not in the collection: {', '.join(unknown)}")
        return problems

    def _example_query_problems(self, query: list[tuple[str, str]], documented: frozenset[str]) -> list[str]:
        """The item's query is an example: any of its parameters may be left out, those sent keep the
        example's form, others must be documented for this item."""
        problems = []
        sent = dict(query)
        for key, value in self.query.items():
            if key in sent and "{{" not in value and _value_form(sent[key]) != _value_form(value):
                problems.append(
                    f"query parameter {key!r} is {sent[key]!r}, the collection's example is {_value_form(value)}"
                )
        for key in sent:
            if key in self.query or key in self.optional_query or key in documented:
                continue
            problems.append(f"query parameter {key!r} is neither in the collection nor documented for this item")
        if any(not value for value in sent.values()):
            problems.append("empty query parameter value")
        return problems

    def _body_problems(
        self, headers: Mapping[str, str], body: bytes | None, extras: DocumentedExtras | None = None
    ) -> list[str]:
        if self.body_mode is None:
            return ["sends a body where the collection sends none"] if body else []
        if self.body_mode != "raw" or self.raw_body is None:
            # Form and multipart bodies: only their presence is checked.
            return [] if body else [f"{self.body_mode} body missing"]
        if _media(headers.get("content-type", "")) != "application/json":
            return ["raw JSON body without Content-Type application/json"]
        try:
            sent: Any = json.loads(body or b"")
            expected: Any = json.loads(self.raw_body)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            return [f"body is not JSON: {exc}"]
        if type(sent) is not type(expected):
            return [f"body is a {type(sent).__name__}, the collection sends a {type(expected).__name__}"]
        if "{{" not in self.raw_body or not isinstance(expected, dict):
            return []  # an example (driver data): only its JSON type is fixed
        problems = []
        if extras is None:
            if sent.keys() != expected.keys():
                problems.append(f"body keys {sorted(sent)} differ from the collection's {sorted(expected)}")
            for key, value in expected.items():
                if isinstance(value, str) and "{{" not in value and sent.get(key) != value:
                    problems.append(f"body {key!r} is {sent.get(key)!r}, the collection sends {value!r}")
            return problems
        missing = sorted(expected.keys() - sent.keys())
        extra = sorted(sent.keys() - expected.keys() - extras.body_keys)
        if missing:
            problems.append(f"body lacks the collection's keys {missing}")
        if extra:
            problems.append(f"body keys {extra} are neither in the collection nor documented")
        for key, value in expected.items():
            if key not in sent or (isinstance(value, str) and "{{" in value):
                continue  # missing (reported above) or a placeholder: any value
            if isinstance(value, str) and key not in extras.example_values:
                if sent[key] != value:
                    problems.append(f"body {key!r} is {sent[key]!r}, the collection sends {value!r}")
            elif type(sent[key]) is not type(value):
                problems.append(
                    f"body {key!r} is a {type(sent[key]).__name__}, the collection sends a {type(value).__name__}"
                )
        return problems


def _auth_type(holder: Mapping[str, Any], inherited: str) -> str:
    auth = holder.get("auth")
    if not auth or auth.get("type") in (None, "inherit"):
        return inherited
    return str(auth["type"])


def load_items(collection_path: Path) -> list[PostmanItem]:
    collection = json.loads(read_text(collection_path))

    def walk(items: list[dict[str, Any]], auth: str) -> Iterator[tuple[dict[str, Any], str]]:
        # Postman resolves auth item -> enclosing folders -> collection.
        for item in items:
            if "item" in item:
                yield from walk(item["item"], _auth_type(item, auth))
            else:
                yield item, _auth_type(item.get("request") or {}, auth)

    parsed = []
    for item, auth in walk(collection["item"], _auth_type(collection, "noauth")):
        request = item["request"]
        url = request["url"]
        host = _HOST_VARIABLE.match(url["raw"])
        headers = {
            h["key"].lower(): str(h.get("value", "")) for h in request.get("header", []) if not h.get("disabled")
        }
        query = [q for q in url.get("query", []) if q.get("key")]
        body = request.get("body") or {}
        if body.get("mode") == "raw" and not str(body.get("raw") or "").strip():
            body = {}  # Postman sends no body for an empty raw one
        parsed.append(
            PostmanItem(
                name=item["name"],
                method=request["method"].upper(),
                host_variable=host.group(1) if host else "",
                path=tuple(url.get("path", [])),
                headers=headers,
                query={q["key"]: str(q.get("value", "")) for q in query if not q.get("disabled")},
                optional_query=frozenset(q["key"] for q in query if q.get("disabled")),
                auth=auth,
                body_mode=body.get("mode"),
                raw_body=body.get("raw") if body.get("mode") == "raw" else None,
                collection=collection_path.name,
            )
        )
    return parsed


@dataclass
class CheckedRequest:
    method: str
    path: str
    item: str | None  # the collection item it matched
    assumed: str | None = None  # or the assumed path template it matched
    problems: list[str] = field(default_factory=list)


class PostmanContract(SpecContract):
    def __init__(
        self,
        collection_path: Path | Sequence[Path],
        hosts: Mapping[str, str],
        assumed: Iterable[tuple[str, str, str]] = (),
        *,
        leniency: CollectionLeniency = STRICT,
    ) -> None:
        """`hosts` maps the collections' host variables (`api_host`, `communication_url`) to the base
        URLs the requests go to; `assumed` lists `(method, host variable, path template)` calls that
        the collections lack but the caller makes deliberately. Several collections can be given
        (OpenText spreads the Workflow Service over two); `leniency` chooses how to read them."""
        paths = [collection_path] if isinstance(collection_path, Path) else list(collection_path)
        super().__init__(paths[0], rewrite=lambda url: url)
        self.items = [item for path in paths for item in load_items(path)]
        self.leniency = leniency
        unknown = set(leniency.documented) - {item.name for item in self.items}
        if unknown:
            raise ValueError(f"documented extras for items no collection has: {sorted(unknown)}")
        self.hosts = {name: base.rstrip("/") for name, base in hosts.items()}
        self.assumed = [(m.upper(), host, template) for m, host, template in assumed]
        self.checked: list[CheckedRequest] = []

    @property
    def unmatched(self) -> list[CheckedRequest]:
        return [c for c in self.checked if c.item is None and c.assumed is None]

    def matched_items(self) -> set[str]:
        return {c.item for c in self.checked if c.item}

    def errors(self, method: str, url: str, headers: Mapping[str, str], body: bytes | None) -> list[str]:
        method = method.upper()
        lowered = {k.lower(): v for k, v in headers.items()}
        query = parse_qsl(urlsplit(url).query, keep_blank_values=True)
        record = CheckedRequest(method, urlsplit(url).path, None)
        self.checked.append(record)
        candidates = [i for i in self.items if i.method == method and self._matches(url, i.host_variable, i.path)]
        conforming: list[PostmanItem] = []
        for item in candidates:
            problems = item.problems(lowered, query, body, self.leniency)
            if problems:
                record.problems += [f"{item.name}: {p}" for p in problems]
            else:
                conforming.append(item)
        if conforming:
            # The most specific item wins: "PDF only" (with its Accept) over "Full response".
            record.item = max(conforming, key=lambda i: len(i.headers) + len(i.query)).name
            record.problems = []
            return []
        if candidates:
            return record.problems
        for assumed_method, host, template in self.assumed:
            if assumed_method == method and self._matches(url, host, tuple(_segments(template))):
                record.assumed = template
                if not lowered.get("authorization", "").lower().startswith("bearer "):
                    record.problems.append("assumed call without a bearer token")
                return record.problems
        record.problems.append("no item of the collection (and no declared assumption) has this method and path")
        return record.problems

    def _matches(self, url: str, host_variable: str, path: tuple[str, ...]) -> bool:
        base = self.hosts.get(host_variable)
        if base is None or not url.startswith(base):
            return False
        return _path_matches(path, _segments(urlsplit(url[len(base) :]).path))
