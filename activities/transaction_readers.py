"""What the transaction archive reads from each platform: the orders created in a date range (oldest
first, in pages) and one order with its transaction documents, in the neutral models of
`activities.transaction_models`.

Called inside the archive's activities (which translate connector errors); nothing here keeps
personal data beyond the platform's customer id. Cursors are opaque to callers and give the same
page again on a rerun, so a backfill resumed from its last cursor repeats nothing: Shopify's name
the last order seen; BigCommerce's and Adobe Commerce's are page numbers, stable while no order is
added to or deleted from the range (a past range, as a backfill reads). Malformed arguments (an
order id that is not a number, naive datetimes) raise `ValueError`.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from decimal import Decimal

from activities.transaction_models import (
    OrderKey,
    OrderPage,
    OrderTransactions,
    TransactionDocument,
    TransactionLine,
)
from casebridge.connections import Connections
from casebridge.stores import Platform
from connectors.adobe_commerce.contract import SYSTEM as ADOBE_COMMERCE
from connectors.adobe_commerce.models import CreditMemo, Invoice, OrderItem
from connectors.adobe_commerce.models import Order as AdobeOrder
from connectors.adobe_commerce.order_archive import Shipment as AdobeShipment
from connectors.adobe_commerce.order_archive import magento_time
from connectors.bigcommerce.contract import SYSTEM as BIGCOMMERCE
from connectors.bigcommerce.models import Order as BigCommerceOrder
from connectors.bigcommerce.models import OrderProduct, Refund, Shipment
from connectors.errors import ContractError
from connectors.shopify.models import MoneyBag
from connectors.shopify.order_archive import ArchiveFulfillment, ArchiveOrder, ArchiveRefund
from routing.documents import DocumentKind


async def list_orders_created(
    connections: Connections,
    platform: str,
    store: str,
    created_from: datetime,
    created_to: datetime,
    cursor: str | None,
    limit: int,
) -> OrderPage:
    """Orders created in `[created_from, created_to)`, oldest first, at most `limit`; `cursor` is
    the previous page's (None for the first). A page may hold fewer than `limit` orders before the
    end: only `cursor is None` on the result means there is nothing more."""
    if created_from.tzinfo is None or created_to.tzinfo is None:
        raise ValueError("created_from and created_to must be timezone-aware")
    match Platform(platform):
        case Platform.SHOPIFY:
            return await _shopify_orders_created(connections, store, created_from, created_to, cursor, limit)
        case Platform.BIGCOMMERCE:
            return await _bigcommerce_orders_created(connections, store, created_from, created_to, cursor, limit)
        case Platform.ADOBE_COMMERCE:
            return await _adobe_orders_created(connections, store, created_from, created_to, cursor, limit)
    raise AssertionError(f"unhandled platform {platform}")


async def read_order_transactions(
    connections: Connections, platform: str, store: str, order_id: str
) -> OrderTransactions:
    """The order (`order_id` as cases name it) with its lines, totals and transaction documents."""
    match Platform(platform):
        case Platform.SHOPIFY:
            return await _shopify_order_transactions(connections, store, order_id)
        case Platform.BIGCOMMERCE:
            return await _bigcommerce_order_transactions(connections, store, order_id)
        case Platform.ADOBE_COMMERCE:
            return await _adobe_order_transactions(connections, store, order_id)
    raise AssertionError(f"unhandled platform {platform}")


# ------------------------------------------------------------------------------ Shopify
# Shopify has no invoice object (payments are transactions on the order), so its documents are
# credit memos (refunds) and shipping documents (fulfillments) only; taxes are the order's totals.


async def _shopify_orders_created(
    connections: Connections,
    store: str,
    created_from: datetime,
    created_to: datetime,
    cursor: str | None,
    limit: int,
) -> OrderPage:
    page = await connections.shopify(store).orders_created(created_from, created_to, first=limit, after=cursor)
    keys = [OrderKey(order_id=o.legacy_resource_id, order_name=o.name, created_at=o.created_at) for o in page.nodes]
    more = page.page_info.has_next_page and page.page_info.end_cursor is not None
    return OrderPage(orders=keys, cursor=page.page_info.end_cursor if more else None)


def _shopify_order_gid(order_id: str) -> str:
    if not order_id.isdigit():
        raise ValueError(f"a Shopify order id is its legacy numeric id, not {order_id!r}")
    return f"gid://shopify/Order/{order_id}"


def _money(bag: MoneyBag | None) -> Decimal | None:
    return bag.shop_money.amount if bag is not None else None


def _gid_number(gid: str) -> str:
    return gid.rsplit("/", 1)[-1]


async def _shopify_order_transactions(connections: Connections, store: str, order_id: str) -> OrderTransactions:
    order = await connections.shopify(store).order_for_archive(_shopify_order_gid(order_id))
    statuses = [s for s in (order.display_financial_status, order.display_fulfillment_status) if s]
    return OrderTransactions(
        order_id=order.legacy_resource_id,
        order_name=order.name,
        created_at=order.created_at,
        currency=order.currency_code,
        total=order.total_price_set.shop_money.amount,
        subtotal=_money(order.subtotal_price_set),
        tax_total=_money(order.total_tax_set),
        status="/".join(statuses),
        customer_ref=_gid_number(order.customer.id) if order.customer else None,
        lines=[
            TransactionLine(
                sku=line.sku or None,
                title=line.title,
                quantity=line.quantity,
                unit_price=line.original_unit_price_set.shop_money.amount,
                total=line.discounted_total_set.shop_money.amount,
            )
            for line in order.line_items.nodes
        ],
        documents=[
            *(_shopify_credit_memo(order, refund) for refund in order.refunds),
            *(_shopify_shipping_document(fulfillment) for fulfillment in order.fulfillments),
        ],
    )


def _shopify_credit_memo(order: ArchiveOrder, refund: ArchiveRefund) -> TransactionDocument:
    lines = refund.refund_line_items.nodes
    tax = sum((line.total_tax_set.shop_money.amount for line in lines), Decimal(0))
    return TransactionDocument(
        kind=DocumentKind.CREDIT_MEMO,
        number=_gid_number(refund.id),
        # The schema lets `createdAt` be null; a refund is never older than its order.
        issued_at=refund.created_at or order.created_at,
        amount=refund.total_refunded_set.shop_money.amount,
        lines=[
            TransactionLine(
                sku=line.line_item.sku or None,
                title=line.line_item.title,
                quantity=line.quantity,
                unit_price=line.price_set.shop_money.amount,
                total=line.subtotal_set.shop_money.amount,
            )
            for line in lines
        ],
        details={"tax": str(tax)} if lines else {},
    )


def _shopify_shipping_document(fulfillment: ArchiveFulfillment) -> TransactionDocument:
    details = {"name": fulfillment.name, "status": fulfillment.status}
    carriers = [t.company for t in fulfillment.tracking_info if t.company]
    numbers = [t.number for t in fulfillment.tracking_info if t.number]
    if carriers:
        details["carrier"] = ", ".join(carriers)
    if numbers:
        details["tracking_number"] = ", ".join(numbers)
    return TransactionDocument(
        kind=DocumentKind.SHIPPING_DOCUMENT,
        number=_gid_number(fulfillment.id),
        issued_at=fulfillment.created_at,
        lines=[
            TransactionLine(sku=line.line_item.sku or None, title=line.line_item.title, quantity=line.quantity or 0)
            for line in fulfillment.fulfillment_line_items.nodes
        ],
        details=details,
    )


# ------------------------------------------------------------------------------ BigCommerce
# BigCommerce has no invoice object either (the payment is on the order): its documents are credit
# memos (v3 refunds) and shipping documents (v2 shipments). Amounts include tax, as the order's do.


def _number(value: str, what: str) -> int:
    if not value.isdigit():
        raise ValueError(f"a {what} is a number, not {value!r}")
    return int(value)


async def _bigcommerce_orders_created(
    connections: Connections,
    store: str,
    created_from: datetime,
    created_to: datetime,
    cursor: str | None,
    limit: int,
) -> OrderPage:
    page = _number(cursor, "BigCommerce page cursor") if cursor is not None else 1
    found = await connections.bigcommerce(store).orders_created_page(created_from, created_to, page=page, limit=limit)
    keys = [OrderKey(order_id=str(o.id), order_name=str(o.id), created_at=_bc_created(o)) for o in found.orders]
    return OrderPage(orders=keys, cursor=str(page + 1) if found.more else None)


def _bc_created(order: BigCommerceOrder) -> datetime:
    if order.date_created is None:
        raise ContractError(f"order {order.id} without date_created", system=BIGCOMMERCE, operation="get_order")
    return order.date_created


async def _bigcommerce_order_transactions(connections: Connections, store: str, order_id: str) -> OrderTransactions:
    client = connections.bigcommerce(store)
    number = _number(order_id, "BigCommerce order id")
    order, products, shipments, refunds = await asyncio.gather(
        client.get_order(number),
        client.list_order_products(number),
        client.list_shipments(number),
        client.list_refunds(number),
    )
    created_at = _bc_created(order)
    by_id = {product.id: product for product in products}
    status = "/".join(s for s in (order.status, order.payment_status) if s)
    return OrderTransactions(
        order_id=str(order.id),
        order_name=str(order.id),
        created_at=created_at,
        currency=order.currency_code,
        total=order.total_inc_tax,
        subtotal=order.subtotal_inc_tax,
        tax_total=order.total_inc_tax - order.total_ex_tax,
        status=status,
        customer_ref=str(order.customer_id) if order.customer_id else None,  # 0 is a guest
        lines=[
            TransactionLine(
                sku=p.sku or None,
                title=p.name,
                quantity=p.quantity,
                unit_price=p.price_inc_tax,
                total=p.total_inc_tax or p.price_inc_tax * p.quantity,
            )
            for p in products
        ],
        documents=[
            *(_bc_credit_memo(refund, by_id, created_at) for refund in refunds),
            *(_bc_shipping_document(shipment, by_id, created_at) for shipment in shipments),
        ],
    )


def _bc_credit_memo(refund: Refund, products: dict[int, OrderProduct], ordered_at: datetime) -> TransactionDocument:
    lines = []
    for item in refund.items:
        product = products.get(item.item_id) if item.item_type == "PRODUCT" else None
        lines.append(
            TransactionLine(
                sku=(product.sku or None) if product else None,
                title=product.name if product else item.item_type.lower(),
                quantity=item.quantity or 0,
                total=item.requested_amount,
            )
        )
    return TransactionDocument(
        kind=DocumentKind.CREDIT_MEMO,
        number=str(refund.id),
        issued_at=refund.created or ordered_at,  # the schema does not require `created`
        amount=refund.total_amount,
        lines=lines,
        details={"tax": str(refund.total_tax)},
    )


def _bc_shipping_document(
    shipment: Shipment, products: dict[int, OrderProduct], ordered_at: datetime
) -> TransactionDocument:
    details = {"carrier": shipment.tracking_carrier or shipment.shipping_provider}
    if shipment.tracking_number:
        details["tracking_number"] = shipment.tracking_number
    lines = []
    for item in shipment.items:
        product = products.get(item.order_product_id)
        title = product.name if product else f"order product {item.order_product_id}"
        sku = (product.sku or None) if product else None
        lines.append(TransactionLine(sku=sku, title=title, quantity=item.quantity))
    return TransactionDocument(
        kind=DocumentKind.SHIPPING_DOCUMENT,
        number=str(shipment.id),
        issued_at=shipment.date_created or ordered_at,
        lines=lines,
        details={k: v for k, v in details.items() if v},
    )


# ------------------------------------------------------------------------------ Adobe Commerce
# Adobe Commerce has every kind: invoices, credit memos and shipments (with their tracks). Orders are
# named by `entity_id` (what cases use) and called by `increment_id` (what the customer sees).


async def _adobe_orders_created(
    connections: Connections,
    store: str,
    created_from: datetime,
    created_to: datetime,
    cursor: str | None,
    limit: int,
) -> OrderPage:
    page = _number(cursor, "Adobe Commerce page cursor") if cursor is not None else 1
    archive = connections.adobe_commerce(store).archive
    found = await archive.orders_created_page(created_from, created_to, page=page, page_size=limit)
    keys = [
        OrderKey(order_id=str(o.entity_id), order_name=o.increment_id, created_at=_adobe_created(o))
        for o in found.orders
    ]
    return OrderPage(orders=keys, cursor=str(page + 1) if found.more else None)


def _adobe_created(order: AdobeOrder) -> datetime:
    created = magento_time(order.created_at)
    if created is None:
        raise ContractError(f"order {order.entity_id} without created_at", system=ADOBE_COMMERCE, operation="order")
    return created


def _quantity(value: Decimal | None) -> int:
    return int(value or 0)  # Magento keeps quantities as decimals; the archive counts units


async def _adobe_order_transactions(connections: Connections, store: str, order_id: str) -> OrderTransactions:
    adobe = connections.adobe_commerce(store)
    number = _number(order_id, "Adobe Commerce order id")
    order, invoices, memos, shipments = await asyncio.gather(
        adobe.sales.get_order(number),
        adobe.sales.invoices_for_order(number),
        adobe.sales.credit_memos_for_order(number),
        adobe.archive.shipments_for_order(number),
    )
    created_at = _adobe_created(order)
    items = {item.item_id: item for item in order.items}
    return OrderTransactions(
        order_id=str(order.entity_id),
        order_name=order.increment_id,
        created_at=created_at,
        currency=order.order_currency_code or order.base_currency_code or "",
        total=order.grand_total,
        subtotal=order.subtotal,
        tax_total=order.tax_amount,
        status=order.status,
        customer_ref=str(order.customer_id) if order.customer_id else None,  # None: a guest
        lines=[
            TransactionLine(
                sku=item.sku or None,
                title=item.name or item.sku,
                quantity=_quantity(item.qty_ordered),
                unit_price=item.price,
                total=item.row_total,
            )
            for item in order.items
        ],
        documents=[
            *(_adobe_invoice(invoice, items, created_at) for invoice in invoices),
            *(_adobe_credit_memo(memo, items, created_at) for memo in memos),
            *(_adobe_shipping_document(shipment, items, created_at) for shipment in shipments),
        ],
    )


def _adobe_line(
    items: dict[int, OrderItem],
    order_item_id: int,
    sku: str | None,
    qty: Decimal | None,
    price: Decimal | None = None,
    total: Decimal | None = None,
) -> TransactionLine:
    item = items.get(order_item_id)
    title = (item.name if item else None) or sku or (item.sku if item else f"order item {order_item_id}")
    return TransactionLine(
        sku=sku or (item.sku if item else None), title=title, quantity=_quantity(qty), unit_price=price, total=total
    )


def _increment(value: str | None) -> dict[str, str]:
    return {"increment_id": value} if value else {}


def _adobe_invoice(invoice: Invoice, items: dict[int, OrderItem], ordered_at: datetime) -> TransactionDocument:
    return TransactionDocument(
        kind=DocumentKind.INVOICE,
        number=str(invoice.entity_id),
        issued_at=magento_time(invoice.created_at) or ordered_at,
        amount=invoice.grand_total,
        lines=[_adobe_line(items, i.order_item_id, i.sku, i.qty, i.price, i.row_total) for i in invoice.items],
        details=_increment(invoice.increment_id),
    )


def _adobe_credit_memo(memo: CreditMemo, items: dict[int, OrderItem], ordered_at: datetime) -> TransactionDocument:
    details = _increment(memo.increment_id)
    for name, value in (
        ("shipping_amount", memo.shipping_amount),
        ("adjustment_positive", memo.adjustment_positive),
        ("adjustment_negative", memo.adjustment_negative),
    ):
        if value:
            details[name] = str(value)
    if memo.invoice_id is not None:
        details["invoice_id"] = str(memo.invoice_id)
    return TransactionDocument(
        kind=DocumentKind.CREDIT_MEMO,
        number=str(memo.entity_id),
        issued_at=magento_time(memo.created_at) or ordered_at,
        amount=memo.grand_total,
        lines=[_adobe_line(items, i.order_item_id, i.sku, i.qty, i.price, i.row_total) for i in memo.items],
        details=details,
    )


def _adobe_shipping_document(
    shipment: AdobeShipment, items: dict[int, OrderItem], ordered_at: datetime
) -> TransactionDocument:
    details = _increment(shipment.increment_id)
    carriers = [t.title or t.carrier_code for t in shipment.tracks if t.title or t.carrier_code]
    numbers = [t.track_number for t in shipment.tracks if t.track_number]
    if carriers:
        details["carrier"] = ", ".join(c for c in carriers if c)
    if numbers:
        details["tracking_number"] = ", ".join(n for n in numbers if n)
    return TransactionDocument(
        kind=DocumentKind.SHIPPING_DOCUMENT,
        number=str(shipment.entity_id),
        issued_at=magento_time(shipment.created_at) or ordered_at,
        lines=[_adobe_line(items, i.order_item_id, i.sku, i.qty) for i in shipment.items],
        details=details,
    )
