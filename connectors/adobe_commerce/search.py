"""Magento `searchCriteria` query parameters, and paging through search results.

Filters inside one group are ORed, groups are ANDed: `Filter` lists passed to `search_params` are
one group each. Paging stops on `total_count` (Magento answers the last page again past the end).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from connectors.adobe_commerce.client import AdobeCommerceClient
from connectors.adobe_commerce.contract import DEFAULT_PAGE_SIZE, MAX_PAGES, SEARCH_FILTER_GROUPS_KEY, SYSTEM
from connectors.adobe_commerce.models import SearchResult
from connectors.errors import ContractError

_Item = TypeVar("_Item")


@dataclass(frozen=True)
class Filter:
    field: str
    value: str | int
    condition_type: str = "eq"  # eq, neq, like, in, nin, gt, gteq, lt, lteq, null, notnull, ...


def search_params(
    groups: Sequence[Sequence[Filter]],
    *,
    page_size: int = DEFAULT_PAGE_SIZE,
    current_page: int = 1,
    sort: Sequence[tuple[str, str]] = (),
) -> dict[str, str | int]:
    params: dict[str, str | int] = {}
    for g, group in enumerate(groups):
        for f, flt in enumerate(group):
            prefix = f"searchCriteria[{SEARCH_FILTER_GROUPS_KEY}][{g}][filters][{f}]"
            params[f"{prefix}[field]"] = flt.field
            params[f"{prefix}[value]"] = str(flt.value)
            params[f"{prefix}[condition_type]"] = flt.condition_type
    for s, (field, direction) in enumerate(sort):
        params[f"searchCriteria[sortOrders][{s}][field]"] = field
        params[f"searchCriteria[sortOrders][{s}][direction]"] = direction
    params["searchCriteria[pageSize]"] = page_size
    params["searchCriteria[currentPage]"] = current_page
    return params


def where(field: str, value: str | int, condition_type: str = "eq") -> list[Sequence[Filter]]:
    """One filter as the only group: the common case."""
    return [[Filter(field, value, condition_type)]]


async def search_all(
    client: AdobeCommerceClient,
    item_type: type[_Item],
    operation: str,
    path: str,
    groups: Sequence[Sequence[Filter]],
    *,
    page_size: int = DEFAULT_PAGE_SIZE,
    sort: Sequence[tuple[str, str]] = (),
) -> list[_Item]:
    """Every match across pages."""
    items: list[_Item] = []
    for page in range(1, MAX_PAGES + 1):
        params = search_params(groups, page_size=page_size, current_page=page, sort=sort)
        result = await client.call_as(SearchResult[item_type], operation, "GET", path, params=params)  # type: ignore[valid-type]
        items.extend(result.items)
        if not result.items or len(items) >= result.total_count:
            return items[: result.total_count] if result.total_count else items
    raise ContractError(f"more than {MAX_PAGES} pages", system=SYSTEM, operation=operation)
