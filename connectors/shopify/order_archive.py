"""Reads for the transaction archive: the orders created in a date range, oldest first, and one
order with its lines, refunds and fulfillments.

Shopify has no invoice object (an order's payment is a transaction on the order itself), so the
archive gets the order, its refunds and its fulfillments from here and nothing else.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

from pydantic import Field

from connectors.errors import ContractError, NotFoundError
from connectors.shopify import documents_archive as docs
from connectors.shopify.base import AdminBase
from connectors.shopify.client import SYSTEM
from connectors.shopify.models import MoneyBag, Node, Page, Record


class _PageInfo(Record):
    has_next_page: bool = False
    end_cursor: str | None = None


class CreatedOrder(Record):
    id: str
    legacy_resource_id: str
    name: str
    created_at: datetime


class CreatedOrdersPage(Record):
    """One page of `orders` by creation time; `end_cursor` continues it (None: nothing after)."""

    nodes: list[CreatedOrder] = Field(default_factory=list)
    page_info: _PageInfo = Field(default_factory=_PageInfo)


class _LineRef(Record):
    sku: str | None = None
    title: str


class ArchiveLineItem(Record):
    sku: str | None = None
    title: str
    quantity: int
    original_unit_price_set: MoneyBag
    discounted_total_set: MoneyBag


class _LineItemPage(Record):
    nodes: list[ArchiveLineItem] = Field(default_factory=list)
    page_info: _PageInfo = Field(default_factory=_PageInfo)


class ArchiveRefundLine(Record):
    quantity: int
    line_item: _LineRef
    price_set: MoneyBag
    subtotal_set: MoneyBag
    total_tax_set: MoneyBag


class ArchiveRefund(Record):
    id: str
    created_at: datetime | None = None
    total_refunded_set: MoneyBag
    refund_line_items: Page[ArchiveRefundLine] = Field(default_factory=Page[ArchiveRefundLine])


class ArchiveTracking(Record):
    company: str | None = None
    number: str | None = None


class ArchiveFulfillmentLine(Record):
    quantity: int | None = None
    line_item: _LineRef


class ArchiveFulfillment(Record):
    id: str
    name: str
    status: str
    created_at: datetime
    tracking_info: list[ArchiveTracking] = Field(default_factory=list)
    fulfillment_line_items: Page[ArchiveFulfillmentLine] = Field(default_factory=Page[ArchiveFulfillmentLine])


class _OrderRefunds(Record):
    refunds: list[ArchiveRefund] = Field(default_factory=list)


class ArchiveOrder(Record):
    """An order as the archive keeps it: amounts, lines, refunds, fulfillments, and the customer's id
    only (no name, e-mail or address is asked for)."""

    id: str
    legacy_resource_id: str
    name: str
    created_at: datetime
    currency_code: str
    display_financial_status: str | None = None
    display_fulfillment_status: str | None = None
    customer: Node | None = None
    total_price_set: MoneyBag
    subtotal_price_set: MoneyBag | None = None
    total_tax_set: MoneyBag | None = None
    line_items: _LineItemPage = Field(default_factory=_LineItemPage)
    refunds: list[ArchiveRefund] = Field(default_factory=list)
    fulfillments: list[ArchiveFulfillment] = Field(default_factory=list)


def created_range_query(created_from: datetime, created_to: datetime) -> str:
    """`created_at:>='…' created_at:<'…'` in whole UTC seconds: exactly the orders whose reported
    (whole-second) `createdAt` is in `[created_from, created_to)`.

    ASSUMPTION: Shopify's search compares `created_at` to the second (its documented examples carry
    no fractions, and `createdAt` is reported without them); callers re-check the exact range.
    """
    start = datetime.fromtimestamp(math.ceil(created_from.timestamp()), UTC)
    end = datetime.fromtimestamp(math.ceil(created_to.timestamp()), UTC)
    return f"created_at:>='{_utc(start)}' created_at:<'{_utc(end)}'"


def _utc(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class OrderArchiveOperations(AdminBase):
    async def orders_created(
        self, created_from: datetime, created_to: datetime, *, first: int, after: str | None = None
    ) -> CreatedOrdersPage:
        """Orders created in `[created_from, created_to)`, oldest first, `first` at most; `after` is
        the previous page's `end_cursor`. Only `has_next_page` False means the end: should the search
        read the bounds otherwise than `created_range_query` assumes, the re-check below may leave a
        page with fewer orders than asked."""
        variables = {"first": first, "after": after, "query": created_range_query(created_from, created_to)}
        data = await self.client.execute(docs.ORDERS_CREATED, variables, operation="orders")
        page = CreatedOrdersPage.model_validate(data["orders"])
        # Re-checked against the reported (whole-second) `createdAt`, so the range means what callers
        # see; and Shopify ignores a filter it cannot read and would list every order.
        page.nodes = [o for o in page.nodes if created_from <= o.created_at < created_to]
        return page

    async def order_for_archive(self, order_gid: str) -> ArchiveOrder:
        """One order with every line (paged past the first 50), its refunds and fulfillments
        (up to 20 of each, with up to 50 lines apiece). Two reads (more for many lines): the refunds are read
        apart, to keep each query within the cost budget, so one made in between may show up
        in them though not yet in the order's financial status."""
        data = await self.client.execute(docs.ORDER_TRANSACTIONS, {"id": order_gid}, operation="order")
        if data.get("order") is None:
            raise NotFoundError(f"order {order_gid} not found", system=SYSTEM, operation="order")
        order = ArchiveOrder.model_validate(data["order"])
        order.line_items.nodes.extend(await self._more_archive_lines(order_gid, order.line_items.page_info))
        refunds = await self.client.execute(docs.ORDER_REFUNDS_FOR_ARCHIVE, {"id": order_gid}, operation="order")
        if refunds.get("order") is None:
            raise NotFoundError(f"order {order_gid} not found", system=SYSTEM, operation="order")
        order.refunds = _OrderRefunds.model_validate(refunds["order"]).refunds
        return order

    async def _more_archive_lines(self, order_gid: str, page_info: _PageInfo) -> list[ArchiveLineItem]:
        lines: list[ArchiveLineItem] = []
        while page_info.has_next_page:
            if page_info.end_cursor is None:
                raise ContractError("line item page without a cursor", system=SYSTEM, operation="order")
            more = await self.client.execute(
                docs.ORDER_LINE_ITEMS_PAGE, {"id": order_gid, "after": page_info.end_cursor}, operation="order"
            )
            if more.get("order") is None:
                raise NotFoundError(f"order {order_gid} not found", system=SYSTEM, operation="order")
            page = _LineItemPage.model_validate(more["order"]["lineItems"])
            lines.extend(page.nodes)
            page_info = page.page_info
        return lines
