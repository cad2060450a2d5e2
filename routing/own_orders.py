"""Casebridge's own orders: the free replacement and exchange orders a return case places in the
store. They are not a customer's orders to review, so every platform's "order created" route asks
`is_casebridge_replacement` before it routes an order, and answers why no case started.

Each platform's replacement order carries the mark Casebridge's replacement activity gives it; the
marks are defined here, next to the check, so what is written and what is recognised cannot drift:

- Shopify: the tag `casebridge-replacement` (the draft order's, carried to the completed order);
- BigCommerce: an `external_order_id` starting with `casebridge-replacement-` (the offline order's
  key, which only the API can set);
- Adobe Commerce: the store's `replacement_coupon` (REST cannot set a price; the coupon's 100%-off
  cart price rule makes the order free).
"""

from __future__ import annotations

from collections.abc import Iterable

REPLACEMENT_TAG = "casebridge-replacement"
REPLACEMENT_ORDER_ID_PREFIX = f"{REPLACEMENT_TAG}-"
NOT_REVIEWED = "Casebridge's own replacement or exchange order: never reviewed"


def is_casebridge_replacement(
    *,
    tags: Iterable[str] = (),
    external_order_id: str | None = None,
    coupon_code: str | None = None,
    replacement_coupon: str | None = None,
) -> bool:
    """True when the order carries its platform's replacement mark (pass what the platform has:
    Shopify the order's tags, BigCommerce its `external_order_id`, Adobe Commerce its coupon code
    and the store's replacement coupon)."""
    if any(tag.strip().lower() == REPLACEMENT_TAG for tag in tags):
        return True
    if external_order_id is not None and external_order_id.startswith(REPLACEMENT_ORDER_ID_PREFIX):
        return True
    coupon = (coupon_code or "").strip().lower()
    return bool(coupon) and coupon == (replacement_coupon or "").strip().lower()
