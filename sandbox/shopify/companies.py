"""B2B companies: `companyCreate` (with its first contact and location), `companyLocationCreate`,
`companyAssignMainContact`; announced by `companies/create`, `company_locations/create`,
`company_contacts/create` and `companies/update`.

A company's `externalId` is unique in the shop (TAKEN otherwise), which is what makes creating a
company repeat-safe for a connector. ASSUMPTIONS (no public statement found): a company created
without a location gets one named after it; a contact's email must not belong to an existing
customer; the messages are the sandbox's wording.
"""

from __future__ import annotations

from typing import Any

from sandbox.shopify import rest_resources
from sandbox.shopify.ops_base import EMAIL_PATTERN, OperationsBase, Outcome, safe_gid
from sandbox.shopify.state import Customer, UserError, utcnow
from sandbox.shopify.state_b2b import Company, CompanyAddress, CompanyContact, CompanyLocation

MAX_NAME_LENGTH = 255
MAX_EXTERNAL_ID_LENGTH = 64


class Companies(OperationsBase):
    def company_by_gid(self, value: str) -> Company | None:
        parsed = safe_gid(value)
        number = parsed.is_a("Company") if parsed else None
        return self.shop.companies.get(number) if number is not None else None

    def create_company(self, data: dict[str, Any]) -> Outcome[Company]:
        errors: list[UserError] = []
        company_input: dict[str, Any] = data["company"]
        name = (company_input.get("name") or "").strip()
        path = ["input", "company"]
        if not name:
            errors.append(UserError("Name can't be blank", [*path, "name"], "BLANK"))
        elif len(name) > MAX_NAME_LENGTH:
            errors.append(UserError("Name is too long", [*path, "name"], "TOO_LONG"))
        external_id = company_input.get("externalId")
        self._check_external_id(external_id, self.shop.companies.values(), [*path, "externalId"], errors)
        contact_input = data.get("companyContact")
        if contact_input is not None:
            self._check_contact(contact_input, ["input", "companyContact"], errors)
        location_input = data.get("companyLocation") or {"name": name}
        self._check_location(location_input, ["input", "companyLocation"], errors)
        if errors:
            return Outcome(errors=errors)

        now = utcnow()
        company = Company(
            id=self.shop.next_id("Company"),
            name=name,
            note=company_input.get("note"),
            external_id=external_id,
            customer_since=company_input.get("customerSince") or now,
            created_at=now,
            updated_at=now,
        )
        self.shop.companies[company.id] = company
        event = self.webhooks.new_event_id()
        if contact_input is not None:
            contact = self._add_contact(company, contact_input)
            company.main_contact = contact
        location = self._add_location(company, {"name": name, **location_input})
        self.webhooks.emit(self.shop, "COMPANIES_CREATE", rest_resources.company_payload(company), event_id=event)
        self.webhooks.emit(
            self.shop, "COMPANY_LOCATIONS_CREATE", rest_resources.company_location_payload(location), event_id=event
        )
        if company.main_contact is not None:
            self.webhooks.emit(
                self.shop,
                "COMPANY_CONTACTS_CREATE",
                rest_resources.company_contact_payload(company.main_contact),
                event_id=event,
            )
        return Outcome(company)

    def create_location(self, company_gid: str, data: dict[str, Any]) -> Outcome[CompanyLocation]:
        company = self.company_by_gid(company_gid)
        if company is None:
            return Outcome(errors=[UserError("Company does not exist", ["companyId"], "RESOURCE_NOT_FOUND")])
        errors: list[UserError] = []
        if not (data.get("name") or "").strip():
            errors.append(UserError("Name can't be blank", ["input", "name"], "BLANK"))
        self._check_location(data, ["input"], errors)
        if errors:
            return Outcome(errors=errors)
        location = self._add_location(company, data)
        company.updated_at = location.created_at
        self.webhooks.emit(self.shop, "COMPANY_LOCATIONS_CREATE", rest_resources.company_location_payload(location))
        return Outcome(location)

    def assign_main_contact(self, company_gid: str, contact_gid: str) -> Outcome[Company]:
        company = self.company_by_gid(company_gid)
        if company is None:
            return Outcome(errors=[UserError("Company does not exist", ["companyId"], "RESOURCE_NOT_FOUND")])
        parsed = safe_gid(contact_gid)
        number = parsed.is_a("CompanyContact") if parsed else None
        contact = self.shop.company_contacts.get(number) if number is not None else None
        if contact is None:
            return Outcome(
                errors=[UserError("Company contact does not exist", ["companyContactId"], "RESOURCE_NOT_FOUND")]
            )
        if contact.company is not company:
            return Outcome(
                errors=[
                    UserError(
                        "The company contact does not belong to the company", ["companyContactId"], "INVALID_INPUT"
                    )
                ]
            )
        company.main_contact = contact
        company.updated_at = utcnow()
        self.webhooks.emit(self.shop, "COMPANIES_UPDATE", rest_resources.company_payload(company))
        return Outcome(company)

    # ---------------------------------------------------------------- checks (no writes)

    @staticmethod
    def _check_external_id(external_id: str | None, existing: Any, path: list[str], errors: list[UserError]) -> None:
        if external_id is None:
            return
        if len(external_id) > MAX_EXTERNAL_ID_LENGTH:
            errors.append(UserError("External Id is too long", path, "TOO_LONG"))
        elif any(item.external_id == external_id for item in existing):
            errors.append(UserError("External Id has already been taken", path, "TAKEN"))

    def _check_contact(self, data: dict[str, Any], path: list[str], errors: list[UserError]) -> None:
        email = data.get("email")
        if email is not None and not EMAIL_PATTERN.match(email):
            errors.append(UserError("Email is invalid", [*path, "email"], "INVALID"))
        elif email is not None and self.shop.customer_by_email(email) is not None:
            errors.append(UserError("Email address has already been taken", [*path, "email"], "TAKEN"))

    def _check_location(self, data: dict[str, Any], path: list[str], errors: list[UserError]) -> None:
        self._check_external_id(
            data.get("externalId"), self.shop.company_locations.values(), [*path, "externalId"], errors
        )
        for key in ("billingAddress", "shippingAddress"):
            address = data.get(key)
            if address is not None and not address.get("countryCode"):
                errors.append(UserError("Country can't be blank", [*path, key, "countryCode"], "BLANK"))

    # ---------------------------------------------------------------- writes

    def _add_contact(self, company: Company, data: dict[str, Any]) -> CompanyContact:
        customer = Customer(
            id=self.shop.next_id("Customer"),
            email=data.get("email"),
            first_name=data.get("firstName"),
            last_name=data.get("lastName"),
            phone=data.get("phone"),
        )
        self.shop.customers[customer.id] = customer
        contact = CompanyContact(
            id=self.shop.next_id("CompanyContact"),
            company=company,
            customer=customer,
            title=data.get("title"),
            locale=data.get("locale"),
        )
        company.contacts.append(contact)
        self.shop.company_contacts[contact.id] = contact
        return contact

    def _add_location(self, company: Company, data: dict[str, Any]) -> CompanyLocation:
        shipping = self._address(company, data.get("shippingAddress"))
        billing = shipping if data.get("billingSameAsShipping") else self._address(company, data.get("billingAddress"))
        config = data.get("buyerExperienceConfiguration") or {}
        location = CompanyLocation(
            id=self.shop.next_id("CompanyLocation"),
            company=company,
            name=str(data.get("name") or company.name).strip(),
            currency=self.shop.currency,
            external_id=data.get("externalId"),
            phone=data.get("phone"),
            locale=data.get("locale"),
            note=data.get("note"),
            billing_address=billing,
            shipping_address=shipping,
            tax_exempt=bool(data.get("taxExempt")),
            tax_registration_id=data.get("taxRegistrationId"),
            checkout_to_draft=bool(config.get("checkoutToDraft")),
            editable_shipping_address=bool(config.get("editableShippingAddress")),
        )
        company.locations.append(location)
        self.shop.company_locations[location.id] = location
        return location

    def _address(self, company: Company, data: dict[str, Any] | None) -> CompanyAddress | None:
        if data is None:
            return None
        return CompanyAddress(
            id=self.shop.next_id("CompanyAddress"),
            company_name=company.name,
            address1=data.get("address1") or "",
            address2=data.get("address2"),
            city=data.get("city"),
            zip=data.get("zip"),
            zone_code=data.get("zoneCode"),
            country_code=data["countryCode"],
            recipient=data.get("recipient"),
            first_name=data.get("firstName"),
            last_name=data.get("lastName"),
            phone=data.get("phone"),
        )
