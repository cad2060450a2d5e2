"""GraphQL errors in the shape Shopify returns them.

Shopify runs graphql-ruby, whose messages and `extensions.code` values differ from graphql-core's.
A connector (or a person reading a log) should see what production would say, so the common
validation failures are reworded to graphql-ruby's form; anything unmapped keeps graphql-core's
text with a generic code. All of these are HTTP 200 responses without `data`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from graphql import GraphQLError, OperationDefinitionNode, print_ast

log = logging.getLogger(__name__)

_RULES: list[tuple[re.Pattern[str], Any]] = [
    (
        re.compile(r"^Cannot query field '(?P<field>\w+)' on type '(?P<type>\w+)'\."),
        lambda m: (
            f"Field '{m['field']}' doesn't exist on type '{m['type']}'",
            {"code": "undefinedField", "typeName": m["type"], "fieldName": m["field"]},
        ),
    ),
    (
        re.compile(r"^Unknown argument '(?P<arg>\w+)' on field '(?P<type>\w+)\.(?P<field>\w+)'\."),
        lambda m: (
            f"Field '{m['field']}' doesn't accept argument '{m['arg']}'",
            {"code": "argumentNotAccepted", "name": m["field"], "typeName": "Field", "argumentName": m["arg"]},
        ),
    ),
    (
        re.compile(r"^Field '(?P<field>\w+)' argument '(?P<arg>\w+)' of type '.+' is required"),
        lambda m: (
            f"Field '{m['field']}' is missing required arguments: {m['arg']}",
            {"code": "missingRequiredArguments", "className": "Field", "name": m["field"], "arguments": m["arg"]},
        ),
    ),
    (
        re.compile(r"^Field '(?P<field>\w+)' of type '(?P<type>.+)' must have a selection of subfields"),
        lambda m: (
            f"Field must have selections (field '{m['field']}' returns {m['type'].rstrip('!')} but has no "
            "selections. Did you mean "
            f"'{m['field']} {{ ... }}'?)",
            {"code": "selectionMismatch", "nodeName": f"field '{m['field']}'", "typeName": m["type"]},
        ),
    ),
    (
        re.compile(r"^Field '(?P<field>\w+)' must not have a selection since type '(?P<type>.+)' has no subfields"),
        lambda m: (
            f"Selections can't be made on scalars (field '{m['field']}' returns {m['type']} but has selections)",
            {"code": "selectionMismatch", "nodeName": f"field '{m['field']}'", "typeName": m["type"]},
        ),
    ),
    (
        re.compile(r"^Unknown type '(?P<type>\w+)'\."),
        lambda m: (f"No such type {m['type']}, so it can't be used", {"code": "undefinedType", "typeName": m["type"]}),
    ),
    (
        re.compile(r"^Variable '\$(?P<var>\w+)' is never used"),
        lambda m: (
            f"Variable ${m['var']} is declared but not used",
            {"code": "variableNotUsed", "variableName": m["var"]},
        ),
    ),
    (
        re.compile(r"^Variable '\$(?P<var>\w+)' is not defined"),
        lambda m: (
            f"Variable ${m['var']} is used but not declared",
            {"code": "variableNotDefined", "variableName": m["var"]},
        ),
    ),
    (
        re.compile(
            r"^(Enum '\w+' cannot represent|Value '.*' does not exist|Expected value of type|"
            r"Int cannot represent|String cannot represent|Boolean cannot represent|ID cannot represent)"
        ),
        lambda m: (m.string, {"code": "argumentLiteralsIncompatible"}),
    ),
]


def _locations(error: GraphQLError) -> list[dict[str, int]]:
    return [{"line": loc.line, "column": loc.column} for loc in error.locations or []]


def validation_error(error: GraphQLError) -> dict[str, Any]:
    for pattern, render in _RULES:
        match = pattern.match(error.message)
        if match:
            message, extensions = render(match)
            return {"message": message, "locations": _locations(error), "extensions": extensions}
    return {
        "message": error.message,
        "locations": _locations(error),
        "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"},
    }


def parse_error(error: GraphQLError) -> dict[str, Any]:
    detail = error.message.removeprefix("Syntax Error: ").rstrip(".")
    location = error.locations[0] if error.locations else None
    where = f" at [{location.line}, {location.column}]" if location else ""
    return {
        "message": f"Parse error: {detail}{where}",
        "locations": _locations(error),
        "extensions": {"code": "PARSE_ERROR"},
    }


_VARIABLE = re.compile(r"^Variable '\$(?P<var>\w+)'")
# graphql-core 3.3 says "has invalid value: ...", 3.2 "got invalid value ...; ..."
_EXPLANATION_PREFIX = re.compile(r"^Variable '\$\w+' (?:has invalid value: |got invalid value .*?; )")


def variable_error(
    error: GraphQLError, operation: OperationDefinitionNode, raw_variables: Mapping[str, Any]
) -> dict[str, Any]:
    """graphql-ruby's wording: `Variable $x of type T! was provided invalid value`, details in `problems`."""
    match = _VARIABLE.match(error.message)
    if match is None:
        return {"message": error.message, "locations": _locations(error), "extensions": {"code": "INVALID_VARIABLE"}}
    name = match["var"]
    type_text = next(
        (print_ast(d.type) for d in operation.variable_definitions or [] if d.variable.name.value == name), "?"
    )
    explanation = _EXPLANATION_PREFIX.sub("", error.message)
    return {
        "message": f"Variable ${name} of type {type_text} was provided invalid value",
        "locations": _locations(error),
        "extensions": {
            "code": "INVALID_VARIABLE",
            "value": raw_variables.get(name),
            "problems": [{"path": [], "explanation": explanation}],
        },
    }


def execution_error(error: GraphQLError) -> dict[str, Any]:
    """An error raised while resolving: ours carry a code; anything else is a simulator bug."""
    formatted: dict[str, Any] = dict(error.formatted)
    extensions = dict(formatted.get("extensions") or {})
    if "code" not in extensions:
        original = error.original_error
        if original is not None and not isinstance(original, GraphQLError):
            log.error("resolver crashed at %s", error.path, exc_info=original)
            extensions["code"] = "INTERNAL_SERVER_ERROR"
        else:
            extensions["code"] = "BAD_REQUEST"
    formatted["extensions"] = extensions
    return formatted
