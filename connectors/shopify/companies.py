"""B2B companies: create (with a first contact and location), find by `externalId`, add locations,
assign the main contact, list the orders companies bought in a period. `create_company_once` makes
creation repeat-safe through `externalId`, which Shopify keeps unique per shop."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from opentelemetry import trace
from pydantic import Field

from connectors.errors import ConflictError, NotFoundError
from connectors.shopify import documents_b2b as docs
from connectors.shopify.assumptions import COMPANY_BY_EXTERNAL_ID, search_value
from connectors.shopify.base import AdminBase
from connectors.shopify.client import SYSTEM
from connectors.shopify.models import InputModel, MoneyBag, Page, Record

log = logging.getLogger(__name__)
tracer = trace.get_tracer(__name__)


class CompanyAddressInput(InputModel):
    address1: str | None = None
    address2: str | None = None
    city: str | None = None
    zip: str | None = None
    zone_code: str | None = None
    country_code: str
    recipient: str | None = None
    phone: str | None = None


class CompanyContactInput(InputModel):
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    title: str | None = None
    phone: str | None = None
    locale: str | None = None


class CompanyLocationInput(InputModel):
    name: str | None = None
    external_id: str | None = None
    phone: str | None = None
    note: str | None = None
    shipping_address: CompanyAddressInput | None = None
    billing_address: CompanyAddressInput | None = None
    billing_same_as_shipping: bool | None = None
    tax_exempt: bool | None = None


class ContactCustomer(Record):
    id: str
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None


class CompanyContact(Record):
    id: str
    is_main_contact: bool = False
    title: str | None = None
    customer: ContactCustomer


class MainContact(Record):
    id: str
    customer: ContactCustomer


class CompanyLocation(Record):
    id: str
    name: str
    external_id: str | None = None
    currency: str | None = None


class Company(Record):
    id: str
    name: str
    external_id: str | None = None
    note: str | None = None
    created_at: datetime | None = None
    main_contact: MainContact | None = None
    contacts: Page[CompanyContact] = Field(default_factory=Page[CompanyContact])
    locations: Page[CompanyLocation] = Field(default_factory=Page[CompanyLocation])


class NamedNode(Record):
    id: str
    name: str


class OrderBuyerCustomer(Record):
    id: str
    display_name: str


class OrderPurchasingEntity(Record):
    """`Customer` (an ordinary order) or `PurchasingCompany` (bought by a company's location)."""

    typename: str = Field(alias="__typename")
    company: NamedNode | None = None
    location: NamedNode | None = None


class CompanyOrder(Record):
    """An order with who bought it: the company and its location, and the customer who placed it."""

    id: str
    name: str
    processed_at: datetime
    total_price_set: MoneyBag
    customer: OrderBuyerCustomer | None = None
    purchasing_entity: OrderPurchasingEntity | None = None

    @property
    def bought_by_company(self) -> bool:
        entity = self.purchasing_entity
        return entity is not None and entity.company is not None and entity.location is not None


class _OrdersPageInfo(Record):
    has_next_page: bool = False
    end_cursor: str | None = None


class CompanyOrdersPage(Record):
    """One page of the period's orders; `orders` holds the ones bought by a company (possibly none
    on a page that is not the last). `end_cursor` continues it (None: nothing after)."""

    nodes: list[CompanyOrder] = Field(default_factory=list)
    page_info: _OrdersPageInfo = Field(default_factory=_OrdersPageInfo)

    @property
    def orders(self) -> list[CompanyOrder]:
        return [o for o in self.nodes if o.bought_by_company]

    @property
    def end_cursor(self) -> str | None:
        more = self.page_info.has_next_page and self.page_info.end_cursor is not None
        return self.page_info.end_cursor if more else None


def processed_range_query(processed_from: datetime, processed_to: datetime) -> str:
    """`processed_at:>='…' processed_at:<'…'` in UTC. ASSUMPTION: the search compares to the second,
    as for `created_at` (`order_archive.created_range_query`); callers re-check the exact range."""
    return f"processed_at:>='{_utc(processed_from)}' processed_at:<'{_utc(processed_to)}'"


def _utc(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class CompanyResult:
    company: Company
    created: bool  # False: found by its external id


class CompanyOperations(AdminBase):
    async def create_company(
        self,
        name: str,
        *,
        external_id: str | None = None,
        note: str | None = None,
        contact: CompanyContactInput | None = None,
        location: CompanyLocationInput | None = None,
    ) -> Company:
        company: dict[str, object] = {"name": name}
        if external_id is not None:
            company["externalId"] = external_id
        if note is not None:
            company["note"] = note
        company_input: dict[str, object] = {"company": company}
        if contact is not None:
            company_input["companyContact"] = contact.as_input()
        if location is not None:
            company_input["companyLocation"] = location.as_input()
        payload = await self._mutate(docs.CREATE_COMPANY, {"input": company_input}, operation="companyCreate")
        return Company.model_validate(self._required(payload, "company", "companyCreate"))

    async def find_company_by_external_id(self, external_id: str) -> Company | None:
        query = COMPANY_BY_EXTERNAL_ID.format(value=search_value(external_id))
        data = await self.client.execute(docs.FIND_COMPANIES, {"query": query}, operation="companies")
        # Checked again here: Shopify ignores a filter it does not know and would return every company.
        found = [Company.model_validate(n) for n in data["companies"]["nodes"]]
        return next((c for c in found if c.external_id == external_id), None)

    async def get_company(self, company_gid: str) -> Company:
        data = await self.client.execute(docs.GET_COMPANY, {"id": company_gid}, operation="company")
        if data.get("company") is None:
            raise NotFoundError(f"company {company_gid} not found", system=SYSTEM, operation="company")
        return Company.model_validate(data["company"])

    async def create_company_once(
        self,
        external_id: str,
        name: str,
        *,
        note: str | None = None,
        contact: CompanyContactInput | None = None,
        location: CompanyLocationInput | None = None,
    ) -> CompanyResult:
        """The company with this external id, created only if no earlier attempt made it."""
        with tracer.start_as_current_span("shopify create_company_once"):
            existing = await self.find_company_by_external_id(external_id)
            if existing is not None:
                return CompanyResult(existing, created=False)
            try:
                company = await self.create_company(
                    name, external_id=external_id, note=note, contact=contact, location=location
                )
            except ConflictError:
                # TAKEN: a concurrent or lost earlier attempt won the race; its company is the answer.
                again = await self.find_company_by_external_id(external_id)
                if again is None:
                    raise
                log.info("company %s was created by an earlier attempt", external_id)
                return CompanyResult(again, created=False)
            return CompanyResult(company, created=True)

    async def create_company_location(self, company_gid: str, location: CompanyLocationInput) -> CompanyLocation:
        payload = await self._mutate(
            docs.CREATE_COMPANY_LOCATION,
            {"companyId": company_gid, "input": location.as_input()},
            operation="companyLocationCreate",
        )
        return CompanyLocation.model_validate(self._required(payload, "companyLocation", "companyLocationCreate"))

    async def assign_main_contact(self, company_gid: str, contact_gid: str) -> Company:
        payload = await self._mutate(
            docs.ASSIGN_COMPANY_MAIN_CONTACT,
            {"companyId": company_gid, "companyContactId": contact_gid},
            operation="companyAssignMainContact",
        )
        return Company.model_validate(self._required(payload, "company", "companyAssignMainContact"))

    async def company_orders_processed(
        self, processed_from: datetime, processed_to: datetime, *, first: int, after: str | None = None
    ) -> CompanyOrdersPage:
        """The orders processed in `[processed_from, processed_to)`, oldest first, `first` at most
        a page, with their company, location and customer; `after` is the previous page's
        `end_cursor`. Both bounds must be timezone-aware."""
        if processed_from.tzinfo is None or processed_to.tzinfo is None:
            raise ValueError("processed_from and processed_to must be timezone-aware")
        variables = {"first": first, "after": after, "query": processed_range_query(processed_from, processed_to)}
        data = await self.client.execute(docs.ORDERS_PROCESSED_WITH_BUYER, variables, operation="orders")
        page = CompanyOrdersPage.model_validate(data["orders"])
        # Re-checked: Shopify ignores a filter it cannot read and would list every order.
        page.nodes = [o for o in page.nodes if processed_from <= o.processed_at < processed_to]
        return page
