"""The body of `POST /events/return-request`: what a BigCommerce store's return form or RMA app
sends (`shim.returns` routes it, `shim.facts.bigcommerce` makes the return's facts of it)."""

from __future__ import annotations

from pydantic import BaseModel, Field, field_validator

from connectors.payload_bounds import EntityId, NumericId, Quantity, Sku
from shim.events import StoreEvent


class ReturnFormLine(BaseModel):
    order_product_id: EntityId  # BigCommerce's order product id (not the catalog product id)
    quantity: Quantity
    reason: str = Field(min_length=1, max_length=200)  # free text or a reason code


class ExchangeChoice(BaseModel):
    """An item the customer wants instead of a refund (an exchange)."""

    sku: Sku
    quantity: Quantity
    name: str | None = Field(default=None, max_length=250)


class ReturnRequestEvent(StoreEvent):
    """What a return form or RMA app sends."""

    order_id: NumericId
    lines: list[ReturnFormLine] = Field(min_length=1, max_length=100)
    customer_note: str | None = Field(default=None, max_length=1000)
    exchange_items: list[ExchangeChoice] = Field(default_factory=list, max_length=100)
    # The source's own return id; part of the case id (one case per return, whatever redeliveries).
    reference: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._:-]+$")

    @field_validator("lines")
    @classmethod
    def _one_line_per_product(cls, lines: list[ReturnFormLine]) -> list[ReturnFormLine]:
        ids = [line.order_product_id for line in lines]
        if len(ids) != len(set(ids)):
            raise ValueError("each order product may appear only once")
        return lines
