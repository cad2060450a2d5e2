"""B2B companies: create (with a first contact and location), find by `externalId`, add locations,
assign the main contact. `create_company_once` makes creation repeat-safe through `externalId`,
which Shopify keeps unique per shop."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from opentelemetry import trace
from pydantic import Field

from connectors.errors import ConflictError, NotFoundError
from connectors.shopify import documents_b2b as docs
from connectors.shopify.assumptions import COMPANY_BY_EXTERNAL_ID, search_value
from connectors.shopify.base import AdminBase
from connectors.shopify.client import SYSTEM
from connectors.shopify.models import InputModel, Page, Record

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
