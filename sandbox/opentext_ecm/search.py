"""Content Server search (`POST /api/v2/search`) over the simulated node tree: the change feed.

Content Server publishes no webhooks; a client learns what changed by searching with a condition on
the modify date. The spec documents the call (form fields `where`, `sort`, `page`, `limit`, ...;
`where` is an LQL clause in complex-query mode, e.g. `test or OTSubType: 189`) but not the query
language, so the simulator understands a small, strict subset of it (ASSUMPTION, from Content
Server's LQL: region names and `YYYYMMDD` dates as its index stores them):

* clauses `Region:value` or `Region:<op>value` with `<op>` one of `=`, `>`, `>=`, `<`, `<=`,
  joined by `and` (or `&`); values plain or double-quoted;
* regions `OTModifyDate` and `OTCreateDate` (day precision, `YYYYMMDD`), `OTSubType`, `OTName`
  (exact, case-insensitive) and `OTLocation` (an ancestor's id: the node lies below it);
* `sort`: `relevance`, or `asc_`/`desc_` + `OTModifyDate`, `OTObjectDate`, `OTCreateDate`,
  `OTName`, `OTObjectSize`; equal values keep node-id order, so paging is stable.

Anything else is refused with the spec's 400 "Error Evaluating Query ..." text. The index is
always current here; a real one lags behind by the indexing delay.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sandbox.opentext_ecm.errors import cs_error
from sandbox.opentext_ecm.repository import ENTERPRISE_WORKSPACE_ID, NodeState, Repository

QUERY_ERROR = (
    "Error Evaluating Query, You have either not specified any search criterion at all, or one of your Livelink "
    "Query Language statements is incorrect."
)
_CLAUSE = re.compile(r'^\s*(OT[A-Za-z]+)\s*:\s*(>=|<=|=|>|<)?\s*("[^"]*"|[^\s"]+)\s*$')
_JOINER = re.compile(r"\s+(?:and|AND|And)\s+|\s*&\s*")
_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq,
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}
_DATE_REGIONS = {"OTModifyDate", "OTCreateDate"}
_SORT_KEYS: dict[str, Callable[[NodeState], Any]] = {
    "OTModifyDate": lambda n: n.modified_at,
    "OTObjectDate": lambda n: n.modified_at,
    "OTCreateDate": lambda n: n.created_at,
    "OTName": lambda n: n.name.lower(),
    "OTObjectSize": lambda n: n.versions[-1].size if n.versions else len(n.children),
}


@dataclass(frozen=True)
class Condition:
    region: str
    compare: Callable[[Any, Any], bool]
    value: object


def parse_where(where: str | None) -> list[Condition]:
    if where is None or not where.strip():
        raise cs_error(400, QUERY_ERROR)
    return [_clause(part) for part in _JOINER.split(where.strip())]


def _clause(text: str) -> Condition:
    match = _CLAUSE.match(text)
    if match is None:
        raise cs_error(400, QUERY_ERROR)
    region, op, raw = match.group(1), match.group(2) or "=", match.group(3).strip('"')
    compare = _COMPARE[op]
    if region in _DATE_REGIONS:
        try:
            return Condition(region, compare, datetime.strptime(raw, "%Y%m%d").date())
        except ValueError as exc:
            raise cs_error(400, QUERY_ERROR) from exc
    if region in ("OTSubType", "OTLocation"):
        if not re.fullmatch(r"-?\d+", raw) or (region == "OTLocation" and op != "="):
            raise cs_error(400, QUERY_ERROR)
        return Condition(region, compare, int(raw))
    if region == "OTName" and op == "=":
        return Condition(region, compare, raw.lower())
    raise cs_error(400, QUERY_ERROR)


def search(repository: Repository, conditions: list[Condition], sort: str | None) -> list[NodeState]:
    """Every node (below the Enterprise Workspace) meeting all conditions, in `sort` order."""
    found = [
        node
        for node in repository.nodes.values()
        if node.id != ENTERPRISE_WORKSPACE_ID and all(_meets(repository, node, c) for c in conditions)
    ]
    found.sort(key=lambda n: n.id)
    if sort in (None, "", "relevance"):
        return found
    direction, _, region = sort.partition("_")
    key = _SORT_KEYS.get(region)
    if direction not in ("asc", "desc") or key is None:
        raise cs_error(400, f"Invalid sort '{sort}'.")
    found.sort(key=key, reverse=direction == "desc")  # stable: equal values keep id order
    return found


def location_path(repository: Repository, node: NodeState) -> list[int]:
    """Ids from the Enterprise Workspace down to the node (the `OTLocation` region)."""
    path = [node.id]
    current = repository.nodes.get(node.parent_id)
    while current is not None:
        path.append(current.id)
        current = repository.nodes.get(current.parent_id)
    return list(reversed(path))


def _meets(repository: Repository, node: NodeState, condition: Condition) -> bool:
    region = condition.region
    if region == "OTModifyDate":
        return condition.compare(node.modified_at.date(), condition.value)
    if region == "OTCreateDate":
        return condition.compare(node.created_at.date(), condition.value)
    if region == "OTSubType":
        return condition.compare(node.subtype, condition.value)
    if region == "OTName":
        return node.name.lower() == condition.value
    # OTLocation: the node lies below (or is) the given container.
    return condition.value in location_path(repository, node)[:-1]
