"""Category values checked against their category definition, as Content Server checks them.

Keys are `{category_id}_{attribute_id}`; `{category_id}_1` is the category itself (it may carry a
`metadata_token` and holds no value). Unknown attributes, values of the wrong type and text outside
an attribute's valid values are refused with a 400 and the server's `{"error": ...}` body. Values
are stored normalised: dates as `YYYY-MM-DDTHH:MM:SS`, integers as ints, booleans as bools.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime

from sandbox.opentext_ecm.config import AttributeDefinition, CategoryDefinition, ContentServerConfig
from sandbox.opentext_ecm.errors import SimulatedCsError, cs_error

_KEY = re.compile(r"^(\d+)_(\d+)$")

CategoryValues = dict[str, object]


def split_by_category(config: ContentServerConfig, flat: Mapping[str, object]) -> dict[int, CategoryValues]:
    """Flat `{cat}_{attr}` keys (node creation, versions) grouped per category, each one checked."""
    grouped: dict[int, dict[str, object]] = {}
    for key, value in flat.items():
        match = _KEY.match(key)
        if match is None:
            raise cs_error(400, f"Invalid attribute key '{key}'.")
        grouped.setdefault(int(match.group(1)), {})[key] = value
    return {
        category_id: validate(definition_of(config, category_id), values) for category_id, values in grouped.items()
    }


def definition_of(config: ContentServerConfig, category_id: int) -> CategoryDefinition:
    definition = config.category(category_id)
    if definition is None:
        raise cs_error(
            400,
            f"Category {category_id} could not be accessed. Either it does not exist or you do not "
            "have permission to access it.",
        )
    return definition


def validate(definition: CategoryDefinition, values: Mapping[str, object]) -> CategoryValues:
    """Checked and normalised values; `{cat}_1` entries (the category itself) are dropped."""
    checked: CategoryValues = {}
    for key, value in values.items():
        match = _KEY.match(key)
        if match is None or int(match.group(1)) != definition.id:
            raise cs_error(400, f"Invalid attribute key '{key}' for category '{definition.name}' ({definition.id}).")
        attribute_id = int(match.group(2))
        if attribute_id == 1:
            if value not in ({}, None) and not (isinstance(value, dict) and set(value) <= {"metadata_token"}):
                raise cs_error(400, f"Invalid value for '{key}': the category itself takes no value.")
            continue
        attribute = definition.attribute(attribute_id)
        if attribute is None:
            raise cs_error(
                400,
                f"Invalid attribute key '{key}': category '{definition.name}' ({definition.id}) has "
                f"no attribute {attribute_id}.",
            )
        checked[key] = _checked_value(key, attribute, value)
    return checked


def missing_required(definition: CategoryDefinition, values: Mapping[str, object]) -> list[str]:
    """Names of required attributes without a value (checked when a workspace is created)."""
    return [
        attribute.name
        for attribute in definition.attributes
        if attribute.required and values.get(f"{definition.id}_{attribute.id}") in (None, "", [])
    ]


def _checked_value(key: str, attribute: AttributeDefinition, value: object) -> object:
    if value is None:
        return None
    if isinstance(value, list):
        if not attribute.multi_value:
            raise cs_error(400, f"Invalid value for '{key}': '{attribute.name}' takes one value.")
        return [_scalar(key, attribute, item) for item in value]
    return _scalar(key, attribute, value)


def _scalar(key: str, attribute: AttributeDefinition, value: object) -> object:
    if value is None:
        return None
    problem = SimulatedCsError(400, f"Invalid value for '{key}': '{attribute.name}' is of type {attribute.type}.")
    if attribute.type == "string":
        if isinstance(value, bool | dict | list):
            raise problem
        text = str(value)
        if attribute.valid_values is not None and text not in attribute.valid_values:
            # ASSUMPTION: the wording; the server refuses a value outside a popup's valid values.
            raise cs_error(
                400,
                f"Invalid value for '{key}': '{text}' is not one of the valid values of '{attribute.name}' "
                f"({', '.join(attribute.valid_values)}).",
            )
        return text
    if attribute.type == "integer":
        if isinstance(value, bool):
            raise problem
        if isinstance(value, int):
            return value
        if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
            return int(value)
        raise problem
    if attribute.type == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise problem
    # date: `YYYY-MM-DD` or an ISO timestamp; stored the way the server answers it
    if not isinstance(value, str):
        raise problem
    try:
        parsed = (
            datetime.fromisoformat(value)
            if "T" in value
            else datetime.combine(date.fromisoformat(value), datetime.min.time())
        )
    except ValueError as exc:
        raise problem from exc
    return parsed.replace(tzinfo=None, microsecond=0).isoformat()
