"""Customer attributes (definitions and per-customer values), storefront consent, and product custom
fields of one simulated store."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@dataclass
class CustomerAttributeState:
    id: int
    name: str
    type: str  # string, number, date (fixed once created)
    date_created: datetime = field(default_factory=now)
    date_modified: datetime = field(default_factory=now)


@dataclass
class AttributeValueState:
    id: int
    attribute_id: int
    customer_id: int
    value: str
    date_created: datetime = field(default_factory=now)
    date_modified: datetime = field(default_factory=now)


@dataclass
class ConsentState:
    allow: list[str] = field(default_factory=lambda: ["essential"])
    deny: list[str] = field(default_factory=list)


@dataclass
class CustomFieldState:
    id: int
    product_id: int
    name: str
    value: str


@dataclass
class StoreRecords:
    """What `StoreState.records` holds."""

    attributes: dict[int, CustomerAttributeState] = field(default_factory=dict)
    attribute_values: dict[int, AttributeValueState] = field(default_factory=dict)
    consents: dict[int, ConsentState] = field(default_factory=dict)  # customer id → consent
    custom_fields: dict[int, CustomFieldState] = field(default_factory=dict)

    def values_of(self, customer_id: int) -> list[AttributeValueState]:
        return [v for v in self.attribute_values.values() if v.customer_id == customer_id]

    def custom_fields_of(self, product_id: int) -> list[CustomFieldState]:
        return sorted((f for f in self.custom_fields.values() if f.product_id == product_id), key=lambda f: f.id)
