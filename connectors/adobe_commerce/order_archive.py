"""Reads for the transaction archive: one page of the orders created in a date range (oldest first),
of one customer when asked (their later orders), and an order's shipments. Its invoices and credit
memos come from `AdobeSales` (`invoices_for_order`, `credit_memos_for_order`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from connectors.adobe_commerce.client import AdobeCommerceClient
from connectors.adobe_commerce.contract import SYSTEM
from connectors.adobe_commerce.models import Order, SearchResult
from connectors.adobe_commerce.search import Filter, search_all, search_params, where
from connectors.errors import ContractError

# Magento's `created_at`: UTC, to the second, with no zone (`2025-01-31 23:59:59`).
MAGENTO_TIME = "%Y-%m-%d %H:%M:%S"
MAX_PAGE_SIZE = 300  # ASSUMPTION: Magento caps no `pageSize`; this keeps one answer reasonably small


class _Wire(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class ShipmentItem(_Wire):
    order_item_id: int
    sku: str | None = None
    name: str | None = None
    qty: Decimal


class ShipmentTrack(_Wire):
    track_number: str | None = None
    title: str | None = None
    carrier_code: str | None = None


class Shipment(_Wire):
    entity_id: int
    increment_id: str | None = None
    order_id: int
    created_at: str | None = None
    items: list[ShipmentItem] = Field(default_factory=list)
    tracks: list[ShipmentTrack] = Field(default_factory=list)


@dataclass(frozen=True)
class CreatedOrdersPage:
    orders: list[Order]
    more: bool  # False on the last page


def magento_time(value: str | None) -> datetime | None:
    """A Magento timestamp as an aware UTC datetime (None when absent)."""
    if not value:
        return None
    try:
        return datetime.strptime(value, MAGENTO_TIME).replace(tzinfo=UTC)
    except ValueError as exc:
        raise ContractError(f"unexpected timestamp {value!r}", system=SYSTEM, operation="orders") from exc


def _magento_seconds(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime(MAGENTO_TIME)


class AdobeOrderArchive:
    def __init__(self, client: AdobeCommerceClient) -> None:
        self.client = client

    async def orders_created_page(
        self,
        created_from: datetime,
        created_to: datetime,
        *,
        page: int,
        page_size: int,
        customer_id: int | None = None,
    ) -> CreatedOrdersPage:
        """Page `page` (from 1) of the orders created in `[created_from, created_to)` (by customer
        `customer_id` only, when given), by `created_at` then `entity_id`, so the same page comes
        back on a rerun while no order is added to the range. `created_at` is compared in whole
        seconds, as Magento stores it. ASSUMPTION: text comparison of `created_at` (`gteq`/`lt`)
        orders timestamps, which holds for Magento's fixed-width UTC format."""
        if page < 1 or not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page must be at least 1 and page_size between 1 and {MAX_PAGE_SIZE}")
        groups = [
            [Filter("created_at", _magento_seconds(math.ceil(created_from.timestamp())), "gteq")],
            [Filter("created_at", _magento_seconds(math.ceil(created_to.timestamp())), "lt")],
        ]
        if customer_id is not None:
            groups.append([Filter("customer_id", customer_id)])
        params = search_params(
            groups, page_size=page_size, current_page=page, sort=[("created_at", "ASC"), ("entity_id", "ASC")]
        )
        result = await self.client.call_as(
            SearchResult[Order], "orders_created_page", "GET", "/V1/orders", params=params
        )
        if (page - 1) * page_size >= result.total_count:
            return CreatedOrdersPage([], more=False)  # Magento answers the last page again past the end
        in_range = [
            o
            for o in result.items
            if _within(o, created_from, created_to) and (customer_id is None or o.customer_id == customer_id)
        ]
        return CreatedOrdersPage(in_range, more=page * page_size < result.total_count)

    async def shipments_for_order(self, order_id: int) -> list[Shipment]:
        return await search_all(
            self.client, Shipment, "shipments_for_order", "/V1/shipments", where("order_id", order_id)
        )


def _within(order: Order, created_from: datetime, created_to: datetime) -> bool:
    """Re-checked on the answer: a filter Magento could not apply would otherwise widen the page."""
    created = magento_time(order.created_at)
    return created is not None and created_from <= created < created_to
