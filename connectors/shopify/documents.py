"""Every GraphQL document the connector sends. Tests validate each one against the official 2025-01
schema in `specs/shopify/`, so a typo fails CI rather than a case.

Orders, holds, tags and webhooks live here; after-sales, B2B and catalogue documents live in
`documents_aftersales`, `documents_b2b`, `documents_catalog`, `documents_order_edits` and
`documents_records`, and `ALL_DOCUMENTS` holds them all.
"""

from __future__ import annotations

from types import ModuleType

from connectors.shopify import (
    documents_aftersales,
    documents_archive,
    documents_b2b,
    documents_catalog,
    documents_order_edits,
    documents_records,
)

API_VERSION = "2025-01"

_ORDER_FIELDS = """
    id
    legacyResourceId
    name
    email
    cancelledAt
    cancelReason
    closed
    tags
    note
    displayFinancialStatus
    displayFulfillmentStatus
    totalPriceSet { shopMoney { amount currencyCode } }
    subtotalPriceSet { shopMoney { amount currencyCode } }
    totalDiscountsSet { shopMoney { amount currencyCode } }
    shippingAddress { countryCodeV2 }
    customer { id email tags }
    risk { recommendation assessments { riskLevel } }
    fulfillmentOrders(first: 20) {
      nodes {
        id
        status
        fulfillmentHolds { id handle reason reasonNotes }
      }
    }
"""

GET_ORDER = f"""
query CasebridgeGetOrder($id: ID!) {{
  order(id: $id) {{ {_ORDER_FIELDS} }}
}}
"""

# Hold webhooks name the fulfillment order only; its order is read with this.
GET_FULFILLMENT_ORDER_ORDER = """
query CasebridgeFulfillmentOrderOrder($id: ID!) {
  fulfillmentOrder(id: $id) { id order { id legacyResourceId } fulfillmentHolds { id } }
}
"""

# Where an order ships and whom it belongs to: what a replacement order copies, whom a letter goes to.
GET_ORDER_SHIP_TO = """
query CasebridgeOrderShipTo($id: ID!) {
  order(id: $id) {
    id
    email
    currencyCode
    customerLocale
    customer { id }
    shippingAddress { firstName lastName company address1 address2 city provinceCode zip phone countryCodeV2 }
  }
}
"""

FIND_ORDERS = """
query CasebridgeFindOrders($query: String!) {
  orders(first: 5, query: $query) { nodes { id legacyResourceId name tags cancelledAt } }
}
"""

FIND_ORDERS_BY_SOURCE_IDENTIFIER = """
query CasebridgeFindOrdersBySource($query: String!) {
  orders(first: 5, query: $query) { nodes { id name sourceIdentifier } }
}
"""

CREATE_ORDER = f"""
mutation CasebridgeCreateOrder($order: OrderCreateOrderInput!, $options: OrderCreateOptionsInput) {{
  orderCreate(order: $order, options: $options) {{
    order {{ {_ORDER_FIELDS} }}
    userErrors {{ field message code }}
  }}
}}
"""

HOLD_FULFILLMENT_ORDER = """
mutation CasebridgeHoldFulfillmentOrder($id: ID!, $hold: FulfillmentOrderHoldInput!) {
  fulfillmentOrderHold(id: $id, fulfillmentHold: $hold) {
    fulfillmentHold { id handle reason reasonNotes }
    fulfillmentOrder { id status }
    userErrors { field message code }
  }
}
"""

RELEASE_FULFILLMENT_ORDER_HOLD = """
mutation CasebridgeReleaseHold($id: ID!, $holdIds: [ID!]) {
  fulfillmentOrderReleaseHold(id: $id, holdIds: $holdIds) {
    fulfillmentOrder { id status }
    userErrors { field message code }
  }
}
"""

CANCEL_ORDER = """
mutation CasebridgeCancelOrder(
  $orderId: ID!, $reason: OrderCancelReason!, $refund: Boolean!, $restock: Boolean!,
  $notifyCustomer: Boolean, $staffNote: String
) {
  orderCancel(
    orderId: $orderId, reason: $reason, refund: $refund, restock: $restock,
    notifyCustomer: $notifyCustomer, staffNote: $staffNote
  ) {
    job { id done }
    orderCancelUserErrors { field message code }
  }
}
"""

GET_JOB = """
query CasebridgeGetJob($id: ID!) {
  job(id: $id) { id done }
}
"""

TAGS_ADD = """
mutation CasebridgeTagsAdd($id: ID!, $tags: [String!]!) {
  tagsAdd(id: $id, tags: $tags) {
    node { id }
    userErrors { field message }
  }
}
"""

TAGS_REMOVE = """
mutation CasebridgeTagsRemove($id: ID!, $tags: [String!]!) {
  tagsRemove(id: $id, tags: $tags) {
    node { id }
    userErrors { field message }
  }
}
"""

UPDATE_ORDER_NOTE = """
mutation CasebridgeUpdateOrderNote($input: OrderInput!) {
  orderUpdate(input: $input) {
    order { id note }
    userErrors { field message }
  }
}
"""

CREATE_WEBHOOK_SUBSCRIPTION = """
mutation CasebridgeSubscribe($topic: WebhookSubscriptionTopic!, $subscription: WebhookSubscriptionInput!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: $subscription) {
    webhookSubscription { id topic }
    userErrors { field message }
  }
}
"""

LIST_WEBHOOK_SUBSCRIPTIONS = """
query CasebridgeWebhookSubscriptions {
  webhookSubscriptions(first: 100) {
    nodes { id topic endpoint { __typename ... on WebhookHttpEndpoint { callbackUrl } } }
  }
}
"""


def _documents(namespace: dict[str, object]) -> dict[str, str]:
    return {
        name: value
        for name, value in namespace.items()
        if name.isupper() and not name.startswith("_") and isinstance(value, str) and name != "API_VERSION"
    }


def _module_documents(module: ModuleType) -> dict[str, str]:
    return {f"{module.__name__.rsplit('.', 1)[1]}.{name}": doc for name, doc in _documents(vars(module)).items()}


ALL_DOCUMENTS = {
    **_documents(dict(globals())),
    **_module_documents(documents_aftersales),
    **_module_documents(documents_b2b),
    **_module_documents(documents_catalog),
    **_module_documents(documents_order_edits),
    **_module_documents(documents_records),
    **_module_documents(documents_archive),
}
