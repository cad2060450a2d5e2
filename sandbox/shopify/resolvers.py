"""GraphQL resolvers that read and change a shop's state through the official schema's types.

The schema is shared by every simulator instance, so resolvers never close over a shop: they find
it in `info.context` (`RequestContext`). `resolve_field` is handed to `graphql.execute` as the
field resolver and dispatches on (parent type, field) instead of writing `field.resolve` into the
shared schema objects - same effect, no global mutation, and a second simulator in the same process
cannot interfere with the first.

Fields nobody wrote a resolver for still answer sensibly: `id`/`legacyResourceId` come from the
domain object's gid, other names are read from the object (camelCase → snake_case), and anything
missing falls back to null when nullable or to a neutral value of the declared type (false, 0, "",
empty list or connection). A root field without a resolver is a GraphQL error, "not simulated".

This module covers orders, holds, customers and subscriptions; `resolvers_aftersales`,
`resolvers_b2b` and `resolvers_catalog` register the rest into the same table (the executor imports
them), and add their types to `node(id:)` through `NODE_LOOKUPS`.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, TypeAlias

from graphql import (
    GraphQLEnumType,
    GraphQLError,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    is_list_type,
    is_non_null_type,
)

from sandbox.faults import FaultRule
from sandbox.shopify import risk
from sandbox.shopify.gid import gid, parse_gid
from sandbox.shopify.operations import Outcome, ShopOperations
from sandbox.shopify.rest_payloads import confirmation_number, country_name
from sandbox.shopify.schema import API_VERSION
from sandbox.shopify.search import parse_order_query
from sandbox.shopify.state import (
    SELF_APP_ID,
    SELF_APP_TITLE,
    ZERO,
    Address,
    Customer,
    FulfillmentOrder,
    LineItem,
    Order,
    RiskAssessment,
    ShopState,
    Transaction,
    UserError,
    WebhookSubscription,
    money,
)

# String aliases: GraphQLResolveInfo is generic only from graphql-core 3.3 on.
Info: TypeAlias = "GraphQLResolveInfo[Any]"
Resolver: TypeAlias = "Callable[[Any, Info, dict[str, Any]], Any]"

ROOT_TYPES = ("QueryRoot", "Mutation")
MAX_PAGE_SIZE = 250
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass
class RequestContext:
    """What one GraphQL request runs against; `info.context` in every resolver."""

    shop: ShopState
    ops: ShopOperations
    forced_user_errors: dict[str, FaultRule] = field(default_factory=dict)
    search: list[dict[str, Any]] = field(default_factory=list)  # extensions.search entries


def _ctx(info: Info) -> RequestContext:
    context = info.context
    assert isinstance(context, RequestContext)
    return context


# ------------------------------------------------------------------------------ dispatch

_RESOLVERS: dict[str, dict[str, Resolver]] = {}


def _register(type_name: str, table: dict[str, Resolver]) -> None:
    _RESOLVERS.setdefault(type_name, {}).update(table)


def resolve_field(source: Any, info: Info, **args: Any) -> Any:
    parent = info.parent_type.name
    resolver = _RESOLVERS.get(parent, {}).get(info.field_name)
    if parent in ROOT_TYPES:
        forced = _ctx(info).forced_user_errors.get(info.field_name)
        if forced is not None and parent == "QueryRoot":
            raise GraphQLError(forced.message or "Simulated failure", extensions={"code": "USER_ERROR"})
        if resolver is None:
            raise GraphQLError(
                f"Field '{info.field_name}' is not simulated by the Casebridge sandbox",
                extensions={"code": "NOT_SIMULATED"},
            )
    if resolver is not None:
        return resolver(source, info, args)
    return default_value(source, info)


def resolve_type(value: Any, _info: Info, _abstract: Any) -> str | None:
    """Concrete type of an interface/union value: `__typename` in a dict, else the class's TYPENAME."""
    if isinstance(value, Mapping):
        typename = value.get("__typename")
        return str(typename) if typename is not None else None
    typename = getattr(type(value), "TYPENAME", None)
    return typename if isinstance(typename, str) else None


_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def default_value(source: Any, info: Info) -> Any:
    name = info.field_name
    if isinstance(source, Mapping):
        if name in source:
            return source[name]
    elif source is not None:
        if name == "id" and hasattr(source, "gid"):
            return source.gid
        if name == "legacyResourceId" and hasattr(source, "id"):
            return source.id
        attribute = _CAMEL.sub("_", name).lower()
        if not attribute.startswith("_") and hasattr(source, attribute):
            return getattr(source, attribute)
    return type_default(info.return_type)


