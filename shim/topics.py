"""What the shim routes: which store events each case type needs, and what each platform calls them.

The routers (`shim.shopify`, `shim.bigcommerce`, `shim.adobe_commerce`) dispatch on the platform
names below, and `casebridge webhooks sync` subscribes a store to exactly the names its policy's
case types need (`topics_for`), so the two cannot drift apart.
"""

from __future__ import annotations

from enum import StrEnum

from casebridge.stores import Platform
from routing.policy import StorePolicy


class CaseType(StrEnum):
    """A policy section: a case type a store may take part in."""

    ORDER_REVIEW = "order review"
    FULFILLMENT_EXCEPTION = "fulfillment exceptions"
    RETURN = "returns"
    ORDER_DOCUMENTS = "order documents"
    PRODUCT_WORKSPACES = "product workspaces"
    ABANDONED_CARTS = "abandoned carts"


class OrderEvent(StrEnum):
    """Something that happened in a store, whatever the platform calls it."""

    PLACED = "placed"
    CANCELLED = "cancelled"
    PLACED_BACKORDERED = "placed with backordered items"
    PAYMENT_DECLINED = "payment declined"
    FULFILLMENT_HELD = "fulfillment held by others"
    RETURN_REQUESTED = "return requested"
    SHIPPED = "shipped"
    INVOICED = "invoiced"
    REFUNDED = "refunded"
    PRODUCT_CREATED = "product created"
    PRODUCT_CHANGED = "product changed"
    CHECKOUT_STARTED = "checkout started"
    CHECKOUT_CHANGED = "checkout changed or completed"
    CART_ABANDONED = "cart abandoned"
    CART_CONVERTED = "cart converted into an order"


# The one place that says which events each case type needs.
EVENTS_NEEDED: dict[CaseType, frozenset[OrderEvent]] = {
    # A cancellation in the store withdraws the review.
    CaseType.ORDER_REVIEW: frozenset({OrderEvent.PLACED, OrderEvent.CANCELLED}),
    # Warehouses report on `/events/fulfillment-exception`; these are the platforms' own reports.
    CaseType.FULFILLMENT_EXCEPTION: frozenset(
        {
            OrderEvent.PLACED_BACKORDERED,
            OrderEvent.PAYMENT_DECLINED,
            OrderEvent.FULFILLMENT_HELD,
            OrderEvent.CANCELLED,
        }
    ),
    CaseType.RETURN: frozenset({OrderEvent.RETURN_REQUESTED}),
    # Each event files the order's new documents and sends their letters.
    CaseType.ORDER_DOCUMENTS: frozenset(
        {OrderEvent.PLACED, OrderEvent.SHIPPED, OrderEvent.INVOICED, OrderEvent.REFUNDED, OrderEvent.CANCELLED}
    ),
    CaseType.PRODUCT_WORKSPACES: frozenset({OrderEvent.PRODUCT_CREATED, OrderEvent.PRODUCT_CHANGED}),
    # A cart's activity opens or moves its reminder; its completion closes the case.
    CaseType.ABANDONED_CARTS: frozenset(
        {OrderEvent.CHECKOUT_STARTED, OrderEvent.CHECKOUT_CHANGED, OrderEvent.CART_ABANDONED, OrderEvent.CART_CONVERTED}
    ),
}

# -- the platforms' names ---------------------------------------------------------------------

# Shopify webhook topics as `X-Shopify-Topic` spells them (subscribed as `ORDERS_CREATE` etc.).
SHOPIFY_ORDERS_CREATE = "orders/create"
SHOPIFY_ORDERS_CANCELLED = "orders/cancelled"
SHOPIFY_HOLD_PLACED = "fulfillment_orders/placed_on_hold"
SHOPIFY_RETURNS_REQUEST = "returns/request"
SHOPIFY_FULFILLMENTS_CREATE = "fulfillments/create"
SHOPIFY_REFUNDS_CREATE = "refunds/create"
SHOPIFY_PRODUCTS_CREATE = "products/create"
SHOPIFY_PRODUCTS_UPDATE = "products/update"
SHOPIFY_CHECKOUTS_CREATE = "checkouts/create"
SHOPIFY_CHECKOUTS_UPDATE = "checkouts/update"  # also when the checkout is completed (`completed_at`)

# BigCommerce webhook scopes (thin payloads; the status change says cancelled or declined).
BIGCOMMERCE_ORDER_CREATED = "store/order/created"
BIGCOMMERCE_ORDER_STATUS_UPDATED = "store/order/statusUpdated"
BIGCOMMERCE_SHIPMENT_CREATED = "store/shipment/created"
BIGCOMMERCE_REFUND_CREATED = "store/order/refund/created"
BIGCOMMERCE_PRODUCT_CREATED = "store/product/created"
BIGCOMMERCE_PRODUCT_UPDATED = "store/product/updated"
BIGCOMMERCE_CART_ABANDONED = "store/cart/abandoned"  # after an hour without activity
BIGCOMMERCE_CART_CONVERTED = "store/cart/converted"  # the cart became an order (and is deleted)

# Adobe Commerce I/O Events codes, registered without the `com.adobe.commerce.` prefix.
ADOBE_EVENT_PREFIX = "com.adobe.commerce."
ADOBE_ORDER_PLACED = "observer.sales_order_place_after"
ADOBE_ORDER_SAVED = "observer.sales_order_save_commit_after"  # its state says `canceled`
ADOBE_RMA_SAVED = "observer.rma_save_commit_after"
ADOBE_INVOICE_SAVED = "observer.sales_order_invoice_save_after"
ADOBE_CREDIT_MEMO_SAVED = "observer.sales_order_creditmemo_save_after"
# A product's first save (its creation) is announced by the same event as every later save.
ADOBE_PRODUCT_SAVED = "observer.catalog_product_save_commit_after"
# ASSUMPTION: Adobe Commerce has no cart event of its own; the quote's save observer tells of carts.
ADOBE_QUOTE_SAVED = "observer.sales_quote_save_after"

