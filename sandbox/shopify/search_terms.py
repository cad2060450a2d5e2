"""Shopify's search syntax for the other list queries (draft orders, companies, products, disputes).

The same grammar as `search` (terms, `OR`, `NOT`/`-`, quotes, trailing `*`), over a table of the
fields each resource supports. An unknown field is reported back as a search warning (Shopify's
`extensions.search`) and otherwise ignored, so connectors must check what they found.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from sandbox.shopify.search import _TOKEN, _text_match, _unquote

T = TypeVar("T")
FieldMatcher = Callable[[T, str], bool]


def text(getter: Callable[[T], str | None]) -> FieldMatcher[T]:
    """Case-insensitive equality (prefix with a trailing `*`) on one text attribute."""
    return lambda item, value: _text_match(value, getter(item))


def any_text(getter: Callable[[T], list[str]]) -> FieldMatcher[T]:
    return lambda item, value: any(_text_match(value, candidate) for candidate in getter(item))


def number(getter: Callable[[T], int | None]) -> FieldMatcher[T]:
    return lambda item, value: value.isdigit() and getter(item) == int(value)


@dataclass
class Search(Generic[T]):
    predicate: Callable[[T], bool]
    warnings: list[dict[str, str]] = field(default_factory=list)


def parse_search(
    query: str | None, fields: Mapping[str, FieldMatcher[T]], free_text: FieldMatcher[T] | None = None
) -> Search[T]:
    if not query or not query.strip():
        return Search(lambda _item: True)
    warnings: list[dict[str, str]] = []
    groups: list[list[Callable[[T], bool]]] = [[]]
    negate_next = False
    for token in _TOKEN.findall(query):
        if token == "OR":
            groups.append([])
            continue
        if token == "AND":
            continue
        if token == "NOT":
            negate_next = True
            continue
        term = _term(token, fields, free_text, warnings)
        if negate_next:
            term = _negate(term)
            negate_next = False
        groups[-1].append(term)

    def matches(item: T) -> bool:
        return any(all(term(item) for term in group) for group in groups if group)

    return Search(matches, warnings)


def _negate(term: Callable[[T], bool]) -> Callable[[T], bool]:
    return lambda item: not term(item)


def _term(
    token: str,
    fields: Mapping[str, FieldMatcher[T]],
    free_text: FieldMatcher[T] | None,
    warnings: list[dict[str, str]],
) -> Callable[[T], bool]:
    negated = token.startswith("-") and ":" in token
    if negated:
        token = token[1:]
    if ":" not in token or token.startswith(("'", '"')):
        word = _unquote(token)
        matcher = free_text or (lambda _item, _value: False)
        term: Callable[[T], bool] = lambda item: matcher(item, word)  # noqa: E731
    else:
        key, _, raw = token.partition(":")
        value = _unquote(raw)
        field_matcher = fields.get(key)
        if field_matcher is None:
            warnings.append({"field": key, "message": "Invalid search field for this query."})
            return lambda _item: True
        term = lambda item: field_matcher(item, value)  # noqa: E731
    return _negate(term) if negated else term
