"""Customer records: marketing consent per channel and Casebridge's communication fields, kept as
customer attributes (customers.v3 `/customers/attributes`, `/customers/attribute-values`), plus the
storefront cookie consent (`/customers/{customerId}/consent`).

BigCommerce has no per-channel marketing consent in customers.v3: its one marketing flag is
`accepts_product_review_abandoned_cart_emails` (review and abandoned-cart emails), which an email
consent change also sets. The consent endpoint is about storefront cookies and scripts (essential,
functional, analytics, targeting), not communications; it is exposed as `storefront_consent`.
So each channel's consent is the attribute `casebridge.consent.<channel>` and each field the
attribute `casebridge.<key>`, both `string` attributes holding JSON (at most 255 characters, the
spec's limit: longer values are refused here, before sending). Attribute definitions are found by
name and created when missing (a store holds at most 50); values are upserted (repeat-safe).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, JsonValue

from connectors.bigcommerce.contract import SYSTEM
from connectors.bigcommerce.models import CustomerUpdate, _Response
from connectors.bigcommerce.rest import RestBase, json_body, parse, parse_list, segment
from connectors.bigcommerce.store import CustomersApi
from connectors.errors import ConflictError, RejectedError

FIELD_PREFIX = "casebridge."
CONSENT_PREFIX = "casebridge.consent."
MAX_ATTRIBUTE_VALUE_LENGTH = 255  # customers.v3 `attributeValue_Base.value`
ConsentChannel = Literal["email", "sms"]
ConsentCategory = Literal["essential", "functional", "analytics", "targeting"]


class CustomerAttribute(_Response):
    id: int
    name: str
    type: str


class AttributeValue(_Response):
    id: int | None = None
    attribute_id: int
    customer_id: int
    attribute_value: str


class StorefrontConsent(_Response):
    allow: list[ConsentCategory] = []
    deny: list[ConsentCategory] = []
    updated_at: datetime | None = None


class ChannelConsent(BaseModel):
    """What `casebridge.consent.<channel>` holds."""

    model_config = ConfigDict(frozen=True)

    subscribed: bool
    updated_at: datetime


class CustomerRecord(BaseModel):
    """A customer's consent per channel and the fields Casebridge wrote, read from its attributes."""

    customer_id: int
    accepts_product_review_abandoned_cart_emails: bool
    consents: dict[str, ChannelConsent]
    fields: dict[str, JsonValue]

    def consent(self, channel: ConsentChannel) -> ChannelConsent | None:
        return self.consents.get(channel)


def _json(value: JsonValue, operation: str) -> str:
    text = json.dumps(value, separators=(",", ":"), sort_keys=True)
    if len(text) > MAX_ATTRIBUTE_VALUE_LENGTH:
        raise RejectedError(
            f"value is {len(text)} characters; BigCommerce keeps at most {MAX_ATTRIBUTE_VALUE_LENGTH}",
            system=SYSTEM,
            operation=operation,
        )
    return text


