"""One GraphQL request from body to reply, in the order Shopify applies its checks.

parse → validate against the official schema → pick the operation and coerce variables →
requested cost (over 1000: MAX_COST_EXCEEDED) → fault rules for the root fields → leaky bucket
(THROTTLED when the cost does not fit) → execute → actual cost, refund, `extensions.cost`.
Nothing here knows about HTTP; `api.py` turns a `GraphQLReply` into a response.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import re
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    ExecutionResult,
    FragmentDefinitionNode,
    GraphQLError,
    OperationDefinitionNode,
    OperationType,
    execute,
    parse,
    validate,
)
from graphql.execution.values import get_variable_values
from graphql.utilities import get_operation_ast

from sandbox.faults import FaultEffect, FaultInjector, FaultRule

# Imported for their side effect: they register the resolvers of the remaining types.
from sandbox.shopify import (  # noqa: F401
    graphql_errors,
    resolvers_aftersales,
    resolvers_b2b,
    resolvers_catalog,
    resolvers_checkouts,
    resolvers_order_edits,
    resolvers_records,
)
from sandbox.shopify.cost import (
    MAX_QUERY_COST,
    CostContext,
    LeakyBucket,
    actual_cost,
    requested_cost,
    root_field_names,
)
from sandbox.shopify.operations import ShopOperations
from sandbox.shopify.resolvers import RequestContext, resolve_field, resolve_type
from sandbox.shopify.schema import admin_schema
from sandbox.shopify.state import ShopState

SYSTEM = "shopify"
RATE_LIMIT_DOCS = "https://shopify.dev/api/usage/rate-limits"
# Effects that act on the API call itself; the delivery effects are left for the Deliverer.
REQUEST_EFFECTS = {
    FaultEffect.HTTP_500,
    FaultEffect.HTTP_503,
    FaultEffect.THROTTLE,
    FaultEffect.USER_ERROR,
    FaultEffect.LATENCY,
    FaultEffect.DROP_CONNECTION,
}


@dataclass
class ShopRuntime:
    """A shop's state with the machinery that serves it."""

    state: ShopState
    ops: ShopOperations
    bucket: LeakyBucket


@dataclass
class GraphQLReply:
    status_code: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    drop_connection: bool = False  # close the connection instead of answering


def _cost_extension(requested: int, actual: int | None, bucket: LeakyBucket) -> dict[str, Any]:
    return {
        "cost": {
            "requestedQueryCost": requested,
            "actualQueryCost": actual,
            "throttleStatus": bucket.status(),
        }
    }


def throttled(requested: int, bucket: LeakyBucket) -> GraphQLReply:
    return GraphQLReply(
        200,
        {
            "errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED", "documentation": RATE_LIMIT_DOCS}}],
            "extensions": _cost_extension(requested, None, bucket),
        },
    )


def _errors_only(errors: list[dict[str, Any]], bucket: LeakyBucket, requested: int = 0) -> GraphQLReply:
    return GraphQLReply(200, {"errors": errors, "extensions": _cost_extension(requested, None, bucket)})


_ORDER_GID = re.compile(r"gid://shopify/Order/(\d+)")


def orders_in(variables: dict[str, Any]) -> list[str]:
    """The orders a request's variables name (as order gids), for fault rules scoped to one order."""
    return _ORDER_GID.findall(json.dumps(variables, default=str))


