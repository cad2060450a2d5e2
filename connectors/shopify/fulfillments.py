"""Fulfillments (`fulfillmentCreateV2`): shipping is what makes units returnable."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import Field

from connectors.shopify import documents_aftersales as docs
from connectors.shopify.base import AdminBase
from connectors.shopify.models import InputModel, Node, Page, Record


class FulfillmentOrderLine(InputModel):
    """Some units of one fulfillment order line item (`FulfillmentOrderLineItemInput`)."""

    id: str
    quantity: int = Field(ge=1)


class TrackingInfo(InputModel):
    company: str | None = None
    number: str | None = None
    url: str | None = None


class FulfillmentLineItem(Record):
    id: str
    quantity: int | None = None
    line_item: Node


class Fulfillment(Record):
    id: str
    name: str
    status: str
    total_quantity: int = 0
    fulfillment_line_items: Page[FulfillmentLineItem] = Field(default_factory=Page[FulfillmentLineItem])


class FulfillmentOperations(AdminBase):
    async def create_fulfillment(
        self,
        fulfillment_order_id: str,
        lines: Sequence[FulfillmentOrderLine] | None = None,
        *,
        tracking: TrackingInfo | None = None,
        notify_customer: bool = False,
    ) -> Fulfillment:
        """Ship `lines` of one fulfillment order, or everything still open on it when `lines` is None."""
        group: dict[str, object] = {"fulfillmentOrderId": fulfillment_order_id}
        if lines is not None:
            group["fulfillmentOrderLineItems"] = [line.as_input() for line in lines]
        fulfillment: dict[str, object] = {"lineItemsByFulfillmentOrder": [group], "notifyCustomer": notify_customer}
        if tracking is not None:
            fulfillment["trackingInfo"] = tracking.as_input()
        payload = await self._mutate(
            docs.CREATE_FULFILLMENT, {"fulfillment": fulfillment}, operation="fulfillmentCreateV2"
        )
        return Fulfillment.model_validate(self._required(payload, "fulfillment", "fulfillmentCreateV2"))
