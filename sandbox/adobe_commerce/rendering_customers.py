"""REST JSON of a simulated customer (`customer-data-customer-interface`)."""

from __future__ import annotations

from typing import Any

from sandbox.adobe_commerce.state import CustomerState


def customer_json(c: CustomerState) -> dict[str, Any]:
    return {
        "id": c.id,
        "group_id": c.group_id,
        "created_at": c.created_at,
        "updated_at": c.updated_at,
        "created_in": "Default Store View",
        "email": c.email,
        "firstname": c.firstname,
        "lastname": c.lastname,
        **({"middlename": c.middlename} if c.middlename else {}),
        **({"dob": c.dob} if c.dob else {}),
        "store_id": c.store_id,
        "website_id": c.website_id,
        "addresses": [],
        "disable_auto_group_change": 0,
        "extension_attributes": {"is_subscribed": c.is_subscribed},
        "custom_attributes": [{"attribute_code": k, "value": v} for k, v in c.custom_attributes.items()],
    }
