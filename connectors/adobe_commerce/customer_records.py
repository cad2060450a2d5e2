"""Customer records on Adobe Commerce: newsletter subscription and Casebridge's custom attributes
(`GET`/`PUT /V1/customers/{customerId}`).

Email consent is Magento's own newsletter subscription (`extension_attributes.is_subscribed`); SMS
consent has no native home, so it is the custom attribute `casebridge_sms_consent`, and each field
the attribute `casebridge_<key>`, all holding JSON. The attributes must exist on the store (Magento's
REST API cannot create customer attributes: they are provisioned when the store is connected;
ASSUMPTION: as textarea attributes, so values are not length-limited here).

Magento saves a whole customer on PUT (`email`, `firstname`, `lastname` required), so each write
reads the customer and sends it back with the change: a read-modify-write without a version check,
so two writers of the same customer at once can lose one change (last one wins). Addresses are never
sent back, so they are left as they are.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from connectors.adobe_commerce.client import AdobeCommerceClient
from connectors.adobe_commerce.models import CustomAttribute, _Wire

ATTRIBUTE_PREFIX = "casebridge_"
SMS_CONSENT_ATTRIBUTE = "casebridge_sms_consent"
ConsentChannel = Literal["email", "sms"]
# What a PUT sends back of the customer it read (never `addresses`: sending them replaces them).
_KEPT_FIELDS = ("email", "firstname", "lastname", "website_id", "group_id", "store_id", "middlename", "dob")


class CustomerExtension(_Wire):
    is_subscribed: bool | None = None


class Customer(_Wire):
    """`customer-data-customer-interface`, the parts Casebridge reads."""

    id: int
    email: str
    firstname: str
    lastname: str
    website_id: int | None = None
    group_id: int | None = None
    store_id: int | None = None
    middlename: str | None = None
    dob: str | None = None
    extension_attributes: CustomerExtension = Field(default_factory=CustomerExtension)
    custom_attributes: list[CustomAttribute] = Field(default_factory=list)

    def attribute(self, code: str) -> Any:
        return next((a.value for a in self.custom_attributes if a.attribute_code == code), None)


class ChannelConsent(BaseModel):
    model_config = ConfigDict(frozen=True)

    subscribed: bool
    updated_at: datetime | None = None  # unknown for the newsletter (Magento does not say when)


class CustomerRecord(BaseModel):
    customer_id: int
    consents: dict[str, ChannelConsent]
    fields: dict[str, JsonValue]

    def consent(self, channel: ConsentChannel) -> ChannelConsent | None:
        return self.consents.get(channel)


def _json_attribute(raw: Any) -> JsonValue | None:
    if not isinstance(raw, str):
        return None
    try:
        parsed: JsonValue = json.loads(raw)
    except ValueError:
        return None
    return parsed


def record_of(customer: Customer) -> CustomerRecord:
    consents: dict[str, ChannelConsent] = {}
    if customer.extension_attributes.is_subscribed is not None:
        consents["email"] = ChannelConsent(subscribed=customer.extension_attributes.is_subscribed)
    sms = _json_attribute(customer.attribute(SMS_CONSENT_ATTRIBUTE))
    if sms is not None:
        consents["sms"] = ChannelConsent.model_validate(sms)
    fields = {
        a.attribute_code[len(ATTRIBUTE_PREFIX) :]: value
        for a in customer.custom_attributes
        if a.attribute_code.startswith(ATTRIBUTE_PREFIX) and a.attribute_code != SMS_CONSENT_ATTRIBUTE
        if (value := _json_attribute(a.value)) is not None
    }
    return CustomerRecord(customer_id=customer.id, consents=consents, fields=fields)


def _dumps(value: JsonValue) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


class AdobeCustomerRecords:
    def __init__(self, client: AdobeCommerceClient) -> None:
        self.client = client

    async def get_customer(self, customer_id: int) -> Customer:
        return await self.client.call_as(Customer, "get_customer", "GET", f"/V1/customers/{int(customer_id)}")

    async def customer_record(self, customer_id: int) -> CustomerRecord:
        return record_of(await self.get_customer(customer_id))

    async def set_customer_consent(
        self,
        customer_id: int,
        channel: ConsentChannel,
        *,
        subscribed: bool,
        consented_at: datetime | None = None,
    ) -> CustomerRecord:
        """Email: subscribe to or unsubscribe from the newsletter; SMS: the `casebridge_sms_consent` attribute."""
        if channel == "email":
            saved = await self._save(customer_id, "set_customer_consent", subscribed=subscribed)
        else:
            consent = ChannelConsent(subscribed=subscribed, updated_at=consented_at or datetime.now(UTC))
            value = _dumps(consent.model_dump(mode="json"))
            saved = await self._save(customer_id, "set_customer_consent", attributes={SMS_CONSENT_ATTRIBUTE: value})
        return record_of(saved)

    async def set_customer_fields(self, customer_id: int, fields: Mapping[str, JsonValue]) -> CustomerRecord:
        """Write each field as the JSON value of attribute `casebridge_<key>` (one PUT); a key
        without such an attribute on the store is refused by Magento (`RejectedError`)."""
        attributes = {f"{ATTRIBUTE_PREFIX}{key}": _dumps(value) for key, value in fields.items()}
        return record_of(await self._save(customer_id, "set_customer_fields", attributes=attributes))

    async def _save(
        self,
        customer_id: int,
        operation: str,
        *,
        subscribed: bool | None = None,
        attributes: Mapping[str, str] | None = None,
    ) -> Customer:
        current = await self.get_customer(customer_id)
        body: dict[str, Any] = current.model_dump(include=set(_KEPT_FIELDS), exclude_none=True)
        body["id"] = current.id
        if subscribed is not None:
            body["extension_attributes"] = {"is_subscribed": subscribed}
        if attributes:
            body["custom_attributes"] = [{"attribute_code": k, "value": v} for k, v in attributes.items()]
        return await self.client.call_as(
            Customer, operation, "PUT", f"/V1/customers/{int(customer_id)}", json={"customer": body}
        )