_SCALAR_DEFAULTS: dict[str, Any] = {
    "String": "",
    "ID": "",
    "Boolean": False,
    "Int": 0,
    "Float": 0.0,
    "Decimal": Decimal(0),
    "Money": Decimal(0),
    "UnsignedInt64": 0,
    "BigInt": 0,
    "DateTime": _EPOCH,
    "Date": "1970-01-01",
    "JSON": {},
    "Color": "#000000",
    "UtcOffset": "+00:00",
}


def type_default(type_: GraphQLOutputType) -> Any:
    """A neutral value for a field the simulator does not model (null where the schema allows)."""
    if not is_non_null_type(type_):
        return None
    inner = type_.of_type
    if is_list_type(inner):
        return []
    if isinstance(inner, GraphQLScalarType):
        return _SCALAR_DEFAULTS.get(inner.name, "")
    if isinstance(inner, GraphQLEnumType):
        return next(iter(inner.values))
    if isinstance(inner, GraphQLObjectType):
        if inner.name.endswith("Connection") and "pageInfo" in inner.fields:
            return _connection_of([], 0, 0, 0)
        return {}
    return None


# ------------------------------------------------------------------------------ helpers


def money_v2(amount: Decimal, currency: str) -> dict[str, Any]:
    return {"amount": money(amount), "currencyCode": currency}


def money_bag(amount: Decimal, currency: str) -> dict[str, Any]:
    return {"shopMoney": money_v2(amount, currency), "presentmentMoney": money_v2(amount, currency)}


def _user_errors(errors: list[UserError]) -> list[dict[str, object]]:
    return [e.as_graphql() for e in errors]


