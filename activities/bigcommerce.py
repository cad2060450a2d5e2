"""BigCommerce activities. They run on the store's own task queue when the store has an
`activities_per_second` quota (see `casebridge.stores.store_task_queue`), so the store's request
quota holds however many worker processes run."""

from __future__ import annotations

from decimal import Decimal

from temporalio import activity

from activities import bigcommerce_replacement as replacement
from activities import bigcommerce_substitution as substitution
from activities.errors import translate_errors
from activities.models import (
    AmountRefundRequest,
    AmountRefundResult,
    BigCommerceNoteRequest,
    BigCommerceOrderRequest,
    BigCommerceOrderState,
    BigCommerceRefundRequest,
    BigCommerceRefundResult,
    BigCommerceStatusRequest,
    ItemPrices,
    ItemPricesRequest,
    LinesRefundRequest,
    LinesRefundResult,
    LinesToCancelRequest,
    OrderLineUnits,
    ReplacementOrderRequest,
    ReplacementOrderResult,
    SubstituteItemsRequest,
    SubstituteItemsResult,
)
from casebridge.connections import Connections
from connectors.bigcommerce.client import BigCommerceClient
from connectors.bigcommerce.contract import (
    METAFIELD_NAMESPACE,
    STATUS_AWAITING_FULFILLMENT,
    STATUS_CANCELLED,
    STATUS_HOLD,
)
from connectors.bigcommerce.models import (
    Address,
    NewAddress,
    OfflineOrder,
    Order,
    OrderStatus,
    Product,
    RefundItemRequest,
    RefundOutcome,
)
from connectors.bigcommerce.payments import refund_with_marker
from connectors.errors import ConflictError
from routing.own_orders import REPLACEMENT_ORDER_ID_PREFIX

# The statuses a case sets (workflows name them through this module, never the connector's).
HOLD_STATUS = STATUS_HOLD  # Manual Verification Required: BigCommerce has no hold call
CANCELLED_STATUS = STATUS_CANCELLED


def _state(order: Order) -> BigCommerceOrderState:
    return BigCommerceOrderState(order_id=order.id, status_id=order.status_id, status=order.status)