# Where each platform reports each event; an event a platform lacks is absent (BigCommerce has no
# returns API: its storefront's form posts `/events/return-request` instead).
TOPICS: dict[Platform, dict[OrderEvent, str]] = {
    Platform.SHOPIFY: {
        OrderEvent.PLACED: SHOPIFY_ORDERS_CREATE,
        OrderEvent.CANCELLED: SHOPIFY_ORDERS_CANCELLED,
        OrderEvent.FULFILLMENT_HELD: SHOPIFY_HOLD_PLACED,
        OrderEvent.RETURN_REQUESTED: SHOPIFY_RETURNS_REQUEST,
        OrderEvent.SHIPPED: SHOPIFY_FULFILLMENTS_CREATE,
        OrderEvent.REFUNDED: SHOPIFY_REFUNDS_CREATE,
        OrderEvent.PRODUCT_CREATED: SHOPIFY_PRODUCTS_CREATE,
        OrderEvent.PRODUCT_CHANGED: SHOPIFY_PRODUCTS_UPDATE,
        OrderEvent.CHECKOUT_STARTED: SHOPIFY_CHECKOUTS_CREATE,
        OrderEvent.CHECKOUT_CHANGED: SHOPIFY_CHECKOUTS_UPDATE,
    },
    Platform.BIGCOMMERCE: {
        OrderEvent.PLACED: BIGCOMMERCE_ORDER_CREATED,
        OrderEvent.CANCELLED: BIGCOMMERCE_ORDER_STATUS_UPDATED,
        OrderEvent.PAYMENT_DECLINED: BIGCOMMERCE_ORDER_STATUS_UPDATED,
        OrderEvent.SHIPPED: BIGCOMMERCE_SHIPMENT_CREATED,
        OrderEvent.REFUNDED: BIGCOMMERCE_REFUND_CREATED,
        OrderEvent.PRODUCT_CREATED: BIGCOMMERCE_PRODUCT_CREATED,
        OrderEvent.PRODUCT_CHANGED: BIGCOMMERCE_PRODUCT_UPDATED,
        OrderEvent.CART_ABANDONED: BIGCOMMERCE_CART_ABANDONED,
        OrderEvent.CART_CONVERTED: BIGCOMMERCE_CART_CONVERTED,
    },
    Platform.ADOBE_COMMERCE: {
        OrderEvent.PLACED: ADOBE_ORDER_PLACED,
        OrderEvent.PLACED_BACKORDERED: ADOBE_ORDER_PLACED,
        OrderEvent.CANCELLED: ADOBE_ORDER_SAVED,
        OrderEvent.RETURN_REQUESTED: ADOBE_RMA_SAVED,
        OrderEvent.SHIPPED: ADOBE_ORDER_SAVED,  # a shipment saves its order
        OrderEvent.INVOICED: ADOBE_INVOICE_SAVED,
        OrderEvent.REFUNDED: ADOBE_CREDIT_MEMO_SAVED,
        OrderEvent.PRODUCT_CREATED: ADOBE_PRODUCT_SAVED,
        OrderEvent.PRODUCT_CHANGED: ADOBE_PRODUCT_SAVED,
        OrderEvent.CHECKOUT_CHANGED: ADOBE_QUOTE_SAVED,  # `is_active` false: ordered
    },
}

# The shim's receiving endpoint per platform.
WEBHOOK_PATHS: dict[Platform, str] = {
    Platform.SHOPIFY: "/webhooks/shopify",
    Platform.BIGCOMMERCE: "/webhooks/bigcommerce",
    Platform.ADOBE_COMMERCE: "/webhooks/adobe-commerce",
}


def case_types(policy: StorePolicy) -> list[CaseType]:
    """The case types the policy enables, in `CaseType` order."""
    enabled = {
        CaseType.ORDER_REVIEW: policy.order_review.enabled,
        CaseType.FULFILLMENT_EXCEPTION: policy.fulfillment_exceptions is not None
        and policy.fulfillment_exceptions.enabled,
        CaseType.RETURN: policy.returns is not None and policy.returns.enabled,
        CaseType.ORDER_DOCUMENTS: policy.order_documents is not None and policy.order_documents.enabled,
        CaseType.PRODUCT_WORKSPACES: policy.product_workspaces,
        CaseType.ABANDONED_CARTS: policy.abandoned_carts is not None
        and policy.abandoned_carts.enabled
        and policy.communications is not None,
    }
    return [case_type for case_type in CaseType if enabled[case_type]]


def topics_for(platform: Platform, policy: StorePolicy) -> list[str]:
    """The platform's topics (scopes, event codes) a store with this policy must deliver, sorted."""
    events = {event for case_type in case_types(policy) for event in EVENTS_NEEDED[case_type]}
    names = TOPICS[platform]
    return sorted({names[event] for event in events if event in names})


def shopify_subscription_topic(topic: str) -> str:
    """`orders/create` -> `ORDERS_CREATE`, the `WebhookSubscriptionTopic` enum value."""
    return topic.upper().replace("/", "_")


def adobe_event_type(code: str) -> str:
    """`observer.x` -> `com.adobe.commerce.observer.x`, the type deliveries carry."""
    return code if code.startswith(ADOBE_EVENT_PREFIX) else ADOBE_EVENT_PREFIX + code