def _encode_cursor(item_id: int | str) -> str:
    raw = json.dumps({"last_id": item_id, "last_value": str(item_id)}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> object:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return json.loads(base64.urlsafe_b64decode(padded))["last_id"]
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise GraphQLError("Invalid cursor for current pagination sort.", extensions={"code": "BAD_REQUEST"}) from exc


def _connection_of(page: Sequence[Any], start: int, end: int, total: int) -> dict[str, Any]:
    edges = [
        {"cursor": _encode_cursor(getattr(item, "id", index)), "node": item} for index, item in enumerate(page, start)
    ]
    return {
        "edges": edges,
        "nodes": list(page),
        "pageInfo": {
            "hasNextPage": end < total,
            "hasPreviousPage": start > 0,
            "startCursor": edges[0]["cursor"] if edges else None,
            "endCursor": edges[-1]["cursor"] if edges else None,
        },
    }


def connection(items: Sequence[Any], args: dict[str, Any], info: Info) -> dict[str, Any]:
    """Relay pagination as Shopify enforces it: `first` or `last` is required, at most 250."""
    first, last = args.get("first"), args.get("last")
    if first is None and last is None:
        raise GraphQLError("you must provide one of first or last", extensions={"code": "BAD_REQUEST"})
    for name, size in (("first", first), ("last", last)):
        if size is not None and not 0 <= size <= MAX_PAGE_SIZE:
            raise GraphQLError(
                f"Argument '{name}' on field '{info.field_name}' must be between 0 and {MAX_PAGE_SIZE}",
                extensions={"code": "BAD_REQUEST"},
            )
    ordered = list(reversed(items)) if args.get("reverse") else list(items)
    ids = [getattr(item, "id", index) for index, item in enumerate(ordered)]
    start, end = 0, len(ordered)
    if args.get("after") is not None:
        after = _decode_cursor(args["after"])
        start = ids.index(after) + 1 if after in ids else end
    if args.get("before") is not None:
        before = _decode_cursor(args["before"])
        end = ids.index(before) if before in ids else end
    start = min(start, end)
    if first is not None:
        end = min(end, start + first)
    if last is not None:
        start = max(start, end - last)
    return _connection_of(ordered[start:end], start, end, len(ordered))


def _app(app_id: int | None) -> dict[str, Any] | None:
    if app_id is None:
        return None
    title = SELF_APP_TITLE if app_id == SELF_APP_ID else f"App {app_id}"
    return {
        "__typename": "App",
        "id": gid("App", app_id),
        "title": title,
        "handle": title.lower().replace(" ", "-"),
        "apiKey": f"sandbox-api-key-{app_id}",
        "developerName": title,
        "webhookApiVersion": API_VERSION,
    }


# `node(id:)` for the types the other resolver modules add: type name → lookup by number.
NODE_LOOKUPS: dict[str, Callable[[ShopState, int], Any]] = {}


def record_search(ctx: RequestContext, info: Info, query: str | None, warnings: list[dict[str, str]]) -> None:
    """Report a list query's search string (and what it could not understand) in `extensions.search`."""
    if not query:
        return
    entry: dict[str, Any] = {"path": [info.path.key], "query": query}
    if warnings:
        entry["warnings"] = warnings
    ctx.search.append(entry)


def _lookup_node(ctx: RequestContext, value: str) -> Any:
    parsed = parse_gid(value)
    number = parsed.numeric
    shop = ctx.shop
    if number is None:
        return None
    if parsed.type_name in NODE_LOOKUPS:
        return NODE_LOOKUPS[parsed.type_name](shop, number)
    if parsed.type_name == "Order":
        return shop.orders.get(number)
    if parsed.type_name == "FulfillmentOrder":
        return shop.fulfillment_orders.get(number)
    if parsed.type_name == "Customer":
        return shop.customers.get(number)
    if parsed.type_name == "LineItem":
        return shop.line_item(number)
    if parsed.type_name == "FulfillmentHold":
        return shop.holds.get(number)
    if parsed.type_name == "WebhookSubscription":
        return shop.webhook_subscriptions.get(number)
    if parsed.type_name == "FulfillmentOrderLineItem":
        return next((li for fo in shop.fulfillment_orders.values() for li in fo.line_items if li.id == number), None)
    return None


# ------------------------------------------------------------------------------ QueryRoot

_ORDER_SORT: dict[str, Callable[[Order], Any]] = {
    "CREATED_AT": lambda o: (o.created_at, o.id),
    "UPDATED_AT": lambda o: (o.updated_at, o.id),
    "PROCESSED_AT": lambda o: (o.processed_at, o.id),
    "ORDER_NUMBER": lambda o: (o.number, o.id),
    "TOTAL_PRICE": lambda o: (o.total_price, o.id),
    "FINANCIAL_STATUS": lambda o: (o.financial_status, o.id),
    "PO_NUMBER": lambda o: (o.po_number or "", o.id),
    "CUSTOMER_NAME": lambda o: ((o.customer.display_name if o.customer else ""), o.id),
}


def _orders(_: Any, info: Info, args: dict[str, Any]) -> dict[str, Any]:
    ctx = _ctx(info)
    parsed = parse_order_query(args.get("query"))
    record_search(ctx, info, args.get("query"), parsed.warnings)
    matching = [o for o in ctx.shop.orders.values() if parsed.predicate(o)]
    matching.sort(key=_ORDER_SORT.get(args.get("sortKey") or "ID", lambda o: o.id))
    return connection(matching, args, info)


def _webhook_subscriptions(_: Any, info: Info, args: dict[str, Any]) -> dict[str, Any]:
    subs = list(_ctx(info).shop.webhook_subscriptions.values())
    if args.get("topics"):
        subs = [s for s in subs if s.topic in args["topics"]]
    if args.get("callbackUrl"):
        subs = [s for s in subs if s.callback_url == args["callbackUrl"]]
    if args.get("format"):
        subs = [s for s in subs if s.format == args["format"]]
    if args.get("sortKey") == "CREATED_AT":
        subs.sort(key=lambda s: (s.created_at, s.id))
    return connection(subs, args, info)


def _shop(_: Any, info: Info, _args: dict[str, Any]) -> dict[str, Any]:
    shop = _ctx(info).shop
    handle = shop.domain.split(".")[0]
    return {
        "id": gid("Shop", zlib.crc32(shop.domain.encode())),
        "name": handle.replace("-", " ").title(),
        "myshopifyDomain": shop.domain,
        "url": f"https://{shop.domain}",
        "currencyCode": shop.currency,
        "email": f"owner@{shop.domain}",
        "contactEmail": f"owner@{shop.domain}",
        "ianaTimezone": "Etc/UTC",
        "timezoneAbbreviation": "UTC",
        "timezoneOffset": "+0000",
        "orderNumberFormatPrefix": "#",
    }


def _find(lookup: Callable[[ShopOperations, str], Any]) -> Resolver:
    return lambda _s, info, args: lookup(_ctx(info).ops, args["id"])


def _by_number(kind: str, table: Callable[[ShopState], Mapping[int, Any]]) -> Resolver:
    def resolve(_: Any, info: Info, args: dict[str, Any]) -> Any:
        number = parse_gid(args["id"]).is_a(kind)
        return table(_ctx(info).shop).get(number) if number is not None else None

    return resolve


_register(
    "QueryRoot",
    {
        "order": _find(ShopOperations.order_by_gid),
        "orders": _orders,
        "fulfillmentOrder": _find(ShopOperations.fulfillment_order_by_gid),
        "job": _find(ShopOperations.job_by_gid),
        "customer": _by_number("Customer", lambda s: s.customers),
        "webhookSubscription": _by_number("WebhookSubscription", lambda s: s.webhook_subscriptions),
        "webhookSubscriptions": _webhook_subscriptions,
        "node": lambda _s, info, args: _lookup_node(_ctx(info), args["id"]),
        "nodes": lambda _s, info, args: [_lookup_node(_ctx(info), i) for i in args["ids"]],
        "shop": _shop,
    },
)


# ------------------------------------------------------------------------------ Mutation


def _mutation(*error_keys: str) -> Callable[[Resolver], Resolver]:
    """Wrap a mutation resolver so a USER_ERROR fault answers with a refusal and changes nothing."""

    def wrap(resolver: Resolver) -> Resolver:
        def resolve(source: Any, info: Info, args: dict[str, Any]) -> Any:
            forced = _ctx(info).forced_user_errors.get(info.field_name)
            if forced is not None:
                error = UserError(forced.message or "Simulated failure").as_graphql()
                return {key: [error] for key in error_keys}
            return resolver(source, info, args)

        return resolve

    return wrap


@_mutation("userErrors")
def _order_create(_: Any, info: Info, args: dict[str, Any]) -> dict[str, Any]:
    outcome = _ctx(info).ops.create_order(args["order"])
    return {"order": outcome.value, "userErrors": _user_errors(outcome.errors)}


@_mutation("userErrors")
def _order_update(_: Any, info: Info, args: dict[str, Any]) -> dict[str, Any]:
    outcome = _ctx(info).ops.update_order(args["input"])
    return {"order": outcome.value, "userErrors": _user_errors(outcome.errors)}


@_mutation("orderCancelUserErrors", "userErrors")
def _order_cancel(_: Any, info: Info, args: dict[str, Any]) -> dict[str, Any]:
    outcome = _ctx(info).ops.cancel_order(
        args["orderId"],
        reason=args["reason"],
        refund=args["refund"],
        restock=args["restock"],
        staff_note=args.get("staffNote"),
    )
    errors = _user_errors(outcome.errors)
    return {"job": outcome.value, "orderCancelUserErrors": errors, "userErrors": errors}


def _tags(add: bool) -> Resolver:
    @_mutation("userErrors")
    def resolve(_: Any, info: Info, args: dict[str, Any]) -> dict[str, Any]:
        outcome = _ctx(info).ops.change_tags(args["id"], args["tags"], add=add)
        return {"node": outcome.value, "userErrors": _user_errors(outcome.errors)}

    return resolve


@_mutation("userErrors")
def _fulfillment_order_hold(_: Any, info: Info, args: dict[str, Any]) -> dict[str, Any]:
    outcome = _ctx(info).ops.hold(args["id"], args["fulfillmentHold"])
    return {
        "fulfillmentHold": outcome.hold,
        "fulfillmentOrder": outcome.fulfillment_order,
        "remainingFulfillmentOrder": outcome.remaining,
        "userErrors": _user_errors(outcome.errors),
    }


@_mutation("userErrors")
def _fulfillment_order_release_hold(_: Any, info: Info, args: dict[str, Any]) -> dict[str, Any]:
    outcome = _ctx(info).ops.release_hold(args["id"], args.get("holdIds"))
    return {"fulfillmentOrder": outcome.value, "userErrors": _user_errors(outcome.errors)}


@_mutation("userErrors")
def _risk_assessment_create(_: Any, info: Info, args: dict[str, Any]) -> dict[str, Any]:
    outcome = _ctx(info).ops.add_risk_assessment(args["orderRiskAssessmentInput"])
    return {"orderRiskAssessment": outcome.value, "userErrors": _user_errors(outcome.errors)}


def _subscription_payload(outcome: Outcome[WebhookSubscription]) -> dict[str, Any]:
    return {"webhookSubscription": outcome.value, "userErrors": _user_errors(outcome.errors)}


_register(
    "Mutation",
    {
        "orderCreate": _order_create,
        "orderUpdate": _order_update,
        "orderCancel": _order_cancel,
        "tagsAdd": _tags(add=True),
        "tagsRemove": _tags(add=False),
        "fulfillmentOrderHold": _fulfillment_order_hold,
        "fulfillmentOrderReleaseHold": _fulfillment_order_release_hold,
        "orderRiskAssessmentCreate": _risk_assessment_create,
        "webhookSubscriptionCreate": _mutation("userErrors")(
            lambda _s, info, args: _subscription_payload(
                _ctx(info).ops.create_webhook_subscription(args["topic"], args["webhookSubscription"])
            )
        ),
        "webhookSubscriptionUpdate": _mutation("userErrors")(
            lambda _s, info, args: _subscription_payload(
                _ctx(info).ops.update_webhook_subscription(args["id"], args["webhookSubscription"])
            )
        ),
        "webhookSubscriptionDelete": _mutation("userErrors")(
            lambda _s, info, args: (
                lambda outcome: {
                    "deletedWebhookSubscriptionId": outcome.value,
                    "userErrors": _user_errors(outcome.errors),
                }
            )(_ctx(info).ops.delete_webhook_subscription(args["id"]))
        ),
    },
)


# ------------------------------------------------------------------------------ object types


def _money_field(getter: Callable[[Any], Decimal], currency: Callable[[Any], str]) -> Resolver:
    return lambda source, _info, _args: money_bag(getter(source), currency(source))


def _order_money(getter: Callable[[Order], Decimal]) -> Resolver:
    return _money_field(getter, lambda o: o.currency)


def _plain(getter: Callable[[Any], Any]) -> Resolver:
    return lambda source, _info, _args: getter(source)


def _order_transactions(order: Order, _info: Info, args: dict[str, Any]) -> list[Transaction]:
    first = args.get("first")
    return order.transactions[:first] if first is not None else list(order.transactions)


def _risk_summary(order: Order) -> dict[str, Any]:
    return {"assessments": list(order.risk_assessments), "recommendation": risk.recommendation(order)}


def _fulfillable(order: Order) -> bool:
    return order.cancelled_at is None and any(fo.status == "OPEN" for fo in order.fulfillment_orders)


_register(
    "Order",
    {
        "currencyCode": _plain(lambda o: o.currency),
        "presentmentCurrencyCode": _plain(lambda o: o.currency),
        "confirmed": _plain(lambda _o: True),
        "displayFinancialStatus": _plain(lambda o: o.financial_status),
        "displayFulfillmentStatus": _plain(lambda o: o.display_fulfillment_status),
        "displayAddress": _plain(lambda o: o.billing_address or o.shipping_address),
        "billingAddressMatchesShippingAddress": _plain(
            lambda o: (
                (o.billing_address.country_code if o.billing_address else None)
                == (o.shipping_address.country_code if o.shipping_address else None)
            )
        ),
        "customAttributes": _plain(lambda o: [{"key": k, "value": v} for k, v in o.custom_attributes]),
        "discountCode": _plain(lambda o: o.discount_codes[0].code if o.discount_codes else None),
        "discountCodes": _plain(lambda o: [d.code for d in o.discount_codes]),
        "paymentGatewayNames": _plain(lambda o: sorted({t.gateway for t in o.transactions})),
        "lineItems": lambda o, info, args: connection(o.line_items, args, info),
        "fulfillmentOrders": lambda o, info, args: connection(o.fulfillment_orders, args, info),
        "shippingLines": lambda o, info, args: connection(o.shipping_lines, args, info),
        "shippingLine": _plain(lambda o: o.shipping_lines[0] if o.shipping_lines else None),
        "transactions": _order_transactions,
        "taxLines": _plain(lambda o: list(o.tax_lines)),
        "risk": _plain(_risk_summary),
        "riskLevel": _plain(risk.legacy_risk_level),
        "risks": _plain(lambda _o: []),
        "cancellation": _plain(lambda o: {"staffNote": o.cancel_staff_note} if o.cancelled_at else None),
        "fulfillable": _plain(_fulfillable),
        "requiresShipping": _plain(lambda o: any(li.requires_shipping for li in o.line_items)),
        "unpaid": _plain(lambda o: o.financial_status in ("PENDING", "AUTHORIZED", "EXPIRED")),
        "fullyPaid": _plain(lambda o: o.financial_status in ("PAID", "PARTIALLY_REFUNDED", "REFUNDED")),
        "canMarkAsPaid": _plain(
            lambda o: o.cancelled_at is None and o.financial_status in ("PENDING", "PARTIALLY_PAID")
        ),
        "refundable": _plain(lambda o: o.net_payment > 0),
        "restockable": _plain(lambda o: o.cancelled_at is None),
        "customerAcceptsMarketing": _plain(lambda o: o.buyer_accepts_marketing),
        "customerLocale": _plain(lambda _o: "en"),
        "confirmationNumber": _plain(lambda o: confirmation_number(o.id)),
        "statusPageUrl": lambda o, info, _args: f"https://{_ctx(info).shop.domain}/orders/{o.id}/authenticate",
        "subtotalLineItemsQuantity": _plain(lambda o: sum(li.quantity for li in o.line_items)),
        "currentSubtotalLineItemsQuantity": _plain(lambda o: sum(li.current_quantity for li in o.line_items)),
        "totalPriceSet": _order_money(lambda o: o.total_price),
        "originalTotalPriceSet": _order_money(lambda o: o.total_price),
        "currentTotalPriceSet": _order_money(lambda o: o.current_total_price),
        "subtotalPriceSet": _order_money(lambda o: o.subtotal),
        "currentSubtotalPriceSet": _order_money(lambda o: ZERO if o.cancelled_at else o.subtotal),
        "totalDiscountsSet": _order_money(lambda o: o.total_discounts),
        "currentTotalDiscountsSet": _order_money(lambda o: ZERO if o.cancelled_at else o.total_discounts),
        "cartDiscountAmountSet": _order_money(lambda o: o.line_discounts),
        "currentCartDiscountAmountSet": _order_money(lambda o: ZERO if o.cancelled_at else o.line_discounts),
        "totalTaxSet": _order_money(lambda o: o.total_tax),
        "currentTotalTaxSet": _order_money(lambda o: ZERO if o.cancelled_at else o.total_tax),
        "totalShippingPriceSet": _order_money(lambda o: o.total_shipping),
        "currentShippingPriceSet": _order_money(lambda o: ZERO if o.cancelled_at else o.total_shipping),
        "totalReceivedSet": _order_money(lambda o: o.total_received),
        "totalRefundedSet": _order_money(lambda o: o.total_refunded),
        "netPaymentSet": _order_money(lambda o: o.net_payment),
        "totalOutstandingSet": _order_money(lambda o: o.total_outstanding),
        "totalCapturableSet": _order_money(lambda _o: ZERO),
        "totalTipReceivedSet": _order_money(lambda _o: ZERO),
        "refundDiscrepancySet": _order_money(lambda _o: ZERO),
        # Deprecated scalar twins that older connectors still read.
        "totalPrice": _plain(lambda o: o.total_price),
        "subtotalPrice": _plain(lambda o: o.subtotal),
        "totalDiscounts": _plain(lambda o: o.total_discounts),
        "totalTax": _plain(lambda o: o.total_tax),
        "totalShippingPrice": _plain(lambda o: o.total_shipping),
        "totalReceived": _plain(lambda o: o.total_received),
        "totalRefunded": _plain(lambda o: o.total_refunded),
        "netPayment": _plain(lambda o: o.net_payment),
        "totalCapturable": _plain(lambda _o: ZERO),
    },
)

_register(
    "OrderRiskAssessment",
    {
        "provider": _plain(lambda a: _app(a.provider_app_id) if isinstance(a, RiskAssessment) else None),
    },
)


def _line_money(getter: Callable[[LineItem], Decimal]) -> Resolver:
    return _money_field(getter, lambda li: li.currency)


def _line_fulfillment_status(item: LineItem) -> str:
    if item.fulfilled_quantity == 0:
        return "unfulfilled"
    return "partial" if item.unfulfilled_quantity else "fulfilled"


def _unit(total: Decimal, quantity: int) -> Decimal:
    return money(total / quantity) if quantity else ZERO


_register(
    "LineItem",
    {
        "isGiftCard": _plain(lambda li: li.gift_card),
        "customAttributes": _plain(lambda li: [{"key": k, "value": v} for k, v in li.properties]),
        "unfulfilledQuantity": _plain(lambda li: li.unfulfilled_quantity),
        "fulfillableQuantity": _plain(lambda li: li.unfulfilled_quantity),
        "refundableQuantity": _plain(lambda li: li.current_quantity),
        "nonFulfillableQuantity": _plain(lambda _li: 0),
        "fulfillmentStatus": _plain(_line_fulfillment_status),
        "restockable": _plain(lambda li: li.current_quantity > 0),
        "canRestock": _plain(lambda li: li.current_quantity > 0),
        "merchantEditable": _plain(lambda li: li.current_quantity > 0),
        "variant": lambda li, info, _args: _ctx(info).shop.variants.get(li.variant_id or -1),
        "product": lambda li, info, _args: _ctx(info).shop.products.get(li.product_id or -1),
        "originalUnitPriceSet": _line_money(lambda li: li.price),
        "originalUnitPrice": _plain(lambda li: li.price),
        "originalTotalSet": _line_money(lambda li: li.original_total),
        "originalTotal": _plain(lambda li: li.original_total),
        "discountedTotalSet": _line_money(lambda li: li.discounted_total),
        "discountedTotal": _plain(lambda li: li.discounted_total),
        "discountedUnitPriceSet": _line_money(lambda li: _unit(li.discounted_total, li.quantity)),
        "discountedUnitPrice": _plain(lambda li: _unit(li.discounted_total, li.quantity)),
        "discountedUnitPriceAfterAllDiscountsSet": _line_money(lambda li: _unit(li.discounted_total, li.quantity)),
        "totalDiscountSet": _line_money(lambda li: li.discount),
        "totalDiscount": _plain(lambda li: li.discount),
        "unfulfilledOriginalTotalSet": _line_money(lambda li: money(li.price * li.current_quantity)),
        "unfulfilledDiscountedTotalSet": _line_money(
            lambda li: _unit(li.discounted_total, li.quantity) * li.current_quantity
        ),
        "taxLines": lambda li, _info, args: li.tax_lines[: args["first"]] if args.get("first") else list(li.tax_lines),
    },
)

_register(
    "TaxLine",
    {
        "rate": _plain(lambda t: float(t.rate)),
        "ratePercentage": _plain(lambda t: float(t.rate * 100)),
        "priceSet": _money_field(lambda t: t.price, lambda t: t.currency),
        "price": _plain(lambda t: t.price),
        "source": _plain(lambda _t: None),
    },
)

_register(
    "ShippingLine",
    {
        "custom": _plain(lambda _s: True),
        "isRemoved": _plain(lambda _s: False),
        "price": _plain(lambda s: s.price),
        "originalPriceSet": _money_field(lambda s: s.price, lambda s: s.currency),
        "discountedPriceSet": _money_field(lambda s: s.price - s.discount, lambda s: s.currency),
        "currentDiscountedPriceSet": _money_field(lambda s: s.price - s.discount, lambda s: s.currency),
        "originalPrice": _plain(lambda s: money_v2(s.price, s.currency)),
        "discountedPrice": _plain(lambda s: money_v2(s.price - s.discount, s.currency)),
    },
)

_register(
    "OrderTransaction",
    {
        "amountSet": _money_field(lambda t: t.amount, lambda t: t.currency),
        "amount": _plain(lambda t: t.amount),
        "amountV2": _plain(lambda t: money_v2(t.amount, t.currency)),
        "formattedGateway": _plain(lambda t: t.gateway.replace("_", " ").title()),
        "manualPaymentGateway": _plain(lambda t: t.gateway == "manual"),
    },
)


def _supported_actions(fo: FulfillmentOrder) -> list[dict[str, Any]]:
    actions: list[str] = []
    if fo.status == "OPEN":
        actions = ["CREATE_FULFILLMENT", "HOLD", "MOVE"]
        if sum(li.remaining_quantity for li in fo.line_items) > 1:
            actions.append("SPLIT")
    elif fo.status == "ON_HOLD":
        actions = ["RELEASE_HOLD", "HOLD", "MOVE"]
    return [{"action": action, "externalUrl": None} for action in actions]


def _destination(fo: FulfillmentOrder) -> dict[str, Any] | None:
    address = fo.order.shipping_address
    if address is None:
        return None
    return {
        "id": gid("FulfillmentOrderDestination", address.id),
        "firstName": address.first_name,
        "lastName": address.last_name,
        "company": address.company,
        "address1": address.address1,
        "address2": address.address2,
        "city": address.city,
        "province": address.province_code,
        "zip": address.zip,
        "countryCode": address.country_code,
        "phone": address.phone,
        "email": fo.order.contact_email,
    }


_register(
    "FulfillmentOrder",
    {
        "fulfillmentHolds": _plain(lambda fo: list(fo.holds)),
        "lineItems": lambda fo, info, args: connection(fo.line_items, args, info),
        "orderId": _plain(lambda fo: fo.order.gid),
        "orderName": _plain(lambda fo: fo.order.name),
        "orderProcessedAt": _plain(lambda fo: fo.order.processed_at),
        "supportedActions": _plain(_supported_actions),
        "destination": _plain(_destination),
        "deliveryMethod": _plain(lambda fo: {"id": gid("DeliveryMethod", fo.id), "methodType": "SHIPPING"}),
        "assignedLocation": _plain(lambda _fo: {"name": "Sandbox Warehouse", "countryCode": "US", "city": "Ottawa"}),
        "fulfillAt": _plain(lambda _fo: None),
        "fulfillBy": _plain(lambda _fo: None),
    },
)

_register(
    "FulfillmentOrderLineItem",
    {
        "productTitle": _plain(lambda li: li.line_item.title),
        "sku": _plain(lambda li: li.line_item.sku),
        "variantTitle": _plain(lambda li: li.line_item.variant_title),
        "vendor": _plain(lambda li: li.line_item.vendor),
        "requiresShipping": _plain(lambda li: li.line_item.requires_shipping),
        "originalUnitPriceSet": _money_field(lambda li: li.line_item.price, lambda li: li.line_item.currency),
        "variant": lambda li, info, _args: _ctx(info).shop.variants.get(li.line_item.variant_id or -1),
    },
)

_HOLD_REASONS = {
    "AWAITING_PAYMENT": "Awaiting payment",
    "HIGH_RISK_OF_FRAUD": "High risk of fraud",
    "INCORRECT_ADDRESS": "Incorrect address",
    "INVENTORY_OUT_OF_STOCK": "Inventory out of stock",
    "UNKNOWN_DELIVERY_DATE": "Unknown delivery date",
    "ONLINE_STORE_POST_PURCHASE_CROSS_SELL": "Post-purchase upsell offer",
    "AWAITING_RETURN_ITEMS": "Awaiting return items",
    "OTHER": "Other",
}

_register(
    "FulfillmentHold",
    {
        "heldByRequestingApp": _plain(lambda h: h.app_id == SELF_APP_ID),
        "heldByApp": _plain(lambda h: _app(h.app_id)),
        "displayReason": _plain(lambda h: _HOLD_REASONS.get(h.reason, h.reason.title())),
    },
)


def _customer_orders(customer: Customer, info: Info, args: dict[str, Any]) -> dict[str, Any]:
    orders = _ctx(info).shop.orders
    return connection([orders[i] for i in customer.order_ids if i in orders], args, info)


def _amount_spent(customer: Customer, info: Info, _args: dict[str, Any]) -> dict[str, Any]:
    shop = _ctx(info).shop
    spent = sum((shop.orders[i].net_payment for i in customer.order_ids if i in shop.orders), ZERO)
    return money_v2(spent, shop.currency)


_register(
    "Customer",
    {
        "displayName": _plain(lambda c: c.display_name),
        "numberOfOrders": _plain(lambda c: len(c.order_ids)),
        "orders": _customer_orders,
        "amountSpent": _amount_spent,
        "state": _plain(lambda _c: "DISABLED"),
        "verifiedEmail": _plain(lambda c: c.email is not None),
        "validEmailAddress": _plain(lambda c: c.email is not None),
        "locale": _plain(lambda _c: "en"),
        "lifetimeDuration": _plain(lambda _c: "less than a minute"),
        "canDelete": _plain(lambda c: not c.order_ids),
        "addresses": _plain(lambda _c: []),
        "defaultAddress": _plain(lambda _c: None),
    },
)


def _formatted(address: Address, _info: Info, args: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    if args.get("withName") and address.name:
        lines.append(address.name)
    if args.get("withCompany") and address.company:
        lines.append(address.company)
    lines += [p for p in (address.address1, address.address2) if p]
    area = " ".join(p for p in (address.city, address.province_code, address.zip) if p)
    if area:
        lines.append(area)
    if address.country_code:
        lines.append(country_name(address.country_code) or address.country_code)
    return lines


_register(
    "MailingAddress",
    {
        "countryCodeV2": _plain(lambda a: a.country_code),
        "countryCode": _plain(lambda a: a.country_code),
        "country": _plain(lambda a: country_name(a.country_code)),
        "province": _plain(lambda a: a.province_code),
        "formatted": _formatted,
        "formattedArea": _plain(
            lambda a: ", ".join(p for p in (a.city, a.province_code, country_name(a.country_code)) if p) or None
        ),
        "coordinatesValidated": _plain(lambda _a: False),
    },
)

_register(
    "Job",
    {
        "query": _plain(lambda job: {} if job.done else None),
    },
)

_register(
    "WebhookSubscription",
    {
        "endpoint": _plain(lambda s: {"__typename": "WebhookHttpEndpoint", "callbackUrl": s.callback_url}),
        "apiVersion": _plain(lambda _s: {"handle": API_VERSION, "displayName": API_VERSION, "supported": True}),
    },
)
