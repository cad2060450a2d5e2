"""GraphQL documents for changing what an order ships: order edits (and the lines they change),
money-only refunds, and fulfillment order splits. Validated against the official 2025-01 schema
with the rest (`documents.ALL_DOCUMENTS`)."""

from __future__ import annotations

ORDER_LINES = """
query CasebridgeOrderLines($id: ID!) {
  order(id: $id) {
    id
    cancelledAt
    lineItems(first: 100) {
      nodes { id sku name quantity currentQuantity unfulfilledQuantity refundableQuantity }
    }
  }
}
"""

ORDER_EDIT_BEGIN = """
mutation CasebridgeOrderEditBegin($id: ID!) {
  orderEditBegin(id: $id) {
    calculatedOrder { id }
    userErrors { field message }
  }
}
"""

ORDER_EDIT_SET_QUANTITY = """
mutation CasebridgeOrderEditSetQuantity($id: ID!, $lineItemId: ID!, $quantity: Int!, $restock: Boolean) {
  orderEditSetQuantity(id: $id, lineItemId: $lineItemId, quantity: $quantity, restock: $restock) {
    calculatedLineItem { id quantity }
    userErrors { field message }
  }
}
"""

ORDER_EDIT_COMMIT = """
mutation CasebridgeOrderEditCommit($id: ID!, $notifyCustomer: Boolean, $staffNote: String) {
  orderEditCommit(id: $id, notifyCustomer: $notifyCustomer, staffNote: $staffNote) {
    order { id }
    userErrors { field message }
  }
}
"""

# The payments a money-only refund draws on (and the refunds already drawn on them).
ORDER_PAYMENTS = """
query CasebridgeOrderPayments($id: ID!) {
  order(id: $id) {
    id
    transactions(first: 50) {
      id kind status gateway
      amountSet { shopMoney { amount currencyCode } }
      parentTransaction { id }
    }
  }
}
"""

# What each fulfillment order still has to ship, by SKU, and whose holds are on it. Sized to stay
# within the connector's 500-point budget per document (5 fulfillment orders of 40 lines: more is rare).
ORDER_FULFILLMENT_LINES = """
query CasebridgeOrderFulfillmentLines($id: ID!) {
  order(id: $id) {
    id
    fulfillmentOrders(first: 5) {
      nodes {
        id status
        fulfillmentHolds { id handle reason }
        lineItems(first: 40) { nodes { id remainingQuantity lineItem { id sku } } }
      }
    }
  }
}
"""

FULFILLMENT_ORDER_SPLIT = """
mutation CasebridgeFulfillmentOrderSplit($splits: [FulfillmentOrderSplitInput!]!) {
  fulfillmentOrderSplit(fulfillmentOrderSplits: $splits) {
    fulfillmentOrderSplits {
      fulfillmentOrder { id status }
      remainingFulfillmentOrder { id status }
      replacementFulfillmentOrder { id status }
    }
    userErrors { field message code }
  }
}
"""

# --- Substitute items: one edit lowers the original lines and adds the substitute variants ------

# The lines with what each unit was paid (all discounts) and its variant, and the order's custom
# attributes (where a substitution's plan is kept). 50 lines keep it within the 500-point budget.
ORDER_SUBSTITUTION_LINES = """
query CasebridgeOrderSubstitutionLines($id: ID!) {
  order(id: $id) {
    id
    cancelledAt
    currencyCode
    customAttributes { key value }
    lineItems(first: 50) {
      nodes {
        id sku name title quantity currentQuantity unfulfilledQuantity refundableQuantity
        variant { id }
        discountedUnitPriceAfterAllDiscountsSet { shopMoney { amount currencyCode } }
      }
    }
  }
}
"""

ORDER_SET_CUSTOM_ATTRIBUTES = """
mutation CasebridgeOrderSetCustomAttributes($input: OrderInput!) {
  orderUpdate(input: $input) {
    order { id customAttributes { key value } }
    userErrors { field message }
  }
}
"""

PRODUCT_VARIANTS_BY_SKU = """
query CasebridgeProductVariantsBySku($query: String!) {
  productVariants(first: 10, query: $query) {
    nodes {
      id sku title displayName price inventoryQuantity availableForSale
      product { id title status }
    }
  }
}
"""

ORDER_EDIT_ADD_VARIANT = """
mutation CasebridgeOrderEditAddVariant(
  $id: ID!, $variantId: ID!, $quantity: Int!, $allowDuplicates: Boolean
) {
  orderEditAddVariant(id: $id, variantId: $variantId, quantity: $quantity, allowDuplicates: $allowDuplicates) {
    calculatedLineItem { id quantity }
    userErrors { field message }
  }
}
"""

ORDER_EDIT_ADD_LINE_ITEM_DISCOUNT = """
mutation CasebridgeOrderEditAddLineItemDiscount(
  $id: ID!, $lineItemId: ID!, $discount: OrderEditAppliedDiscountInput!
) {
  orderEditAddLineItemDiscount(id: $id, lineItemId: $lineItemId, discount: $discount) {
    calculatedLineItem { id discountedUnitPriceSet { shopMoney { amount currencyCode } } }
    userErrors { field message }
  }
}
"""
