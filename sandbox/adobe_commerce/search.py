"""Magento `searchCriteria` as the web API reads it, applied to rendered entities.

Both spellings are accepted (`filter_groups`/`filterGroups`, `condition_type`/`conditionType`, ...)
because Magento converts snake_case keys to camelCase. Groups are ANDed, filters in a group ORed.
Like Magento, a list call without any `searchCriteria` is refused, and a page past the end answers
the last page again.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from sandbox.adobe_commerce.errors import bad_request, required_field

_FILTER = re.compile(
    r"^searchCriteria\[(?:filter_groups|filterGroups)\]\[(\d+)\]\[filters\]\[(\d+)\]"
    r"\[(field|value|condition_type|conditionType)\]$"
)
_SORT = re.compile(r"^searchCriteria\[(?:sort_orders|sortOrders)\]\[(\d+)\]\[(field|direction)\]$")
_PAGE_SIZE = re.compile(r"^searchCriteria\[(?:page_size|pageSize)\]$")
_CURRENT_PAGE = re.compile(r"^searchCriteria\[(?:current_page|currentPage)\]$")

JSON = dict[str, Any]


@dataclass
class Criteria:
    groups: list[list[dict[str, str]]] = field(default_factory=list)
    sort: list[dict[str, str]] = field(default_factory=list)
    page_size: int | None = None
    current_page: int = 1

    def echo(self) -> JSON:
        echoed: JSON = {
            "filter_groups": [{"filters": filters} for filters in self.groups],
            "current_page": self.current_page,
        }
        if self.sort:
            echoed["sort_orders"] = self.sort
        if self.page_size is not None:
            echoed["page_size"] = self.page_size
        return echoed


def parse_criteria(query: Iterable[tuple[str, str]]) -> Criteria:
    groups: dict[int, dict[int, dict[str, str]]] = {}
    sorts: dict[int, dict[str, str]] = {}
    criteria = Criteria()
    seen = False
    for key, value in query:
        if not key.startswith("searchCriteria"):
            continue
        seen = True
        if match := _FILTER.match(key):
            part = {"conditionType": "condition_type"}.get(match.group(3), match.group(3))
            groups.setdefault(int(match.group(1)), {}).setdefault(int(match.group(2)), {})[part] = value
        elif match := _SORT.match(key):
            sorts.setdefault(int(match.group(1)), {})[match.group(2)] = value
        elif _PAGE_SIZE.match(key):
            criteria.page_size = _positive(value, "pageSize")
        elif _CURRENT_PAGE.match(key):
            criteria.current_page = _positive(value, "currentPage")
    if not seen:
        raise required_field("searchCriteria")
    for g in sorted(groups):
        filters = []
        for f in sorted(groups[g]):
            flt = groups[g][f]
            if "field" not in flt:
                raise required_field("field")
            filters.append(
                {
                    "field": flt["field"],
                    "value": flt.get("value", ""),
                    "condition_type": flt.get("condition_type", "eq"),
                }
            )
        criteria.groups.append(filters)
    for s in sorted(sorts):
        criteria.sort.append({"field": sorts[s].get("field", ""), "direction": sorts[s].get("direction", "ASC")})
    return criteria


def _positive(value: str, name: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise bad_request(
            'The "%1" value\'s type is invalid. The "%2" type was expected. Verify and try again.', [value, "int"]
        ) from None
    if number < 1:
        raise bad_request("%1 must be greater than 0.", [name])
    return number


def _as_number(value: object) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _sort_key(value: object) -> tuple[bool, bool, Decimal, str]:
    number = _as_number(value)
    return (value is None, number is None, number if number is not None else Decimal(0), str(value))


def _compare(actual: object, wanted: str) -> int | None:
    """-1/0/1 comparing an entity value with a filter value; numbers numerically, else as text."""
    a, w = _as_number(actual), _as_number(wanted)
    if a is not None and w is not None:
        return (a > w) - (a < w)
    if actual is None:
        return None
    text = str(actual)
    return (text > wanted) - (text < wanted)


def _like(actual: object, pattern: str) -> bool:
    regex = "^" + ".*".join(re.escape(part) for part in pattern.split("%")) + "$"
    return actual is not None and re.match(regex, str(actual), re.IGNORECASE) is not None


_CONDITIONS: dict[str, Callable[[object, str], bool]] = {
    "eq": lambda a, v: _compare(a, v) == 0,
    "neq": lambda a, v: _compare(a, v) != 0,
    "like": _like,
    "nlike": lambda a, v: not _like(a, v),
    "in": lambda a, v: any(_compare(a, x.strip()) == 0 for x in v.split(",")),
    "nin": lambda a, v: all(_compare(a, x.strip()) != 0 for x in v.split(",")),
    "gt": lambda a, v: _compare(a, v) == 1,
    "gteq": lambda a, v: _compare(a, v) in (0, 1),
    "lt": lambda a, v: _compare(a, v) == -1,
    "lteq": lambda a, v: _compare(a, v) in (0, -1),
    "from": lambda a, v: _compare(a, v) in (0, 1),
    "to": lambda a, v: _compare(a, v) in (0, -1),
    "null": lambda a, v: a is None,
    "notnull": lambda a, v: a is not None,
}


def search(rows: list[JSON], criteria: Criteria) -> JSON:
    """The `*-search-result-interface` answer for `rows` (already rendered as JSON)."""
    for group in criteria.groups:
        for flt in group:
            if flt["condition_type"] not in _CONDITIONS:
                raise bad_request('Invalid condition type "%1".', [flt["condition_type"]])

    def matches(row: JSON) -> bool:
        return all(
            any(_CONDITIONS[f["condition_type"]](row.get(f["field"]), f["value"]) for f in group)
            for group in criteria.groups
        )

    found = [row for row in rows if matches(row)]
    for order in reversed(criteria.sort):
        key = order["field"]
        found.sort(key=lambda r: _sort_key(r.get(key)), reverse=order["direction"].upper() == "DESC")
    total = len(found)
    page = found
    if criteria.page_size is not None and total:
        last_page = max(1, math.ceil(total / criteria.page_size))
        current = min(criteria.current_page, last_page)  # Magento: past the end answers the last page
        start = (current - 1) * criteria.page_size
        page = found[start : start + criteria.page_size]
    return {"items": page, "search_criteria": criteria.echo(), "total_count": total}
