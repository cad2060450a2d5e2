"""Whom a letter goes to: the customer of an order, as each platform keeps it (name, e-mail, postal
address, locale). Read inside the letter activity on every send, so the letter uses the address the
customer has now and none of it enters workflow history."""

from __future__ import annotations

from activities.letter_models import Recipient, guest_ref
from casebridge.connections import Connections
from casebridge.stores import Platform


async def read_recipient(connections: Connections, platform: str, store: str, order_id: str) -> Recipient:
    match Platform(platform):
        case Platform.SHOPIFY:
            return await _shopify(connections, store, order_id)
        case Platform.BIGCOMMERCE:
            return await _bigcommerce(connections, store, order_id)
        case Platform.ADOBE_COMMERCE:
            return await _adobe(connections, store, order_id)
    raise AssertionError(f"unhandled platform {platform}")


def _name(*parts: str | None) -> str:
    return " ".join(p.strip() for p in parts if p and p.strip()) or "Customer"


async def _shopify(connections: Connections, store: str, order_id: str) -> Recipient:
    order = await connections.shopify(store).order_ship_to(f"gid://shopify/Order/{order_id}")
    address = order.shipping_address
    return Recipient(
        customer_ref=order.customer.id if order.customer else guest_ref(order_id),
        name=_name(address.first_name, address.last_name) if address else "Customer",
        email=order.email,
        address_lines=[line for line in (address.address1, address.address2) if line] if address else [],
        city=address.city if address else None,
        postal_code=address.zip if address else None,
        country=address.country_code if address else None,
        locale=order.customer_locale,
    )


async def _bigcommerce(connections: Connections, store: str, order_id: str) -> Recipient:
    order = await connections.bigcommerce(store).get_order(int(order_id))
    billing = order.billing_address
    return Recipient(
        customer_ref=str(order.customer_id) if order.customer_id else guest_ref(order_id),
        name=_name(billing.first_name, billing.last_name) if billing else "Customer",
        email=(billing.email if billing else None) or None,
        address_lines=[line for line in (billing.street_1, billing.street_2) if line] if billing else [],
        city=(billing.city if billing else None) or None,
        postal_code=(billing.zip if billing else None) or None,
        country=(billing.country_iso2 if billing else None) or None,
    )


async def _adobe(connections: Connections, store: str, order_id: str) -> Recipient:
    order = await connections.adobe_commerce(store).sales.get_order(int(order_id))
    billing = order.billing_address
    guest = order.customer_id is None or bool(order.customer_is_guest)
    return Recipient(
        customer_ref=guest_ref(order_id) if guest else str(order.customer_id),
        name=_name(order.customer_firstname, order.customer_lastname)
        if order.customer_firstname or order.customer_lastname
        else _name(billing.firstname if billing else None, billing.lastname if billing else None),
        email=order.customer_email or None,
        address_lines=list(billing.street) if billing else [],
        city=billing.city if billing else None,
        postal_code=billing.postcode if billing else None,
        country=billing.country_id if billing else None,
    )
