"""What the monthly statements read from a store: the orders companies bought in a period, with the
location and buyer of each, and the company's main contact the statement goes to.

Shopify: an order names its `purchasingEntity` (company, location) and customer; the statement goes
to the company's main contact. BigCommerce (`activities.statement_reads_bigcommerce`) and Adobe
Commerce (`activities.statement_reads_adobe`) say there how an order belongs to a company and which
location it counts for.

Called inside the statement activities (which translate connector errors). Companies are named by
the platform's numeric id (Shopify's `legacyResourceId`, the last segment of the gid).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

from activities.statement_models import CompanyAccount, CompanyOrder, Party
from activities.statement_reads_adobe import adobe_company_account, adobe_company_orders
from activities.statement_reads_bigcommerce import bigcommerce_company_account, bigcommerce_company_orders
from casebridge.connections import Connections
from casebridge.stores import Platform
from connectors.shopify.companies import CompanyOrder as ShopifyCompanyOrder

PAGE_SIZE = 50
STATEMENT_PLATFORMS = frozenset({Platform.SHOPIFY, Platform.BIGCOMMERCE, Platform.ADOBE_COMMERCE})
NO_BUYER = Party(id="-", name="(no buyer named)")  # an order imported without its customer


def company_orders(
    connections: Connections, platform: str, store: str, processed_from: datetime, processed_to: datetime
) -> AsyncIterator[list[CompanyOrder]]:
    """The orders companies bought in `[processed_from, processed_to)`, page by page (a page may be
    empty: the store's other orders are left out). A company's orders may span pages."""
    match Platform(platform):
        case Platform.SHOPIFY:
            return _shopify_company_orders(connections, store, processed_from, processed_to)
        case Platform.BIGCOMMERCE:
            return bigcommerce_company_orders(connections, store, processed_from, processed_to)
        case Platform.ADOBE_COMMERCE:
            return adobe_company_orders(connections, store, processed_from, processed_to)


async def company_account(connections: Connections, platform: str, store: str, company_id: str) -> CompanyAccount:
    match Platform(platform):
        case Platform.SHOPIFY:
            return await _shopify_company_account(connections, store, company_id)
        case Platform.BIGCOMMERCE:
            return await bigcommerce_company_account(connections, store, company_id)
        case Platform.ADOBE_COMMERCE:
            return await adobe_company_account(connections, store, company_id)


async def _shopify_company_orders(
    connections: Connections, store: str, processed_from: datetime, processed_to: datetime
) -> AsyncIterator[list[CompanyOrder]]:
    """Oldest first."""
    shop = connections.shopify(store)
    cursor: str | None = None
    while True:
        page = await shop.company_orders_processed(processed_from, processed_to, first=PAGE_SIZE, after=cursor)
        yield [_shopify_order(order) for order in page.orders]
        cursor = page.end_cursor
        if cursor is None:
            return


async def _shopify_company_account(connections: Connections, store: str, company_id: str) -> CompanyAccount:
    company = await connections.shopify(store).get_company(_gid("Company", company_id))
    account = CompanyAccount(id=company_id, name=company.name)
    if company.main_contact is None:
        return account
    customer = company.main_contact.customer
    # The contacts list carries the names; the main contact's own entry only its id and e-mail.
    named = next((c.customer for c in company.contacts.nodes if c.customer.id == customer.id), customer)
    full_name = " ".join(n for n in (named.first_name, named.last_name) if n) or None
    return account.model_copy(
        update={"contact_name": full_name or company.name, "contact_email": customer.email, "contact_ref": customer.id}
    )


def _gid(kind: str, number: str) -> str:
    if not number.isdigit():
        raise ValueError(f"a Shopify {kind} id is its numeric id, not {number!r}")
    return f"gid://shopify/{kind}/{number}"


def _number(gid: str) -> str:
    return gid.rsplit("/", 1)[-1]


def _shopify_order(order: ShopifyCompanyOrder) -> CompanyOrder:
    entity = order.purchasing_entity
    assert entity is not None and entity.company is not None and entity.location is not None  # `orders` keeps these
    buyer = Party(id=_number(order.customer.id), name=order.customer.display_name) if order.customer else NO_BUYER
    money = order.total_price_set.shop_money
    return CompanyOrder(
        order_id=_number(order.id),
        order_name=order.name,
        processed_at=order.processed_at,
        total=money.amount,
        currency=money.currency_code,
        company=Party(id=_number(entity.company.id), name=entity.company.name),
        location=Party(id=_number(entity.location.id), name=entity.location.name),
        buyer=buyer,
    )
