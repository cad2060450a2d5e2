"""The official Shopify Admin GraphQL schema (API 2025-01), loaded once per process.

The simulator validates and executes every document against Shopify's own introspection result, so
field names, argument types and enum values are exactly the real ones and a connector typo fails
here as it would in production. Shopify's custom scalars arrive from introspection without any
coercion rules; we give the few the simulator reads or writes real ones (a Decimal that is not a
number is refused, a DateTime is serialised in Shopify's `...Z` format).
"""

from __future__ import annotations

import gzip
import json
import re
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

from graphql import GraphQLError, GraphQLScalarType, GraphQLSchema, build_client_schema
from graphql.language import FloatValueNode, IntValueNode, StringValueNode, ValueNode

from sandbox.specs import specs_dir

API_VERSION = "2025-01"


def schema_path() -> Path:
    return specs_dir() / "shopify" / "admin_schema_2025-01.json.gz"


@lru_cache(maxsize=1)
def admin_schema() -> GraphQLSchema:
    """Build the schema once; later calls (every simulator instance, every request) share it."""
    with gzip.open(schema_path(), "rt", encoding="utf-8") as handle:
        raw = json.load(handle)
    schema = build_client_schema(raw.get("data", raw))
    # graphql-core's schema self-check rejects Shopify's real schema (some interface fields are
    # deprecated only in their implementations); document validation is unaffected.
    schema._validation_errors = []
    _install_scalars(schema)
    return schema


def format_decimal(value: Decimal) -> str:
    """Shopify renders Decimal amounts as the shortest form with at least one decimal: `10.0`, `137.44`."""
    text = format(value.normalize(), "f")
    if "." not in text:
        text += ".0"
    return text


def format_datetime(value: datetime) -> str:
    """GraphQL DateTime as Shopify emits it: UTC, seconds precision, `Z` suffix."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _serialize_decimal(value: Any) -> str:
    if isinstance(value, Decimal):
        return format_decimal(value)
    if isinstance(value, int | float):
        return format_decimal(Decimal(str(value)))
    return str(value)


def _parse_decimal(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise GraphQLError(f"Decimal cannot represent a non-numeric value: {value!r}")
    try:
        parsed = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise GraphQLError(f"Decimal cannot represent value: {value!r}") from exc
    if not parsed.is_finite():
        raise GraphQLError(f"Decimal cannot represent value: {value!r}")
    return parsed


def _serialize_datetime(value: Any) -> str:
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _parse_datetime(value: Any) -> datetime:
    if not isinstance(value, str):
        raise GraphQLError(f"DateTime must be an ISO 8601 string, got {value!r}")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise GraphQLError(f"DateTime is not ISO 8601: {value!r}") from exc
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


_UINT64 = re.compile(r"^\d{1,20}$")


def _serialize_uint64(value: Any) -> str:
    # Shopify serialises UnsignedInt64 (legacyResourceId, counts) as a JSON string.
    return str(value)


def _parse_uint64(value: Any) -> int:
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(text, str) or not _UINT64.match(text) or int(text) >= 2**64:
        raise GraphQLError(f"UnsignedInt64 cannot represent value: {value!r}")
    return int(text)


def _literal(parse: Any) -> Any:
    def coerce_literal(node: ValueNode, _variables: Any = None) -> Any:
        if isinstance(node, StringValueNode | IntValueNode | FloatValueNode):
            return parse(node.value)
        raise GraphQLError(f"Unexpected literal {type(node).__name__}")

    return coerce_literal


def _install_scalars(schema: GraphQLSchema) -> None:
    """Give Shopify's custom scalars real coercion (graphql-core 3.3 names, plus the 3.2 ones)."""
    rules: dict[str, tuple[Any, Any]] = {
        "Decimal": (_serialize_decimal, _parse_decimal),
        "Money": (_serialize_decimal, _parse_decimal),
        "DateTime": (_serialize_datetime, _parse_datetime),
        "UnsignedInt64": (_serialize_uint64, _parse_uint64),
    }
    for name, (serialize, parse) in rules.items():
        scalar = schema.get_type(name)
        if not isinstance(scalar, GraphQLScalarType):
            continue
        literal = _literal(parse)
        for attribute, function in (
            ("coerce_output_value", serialize),
            ("coerce_input_value", parse),
            ("coerce_input_literal", literal),
            ("serialize", serialize),
            ("parse_value", parse),
            ("parse_literal", literal),
        ):
            setattr(scalar, attribute, function)