class GraphQLEngine:
    def __init__(self, faults: FaultInjector) -> None:
        self._faults = faults

    async def run(
        self,
        shop: ShopRuntime,
        query: str,
        variables: dict[str, Any] | None = None,
        operation_name: str | None = None,
    ) -> GraphQLReply:
        schema = admin_schema()
        bucket = shop.bucket
        raw_variables = variables or {}
        shop.ops.settle()
        try:
            document = parse(query)
        except GraphQLError as exc:
            return _errors_only([graphql_errors.parse_error(exc)], bucket)
        invalid = validate(schema, document)
        if invalid:
            return _errors_only([graphql_errors.validation_error(e) for e in invalid], bucket)
        operation = get_operation_ast(document, operation_name)
        if operation is None:
            message = (
                f'No operation named "{operation_name}"'
                if operation_name
                else "An operation name is required when a document has several operations"
            )
            return _errors_only([{"message": message, "extensions": {"code": "OPERATION_NOT_FOUND"}}], bucket)
        coerced = get_variable_values(schema, operation.variable_definitions or (), raw_variables)
        if isinstance(coerced, list):
            return _errors_only([graphql_errors.variable_error(e, operation, raw_variables) for e in coerced], bucket)

        fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        costs = CostContext(schema, fragments, coerced)
        requested = requested_cost(costs, operation)
        if requested > MAX_QUERY_COST:
            return _errors_only(
                [
                    {
                        "message": (
                            f"Query cost is {requested}, which exceeds the single query max cost limit "
                            f"({MAX_QUERY_COST}). See {RATE_LIMIT_DOCS} for how query cost is calculated; "
                            "use bulk operations for larger reads."
                        ),
                        "extensions": {"code": "MAX_COST_EXCEEDED", "cost": requested, "maxCost": MAX_QUERY_COST},
                    }
                ],
                bucket,
                requested,
            )

        context = RequestContext(shop=shop.state, ops=shop.ops)
        early = await self._apply_faults(
            root_field_names(costs, operation), context, requested, bucket, shop.state.domain, orders_in(raw_variables)
        )
        if early is not None:
            return early
        if not bucket.try_take(requested):
            return throttled(requested, bucket)

        result = execute(
            schema,
            document,
            context_value=context,
            variable_values=raw_variables,
            operation_name=operation_name,
            field_resolver=resolve_field,
            type_resolver=resolve_type,
        )
        if inspect.isawaitable(result):  # only if a resolver were async; ours are not
            result = await result
        assert isinstance(result, ExecutionResult)
        actual = self._actual(costs, operation, result, requested)
        bucket.refund(requested - actual)

        body: dict[str, Any] = {"data": result.data}
        if result.errors:
            body["errors"] = [graphql_errors.execution_error(e) for e in result.errors]
        extensions = _cost_extension(requested, actual, bucket)
        if context.search:
            extensions["search"] = context.search
        body["extensions"] = extensions
        return GraphQLReply(200, body)

    @staticmethod
    def _actual(costs: CostContext, operation: OperationDefinitionNode, result: ExecutionResult, requested: int) -> int:
        if operation.operation == OperationType.MUTATION:
            return requested
        return min(requested, actual_cost(costs, operation, result.data))

    async def _apply_faults(
        self,
        root_fields: list[str],
        context: RequestContext,
        requested: int,
        bucket: LeakyBucket,
        store: str,
        orders: list[str],
    ) -> GraphQLReply | None:
        """Consult the fault rules once per distinct root field, where Shopify itself could fail."""
        for name in dict.fromkeys(root_fields):
            if name.startswith("__"):
                continue
            rule: FaultRule | None = self._faults.take(SYSTEM, name, REQUEST_EFFECTS, store=store, orders=orders)
            if rule is None:
                continue
            if rule.effect is FaultEffect.LATENCY:
                await asyncio.sleep(rule.seconds)
            elif rule.effect is FaultEffect.THROTTLE:
                return throttled(requested, bucket)
            elif rule.effect in (FaultEffect.HTTP_500, FaultEffect.HTTP_503):
                status = 500 if rule.effect is FaultEffect.HTTP_500 else 503
                headers = {"Retry-After": "1"} if status == 503 else {}
                return GraphQLReply(status, {"errors": "Internal Server Error"}, headers)
            elif rule.effect is FaultEffect.DROP_CONNECTION:
                return GraphQLReply(200, {}, drop_connection=True)
            elif rule.effect is FaultEffect.USER_ERROR:
                context.forced_user_errors[name] = rule
        return None
