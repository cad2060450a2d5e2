"""Customers of a simulated store: `GET`/`PUT /V1/customers/{customerId}` with their custom
attributes and newsletter subscription (`extension_attributes.is_subscribed`).

The schema (`customer-data-customer-interface`) requires `email`, `firstname` and `lastname` on
every PUT (checked against the spec before a handler runs): Magento saves the whole customer, it
does not patch. The path's id wins over any id in the body (webapi.xml forces `customer.id`).
ASSUMPTIONS: optional fields and custom attributes left out of a PUT keep their values; an absent
`is_subscribed` leaves the subscription as it is; addresses are not simulated (a non-empty list is
refused); the messages for a malformed or taken email are Magento's as commonly reported.
"""

from __future__ import annotations

import re
from typing import Any

from sandbox.adobe_commerce.attributes import checked_custom_attributes
from sandbox.adobe_commerce.errors import MagentoError, bad_request, no_such_entity
from sandbox.adobe_commerce.rendering_customers import customer_json
from sandbox.adobe_commerce.state import CustomerState, now_text
from sandbox.adobe_commerce.store import Store

CUSTOMER_SAVED = "observer.customer_save_commit_after"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_OPTIONAL = ("middlename", "dob", "group_id", "store_id")


def seed_customer(store: Store, spec: dict[str, Any]) -> CustomerState:
    """A customer as registered on the storefront (`email`, `firstname`, `lastname`, optional
    `is_subscribed` and `custom_attributes` as code → value; unknown codes are installed)."""
    attributes = dict(spec.get("custom_attributes") or {})
    store.state.customer_attribute_codes |= set(attributes)
    customer = CustomerState(
        id=store.state.next_id("customer"),
        email=str(spec["email"]),
        firstname=str(spec.get("firstname", "Ada")),
        lastname=str(spec.get("lastname", "Lovelace")),
        is_subscribed=bool(spec.get("is_subscribed", False)),
        custom_attributes=attributes,
    )
    store.state.customers[customer.id] = customer
    return customer


def get_customer(store: Store, customer_id: int) -> CustomerState:
    customer = store.state.customers.get(customer_id)
    if customer is None:
        raise no_such_entity("customerId", customer_id)
    return customer


def save_customer(store: Store, customer_id: int, data: dict[str, Any]) -> CustomerState:
    """`PUT /V1/customers/{customerId}`: every check before the first change."""
    customer = get_customer(store, customer_id)
    email = str(data["email"]).strip()
    if not _EMAIL.match(email):
        raise bad_request('"%1" is not a valid email address.', [email])
    website = int(data.get("website_id", customer.website_id))
    if any(
        c.email.lower() == email.lower() and c.website_id == website and c.id != customer.id
        for c in store.state.customers.values()
    ):
        raise bad_request("A customer with the same email address already exists in an associated website.")
    if data.get("addresses"):
        raise MagentoError(400, "sandbox: customer addresses are not simulated")
    group = data.get("group_id")
    if group is not None and int(group) not in store.state.customer_groups:
        raise no_such_entity("id", group)
    attributes = checked_custom_attributes(data.get("custom_attributes") or [], store.state.customer_attribute_codes)
    subscribed = (data.get("extension_attributes") or {}).get("is_subscribed")

    customer.email, customer.firstname, customer.lastname = email, str(data["firstname"]), str(data["lastname"])
    customer.website_id = website
    for name in _OPTIONAL:
        if data.get(name) is not None:
            setattr(customer, name, data[name])
    customer.custom_attributes.update(attributes)
    if subscribed is not None:
        customer.is_subscribed = bool(subscribed)
    customer.updated_at = now_text()
    store.emit(CUSTOMER_SAVED, customer_json(customer))
    return customer
