"""GraphQL documents of the transaction archive: the orders created in a date range, and one order
with what it bills, refunds and ships. Validated against the official 2025-01 schema with the rest
(`documents.ALL_DOCUMENTS`), and kept under the cost budget of `tests/connectors/
test_shopify_documents_cost.py`: that is why an order's refunds are read apart, and lines come
50 at a time.
"""

from __future__ import annotations

ORDERS_CREATED = """
query CasebridgeOrdersCreated($first: Int!, $after: String, $query: String!) {
  orders(first: $first, after: $after, query: $query, sortKey: CREATED_AT) {
    nodes { id legacyResourceId name createdAt }
    pageInfo { hasNextPage endCursor }
  }
}
"""

_LINE_ITEM_FIELDS = """
    sku
    title
    quantity
    originalUnitPriceSet { shopMoney { amount currencyCode } }
    discountedTotalSet { shopMoney { amount currencyCode } }
"""

ORDER_TRANSACTIONS = f"""
query CasebridgeOrderTransactions($id: ID!) {{
  order(id: $id) {{
    id
    legacyResourceId
    name
    createdAt
    currencyCode
    displayFinancialStatus
    displayFulfillmentStatus
    customer {{ id }}
    totalPriceSet {{ shopMoney {{ amount currencyCode }} }}
    subtotalPriceSet {{ shopMoney {{ amount currencyCode }} }}
    totalTaxSet {{ shopMoney {{ amount currencyCode }} }}
    lineItems(first: 50) {{
      nodes {{ {_LINE_ITEM_FIELDS} }}
      pageInfo {{ hasNextPage endCursor }}
    }}
    fulfillments(first: 20) {{
      id
      name
      status
      createdAt
      trackingInfo(first: 5) {{ company number }}
      fulfillmentLineItems(first: 50) {{
        nodes {{ quantity lineItem {{ sku title }} }}
      }}
    }}
  }}
}}
"""

# The order's refunds: asked apart from `ORDER_TRANSACTIONS`, as together they would cost over the budget.
ORDER_REFUNDS_FOR_ARCHIVE = """
query CasebridgeOrderRefundsForArchive($id: ID!) {
  order(id: $id) {
    id
    refunds(first: 20) {
      id
      createdAt
      totalRefundedSet { shopMoney { amount currencyCode } }
      refundLineItems(first: 50) {
        nodes {
          quantity
          lineItem { sku title }
          priceSet { shopMoney { amount currencyCode } }
          subtotalSet { shopMoney { amount currencyCode } }
          totalTaxSet { shopMoney { amount currencyCode } }
        }
      }
    }
  }
}
"""

# The lines past the first page of `ORDER_TRANSACTIONS` (an order with more than 50 lines), 50 at a time.
ORDER_LINE_ITEMS_PAGE = f"""
query CasebridgeOrderLineItemsPage($id: ID!, $after: String) {{
  order(id: $id) {{
    id
    lineItems(first: 50, after: $after) {{
      nodes {{ {_LINE_ITEM_FIELDS} }}
      pageInfo {{ hasNextPage endCursor }}
    }}
  }}
}}
"""
