"""Store adapters: one per platform, each implementing `base.Store` by capability."""

from __future__ import annotations

from typing import TYPE_CHECKING

from workflows.store.adobe_commerce import AdobeCommerceStore
from workflows.store.base import Store, StoreOrder, Unsupported
from workflows.store.bigcommerce import BigCommerceStore
from workflows.store.shopify import ShopifyStore

if TYPE_CHECKING:
    from workflows.case import AnyCase

ADAPTERS: dict[str, type[Store]] = {
    "shopify": ShopifyStore,
    "bigcommerce": BigCommerceStore,
    "adobe-commerce": AdobeCommerceStore,
}


def store_for(case: AnyCase, order: StoreOrder) -> Store:
    """The adapter of the order's platform. An unknown platform is refused when the case starts
    (a workflow task failure the worker retries), never half-way through."""
    adapter = ADAPTERS.get(order.platform)
    if adapter is None:
        raise Unsupported(f"no store adapter for platform {order.platform!r}")
    return adapter(case, order)