class CustomerRecordsApi(CustomersApi, RestBase):
    async def customer_record(self, customer_id: int) -> CustomerRecord:
        customer = await self.get_customer(customer_id)
        data = await self._v3_list(
            "customer_record",
            "/customers/attribute-values",
            AttributeValue,
            {"customer_id:in": str(customer_id)},
        )
        names = {a.id: a.name for a in await self._attributes("customer_record")}
        consents: dict[str, ChannelConsent] = {}
        fields: dict[str, JsonValue] = {}
        for value in data:
            name = names.get(value.attribute_id, "")
            try:
                parsed: JsonValue = json.loads(value.attribute_value)
            except ValueError:
                continue  # not written by Casebridge
            if name.startswith(CONSENT_PREFIX):
                consents[name[len(CONSENT_PREFIX) :]] = ChannelConsent.model_validate(parsed)
            elif name.startswith(FIELD_PREFIX):
                fields[name[len(FIELD_PREFIX) :]] = parsed
        return CustomerRecord(
            customer_id=customer.id,
            accepts_product_review_abandoned_cart_emails=customer.accepts_product_review_abandoned_cart_emails,
            consents=consents,
            fields=fields,
        )

    async def set_customer_consent(
        self,
        customer_id: int,
        channel: ConsentChannel,
        *,
        subscribed: bool,
        consented_at: datetime | None = None,
    ) -> CustomerRecord:
        """Record the channel's consent; an email opt-out also turns off review/abandoned-cart emails
        (and an opt-in turns them on)."""
        consent = ChannelConsent(subscribed=subscribed, updated_at=consented_at or datetime.now(UTC))
        await self._upsert_values(
            "set_customer_consent",
            customer_id,
            {f"{CONSENT_PREFIX}{channel}": _json(consent.model_dump(mode="json"), "set_customer_consent")},
        )
        if channel == "email":
            await self.update_customers(
                [CustomerUpdate(id=customer_id, accepts_product_review_abandoned_cart_emails=subscribed)]
            )
        return await self.customer_record(customer_id)

    async def set_customer_fields(self, customer_id: int, fields: Mapping[str, JsonValue]) -> list[AttributeValue]:
        """Write each field as the JSON value of attribute `casebridge.<key>` (one call, repeat-safe)."""
        values = {f"{FIELD_PREFIX}{key}": _json(value, "set_customer_fields") for key, value in fields.items()}
        return await self._upsert_values("set_customer_fields", customer_id, values)

    async def storefront_consent(self, customer_id: int) -> StorefrontConsent:
        body = await self._v3_call("storefront_consent", "GET", f"/customers/{segment(customer_id)}/consent")
        return parse(StorefrontConsent, body, "storefront_consent")

    async def set_storefront_consent(
        self, customer_id: int, *, allow: list[ConsentCategory], deny: list[ConsentCategory]
    ) -> StorefrontConsent:
        body = await self._v3_call(
            "set_storefront_consent",
            "PUT",
            f"/customers/{segment(customer_id)}/consent",
            json={"allow": allow, "deny": deny},
        )
        return parse(StorefrontConsent, body, "set_storefront_consent")

    # -- attributes -------------------------------------------------------------------------------

    async def _attributes(self, operation: str, name: str | None = None) -> list[CustomerAttribute]:
        params = {"name": name} if name is not None else None
        return await self._v3_list(operation, "/customers/attributes", CustomerAttribute, params)

    async def _attribute_ids(self, operation: str, names: list[str]) -> dict[str, int]:
        """Each named `string` attribute's id, creating the missing ones."""
        found = {a.name: a for a in await self._attributes(operation) if a.name in names}
        wrong = [a.name for a in found.values() if a.type != "string"]
        if wrong:
            raise ConflictError(f"attributes {wrong} exist with another type", system=SYSTEM, operation=operation)
        missing = [n for n in names if n not in found]
        if missing:
            body = [{"name": n, "type": "string"} for n in missing]
            try:
                data = await self._v3_data(operation, "POST", "/customers/attributes", json=body)
                found.update({a.name: a for a in parse_list(CustomerAttribute, data, operation)})
            except RejectedError:
                # Another worker may have created them meanwhile: read again before giving up.
                found = {a.name: a for a in await self._attributes(operation) if a.name in names}
                if set(names) - set(found):
                    raise
        return {name: found[name].id for name in names}

    async def _upsert_values(self, operation: str, customer_id: int, values: Mapping[str, str]) -> list[AttributeValue]:
        ids = await self._attribute_ids(operation, list(values))
        body = [
            {"attribute_id": ids[name], "customer_id": customer_id, "value": value} for name, value in values.items()
        ]
        data = await self._v3_data(operation, "PUT", "/customers/attribute-values", json=body)
        return parse_list(AttributeValue, data, operation)

    async def _v3_call(self, operation: str, method: str, path: str, *, json: object = None) -> object:
        """A v3 call whose answer is a bare object (the consent endpoints have no `data` envelope)."""
        response = await self.http.request(operation, method, f"{self._v3}{path}", json=json)
        return json_body(response, operation)
