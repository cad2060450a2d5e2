"""Customer records: marketing consent per channel (`customerEmailMarketingConsentUpdate`,
`customerSmsMarketingConsentUpdate`) and Casebridge's communication fields as JSON metafields in the
`casebridge` namespace (`metafieldsSet`). All repeat-safe: they set a state, never append.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal

from pydantic import Field, JsonValue

from connectors.errors import NotFoundError
from connectors.shopify import documents_records as docs
from connectors.shopify.base import AdminBase
from connectors.shopify.client import SYSTEM
from connectors.shopify.models import Page, Record

# Where Casebridge keeps what it writes on customers; keys are e.g. `communication_preferences`.
CUSTOMER_NAMESPACE = "casebridge"
ConsentChannel = Literal["email", "sms"]
OptInLevel = Literal["SINGLE_OPT_IN", "CONFIRMED_OPT_IN", "UNKNOWN"]


class MarketingConsent(Record):
    """`CustomerEmailMarketingConsentState` / `CustomerSmsMarketingConsentState`."""

    marketing_state: str  # NOT_SUBSCRIBED, PENDING, SUBSCRIBED, UNSUBSCRIBED, REDACTED, INVALID (email)
    marketing_opt_in_level: str | None = None
    consent_updated_at: datetime | None = None

    @property
    def subscribed(self) -> bool:
        return self.marketing_state == "SUBSCRIBED"


class Metafield(Record):
    id: str
    namespace: str
    key: str
    type: str
    value: str
    updated_at: datetime | None = None

    @property
    def json_value(self) -> JsonValue:
        """The value of a `json` metafield, parsed."""
        parsed: JsonValue = json.loads(self.value)
        return parsed


class CustomerRecord(Record):
    """A customer's consent per channel and the fields Casebridge wrote (`casebridge` metafields).
    A channel's consent is None when the customer has no email address / phone number."""

    id: str
    email: str | None = None
    phone: str | None = None
    email_marketing_consent: MarketingConsent | None = None
    sms_marketing_consent: MarketingConsent | None = None
    metafields: Page[Metafield] = Field(default_factory=Page[Metafield])

    def consent(self, channel: ConsentChannel) -> MarketingConsent | None:
        return self.email_marketing_consent if channel == "email" else self.sms_marketing_consent

    @property
    def fields(self) -> dict[str, JsonValue]:
        """Casebridge's JSON fields by key."""
        return {m.key: m.json_value for m in self.metafields.nodes if m.type == "json"}


class CustomerRecordOperations(AdminBase):
    async def customer_record(self, customer_gid: str) -> CustomerRecord:
        data = await self.client.execute(
            docs.CUSTOMER_RECORD, {"id": customer_gid, "namespace": CUSTOMER_NAMESPACE}, operation="customer"
        )
        if data.get("customer") is None:
            raise NotFoundError(f"customer {customer_gid} not found", system=SYSTEM, operation="customer")
        return CustomerRecord.model_validate(data["customer"])

    async def set_customer_consent(
        self,
        customer_gid: str,
        channel: ConsentChannel,
        *,
        subscribed: bool,
        opt_in_level: OptInLevel | None = None,
        consented_at: datetime | None = None,
    ) -> CustomerRecord:
        """Opt the customer in (SUBSCRIBED) or out (UNSUBSCRIBED) on one channel. The returned
        record's metafields are not read (use `customer_record`)."""
        consent: dict[str, Any] = {"marketingState": "SUBSCRIBED" if subscribed else "UNSUBSCRIBED"}
        if opt_in_level is not None:
            consent["marketingOptInLevel"] = opt_in_level
        if consented_at is not None:
            consent["consentUpdatedAt"] = consented_at.isoformat()
        if channel == "email":
            document, operation, key = (
                docs.UPDATE_EMAIL_CONSENT,
                "customerEmailMarketingConsentUpdate",
                "emailMarketingConsent",
            )
        else:
            document, operation, key = (
                docs.UPDATE_SMS_CONSENT,
                "customerSmsMarketingConsentUpdate",
                "smsMarketingConsent",
            )
        payload = await self._mutate(
            document, {"input": {"customerId": customer_gid, key: consent}}, operation=operation
        )
        return CustomerRecord.model_validate(self._required(payload, "customer", operation))

    async def set_customer_fields(self, customer_gid: str, fields: Mapping[str, JsonValue]) -> list[Metafield]:
        """Write each field as a `json` metafield `casebridge.<key>` (all or nothing, at most 25)."""
        entries = [
            {
                "ownerId": customer_gid,
                "namespace": CUSTOMER_NAMESPACE,
                "key": key,
                "type": "json",
                "value": json.dumps(value, separators=(",", ":"), sort_keys=True),
            }
            for key, value in fields.items()
        ]
        payload = await self._mutate(docs.SET_METAFIELDS, {"metafields": entries}, operation="metafieldsSet")
        return [Metafield.model_validate(m) for m in self._required(payload, "metafields", "metafieldsSet")]
