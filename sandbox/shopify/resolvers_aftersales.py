"""GraphQL resolvers for fulfillments, refunds (and `order.suggestedRefund`), returns and disputes.

Registered into `resolvers`' table on import (the executor imports this module).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from graphql import GraphQLError

from sandbox.shopify.gid import gid
from sandbox.shopify.refunds import SuggestedRefund, SuggestedTransaction
from sandbox.shopify.resolvers import (
    NODE_LOOKUPS,
    Info,
    _ctx,
    _money_field,
    _mutation,
    _plain,
    _register,
    _user_errors,
    connection,
    money_bag,
    money_v2,
    record_search,
)
from sandbox.shopify.returns import returnable_fulfillments
from sandbox.shopify.search_terms import FieldMatcher, number, parse_search, text
from sandbox.shopify.state import ZERO, Order, Transaction, money
from sandbox.shopify.state_aftersales import (
    EVIDENCE_TEXT_FIELDS,
    Dispute,
    FulfillmentLineItem,
    Refund,
    RefundLineItem,
    Return,
    ReturnLineItem,
)

# ------------------------------------------------------------------------------ QueryRoot


def _returnable_fulfillments(_: Any, info: Info, args: dict[str, Any]) -> dict[str, Any]:
    order = _ctx(info).ops.order_by_gid(args["orderId"])
    if order is None:
        raise GraphQLError("Order does not exist", extensions={"code": "NOT_FOUND"})
    return connection(returnable_fulfillments(order), args, info)


_DISPUTE_FIELDS: dict[str, FieldMatcher[Dispute]] = {
    "status": text(lambda d: d.status),
    "initiated_as": text(lambda d: d.kind),
    "reason": text(lambda d: d.reason),
    "id": number(lambda d: d.id),
    "order_id": number(lambda d: d.order.id),
}


def _disputes(_: Any, info: Info, args: dict[str, Any]) -> dict[str, Any]:
    ctx = _ctx(info)
    search = parse_search(args.get("query"), _DISPUTE_FIELDS)
    record_search(ctx, info, args.get("query"), search.warnings)
    return connection([d for d in ctx.shop.disputes.values() if search.predicate(d)], args, info)


_register(
    "QueryRoot",
    {
        "return": lambda _s, info, args: _ctx(info).ops.return_by_gid(args["id"]),
        "returnableFulfillments": _returnable_fulfillments,
        "dispute": lambda _s, info, args: _ctx(info).ops.dispute_by_gid(args["id"]),
        "disputes": _disputes,
        "disputeEvidence": lambda _s, info, args: _ctx(info).ops.evidence_by_gid(args["id"]),
    },
)

NODE_LOOKUPS.update(
    {
        "Fulfillment": lambda shop, n: shop.fulfillments.get(n),
        "Refund": lambda shop, n: shop.refunds.get(n),
        "Return": lambda shop, n: shop.returns.get(n),
        "ShopifyPaymentsDispute": lambda shop, n: shop.disputes.get(n),
        "ShopifyPaymentsDisputeEvidence": lambda shop, n: d.evidence if (d := shop.disputes.get(n)) else None,
        "FulfillmentLineItem": lambda shop, n: next(
            (i for f in shop.fulfillments.values() for i in f.line_items if i.id == n), None
        ),
    }
)

# ------------------------------------------------------------------------------ Mutation


@_mutation("userErrors")
def _fulfillment_create(_: Any, info: Info, args: dict[str, Any]) -> dict[str, Any]:
    outcome = _ctx(info).ops.create_fulfillment(args["fulfillment"])
    return {"fulfillment": outcome.value, "userErrors": _user_errors(outcome.errors)}


@_mutation("userErrors")
def _refund_create(_: Any, info: Info, args: dict[str, Any]) -> dict[str, Any]:
    outcome = _ctx(info).ops.create_refund(args["input"])
    refund = outcome.value
    return {"refund": refund, "order": refund.order if refund else None, "userErrors": _user_errors(outcome.errors)}


def _return_mutation(method: str) -> Any:
    @_mutation("userErrors")
    def resolve(_: Any, info: Info, args: dict[str, Any]) -> dict[str, Any]:
        outcome = getattr(_ctx(info).ops, method)(args["input"])
        return {"return": outcome.value, "userErrors": _user_errors(outcome.errors)}

    return resolve


@_mutation("userErrors")
def _dispute_evidence_update(_: Any, info: Info, args: dict[str, Any]) -> dict[str, Any]:
    outcome = _ctx(info).ops.update_evidence(args["id"], args["input"])
    return {"disputeEvidence": outcome.value, "userErrors": _user_errors(outcome.errors)}


_register(
    "Mutation",
    {
        "fulfillmentCreateV2": _fulfillment_create,
        "refundCreate": _refund_create,
        "returnRequest": _return_mutation("request_return"),
        "returnApproveRequest": _return_mutation("approve_return"),
        "returnDeclineRequest": _return_mutation("decline_return"),
        "disputeEvidenceUpdate": _dispute_evidence_update,
    },
)

# ------------------------------------------------------------------------------ Order additions


def _return_status(order: Order) -> str:
    """`OrderReturnStatus`, from the most pressing of the order's returns."""
    statuses = {r.status for r in order.returns}
    if "REQUESTED" in statuses:
        return "RETURN_REQUESTED"
    if "OPEN" in statuses:
        return "IN_PROGRESS"
    if "CLOSED" in statuses:
        return "RETURNED"
    return "NO_RETURN"


