"""Behavioural letters an order's documents case sends by itself, long after the order's events:
the post-purchase follow-up some days after the first shipment, and replenishment reminders for
consumables some time after they were bought. Pure policy data; the timers are
`workflows.order_documents`, the checks before sending `activities.order_triggers`."""

from __future__ import annotations

from datetime import timedelta
from string import Formatter
from typing import Literal

from pydantic import BaseModel, Field, field_validator


def url_template(template: str, fields: set[str]) -> str:
    """`template` when it names only `fields` as `{placeholders}` (checked at load, so a typo never
    reaches a letter)."""
    used = {name for _, name, _, _ in Formatter().parse(template) if name is not None}
    unknown = sorted(used - fields)
    if unknown:
        raise ValueError(f"{template!r} names {', '.join(unknown)}; it may use {', '.join(sorted(fields))}")
    if not template.startswith(("https://", "http://")):
        raise ValueError(f"{template!r} is not an http(s) URL")
    return template


class ReplenishmentReminder(BaseModel):
    """A consumable the customer is reminded to reorder `after` its order was placed, unless they
    ordered it again meanwhile; `reorder_url` may name `{sku}` and `{order_id}`."""

    sku: str = Field(min_length=1)
    after: timedelta
    reorder_url: str

    @field_validator("after")
    @classmethod
    def _positive(cls, after: timedelta) -> timedelta:
        if after <= timedelta(0):
            raise ValueError("after must be positive")
        return after

    @field_validator("reorder_url")
    @classmethod
    def _url(cls, url: str) -> str:
        return url_template(url, {"sku", "order_id"})

    def reorder_url_for(self, order_id: str) -> str:
        return self.reorder_url.format(sku=self.sku, order_id=order_id)


def feedback_url_template(url: str) -> str:
    return url_template(url, {"order_id"})


# ISO 3166-1 alpha-2 codes of the European Union's member states: a policy may give terms for "EU".
EU_COUNTRIES = frozenset(
    {
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
    }
)


class WarrantyTerms(BaseModel):
    """The warranty a product carries, sent as "Warranty Terms" when an order holding it is placed:
    `months` long, in `terms` words, or in the words `regions` gives for the customer's region (a
    country code, or "EU" for any member state)."""

    sku: str = Field(min_length=1)
    months: int = Field(ge=1, le=600)
    terms: str = Field(min_length=1)
    regions: dict[str, str] = Field(default_factory=dict)

    @field_validator("regions")
    @classmethod
    def _region_codes(cls, regions: dict[str, str]) -> dict[str, str]:
        return region_codes(regions)


class ProductDocument(BaseModel):
    """A policy or compliance document a product comes with (a safety data sheet, a conformity
    declaration, the returns policy for it), sent as "Product Information" when an order holding
    the product is placed: `text`, or the words `regions` gives for the customer's region (a
    country code, or "EU" for any member state)."""

    sku: str = Field(min_length=1)
    kind: Literal["policy", "compliance"]
    title: str = Field(min_length=1, max_length=120)
    text: str = Field(min_length=1)
    regions: dict[str, str] = Field(default_factory=dict)

    @field_validator("regions")
    @classmethod
    def _region_codes(cls, regions: dict[str, str]) -> dict[str, str]:
        return region_codes(regions)

    @property
    def key(self) -> str:
        """The document's letter key: one letter per product and document, ever."""
        slug = "-".join("".join(c if c.isalnum() else " " for c in self.title.lower()).split())
        return f"{self.kind}-{self.sku}-{slug}"


def region_codes(regions: dict[str, str]) -> dict[str, str]:
    """`regions` when each key is a country code (ISO 3166-1 alpha-2) or "EU"; ValueError naming the others."""
    bad = sorted(
        code for code in regions if not (code == "EU" or (len(code) == 2 and code.isalpha() and code.isupper()))
    )
    if bad:
        raise ValueError(f"regions: {', '.join(bad)} is no country code (ISO 3166-1 alpha-2) nor EU")
    return regions


def warranty_region(country: str | None, regions: dict[str, str]) -> tuple[str, str | None]:
    """(the region a letter names, its own terms if the policy has them) for a customer's country:
    the country's own terms first, then the EU's for a member state."""
    if not country:
        return "", None
    code = country.upper()
    if code in regions:
        return code, regions[code]
    if code in EU_COUNTRIES:
        return "EU", regions.get("EU")
    return code, None
