"""Draft orders (B2B quotes, offline orders): create for a customer or a company, send the invoice,
complete into an order, search. `create_draft_order_once` makes creation repeat-safe with a marker
tag (`casebridge-<key>`) looked up before creating."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from opentelemetry import trace
from pydantic import Field, model_validator

from connectors.errors import NotFoundError
from connectors.shopify import documents_b2b as docs
from connectors.shopify.assumptions import DRAFT_ORDER_BY_TAG, marker, search_value
from connectors.shopify.base import AdminBase
from connectors.shopify.client import SYSTEM
from connectors.shopify.models import InputModel, Money, MoneyBag, MoneyInput, Node, Page, Record, ShopifyModel

log = logging.getLogger(__name__)
tracer = trace.get_tracer(__name__)


class DraftOrderAppliedDiscountInput(InputModel):
    """A line's own discount: `value` percent (0-100) off the line, or `value` off each unit."""

    value: float = Field(ge=0)  # a GraphQL Float
    value_type: Literal["PERCENTAGE", "FIXED_AMOUNT"]
    title: str | None = None
    description: str | None = None


class DraftOrderLine(InputModel):
    """A catalogue variant (`variant_id`), or a custom item (`title` + `original_unit_price_with_currency`).
    A variant line is priced from the catalogue (Shopify ignores the custom-item fields on it), so
    it is made cheaper with `applied_discount`."""

    quantity: int = Field(ge=1)
    variant_id: str | None = None
    title: str | None = None
    original_unit_price_with_currency: MoneyInput | None = None
    sku: str | None = None
    requires_shipping: bool | None = None
    taxable: bool | None = None
    applied_discount: DraftOrderAppliedDiscountInput | None = None

    @model_validator(mode="after")
    def _variant_or_title(self) -> DraftOrderLine:
        if self.variant_id is None and not self.title:
            raise ValueError("a draft order line needs a variant_id or a title")
        return self


class PurchasingCompanyInput(InputModel):
    company_id: str
    company_location_id: str
    company_contact_id: str


class PurchasingEntityInput(InputModel):
    customer_id: str | None = None
    purchasing_company: PurchasingCompanyInput | None = None


class MailingAddressInput(InputModel):
    address1: str | None = None
    address2: str | None = None
    city: str | None = None
    company: str | None = None
    country_code: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    province_code: str | None = None
    zip: str | None = None


class DraftOrderInput(InputModel):
    line_items: list[DraftOrderLine] = Field(min_length=1)
    purchasing_entity: PurchasingEntityInput | None = None
    email: str | None = None
    note: str | None = None
    tags: list[str] = Field(default_factory=list)
    po_number: str | None = None
    source_name: str | None = None
    presentment_currency_code: str | None = None
    shipping_address: MailingAddressInput | None = None
    billing_address: MailingAddressInput | None = None


class DraftLineItem(Record):
    id: str
    title: str
    quantity: int
    sku: str | None = None
    variant: Node | None = None
    original_unit_price_set: MoneyBag


class PurchasingEntity(ShopifyModel):
    typename: str = Field(alias="__typename")
    id: str | None = None  # a Customer
    company: Node | None = None
    location: Node | None = None
    contact: Node | None = None


class DraftOrderCustomer(Record):
    id: str
    email: str | None = None


class DraftOrderOrder(Record):
    id: str
    name: str


class DraftOrder(Record):
    id: str
    name: str
    status: str  # OPEN, INVOICE_SENT, COMPLETED
    tags: list[str] = Field(default_factory=list)
    email: str | None = None
    note2: str | None = None
    invoice_url: str | None = None
    invoice_sent_at: datetime | None = None
    completed_at: datetime | None = None
    created_at: datetime | None = None
    total_price_set: MoneyBag
    subtotal_price_set: MoneyBag
    customer: DraftOrderCustomer | None = None
    purchasing_entity: PurchasingEntity | None = None
    line_items: Page[DraftLineItem] = Field(default_factory=Page[DraftLineItem])
    order: DraftOrderOrder | None = None

    @property
    def total(self) -> Money:
        return self.total_price_set.shop_money


@dataclass(frozen=True)
class DraftOrderResult:
    draft_order: DraftOrder
    created: bool  # False: found by its marker tag


class DraftOrderOperations(AdminBase):
    async def create_draft_order(self, draft: DraftOrderInput) -> DraftOrder:
        payload = await self._mutate(docs.CREATE_DRAFT_ORDER, {"input": draft.as_input()}, operation="draftOrderCreate")
        return DraftOrder.model_validate(self._required(payload, "draftOrder", "draftOrderCreate"))

    async def find_draft_orders(self, query: str) -> list[DraftOrder]:
        data = await self.client.execute(docs.FIND_DRAFT_ORDERS, {"query": query}, operation="draftOrders")
        return [DraftOrder.model_validate(n) for n in data["draftOrders"]["nodes"]]

    async def get_draft_order(self, draft_gid: str) -> DraftOrder:
        data = await self.client.execute(docs.GET_DRAFT_ORDER, {"id": draft_gid}, operation="draftOrder")
        if data.get("draftOrder") is None:
            raise NotFoundError(f"draft order {draft_gid} not found", system=SYSTEM, operation="draftOrder")
        return DraftOrder.model_validate(data["draftOrder"])

    async def create_draft_order_once(self, key: str, draft: DraftOrderInput) -> DraftOrderResult:
        """The draft order tagged `casebridge-<key>`, created (with that tag) only if none exists."""
        tag = marker(key)
        with tracer.start_as_current_span("shopify create_draft_order_once"):
            found = await self.find_draft_orders(DRAFT_ORDER_BY_TAG.format(value=search_value(tag)))
            # Re-checked here: an ignored filter would match every draft order.
            mine = [d for d in found if tag in d.tags]
            if mine:
                log.info("draft order for key %s already exists: %s", key, mine[0].id)
                return DraftOrderResult(mine[0], created=False)
            tagged = draft.model_copy(update={"tags": [*draft.tags, tag]})
            return DraftOrderResult(await self.create_draft_order(tagged), created=True)

    async def send_draft_order_invoice(
        self, draft_gid: str, *, to: str | None = None, subject: str | None = None, custom_message: str | None = None
    ) -> DraftOrder:
        """Email the invoice (to the draft's email unless `to` is given): status INVOICE_SENT."""
        email = {k: v for k, v in {"to": to, "subject": subject, "customMessage": custom_message}.items() if v}
        payload = await self._mutate(
            docs.SEND_DRAFT_ORDER_INVOICE, {"id": draft_gid, "email": email or None}, operation="draftOrderInvoiceSend"
        )
        return DraftOrder.model_validate(self._required(payload, "draftOrder", "draftOrderInvoiceSend"))

    async def complete_draft_order(self, draft_gid: str, *, source_name: str | None = None) -> DraftOrder:
        """Turn the draft into an order (marked paid). Completing twice raises `RejectedError`; read
        the draft first (`order` is set once completed) when a retry may repeat it."""
        payload = await self._mutate(
            docs.COMPLETE_DRAFT_ORDER, {"id": draft_gid, "sourceName": source_name}, operation="draftOrderComplete"
        )
        return DraftOrder.model_validate(self._required(payload, "draftOrder", "draftOrderComplete"))