def _limited(items: list[Any], args: dict[str, Any]) -> list[Any]:
    first = args.get("first")
    return items[:first] if first is not None else list(items)


_RETURN_FIELDS: dict[str, FieldMatcher[Return]] = {"status": text(lambda r: r.status)}


def _order_returns(order: Order, info: Info, args: dict[str, Any]) -> dict[str, Any]:
    search = parse_search(args.get("query"), _RETURN_FIELDS)
    return connection([r for r in order.returns if search.predicate(r)], args, info)


_register(
    "Order",
    {
        "refunds": lambda o, _info, args: _limited(o.refunds, args),
        "fulfillments": lambda o, _info, args: _limited(o.fulfillments, args),
        "returns": _order_returns,
        "returnStatus": _plain(_return_status),
        "disputes": _plain(lambda o: [{"id": d.gid, "initiatedAs": d.kind, "status": d.status} for d in o.disputes]),
        "suggestedRefund": lambda o, info, args: _ctx(info).ops.suggest_refund(o, args),
        "totalRefundedShippingSet": _money_field(lambda o: o.refunded_shipping, lambda o: o.currency),
    },
)


def _parent_transaction(tx: Transaction, info: Info, _args: dict[str, Any]) -> Transaction | None:
    order = _ctx(info).shop.orders.get(tx.order_id or -1)
    if order is None or tx.parent_id is None:
        return None
    return next((t for t in order.transactions if t.id == tx.parent_id), None)


_register(
    "OrderTransaction",
    {
        "parentTransaction": _parent_transaction,
        "order": lambda tx, info, _args: _ctx(info).shop.orders.get(tx.order_id or -1),
        "test": _plain(lambda tx: tx.test),
    },
)

# ------------------------------------------------------------------------------ fulfillments

_register(
    "Fulfillment",
    {
        "fulfillmentLineItems": lambda f, info, args: connection(f.line_items, args, info),
        "fulfillmentOrders": lambda f, info, args: connection(
            [fo for fo in f.order.fulfillment_orders if fo.id in f.fulfillment_order_ids], args, info
        ),
        "trackingInfo": lambda f, _info, args: [
            {"company": t.company, "number": t.number, "url": t.url} for t in _limited(f.tracking, args)
        ],
        "displayStatus": _plain(lambda f: "FULFILLED" if f.status == "SUCCESS" else None),
        "requiresShipping": _plain(lambda f: any(i.line_item.requires_shipping for i in f.line_items)),
        "location": _plain(lambda _f: None),
        "service": _plain(lambda _f: None),
    },
)


