"""What the monthly statements read from a BigCommerce store with B2B Edition.

B2B Edition lists a company's orders (`GET /orders?companyId=`, created in the month): an order is
the company's when a company user placed it. The buyer is that user (matched by the order's
customer, `customerId` of `GET /users?companyId=`); the location is the address the order shipped
to (B2B Edition keeps company addresses, but its orders name them only under `extraInfo`, and the
addresses API is not among the vendored specs), else its billing address. The company's statement
goes to its admin user (role 0; the first one when there are several).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

from activities.statement_models import CompanyAccount, CompanyOrder, Party, address_location
from casebridge.connections import Connections
from casebridge.stores import Platform, RegistryLookupError
from connectors.bigcommerce.b2b import BigCommerceB2BClient
from connectors.bigcommerce.contract import B2B_HOST
from connectors.bigcommerce.models import Address, CompanyUser, CompanyUserRole

NO_BUYER = Party(id="-", name="(no buyer named)")  # a guest order assigned to the company


def b2b_client(connections: Connections, store_hash: str) -> BigCommerceB2BClient:
    store = connections.registry.store(Platform.BIGCOMMERCE, store_hash)
    if store is None:
        raise RegistryLookupError(f"no BigCommerce store {store_hash!r} in the registry")
    return connections.bigcommerce_b2b(store_hash, store.b2b_api_base_url or B2B_HOST)


async def bigcommerce_company_orders(
    connections: Connections, store_hash: str, created_from: datetime, created_to: datetime
) -> AsyncIterator[list[CompanyOrder]]:
    """One page per company with orders in `[created_from, created_to)`."""
    b2b = b2b_client(connections, store_hash)
    rest = connections.bigcommerce(store_hash)
    for company in await b2b.list_companies():
        listed = await b2b.list_company_orders(company.company_id, created_from, created_to)
        if not listed:
            continue
        users = {u.customer_id: u for u in await b2b.list_company_users(company.company_id)}
        page: list[CompanyOrder] = []
        for entry in listed:
            order = await rest.get_order(entry.bc_order_id)
            shipped_to = await rest.list_shipping_addresses(entry.bc_order_id)
            address: Address | None = shipped_to[0] if shipped_to else order.billing_address
            page.append(
                CompanyOrder(
                    order_id=str(order.id),
                    order_name=f"#{order.id}",
                    processed_at=entry.created_at,
                    total=order.total_inc_tax,
                    currency=order.currency_code or entry.currency_code,
                    company=Party(id=str(company.company_id), name=company.company_name),
                    location=_location(address),
                    buyer=_buyer(order.customer_id, users.get(order.customer_id), order.billing_address),
                )
            )
        yield page


async def bigcommerce_company_account(connections: Connections, store_hash: str, company_id: str) -> CompanyAccount:
    if not company_id.isdigit():
        raise ValueError(f"a B2B Edition company id is numeric, not {company_id!r}")
    b2b = b2b_client(connections, store_hash)
    company = await b2b.get_company(int(company_id))
    account = CompanyAccount(id=company_id, name=company.company_name)
    admins = [u for u in await b2b.list_company_users(int(company_id)) if u.role == CompanyUserRole.ADMIN]
    if not admins or not admins[0].email:
        return account
    admin = min(admins, key=lambda u: u.id)
    return account.model_copy(
        update={
            "contact_name": admin.full_name or company.company_name,
            "contact_email": admin.email,
            "contact_ref": str(admin.customer_id),
        }
    )


def _buyer(customer_id: int, user: CompanyUser | None, billing: Address | None) -> Party:
    if not customer_id:
        return NO_BUYER
    if user is not None and user.full_name:
        return Party(id=str(customer_id), name=user.full_name)
    # No longer a user of the company: the name the order was billed to.
    billed = " ".join(n for n in (billing.first_name, billing.last_name) if n) if billing else ""
    return Party(id=str(customer_id), name=billed or f"customer {customer_id}")


def _location(address: Address | None) -> Party:
    if address is None:
        return address_location([], None, None, None)
    street = [address.street_1, address.street_2]
    return address_location(street, address.city, address.zip, address.country_iso2 or address.country)