class BigCommerceActivities:
    def __init__(self, connections: Connections) -> None:
        self._connections = connections

    @activity.defn(name="bigcommerce.get_order")
    @translate_errors
    async def get_order(self, request: BigCommerceOrderRequest) -> BigCommerceOrderState:
        return _state(await self._connections.bigcommerce(request.store).get_order(request.order_id))

    @activity.defn(name="bigcommerce.set_status")
    @translate_errors
    async def set_status(self, request: BigCommerceStatusRequest) -> BigCommerceOrderState:
        """Hold (12), release (the status before the hold) or cancel (5): idempotent by nature."""
        client = self._connections.bigcommerce(request.store)
        return _state(await client.set_status(request.order_id, request.status_id))

    @activity.defn(name="bigcommerce.append_staff_note")
    @translate_errors
    async def append_staff_note(self, request: BigCommerceNoteRequest) -> None:
        await self._connections.bigcommerce(request.store).append_staff_note(request.order_id, request.note)

    @activity.defn(name="bigcommerce.refund_order")
    @translate_errors
    async def refund_order(self, request: BigCommerceRefundRequest) -> BigCommerceRefundResult:
        """Refund what remains refundable of the order's payment, at most once per `key`.

        `refund_once` reads the order's refunds for the key's marker, quotes, then refunds, so a
        retry after a lost answer returns the first refund instead of paying out twice.
        """
        client = self._connections.bigcommerce(request.store)
        order = await client.get_order(request.order_id)
        if order.refundable <= 0:
            # Fully refunded already: by an earlier attempt of ours (found by its marker) or by
            # the merchant. Either way there is nothing left to pay back.
            existing = refund_with_marker(await client.list_refunds(request.order_id), request.key)
            if existing is None:
                return BigCommerceRefundResult(refund_id=None)
            return BigCommerceRefundResult(refund_id=existing.id, amount=existing.total_amount)
        # One ORDER-level item for the refundable amount: the whole payment, whatever the lines.
        item = RefundItemRequest(item_type="ORDER", item_id=order.id, amount=order.refundable)
        outcome = await client.refund_once(request.order_id, [item], key=request.key, reason=request.reason)
        return BigCommerceRefundResult(
            refund_id=outcome.refund.id, amount=outcome.refund.total_amount, created=outcome.created
        )

    @activity.defn(name="bigcommerce.refund_lines")
    @translate_errors
    async def refund_lines(self, request: LinesRefundRequest) -> LinesRefundResult:
        """Refund order products by quantity (PRODUCT items, BigCommerce prices them), at most once
        per `key`: `refund_once` finds an earlier attempt's refund by its marker first.
        `notify_customer` has no counterpart in the refund request."""
        items = [
            RefundItemRequest(item_type="PRODUCT", item_id=int(line.line_ref), quantity=line.quantity)
            for line in request.lines
        ]
        client = self._connections.bigcommerce(request.store)
        outcome = await client.refund_once(int(request.order_ref), items, key=request.key, reason=request.note)
        return LinesRefundResult(
            refund_id=str(outcome.refund.id), amount=outcome.refund.total_amount, created=outcome.created
        )

    @activity.defn(name="bigcommerce.find_lines_to_cancel")
    @translate_errors
    async def find_lines_to_cancel(self, request: LinesToCancelRequest) -> list[OrderLineUnits]:
        """The order products (and quantities) the reported SKUs are, among units neither shipped
        nor refunded; refused (ConflictError) when the order has fewer such units than reported.
        Read only: the refund itself is `refund_lines`, keyed by the case."""
        products = await self._connections.bigcommerce(request.store).list_order_products(int(request.order_ref))
        open_units = {p.id: p.quantity - p.quantity_shipped - p.quantity_refunded for p in products}
        items: dict[int, int] = {}
        for line in request.lines:
            left = line.quantity
            for product in products:
                if product.sku != line.sku or left <= 0:
                    continue
                taken = min(max(open_units[product.id], 0), left)
                open_units[product.id] -= taken
                items[product.id] = items.get(product.id, 0) + taken
                left -= taken
            if left > 0:
                raise ConflictError(
                    f"{line.quantity} x {line.sku}: only {line.quantity - left} unshipped and unrefunded on the order",
                    system="bigcommerce",
                    operation="list_order_products",
                )
        return [OrderLineUnits(line_ref=str(pid), quantity=q) for pid, q in items.items() if q > 0]

    @activity.defn(name="bigcommerce.create_replacement_order")
    @translate_errors
    async def create_replacement_order(self, request: ReplacementOrderRequest) -> ReplacementOrderResult:
        """A free replacement of the returned lines as an offline order (`POST /v2/orders`) to the
        original addresses, keyed by `external_order_id`: a retry finds the first order. Lines
        order catalog products where there are any (see `bigcommerce_replacement`)."""
        client = self._connections.bigcommerce(request.store)
        original = await client.get_order(int(request.order_ref))
        if original.billing_address is None:
            raise ConflictError(
                f"order {original.id} has no billing address to copy", system="bigcommerce", operation="create_order"
            )
        shipping = await client.list_shipping_addresses(original.id)
        creation = await client.create_offline_order(
            OfflineOrder(
                # The prefix is also how the shim knows the order as Casebridge's own (not reviewed).
                external_order_id=f"{REPLACEMENT_ORDER_ID_PREFIX}{request.key}"[:100],
                external_source="Casebridge",
                customer_id=original.customer_id,
                billing_address=_new_address(original.billing_address),
                shipping_addresses=[_new_address(a) for a in shipping[:1]] or None,
                products=await replacement.order_lines(client, request, original.id),
                status_id=STATUS_AWAITING_FULFILLMENT,
                staff_notes=request.note,
            )
        )
        order = creation.order
        return ReplacementOrderResult(order_id=str(order.id), order_name=f"#{order.id}", created=creation.created)

    @activity.defn(name="bigcommerce.substitute_items")
    @translate_errors
    async def substitute_items(self, request: SubstituteItemsRequest) -> SubstituteItemsResult:
        """Replace units that cannot ship by other catalog products (by SKU) in one order update
        (`PUT /v2/orders/{id}`): the original lines lowered, the substitutes added at no more than
        the price of the units they replace, the staff note in the same write; a cheaper
        substitute's difference refunded once per `key` (an ORDER-level amount, quoted first).

        Repeat-safe: the plan is written on the order first (an order metafield, see
        `bigcommerce_substitution`), so a retry after an update whose answer was lost finds it in
        place (`applied=False`) and neither adds the substitutes again nor refunds twice (the
        refund is found by its key). `restock` and `notify_customer` have no counterpart in the
        v2 update: BigCommerce adjusts inventory on order edits per the store's settings, and
        emails customers on status changes only."""
        client = self._connections.bigcommerce(request.store)
        order = await client.get_order(int(request.order_ref))
        if order.status_id in (OrderStatus.CANCELLED, OrderStatus.REFUNDED):
            raise ConflictError(
                f"order {order.id} is {order.status or order.status_id}: nothing to substitute",
                system="bigcommerce",
                operation="get_order",
            )
        products = await client.list_order_products(order.id)
        marker = substitution.metafield_key(request.key)
        metafields = await client.list_order_metafields(order.id, namespace=METAFIELD_NAMESPACE, key=marker)
        plan = substitution.read_plan(metafields, request.key)
        if plan is None:
            plan = substitution.plan(products, request.substitutions, await _substitutes(client, request))
            await client.set_order_metafield(
                order.id, marker, plan.model_dump_json(), description="Casebridge substitute-item plan"
            )
        applied = False
        if substitution.state(order.id, products, plan) is substitution.EditState.NOT_APPLIED:
            await client.edit_order_products(
                order.id,
                updates=plan.updates(),
                additions=plan.order_additions(),
                staff_notes=_appended(order.staff_notes, request.staff_note),
            )
            applied = True
        result = SubstituteItemsResult.of_plan(
            plan.substitutes, applied=applied, absorbed=plan.absorbed, currency=order.currency_code
        )
        if plan.owed <= 0:
            return result  # dearer or the same price: the customer pays what they paid
        outcome = await _refund_order_amount(client, order.id, plan.owed, key=request.key, reason=request.refund_note)
        return result.model_copy(update={"refund_id": str(outcome.refund.id), "refunded": outcome.refund.total_amount})

    @activity.defn(name="bigcommerce.item_prices")
    @translate_errors
    async def item_prices(self, request: ItemPricesRequest) -> ItemPrices:
        """The order's currency and each SKU's catalog price as a substitute is priced
        (`bigcommerce_substitution.catalog_price`); SKUs the catalog does not know are left out.
        Read only. ASSUMPTION: the order is in the store's default currency (catalog prices are; the
        order model does not carry `default_currency_code`), as single-currency stores are."""
        client = self._connections.bigcommerce(request.store)
        order = await client.get_order(int(request.order_ref))
        prices: dict[str, Decimal] = {}
        for sku in dict.fromkeys(request.skus):  # one lookup per distinct SKU
            product = await client.find_product_by_sku(sku)
            if product is not None:
                prices[sku] = substitution.catalog_price(product)
        return ItemPrices(currency=order.currency_code, prices=prices)

    @activity.defn(name="bigcommerce.refund_amount")
    @translate_errors
    async def refund_amount(self, request: AmountRefundRequest) -> AmountRefundResult:
        """Pay `amount` back on the order once per `key` (an ORDER-level refund item, found again by
        its marker); BigCommerce refuses (422) more than the order has left to refund.
        `notify_customer` has no counterpart in the refund request (emails follow the store's
        settings for the status change the refund makes)."""
        client = self._connections.bigcommerce(request.store)
        order = await client.get_order(int(request.order_ref))
        outcome = await _refund_order_amount(client, order.id, request.amount, key=request.key, reason=request.reason)
        return AmountRefundResult(
            refund_id=str(outcome.refund.id),
            amount=outcome.refund.total_amount,
            currency=order.currency_code,
            created=outcome.created,
        )