def _item_total(item: FulfillmentLineItem, discounted: bool) -> Decimal:
    unit = item.line_item.discounted_unit_price if discounted else item.line_item.price
    return money(unit * item.quantity)


_register(
    "FulfillmentLineItem",
    {
        "originalTotalSet": _money_field(lambda i: _item_total(i, False), lambda i: i.line_item.currency),
        "originalTotal": _plain(lambda i: _item_total(i, False)),
        "discountedTotalSet": _money_field(lambda i: _item_total(i, True), lambda i: i.line_item.currency),
        "discountedTotal": _plain(lambda i: _item_total(i, True)),
    },
)

# ------------------------------------------------------------------------------ refunds


def _refund_shipping_lines(refund: Refund, info: Info, args: dict[str, Any]) -> dict[str, Any]:
    order = refund.order
    lines = []
    if refund.shipping_amount > 0 and order.shipping_lines:
        lines.append(
            {
                "id": gid("RefundShippingLine", refund.shipping_adjustment_id or refund.id),
                "shippingLine": order.shipping_lines[0],
                "subtotalAmountSet": money_bag(refund.shipping_amount, order.currency),
                "taxAmountSet": money_bag(refund.shipping_tax, order.currency),
            }
        )
    return connection(lines, args, info)


_register(
    "Refund",
    {
        "refundLineItems": lambda r, info, args: connection(r.line_items, args, info),
        "transactions": lambda r, info, args: connection(r.transactions, args, info),
        "refundShippingLines": _refund_shipping_lines,
        "totalRefundedSet": _money_field(lambda r: r.total_refunded, lambda r: r.order.currency),
        "totalRefunded": _plain(lambda r: money_v2(r.total_refunded, r.order.currency)),
        "duties": _plain(lambda _r: []),
        "return": _plain(lambda _r: None),
        "staffMember": _plain(lambda _r: None),
    },
)


def _rli_currency(item: RefundLineItem) -> str:
    return item.line_item.currency


_register(
    "RefundLineItem",
    {
        "priceSet": _money_field(lambda i: i.unit_price, _rli_currency),
        "price": _plain(lambda i: i.unit_price),
        "subtotalSet": _money_field(lambda i: i.subtotal, _rli_currency),
        "subtotal": _plain(lambda i: i.subtotal),
        "totalTaxSet": _money_field(lambda i: i.total_tax, _rli_currency),
        "totalTax": _plain(lambda i: i.total_tax),
        "location": _plain(
            lambda i: {"id": gid("Location", i.location_id), "name": "Sandbox Warehouse"} if i.location_id else None
        ),
    },
)


def _suggested_currency(suggestion: SuggestedRefund) -> str:
    return suggestion.currency


_register(
    "SuggestedRefund",
    {
        "amountSet": _money_field(lambda s: s.amount, _suggested_currency),
        "amount": _plain(lambda s: s.amount),
        "maximumRefundableSet": _money_field(lambda s: s.maximum_refundable, _suggested_currency),
        "maximumRefundable": _plain(lambda s: s.maximum_refundable),
        "subtotalSet": _money_field(lambda s: s.subtotal, _suggested_currency),
        "subtotal": _plain(lambda s: s.subtotal),
        "discountedSubtotalSet": _money_field(lambda s: s.subtotal, _suggested_currency),
        "totalTaxSet": _money_field(lambda s: s.total_tax, _suggested_currency),
        "totalTaxes": _plain(lambda s: s.total_tax),
        "totalCartDiscountAmountSet": _money_field(lambda s: s.cart_discount, _suggested_currency),
        "totalDutiesSet": _money_field(lambda _s: ZERO, _suggested_currency),
        "refundDuties": _plain(lambda _s: []),
        "refundLineItems": _plain(lambda s: list(s.line_items)),
        "suggestedTransactions": lambda s, _info, _args: [
            _suggested_transaction(t, s.currency) for t in s.transactions
        ],
        "shipping": _plain(
            lambda s: {
                "amountSet": money_bag(s.shipping_amount, s.currency),
                "amount": money(s.shipping_amount),
                "maximumRefundableSet": money_bag(s.maximum_shipping, s.currency),
                "maximumRefundable": money(s.maximum_shipping),
                "taxSet": money_bag(s.shipping_tax, s.currency),
                "tax": money(s.shipping_tax),
            }
        ),
    },
)


