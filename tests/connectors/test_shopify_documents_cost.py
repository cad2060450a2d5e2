"""Every document the Shopify connector sends stays within a cost budget under Shopify's published
rules (computed by the simulator's cost model from the official schema): a query over 1000 points
is refused outright, and one over half the Standard bucket would throttle a busy shop."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    OperationDefinitionNode,
    parse,
)
from graphql.execution.values import get_variable_values
from graphql.utilities import get_operation_ast, type_from_ast

from connectors.shopify.documents import ALL_DOCUMENTS
from sandbox.shopify.cost import MAX_QUERY_COST, CostContext, requested_cost
from sandbox.shopify.schema import admin_schema

BUDGET = 500  # points per document: two fit in a Standard shop's 1000-point bucket
_SCALARS: dict[str, Any] = {
    "ID": "gid://shopify/Order/1",
    "String": "x",
    "Int": 50,  # page sizes given as variables are costed at 50
    "Float": 1.0,
    "Boolean": False,
    "Decimal": "1.0",
    "Money": "1.0",
    "DateTime": "2025-01-01T00:00:00Z",
    "URL": "https://example.test",
}


def _sample(type_: Any) -> Any:
    """The smallest value a variable of this type accepts (required fields only, empty lists)."""
    if isinstance(type_, GraphQLNonNull):
        return _sample(type_.of_type)
    if isinstance(type_, GraphQLList):
        return []
    if isinstance(type_, GraphQLEnumType):
        return next(iter(type_.values))
    if isinstance(type_, GraphQLScalarType):
        return _SCALARS.get(type_.name, "x")
    assert isinstance(type_, GraphQLInputObjectType)
    return {name: _sample(f.type) for name, f in type_.fields.items() if isinstance(f.type, GraphQLNonNull)}


def _cost(document: str) -> int:
    schema = admin_schema()
    operation = get_operation_ast(parse(document))
    assert isinstance(operation, OperationDefinitionNode)
    definitions = operation.variable_definitions or ()
    raw = {d.variable.name.value: _sample(type_from_ast(schema, d.type)) for d in definitions}
    coerced = get_variable_values(schema, definitions, raw)
    assert not isinstance(coerced, list), coerced
    return requested_cost(CostContext(schema, {}, coerced), operation)


@pytest.mark.parametrize("name", sorted(ALL_DOCUMENTS))
def test_document_cost_is_within_budget(name: str) -> None:
    cost = _cost(ALL_DOCUMENTS[name])
    assert cost <= min(BUDGET, MAX_QUERY_COST), f"{name} costs {cost}"


def test_the_cost_model_sees_page_sizes() -> None:
    cheap = _cost('query { orders(first: 1, query: "x") { nodes { id lineItems(first: 5) { nodes { id } } } } }')
    dear = _cost('query { orders(first: 100, query: "x") { nodes { id lineItems(first: 5) { nodes { id } } } } }')
    assert dear > BUDGET > cheap