async def _refund_order_amount(
    client: BigCommerceClient, order_id: int, amount: Decimal, *, key: str, reason: str
) -> RefundOutcome:
    """`amount` as one ORDER-level refund item, at most once per `key` (`refund_once`)."""
    item = RefundItemRequest(item_type="ORDER", item_id=order_id, amount=amount)
    return await client.refund_once(order_id, [item], key=key, reason=reason)


async def _substitutes(client: BigCommerceClient, request: SubstituteItemsRequest) -> dict[str, Product]:
    """The catalog product of every substitute SKU; ConflictError naming one that is not sold."""
    found: dict[str, Product] = {}
    for sku in dict.fromkeys(s.substitute_sku for s in request.substitutions):
        product = await client.find_product_by_sku(sku)
        if product is None:
            raise ConflictError(
                f"substitute SKU {sku} is not in the catalog", system="bigcommerce", operation="find_product_by_sku"
            )
        if product.availability == "disabled":
            raise ConflictError(
                f"substitute SKU {sku} is not available for sale", system="bigcommerce", operation="find_product_by_sku"
            )
        found[sku] = product
    return found


def _appended(notes: str, note: str) -> str | None:
    """The staff notes with `note` as a last line; None when it is there already (or empty)."""
    if not note or note in notes.splitlines():
        return None
    return f"{notes}\n{note}" if notes else note


def _new_address(address: Address) -> NewAddress:
    fields = NewAddress.model_fields
    return NewAddress.model_validate(
        {k: v for k, v in address.model_dump().items() if k in fields and v != ""} | {"zip": address.zip}
    )
