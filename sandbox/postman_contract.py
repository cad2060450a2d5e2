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

`PostmanContract` is a `SpecContract`, so `tests.support.spec_transport.SpecCheckingTransport` uses it
like an OpenAPI contract.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from sandbox.openapi_contract import SpecContract

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
class PostmanItem:
    name: str
    method: str
    host_variable: str
    path: tuple[str, ...]
    headers: Mapping[str, str]  # enabled headers, lower-cased names
    query: Mapping[str, str]  # enabled query parameters
    optional_query: frozenset[str]  # documented but disabled parameters
    auth: str  # "bearer", "basic", "noauth"
    body_mode: str | None
    raw_body: str | None

    def problems(self, headers: Mapping[str, str], query: list[tuple[str, str]], body: bytes | None) -> list[str]:
        found = [*self._header_problems(headers), *self._query_problems(query)]
        return found + self._body_problems(headers, body)

    def _header_problems(self, headers: Mapping[str, str]) -> list[str]:
        problems = []
        for name, value in self.headers.items():
            sent = headers.get(name)
            if sent is None:
                problems.append(f"header {name!r} missing")
            elif name in _COMPARED_HEADERS and "{{" not in value and _media(sent) != _media(value):
                problems.append(f"header {name!r} is {sent!r}, the collection sends {value!r}")
        authorization = headers.get("authorization", "")
        scheme = authorization.partition(" ")[0].lower()
        if self.auth == "noauth" and authorization:
            problems.append("sends Authorization where the collection sends none")
        elif self.auth in ("bearer", "basic") and scheme != self.auth:
            problems.append(f"Authorization is not {self.auth!r}")
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

    def _body_problems(self, headers: Mapping[str, str], body: bytes | None) -> list[str]:
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
        if sent.keys() != expected.keys():
            problems.append(f"body keys {sorted(sent)} differ from the collection's {sorted(expected)}")
        for key, value in expected.items():
            if isinstance(value, str) and "{{" not in value and sent.get(key) != value:
                problems.append(f"body {key!r} is {sent.get(key)!r}, the collection sends {value!r}")
        return problems


def load_items(collection_path: Path) -> list[PostmanItem]:
    collection = json.loads(collection_path.read_text())
    default_auth = (collection.get("auth") or {}).get("type", "noauth")

    def walk(items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for item in items:
            if "item" in item:
                yield from walk(item["item"])
            else:
                yield item

    parsed = []
    for item in walk(collection["item"]):
        request = item["request"]
        url = request["url"]
        host = _HOST_VARIABLE.match(url["raw"])
        headers = {
            h["key"].lower(): str(h.get("value", "")) for h in request.get("header", []) if not h.get("disabled")
        }
        query = [q for q in url.get("query", []) if q.get("key")]
        body = request.get("body") or {}
        parsed.append(
            PostmanItem(
                name=item["name"],
                method=request["method"].upper(),
                host_variable=host.group(1) if host else "",
                path=tuple(url.get("path", [])),
                headers=headers,
                query={q["key"]: str(q.get("value", "")) for q in query if not q.get("disabled")},
                optional_query=frozenset(q["key"] for q in query if q.get("disabled")),
                auth=(request.get("auth") or {}).get("type", default_auth),
                body_mode=body.get("mode"),
                raw_body=body.get("raw") if body.get("mode") == "raw" else None,
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
        collection_path: Path,
        hosts: Mapping[str, str],
        assumed: Iterable[tuple[str, str, str]] = (),
    ) -> None:
        """`hosts` maps the collection's host variables (`api_host`, `communication_url`) to the base
        URLs the requests go to; `assumed` lists `(method, host variable, path template)` calls that
        the collection lacks but the caller makes deliberately."""
        super().__init__(collection_path, rewrite=lambda url: url)
        self.items = load_items(collection_path)
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
            problems = item.problems(lowered, query, body)
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
