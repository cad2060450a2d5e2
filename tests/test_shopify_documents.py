"""Every GraphQL document the Shopify connector sends is valid against the official 2025-01 schema."""

from __future__ import annotations

import gzip
import json
from typing import Any

import pytest
from graphql import GraphQLSchema, build_client_schema, parse, validate

from connectors.shopify.documents import ALL_DOCUMENTS
from sandbox.specs import specs_dir

SCHEMA = specs_dir() / "shopify" / "admin_schema_2025-01.json.gz"


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    data: dict[str, Any] = json.loads(gzip.decompress(SCHEMA.read_bytes()))
    built = build_client_schema(data.get("data", data))
    built._validation_errors = []  # the real schema fails graphql-core's strict interface check
    return built


@pytest.mark.parametrize("name", sorted(ALL_DOCUMENTS))
def test_document_is_valid(schema: GraphQLSchema, name: str) -> None:
    errors = validate(schema, parse(ALL_DOCUMENTS[name]))
    assert errors == [], [e.message for e in errors]


def test_validation_catches_a_wrong_field(schema: GraphQLSchema) -> None:
    errors = validate(schema, parse('query { order(id: "gid://shopify/Order/1") { notAField } }'))
    assert errors and "notAField" in errors[0].message
