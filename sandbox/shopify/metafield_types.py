"""What `metafieldsSet` accepts: the identifier rules from the 2025-01 schema's `MetafieldsSetInput`
descriptions, and the value rules of the metafield types the sandbox simulates.

Schema (2025-01): at most 25 metafields per call, atomic; namespace 3-255 and key 2-64 characters of
letters, digits, `-` and `_`; `type` required when no definition exists (the sandbox has none).
Character limits per type from shopify.dev "Metafield limits" (json 2,000,000; url 2,048; the text
and other scalar types 65,000 - ASSUMPTION: "65k" read as 65,000); lists hold at most 128 items.
Types outside `SIMULATED_TYPES` (references, measurements, money, rich text) are refused as invalid:
ASSUMPTION - Shopify accepts them, the sandbox does not model them. `MetafieldsSetUserErrorCode` has no
plain INVALID: bad characters in an identifier and an unknown owner answer INVALID_VALUE (ASSUMPTION).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

MAX_METAFIELDS_PER_CALL = 25
NAMESPACE_LENGTH = (3, 255)
KEY_LENGTH = (2, 64)
IDENTIFIER = re.compile(r"^[A-Za-z0-9_-]+$")
MAX_LIST_ITEMS = 128
_DEFAULT_LIMIT = 65_000
_LIMITS = {"json": 2_000_000, "url": 2_048, "id": 2_048}
_URL_SCHEMES = {"http", "https", "mailto", "sms", "tel"}


def _is_text(value: str) -> bool:
    return True


def _is_single_line(value: str) -> bool:
    return "\n" not in value and "\r" not in value


def _is_boolean(value: str) -> bool:
    return value in ("true", "false")


def _is_integer(value: str) -> bool:
    return re.fullmatch(r"-?\d+", value) is not None and -(2**63) <= int(value) < 2**63


def _is_decimal(value: str) -> bool:
    try:
        return Decimal(value).is_finite()
    except InvalidOperation:
        return False


def _is_json(value: str) -> bool:
    try:
        json.loads(value)
    except ValueError:
        return False
    return True


def _is_url(value: str) -> bool:
    parts = urlsplit(value)
    if parts.scheme not in _URL_SCHEMES:
        return False
    return bool(parts.netloc) if parts.scheme in ("http", "https") else bool(parts.path)


def _is_date(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


def _is_date_time(value: str) -> bool:
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _is_color(value: str) -> bool:
    return re.fullmatch(r"#[0-9A-Fa-f]{6}", value) is not None


def _is_link(value: str) -> bool:
    try:
        data = json.loads(value)
    except ValueError:
        return False
    return (
        isinstance(data, dict)
        and set(data) <= {"text", "url"}
        and isinstance(data.get("text"), str)
        and isinstance(data.get("url"), str)
        and _is_url(data["url"])
    )


SCALAR_TYPES: dict[str, Callable[[str], bool]] = {
    "single_line_text_field": _is_single_line,
    "multi_line_text_field": _is_text,
    "boolean": _is_boolean,
    "number_integer": _is_integer,
    "number_decimal": _is_decimal,
    "json": _is_json,
    "url": _is_url,
    "date": _is_date,
    "date_time": _is_date_time,
    "color": _is_color,
    "link": _is_link,
}
_LISTABLE = {"single_line_text_field", "number_integer", "number_decimal", "url", "date", "date_time", "color", "link"}
SIMULATED_TYPES = frozenset(SCALAR_TYPES) | {f"list.{t}" for t in _LISTABLE}


def identifier_problem(value: str, bounds: tuple[int, int], what: str) -> tuple[str, str] | None:
    """(code, message) when a namespace or key breaks the schema's rules; None when it is fine."""
    low, high = bounds
    if len(value) < low:
        return "TOO_SHORT", f"{what} is too short (minimum is {low} characters)"
    if len(value) > high:
        return "TOO_LONG", f"{what} is too long (maximum is {high} characters)"
    if not IDENTIFIER.match(value):
        return "INVALID_VALUE", f"{what} contains one or more invalid characters."
    return None


def value_problem(type_name: str, value: str) -> tuple[str, str] | None:
    """(code, message) when `value` is not a valid `type_name` value; None when it is."""
    if type_name.startswith("list."):
        item_type = type_name[5:]
        try:
            items = json.loads(value)
        except ValueError:
            return "INVALID_VALUE", "Value must be a JSON array."
        if not isinstance(items, list):
            return "INVALID_VALUE", "Value must be a JSON array."
        if len(items) > MAX_LIST_ITEMS:
            return "INVALID_VALUE", f"Value has more than {MAX_LIST_ITEMS} items."
        for item in items:
            raw = json.dumps(item) if item_type == "link" else item
            if not isinstance(raw, str) or not SCALAR_TYPES[item_type](raw):
                return "INVALID_VALUE", f"Value has an invalid {item_type} item."
        return None
    limit = _LIMITS.get(type_name, _DEFAULT_LIMIT)
    if len(value) > limit:
        return "INVALID_VALUE", f"Value is too long (maximum is {limit} characters) for type {type_name}."
    if not SCALAR_TYPES[type_name](value):
        return "INVALID_VALUE", f"Value is invalid for type {type_name}."
    return None
