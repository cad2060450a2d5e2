"""Checks of a customer communication's driver: its shape against the sample driver, the common
envelope's values, the brand and language the design knows, and the address the channel needs.

The envelope (every customer communication's sample starts with it):
`{"document": {"id", "kind"}, "brand", "language" (BCP 47), "currency" (ISO 4217), "channel":
"email"|"print"|"web", "recipient": {"name", "email"|null, "postalAddress"|null, "customerRef"},
"store", ...purpose fields}`.

Refusals are `DriverRefusal`s: an on-demand call answers them as HTTP 400 in the service's error body,
a batch job lists them as record errors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sandbox.opentext_exstream import errors as codes
from sandbox.opentext_exstream.design import BrandConfig, CustomerDesign, LanguageTexts

CHANNELS = ("email", "print", "web")
# BCP 47 well enough for a design lookup: a 2-3 letter language, then subtags.
_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_DECIMAL = re.compile(r"^-?\d+(\.\d+)?$")


class DriverRefusal(Exception):
    def __init__(self, error_code: int, message: str, details: str = "") -> None:
        super().__init__(message)
        self.error_code = error_code
        self.message = message
        self.details = details


@dataclass(frozen=True)
class Envelope:
    """What the design and the delivery need from a valid driver."""

    document_id: str
    channel: str
    brand: BrandConfig
    language: str  # as the driver gave it
    texts: LanguageTexts
    currency: str
    customer_ref: str
    store: str
    email: str | None
    postal_address: dict[str, object] | None


def is_amount(value: object) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int | float) or (isinstance(value, str) and bool(_DECIMAL.match(value)))


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def shape_problems(sample: object, driver: object, nullable: set[str], path: str = "") -> tuple[list[str], list[str]]:
    """(missing paths, type mismatches) of `driver` against the sample; extra keys are ignored, as
    the engine ignores data its design does not map."""
    missing: list[str] = []
    mismatched: list[str] = []
    if isinstance(sample, dict):
        if not isinstance(driver, dict):
            return [], [f"{path or '(root)'}: expected object, got {_json_type(driver)}"]
        for key, expected in sample.items():
            child = f"{path}.{key}" if path else key
            if key not in driver:
                missing.append(child)
                continue
            value = driver[key]
            if value is None:
                if child not in nullable:
                    missing.append(child)
                continue
            more_missing, more_mismatched = shape_problems(expected, value, nullable, child)
            missing += more_missing
            mismatched += more_mismatched
    elif isinstance(sample, list):
        if not isinstance(driver, list):
            return [], [f"{path}: expected array, got {_json_type(driver)}"]
        for index, item in enumerate(driver):
            if sample:
                more_missing, more_mismatched = shape_problems(sample[0], item, nullable, f"{path}.{index}")
                missing += more_missing
                mismatched += more_mismatched
    elif isinstance(sample, str) and _DECIMAL.match(sample):
        if not is_amount(driver):
            mismatched.append(f"{path}: expected an amount (number or decimal string), got {_json_type(driver)}")
    elif _json_type(sample) != _json_type(driver):
        mismatched.append(f"{path}: expected {_json_type(sample)}, got {_json_type(driver)}")
    return missing, mismatched


def check_shape(design: CustomerDesign, driver: object) -> None:
    if not isinstance(driver, dict):
        raise DriverRefusal(codes.INVALID_DRIVER_DATA, "Driver data must be a JSON object")
    missing, mismatched = shape_problems(design.sample_driver, driver, set(design.nullable))
    if missing:
        raise DriverRefusal(
            codes.MISSING_DRIVER_FIELDS,
            f"Driver data lacks required fields: {', '.join(missing)}",
            f"missing={','.join(missing)}",
        )
    if mismatched:
        raise DriverRefusal(
            codes.INVALID_DRIVER_DATA,
            f"Driver data does not match the sample driver: {'; '.join(mismatched[:5])}",
            "; ".join(mismatched),
        )


def language_texts(brand: BrandConfig, language: str) -> LanguageTexts | None:
    """The brand's texts for a BCP 47 tag: the exact tag (case-insensitive), else its primary language
    (`fr-CA` -> `fr`). ASSUMPTION: the design falls back to the language when the region is missing."""
    by_tag = {tag.lower(): texts for tag, texts in brand.languages.items()}
    return by_tag.get(language.lower()) or by_tag.get(language.split("-")[0].lower())


def check_envelope(design: CustomerDesign, brands: list[BrandConfig], driver: object) -> Envelope:
    """The envelope of a driver that fits the sample, or the design's refusal."""
    check_shape(design, driver)
    assert isinstance(driver, dict)
    channel, language, currency = driver["channel"], driver["language"], driver["currency"]
    if channel not in CHANNELS:
        raise DriverRefusal(
            codes.INVALID_DRIVER_DATA,
            f"Unknown channel '{channel}'; the design has queues for {', '.join(CHANNELS)}",
            f"channel={channel}",
        )
    if not _LANGUAGE_TAG.match(language):
        raise DriverRefusal(codes.INVALID_DRIVER_DATA, f"'{language}' is not a BCP 47 language tag")
    if not _CURRENCY.match(currency):
        raise DriverRefusal(codes.INVALID_DRIVER_DATA, f"'{currency}' is not an ISO 4217 currency code")
    brand = next((b for b in brands if b.id == driver["brand"]), None)
    if brand is None:
        raise DriverRefusal(codes.UNKNOWN_BRAND, f"Brand '{driver['brand']}' is not defined in the design")
    texts = language_texts(brand, language)
    if texts is None:
        raise DriverRefusal(
            codes.UNSUPPORTED_LANGUAGE,
            f"Brand '{brand.id}' has no design for language '{language}'",
            f"languages={','.join(brand.languages)}",
        )
    recipient = driver["recipient"]
    email, postal = recipient.get("email"), recipient.get("postalAddress")
    if channel == "email" and not email:
        raise DriverRefusal(codes.MISSING_CHANNEL_ADDRESS, "Channel 'email' needs recipient.email")
    if channel == "print" and not postal:
        raise DriverRefusal(codes.MISSING_CHANNEL_ADDRESS, "Channel 'print' needs recipient.postalAddress")
    return Envelope(
        document_id=driver["document"]["id"],
        channel=channel,
        brand=brand,
        language=language,
        texts=texts,
        currency=currency,
        customer_ref=recipient["customerRef"],
        store=driver["store"],
        email=email,
        postal_address=postal,
    )
