"""What the monthly statements read from an Adobe Commerce store with the B2B modules.

An order is a company's when it carries `company_order_attributes` (the company of the buyer when
the order was placed, which stays right if the buyer later moves to another company). The buyer is
the order's customer; the location is the address the order shipped to (Adobe Commerce companies
have one legal address and no locations), else its billing address. The company's statement goes
to its company admin (`super_user_id`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

from activities.statement_models import CompanyAccount, CompanyOrder, Party, address_location
from casebridge.connections import Connections
from connectors.adobe_commerce.contract import SYSTEM
from connectors.adobe_commerce.models import Order, OrderAddress
from connectors.errors import ContractError

PAGE_SIZE = 100
NO_BUYER = Party(id="-", name="(no buyer named)")  # a guest order assigned to the company


async def adobe_company_orders(
    connections: Connections, store: str, created_from: datetime, created_to: datetime
) -> AsyncIterator[list[CompanyOrder]]:
    """The orders created in `[created_from, created_to)`, oldest first, a page at a time; the
    store's orders of no company are left out (a page may be empty)."""
    archive = connections.adobe_commerce(store).archive
    number = 1
    while True:
        page = await archive.orders_created_page(created_from, created_to, page=number, page_size=PAGE_SIZE)
        yield [_company_order(o) for o in page.orders if o.company_id is not None]
        if not page.more:
            return
        number += 1


async def adobe_company_account(connections: Connections, store: str, company_id: str) -> CompanyAccount:
    if not company_id.isdigit():
        raise ValueError(f"an Adobe Commerce company id is numeric, not {company_id!r}")
    adobe = connections.adobe_commerce(store)
    company = await adobe.b2b.get_company(int(company_id))
    account = CompanyAccount(id=company_id, name=company.company_name or f"company {company_id}")
    if not company.super_user_id:
        return account
    admin = await adobe.customer_records.get_customer(company.super_user_id)
    full_name = " ".join(n for n in (admin.firstname, admin.lastname) if n)
    return account.model_copy(
        update={"contact_name": full_name or account.name, "contact_email": admin.email, "contact_ref": str(admin.id)}
    )


def _company_order(order: Order) -> CompanyOrder:
    assert order.company_id is not None  # `adobe_company_orders` keeps these only
    placed = order.placed_at
    if placed is None:
        raise ContractError(f"order {order.entity_id} without its creation time", system=SYSTEM, operation="orders")
    if order.customer_id:
        name = " ".join(n for n in (order.customer_firstname, order.customer_lastname) if n)
        buyer = Party(id=str(order.customer_id), name=name or f"customer {order.customer_id}")
    else:
        buyer = NO_BUYER
    return CompanyOrder(
        order_id=str(order.entity_id),
        order_name=f"#{order.increment_id}",
        processed_at=placed,
        total=order.grand_total,
        currency=order.order_currency_code or order.base_currency_code or "",
        company=Party(id=str(order.company_id), name=order.company_name or f"company {order.company_id}"),
        location=_location(order.shipping_address or order.billing_address),
        buyer=buyer,
    )


def _location(address: OrderAddress | None) -> Party:
    if address is None:
        return address_location([], None, None, None)
    return address_location(address.street, address.city, address.postcode, address.country_id)
