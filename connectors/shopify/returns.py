"""Returns: what can be returned (`returnableFulfillments`), `returnRequest` (by fulfillment line
item, with a `ReturnReason`), the merchant's approve/decline, and reading a return back."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from pydantic import Field

from connectors.errors import NotFoundError
from connectors.shopify import documents_aftersales as docs
from connectors.shopify.base import AdminBase
from connectors.shopify.client import SYSTEM
from connectors.shopify.models import InputModel, Node, Page, Record

ReturnReason = Literal[
    "SIZE_TOO_SMALL",
    "SIZE_TOO_LARGE",
    "UNWANTED",
    "NOT_AS_DESCRIBED",
    "WRONG_ITEM",
    "DEFECTIVE",
    "STYLE",
    "COLOR",
    "OTHER",
    "UNKNOWN",
]
ReturnDeclineReason = Literal["RETURN_PERIOD_ENDED", "FINAL_SALE", "OTHER"]


class ReturnLine(InputModel):
    """Units of one shipped line to return (`ReturnRequestLineItemInput`)."""

    fulfillment_line_item_id: str
    quantity: int = Field(ge=1)
    return_reason: ReturnReason
    customer_note: str | None = None


class FulfillmentLineItemRef(Record):
    id: str
    line_item: Node


class ReturnableLineItem(Record):
    quantity: int
    fulfillment_line_item: FulfillmentLineItemRef


class ReturnableFulfillment(Record):
    id: str
    fulfillment: Node
    returnable_fulfillment_line_items: Page[ReturnableLineItem] = Field(default_factory=Page[ReturnableLineItem])

    @property
    def items(self) -> list[ReturnableLineItem]:
        return self.returnable_fulfillment_line_items.nodes


class ReturnLineItem(Record):
    id: str
    quantity: int
    return_reason: str
    customer_note: str | None = None
    fulfillment_line_item: FulfillmentLineItemRef


class ReturnDecline(Record):
    reason: str
    note: str | None = None


class Return(Record):
    id: str
    name: str
    status: str  # ReturnStatus: REQUESTED, OPEN, DECLINED, CLOSED, CANCELED
    total_quantity: int = 0
    order: Node
    decline: ReturnDecline | None = None
    return_line_items: Page[ReturnLineItem] = Field(default_factory=Page[ReturnLineItem])


class ReturnOperations(AdminBase):
    async def returnable_fulfillments(self, order_gid: str) -> list[ReturnableFulfillment]:
        data = await self.client.execute(
            docs.RETURNABLE_FULFILLMENTS, {"orderId": order_gid}, operation="returnableFulfillments"
        )
        return [ReturnableFulfillment.model_validate(n) for n in data["returnableFulfillments"]["nodes"]]

    async def request_return(self, order_gid: str, lines: Sequence[ReturnLine]) -> Return:
        """The buyer's request: the return starts REQUESTED and waits for the merchant's decision."""
        variables = {"input": {"orderId": order_gid, "returnLineItems": [line.as_input() for line in lines]}}
        payload = await self._mutate(docs.REQUEST_RETURN, variables, operation="returnRequest")
        return Return.model_validate(self._required(payload, "return", "returnRequest"))

    async def approve_return(self, return_gid: str, *, notify_customer: bool = False) -> Return:
        """REQUESTED → OPEN. A return in another state raises `ConflictError`."""
        variables = {"input": {"id": return_gid, "notifyCustomer": notify_customer}}
        payload = await self._mutate(docs.APPROVE_RETURN, variables, operation="returnApproveRequest")
        return Return.model_validate(self._required(payload, "return", "returnApproveRequest"))

    async def decline_return(
        self, return_gid: str, reason: ReturnDeclineReason, *, note: str | None = None, notify_customer: bool = False
    ) -> Return:
        """REQUESTED → DECLINED with the reason. A return in another state raises `ConflictError`."""
        decline: dict[str, object] = {"id": return_gid, "declineReason": reason, "notifyCustomer": notify_customer}
        if note is not None:
            decline["declineNote"] = note
        payload = await self._mutate(docs.DECLINE_RETURN, {"input": decline}, operation="returnDeclineRequest")
        return Return.model_validate(self._required(payload, "return", "returnDeclineRequest"))

    async def get_return(self, return_gid: str) -> Return:
        data = await self.client.execute(docs.GET_RETURN, {"id": return_gid}, operation="return")
        if data.get("return") is None:
            raise NotFoundError(f"return {return_gid} not found", system=SYSTEM, operation="return")
        return Return.model_validate(data["return"])
