"""Shopify's search syntax for `orders(query: ...)`, reduced to what a connector looks orders up by.

Supported: `field:value` terms joined by spaces or `AND`, alternatives with `OR`, negation with a
leading `-` or `NOT`, quoted values, a trailing `*` for prefix matches, and `>`/`>=`/`<`/`<=` on ids
and dates. Fields: tag, tag_not, name, email, id, status, financial_status, fulfillment_status,
source_name, source_identifier, customer_id, test, created_at, updated_at, processed_at; a bare word
matches name, email or a tag. An unknown field is reported back as a search
warning, as Shopify does in `extensions.search`, and is otherwise ignored (the other terms still
filter) - so a lookup by a misspelt field matches broadly, which is why connectors must read the
warnings.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sandbox.shopify.state import Order

Predicate = Callable[[Order], bool]

_TOKEN = re.compile(r"""-?[\w.]+:(?:[<>]=?)?(?:"[^"]*"|'[^']*'|\S+)|"[^"]*"|'[^']*'|\S+""")
_KNOWN_FIELDS = {
    "tag",
    "tag_not",
    "name",
    "email",
    "id",
    "status",
    "financial_status",
    "fulfillment_status",
    "source_name",
    "source_identifier",
    "customer_id",
    "test",
    "created_at",
    "updated_at",
    "processed_at",
}


@dataclass
class ParsedQuery:
    predicate: Predicate
    warnings: list[dict[str, str]] = field(default_factory=list)


def parse_order_query(query: str | None) -> ParsedQuery:
    if not query or not query.strip():
        return ParsedQuery(lambda _order: True)
    warnings: list[dict[str, str]] = []
    groups: list[list[Predicate]] = [[]]
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
        predicate = _term(token, warnings)
        if negate_next:
            predicate = _negate(predicate)
            negate_next = False
        groups[-1].append(predicate)

    def matches(order: Order) -> bool:
        return any(all(p(order) for p in group) for group in groups if group)

    return ParsedQuery(matches, warnings)


def _negate(predicate: Predicate) -> Predicate:
    return lambda order: not predicate(order)


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def _text_match(pattern: str, candidate: str | None) -> bool:
    if candidate is None:
        return False
    pattern, candidate = pattern.lower(), candidate.lower()
    if pattern.endswith("*"):
        return candidate.startswith(pattern[:-1])
    return candidate == pattern


def _term(token: str, warnings: list[dict[str, str]]) -> Predicate:
    negated = token.startswith("-") and ":" in token
    if negated:
        token = token[1:]
    if ":" not in token or token.startswith(("'", '"')):
        word = _unquote(token)

        def free_text(o: Order) -> bool:
            return (
                _text_match(word, o.name.lstrip("#"))
                or _text_match(word, o.name)
                or _text_match(word, o.contact_email)
                or any(_text_match(word, t) for t in o.tags)
            )

        return _negate(free_text) if negated else free_text
    key, _, raw = token.partition(":")
    comparator = ""
    for op in (">=", "<=", ">", "<"):
        if raw.startswith(op):
            comparator, raw = op, raw[len(op) :]
            break
    value = _unquote(raw)
    if key not in _KNOWN_FIELDS:
        warnings.append({"field": key, "message": "Invalid search field for this query."})
        return lambda _o: True
    predicate = _field_predicate(key, value, comparator)
    return _negate(predicate) if negated else predicate


def _compare(left: float, comparator: str, right: float) -> bool:
    if comparator == ">":
        return left > right
    if comparator == ">=":
        return left >= right
    if comparator == "<":
        return left < right
    if comparator == "<=":
        return left <= right
    return left == right


def _parse_when(value: str) -> float | None:
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return None
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp()


def _field_predicate(key: str, value: str, comparator: str) -> Predicate:
    if key == "tag":
        return lambda o: any(_text_match(value, t) for t in o.tags)
    if key == "tag_not":
        return lambda o: not any(_text_match(value, t) for t in o.tags)
    if key == "name":
        return lambda o: _text_match(value.lstrip("#"), o.name.lstrip("#"))
    if key == "email":
        return lambda o: _text_match(value, o.contact_email)
    if key == "source_name":
        return lambda o: _text_match(value, o.source_name)
    if key == "source_identifier":
        return lambda o: _text_match(value, o.source_identifier)
    if key == "customer_id":
        return lambda o: o.customer is not None and str(o.customer.id) == value
    if key == "test":
        return lambda o: o.test == (value.lower() == "true")
    if key == "financial_status":
        return lambda o: o.financial_status.lower() == value.lower()
    if key == "fulfillment_status":
        return lambda o: _fulfillment_matches(o, value.lower())
    if key == "status":
        return lambda o: _status_matches(o, value.lower())
    if key == "id":
        if not value.isdigit():
            return lambda _o: False
        wanted = int(value)
        return lambda o: _compare(o.id, comparator, wanted)
    # created_at / updated_at / processed_at
    when = _parse_when(value)
    if when is None:
        return lambda _o: False
    attribute = key
    return lambda o: _compare(getattr(o, attribute).timestamp(), comparator or ">=", when)


def _status_matches(order: Order, value: str) -> bool:
    if value == "cancelled":
        return order.cancelled_at is not None
    if value == "closed":
        return order.closed
    if value in ("open", "not_closed"):
        return not order.closed and (value == "not_closed" or order.cancelled_at is None)
    return value == "any"


def _fulfillment_matches(order: Order, value: str) -> bool:
    status = order.display_fulfillment_status
    if value in ("unshipped", "unfulfilled"):
        return status in ("UNFULFILLED", "ON_HOLD", "SCHEDULED", "IN_PROGRESS")
    if value == "on_hold":
        return status == "ON_HOLD"
    return status.lower() == value