def _suggested_transaction(suggestion: SuggestedTransaction, currency: str) -> dict[str, Any]:
    parent = suggestion.parent
    return {
        "kind": "SUGGESTED_REFUND",
        "gateway": parent.gateway,
        "formattedGateway": parent.gateway.replace("_", " ").title(),
        "amountSet": money_bag(suggestion.amount, currency),
        "amount": money(suggestion.amount),
        "maximumRefundableSet": money_bag(suggestion.amount, currency),
        "maximumRefundable": money(suggestion.amount),
        "parentTransaction": parent,
        "accountNumber": None,
        "paymentDetails": None,
    }


# ------------------------------------------------------------------------------ returns

_register(
    "Return",
    {
        "returnLineItems": lambda r, info, args: connection(r.line_items, args, info),
        "totalQuantity": _plain(lambda r: r.total_quantity),
        "decline": _plain(
            lambda r: {"reason": r.decline_reason, "note": r.decline_note} if r.decline_reason is not None else None
        ),
        "returnShippingFees": _plain(lambda _r: []),
        "suggestedRefund": _plain(lambda _r: None),
    },
)


def _line_total(item: ReturnLineItem) -> Decimal:
    return money(item.fulfillment_line_item.line_item.discounted_unit_price * item.quantity)


_register(
    "ReturnLineItem",
    {
        "refundableQuantity": _plain(lambda i: i.quantity - i.refunded_quantity),
        "returnReasonNote": _plain(lambda _i: ""),
        "restockingFee": _plain(lambda _i: None),
        "totalWeight": _plain(lambda _i: None),
        "withCodeDiscountedTotalPriceSet": _money_field(
            _line_total, lambda i: i.fulfillment_line_item.line_item.currency
        ),
    },
)

_register(
    "ReturnableFulfillment",
    {
        "id": _plain(lambda r: gid("ReturnableFulfillment", r.fulfillment.id)),
        "fulfillment": _plain(lambda r: r.fulfillment),
        "returnableFulfillmentLineItems": lambda r, info, args: connection(
            [{"fulfillmentLineItem": item, "quantity": quantity} for item, quantity in r.items], args, info
        ),
    },
)

# ------------------------------------------------------------------------------ disputes


def _date(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


_register(
    "ShopifyPaymentsDispute",
    {
        "amount": _plain(lambda d: money_v2(d.amount, d.currency)),
        "type": _plain(lambda d: d.kind),
        "evidenceDueBy": _plain(lambda d: _date(d.evidence_due_by)),
        "evidenceSentOn": _plain(lambda d: _date(d.evidence_sent_on)),
        "finalizedOn": _plain(lambda d: _date(d.finalized_on)),
        "reasonDetails": _plain(lambda d: {"reason": d.reason, "networkReasonCode": d.network_reason_code}),
    },
)


def _evidence_text(name: str) -> Any:
    return _plain(lambda e: e.text.get(name))


_register(
    "ShopifyPaymentsDisputeEvidence",
    {
        **{name: _evidence_text(name) for name in EVIDENCE_TEXT_FIELDS},
        "disputeFileUploads": _plain(lambda _e: []),
        "fulfillments": _plain(lambda _e: []),
        "customerPurchaseIp": _plain(lambda _e: None),
        "productDescription": _plain(lambda _e: None),
    },
)
