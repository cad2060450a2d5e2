"""Which custom attribute codes a simulated store knows, for customers and for products.

Magento keeps EAV attributes per entity type; `custom_attributes` on a customer or a product can
only name attributes that exist. ASSUMPTION: an unknown code is refused with 400 and the attribute
repository's "doesn't exist" message (what Magento does with unknown codes is not in the schema).
A missing or null value never gets here: the schema requires `value`. Casebridge's own attributes
are provisioned on the store when it is connected (admin configuration: Magento's REST API cannot
create customer attributes); the sandbox installs them in every store.
"""

from __future__ import annotations

from typing import Any

from sandbox.adobe_commerce.errors import MagentoError

# Casebridge's attributes (textarea, user-defined), installed with the integration.
CASEBRIDGE_CUSTOMER_ATTRIBUTES = frozenset(
    {
        "casebridge_communication_preferences",
        "casebridge_last_communication",
        "casebridge_communication_history",
        "casebridge_sms_consent",
        "casebridge_ecm_workspace",
    }
)
CASEBRIDGE_PRODUCT_ATTRIBUTES = frozenset({"casebridge_documents"})
# Magento's default attribute set for products (those sent as `custom_attributes`).
DEFAULT_PRODUCT_ATTRIBUTES = frozenset(
    {
        "description",
        "short_description",
        "meta_title",
        "meta_keyword",
        "meta_description",
        "url_key",
        "image",
        "small_image",
        "thumbnail",
        "swatch_image",
        "special_price",
        "special_from_date",
        "special_to_date",
        "cost",
        "color",
        "manufacturer",
        "country_of_manufacture",
        "news_from_date",
        "news_to_date",
        "tax_class_id",
        "gift_message_available",
        "options_container",
        "msrp",
        "msrp_display_actual_price_type",
        "category_ids",
        "required_options",
        "has_options",
    }
)
# Magento's customer custom attributes on a fresh install: none are user-defined.
DEFAULT_CUSTOMER_ATTRIBUTES: frozenset[str] = frozenset()


def checked_custom_attributes(raw: list[dict[str, Any]], known: set[str]) -> dict[str, Any]:
    """`custom_attributes` as code → value, refusing unknown codes."""
    values: dict[str, Any] = {}
    for attribute in raw:
        code = str(attribute["attribute_code"])
        if code not in known:
            raise MagentoError(
                400,
                'The attribute with a "%1" attributeCode doesn\'t exist. Verify the attribute and try again.',
                [code],
            )
        values[code] = attribute["value"]
    return values
