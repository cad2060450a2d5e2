"""Calculated query cost and the per-shop leaky bucket, after Shopify's published rules.

Requested cost is computed from the document before execution (scalars and enums 0, each object 1,
a connection `2 + first|last x cost of one node`, each mutation root field 10); it must fit in the
bucket or the request is THROTTLED without running. Actual cost is recomputed from what was
returned (connections count the nodes really sent) and the difference is refunded - so a client
that asks for `first: 100` but gets 3 orders is charged for 3, as on Shopify.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLIncludeDirective,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLSkipDirective,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_named_type,
    is_leaf_type,
)
from graphql.execution.values import get_argument_values, get_directive_values

MAX_QUERY_COST = 1000
MUTATION_COST = 10
CONNECTION_BASE_COST = 2


class _Static:
    """Marker: compute the requested (upper-bound) cost, not the cost of a result."""


STATIC = _Static()


@dataclass
class CostContext:
    schema: GraphQLSchema
    fragments: Mapping[str, FragmentDefinitionNode]
    # What `get_variable_values` returned: `VariableValues` (graphql-core 3.3) or a dict (3.2).
    variables: Any


def requested_cost(ctx: CostContext, operation: OperationDefinitionNode) -> int:
    return _operation_cost(ctx, operation, STATIC)


def actual_cost(ctx: CostContext, operation: OperationDefinitionNode, data: Mapping[str, Any] | None) -> int:
    return _operation_cost(ctx, operation, data)


def root_field_names(ctx: CostContext, operation: OperationDefinitionNode) -> list[str]:
    """Schema names of the root fields an operation selects (fault rules are keyed by them)."""
    root = _root_type(ctx, operation)
    if root is None:
        return []
    return [node.name.value for node, _parent in _fields(ctx, operation.selection_set, root)]


def _root_type(ctx: CostContext, operation: OperationDefinitionNode) -> GraphQLObjectType | None:
    if operation.operation == OperationType.MUTATION:
        return ctx.schema.mutation_type
    if operation.operation == OperationType.QUERY:
        return ctx.schema.query_type
    return None


def _operation_cost(ctx: CostContext, operation: OperationDefinitionNode, data: Any) -> int:
    root = _root_type(ctx, operation)
    if root is None:
        return 0
    if operation.operation == OperationType.MUTATION:
        return MUTATION_COST * sum(
            1 for node, _ in _fields(ctx, operation.selection_set, root) if not node.name.value.startswith("__")
        )
    return _selection_cost(ctx, operation.selection_set, root, data)


def _included(ctx: CostContext, node: FieldNode | InlineFragmentNode | FragmentSpreadNode) -> bool:
    try:
        skip = get_directive_values(GraphQLSkipDirective, node, ctx.variables)
        include = get_directive_values(GraphQLIncludeDirective, node, ctx.variables)
    except GraphQLError:
        return True
    if skip and skip.get("if") is True:
        return False
    return not (include and include.get("if") is False)


def _fields(ctx: CostContext, selection_set: SelectionSetNode | None, parent: Any) -> Iterator[tuple[FieldNode, Any]]:
    """Field nodes of a selection set with fragments flattened, each with the type it is read on."""
    if selection_set is None:
        return
    for selection in selection_set.selections:
        if not _included(ctx, selection):  # type: ignore[arg-type]
            continue
        if isinstance(selection, FieldNode):
            yield selection, parent
        elif isinstance(selection, InlineFragmentNode):
            condition = selection.type_condition
            scope = ctx.schema.get_type(condition.name.value) if condition else parent
            yield from _fields(ctx, selection.selection_set, scope or parent)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = ctx.fragments.get(selection.name.value)
            if fragment is not None:
                scope = ctx.schema.get_type(fragment.type_condition.name.value)
                yield from _fields(ctx, fragment.selection_set, scope or parent)


def _field_def(parent: Any, name: str) -> GraphQLField | None:
    if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
        found: GraphQLField | None = parent.fields.get(name)
        return found
    return None


def _is_connection(field_def: GraphQLField) -> bool:
    named = get_named_type(field_def.type)
    return (
        isinstance(named, GraphQLObjectType)
        and named.name.endswith("Connection")
        and ("edges" in named.fields or "nodes" in named.fields)
        and ("first" in field_def.args or "last" in field_def.args)
    )


def _page_size(ctx: CostContext, field_def: GraphQLField, node: FieldNode) -> int:
    try:
        args = get_argument_values(field_def, node, ctx.variables)
    except GraphQLError:
        return 0
    sizes = [v for k in ("first", "last") if isinstance(v := args.get(k), int) and v > 0]
    return max(sizes, default=0)


def _selection_cost(ctx: CostContext, selection_set: SelectionSetNode | None, parent: Any, data: Any) -> int:
    total = 0
    for node, scope in _fields(ctx, selection_set, parent):
        name = node.name.value
        if name.startswith("__"):
            continue
        field_def = _field_def(scope, name)
        if field_def is None or is_leaf_type(get_named_type(field_def.type)):
            continue
        key = node.alias.value if node.alias else name
        if data is STATIC:
            value: Any = STATIC
        elif isinstance(data, Mapping):
            if key not in data:
                continue  # not resolved (other branch of a fragment, or an errored parent)
            value = data[key]
        else:
            continue
        if _is_connection(field_def):
            total += _connection_cost(ctx, field_def, node, value)
        else:
            total += _object_cost(ctx, node, get_named_type(field_def.type), value)
    return total


def _object_cost(ctx: CostContext, node: FieldNode, named: Any, value: Any) -> int:
    if value is STATIC:
        return 1 + _selection_cost(ctx, node.selection_set, named, STATIC)
    if value is None:
        return 1
    if isinstance(value, list):
        children = [_selection_cost(ctx, node.selection_set, named, item) for item in value]
        return 1 + max(children, default=0)
    return 1 + _selection_cost(ctx, node.selection_set, named, value)


def _connection_cost(ctx: CostContext, field_def: GraphQLField, node: FieldNode, value: Any) -> int:
    connection = get_named_type(field_def.type)
    assert isinstance(connection, GraphQLObjectType)
    if value is STATIC:
        per_node = _per_node_costs(ctx, node, connection, STATIC)
        return CONNECTION_BASE_COST + _page_size(ctx, field_def, node) * max(per_node, default=0)
    if not isinstance(value, Mapping):
        return CONNECTION_BASE_COST
    return CONNECTION_BASE_COST + max(_per_node_costs(ctx, node, connection, value), default=0)


def _per_node_costs(ctx: CostContext, node: FieldNode, connection: GraphQLObjectType, value: Any) -> list[int]:
    """Cost of one node (static) or of all returned nodes (actual), once per way nodes are selected."""
    results: list[int] = []
    for sub, _scope in _fields(ctx, node.selection_set, connection):
        name = sub.name.value
        key = sub.alias.value if sub.alias else name
        if name == "nodes":
            node_type = get_named_type(connection.fields["nodes"].type)
            items = [STATIC] if value is STATIC else list(value.get(key) or [])
            results.append(sum(1 + _selection_cost(ctx, sub.selection_set, node_type, i) for i in items))
        elif name == "edges":
            edge_type = get_named_type(connection.fields["edges"].type)
            assert isinstance(edge_type, GraphQLObjectType)
            edges = [STATIC] if value is STATIC else list(value.get(key) or [])
            total = 0
            for edge in edges:
                for inner, _ in _fields(ctx, sub.selection_set, edge_type):
                    if inner.name.value != "node":
                        continue
                    inner_key = inner.alias.value if inner.alias else "node"
                    item = STATIC if edge is STATIC else (edge or {}).get(inner_key)
                    node_type = get_named_type(edge_type.fields["node"].type)
                    total += 1 + _selection_cost(ctx, inner.selection_set, node_type, item)
            results.append(total)
    return results


@dataclass
class LeakyBucket:
    """Shopify's cost bucket: holds up to `size` points, refills `rate` points per second."""

    size: float
    rate: float
    clock: Callable[[], float] = time.monotonic
    available: float = field(init=False)
    _updated: float = field(init=False)

    def __post_init__(self) -> None:
        self.available = self.size
        self._updated = self.clock()

    def refill(self) -> None:
        now = self.clock()
        self.available = min(self.size, self.available + (now - self._updated) * self.rate)
        self._updated = now

    def try_take(self, cost: int) -> bool:
        self.refill()
        if cost > self.available:
            return False
        self.available -= cost
        return True

    def refund(self, points: int) -> None:
        self.refill()
        self.available = min(self.size, self.available + max(points, 0))

    def set_available(self, points: float) -> None:
        """Tests and the demo drain or fill the bucket directly."""
        self.refill()
        self.available = max(0.0, min(self.size, points))

    def status(self) -> dict[str, float | int]:
        self.refill()
        return {
            "maximumAvailable": float(self.size),
            "currentlyAvailable": math.floor(self.available),
            "restoreRate": float(self.rate),
        }
