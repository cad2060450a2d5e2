"""Split shipments: move some units of a fulfillment order into a new one (`fulfillmentOrderSplit`),
so they can be held while the rest ships.

The split has no idempotency key; callers make it repeat-safe by reading the fulfillment orders
first (`fulfillment_lines`) and splitting only what is not yet on a fulfillment order of its own.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import Field

from connectors.errors import ContractError, NotFoundError
from connectors.shopify import documents_order_edits as docs
from connectors.shopify.base import AdminBase
from connectors.shopify.client import SYSTEM
from connectors.shopify.models import FulfillmentHold, Record


class _LineItemRef(Record):
    id: str
    sku: str | None = None


class FulfillmentLine(Record):
    id: str  # the fulfillment order line item
    remaining_quantity: int
    line_item: _LineItemRef


class _FulfillmentLinePage(Record):
    nodes: list[FulfillmentLine] = Field(default_factory=list)


class FulfillmentOrderLines(Record):
    id: str
    status: str
    fulfillment_holds: list[FulfillmentHold] = Field(default_factory=list)
    line_items: _FulfillmentLinePage = Field(default_factory=_FulfillmentLinePage)

    @property
    def lines(self) -> list[FulfillmentLine]:
        return self.line_items.nodes


class _FulfillmentOrderPage(Record):
    nodes: list[FulfillmentOrderLines] = Field(default_factory=list)


class _OrderFulfillmentLines(Record):
    id: str
    fulfillment_orders: _FulfillmentOrderPage = Field(default_factory=_FulfillmentOrderPage)


class SplitShipmentOperations(AdminBase):
    async def fulfillment_lines(self, order_gid: str) -> list[FulfillmentOrderLines]:
        data = await self.client.execute(docs.ORDER_FULFILLMENT_LINES, {"id": order_gid}, operation="order")
        if data.get("order") is None:
            raise NotFoundError(f"order {order_gid} not found", system=SYSTEM, operation="order")
        return _OrderFulfillmentLines.model_validate(data["order"]).fulfillment_orders.nodes

    async def split_fulfillment_order(self, fulfillment_order_id: str, units: Mapping[str, int]) -> str:
        """Move `units` (fulfillment order line item id -> quantity) to a new fulfillment order;
        returns its id."""
        split = {
            "fulfillmentOrderId": fulfillment_order_id,
            "fulfillmentOrderLineItems": [{"id": item, "quantity": quantity} for item, quantity in units.items()],
        }
        payload = await self._mutate(
            docs.FULFILLMENT_ORDER_SPLIT, {"splits": [split]}, operation="fulfillmentOrderSplit"
        )
        results = payload.get("fulfillmentOrderSplits") or []
        if len(results) != 1:
            raise ContractError("one split result expected", system=SYSTEM, operation="fulfillmentOrderSplit")
        # Shopify may answer with a replacement instead when the original could not be split.
        moved = results[0].get("remainingFulfillmentOrder") or results[0].get("replacementFulfillmentOrder")
        if not moved:
            raise ContractError("split fulfillment order missing", system=SYSTEM, operation="fulfillmentOrderSplit")
        return str(moved["id"])
