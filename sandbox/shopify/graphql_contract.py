"""The Shopify Admin API's wire contract, for `SpecCheckingTransport` in contract tests.

Shopify publishes a GraphQL schema, not an OpenAPI file, so this `SpecContract` checks what the
official schema and the transport rules say a request must be: `POST .../admin/api/2025-01/
graphql.json` with `X-Shopify-Access-Token` and a JSON body `{"query", "variables"?,
"operationName"?}` whose document parses, validates against the schema, names one operation, and
whose variables coerce to the declared types.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from graphql import GraphQLError, parse, validate
from graphql.execution.values import get_variable_values
from graphql.utilities import get_operation_ast

from sandbox.openapi_contract import SpecContract
from sandbox.shopify.schema import API_VERSION, admin_schema, schema_path

_PATH = re.compile(rf"/admin/api/{re.escape(API_VERSION)}/graphql\.json$")


class ShopifyGraphQLContract(SpecContract):
    def __init__(self) -> None:
        super().__init__(schema_path(), lambda url: url)

    def errors(self, method: str, url: str, headers: Mapping[str, str], body: bytes | None) -> list[str]:
        lowered = {k.lower(): v for k, v in headers.items()}
        problems: list[str] = []
        if method.upper() != "POST":
            problems.append(f"method {method} is not POST")
        if not _PATH.search(url.split("?")[0]):
            problems.append(f"{url} is not the {API_VERSION} GraphQL endpoint")
        if not lowered.get("x-shopify-access-token"):
            problems.append("X-Shopify-Access-Token header missing")
        if not lowered.get("content-type", "").startswith("application/json"):
            problems.append("Content-Type is not application/json")
        try:
            payload: Any = json.loads(body or b"")
        except ValueError:
            return [*problems, "body is not JSON"]
        if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
            return [*problems, "body has no `query` string"]
        return problems + self._document_errors(payload)

    @staticmethod
    def _document_errors(payload: dict[str, Any]) -> list[str]:
        schema = admin_schema()
        try:
            document = parse(payload["query"])
        except GraphQLError as exc:
            return [f"parse: {exc.message}"]
        invalid = validate(schema, document)
        if invalid:
            return [f"schema: {e.message}" for e in invalid]
        operation = get_operation_ast(document, payload.get("operationName"))
        if operation is None:
            return ["no single operation to run (operationName missing or wrong)"]
        variables = payload.get("variables") or {}
        if not isinstance(variables, dict):
            return ["variables is not an object"]
        coerced = get_variable_values(schema, operation.variable_definitions or (), variables)
        if isinstance(coerced, list):
            return [f"variables: {e.message}" for e in coerced]
        return []
