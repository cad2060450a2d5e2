"""GraphQL documents for the catalogue: products, publications, price lists. Validated against the
official 2025-01 schema with the rest (`documents.ALL_DOCUMENTS`)."""

from __future__ import annotations

_PRODUCT_FIELDS = """
    id title handle status tags descriptionHtml vendor productType publishedAt updatedAt
    variants(first: 50) { nodes { id title sku price inventoryQuantity } }
    resourcePublications(first: 20, onlyPublished: true) { nodes { isPublished publishDate publication { id } } }
"""

GET_PRODUCT = f"""
query CasebridgeGetProduct($id: ID!) {{
  product(id: $id) {{ {_PRODUCT_FIELDS} }}
}}
"""

UPDATE_PRODUCT = f"""
mutation CasebridgeUpdateProduct($product: ProductUpdateInput!) {{
  productUpdate(product: $product) {{
    product {{ {_PRODUCT_FIELDS} }}
    userErrors {{ field message }}
  }}
}}
"""

LIST_PUBLICATIONS = """
query CasebridgePublications {
  publications(first: 50) { nodes { id name autoPublish supportsFuturePublishing } }
}
"""

PUBLISH = f"""
mutation CasebridgePublish($id: ID!, $input: [PublicationInput!]!) {{
  publishablePublish(id: $id, input: $input) {{
    publishable {{ ... on Product {{ {_PRODUCT_FIELDS} }} }}
    userErrors {{ field message }}
  }}
}}
"""

UNPUBLISH = f"""
mutation CasebridgeUnpublish($id: ID!, $input: [PublicationInput!]!) {{
  publishableUnpublish(id: $id, input: $input) {{
    publishable {{ ... on Product {{ {_PRODUCT_FIELDS} }} }}
    userErrors {{ field message }}
  }}
}}
"""

_PRICE_FIELDS = """
    originType
    price { amount currencyCode }
    compareAtPrice { amount currencyCode }
    variant { id }
"""

_PRICE_LIST_FIELDS = f"""
    id name currency fixedPricesCount
    parent {{ adjustment {{ type value }} }}
    prices(first: 100, originType: FIXED) {{ nodes {{ {_PRICE_FIELDS} }} }}
"""

CREATE_PRICE_LIST = f"""
mutation CasebridgeCreatePriceList($input: PriceListCreateInput!) {{
  priceListCreate(input: $input) {{
    priceList {{ {_PRICE_LIST_FIELDS} }}
    userErrors {{ field message code }}
  }}
}}
"""

GET_PRICE_LIST = f"""
query CasebridgeGetPriceList($id: ID!) {{
  priceList(id: $id) {{ {_PRICE_LIST_FIELDS} }}
}}
"""

ADD_FIXED_PRICES = f"""
mutation CasebridgeAddFixedPrices($priceListId: ID!, $prices: [PriceListPriceInput!]!) {{
  priceListFixedPricesAdd(priceListId: $priceListId, prices: $prices) {{
    prices {{ {_PRICE_FIELDS} }}
    userErrors {{ field message code }}
  }}
}}
"""

UPDATE_FIXED_PRICES = f"""
mutation CasebridgeUpdateFixedPrices(
  $priceListId: ID!, $pricesToAdd: [PriceListPriceInput!]!, $variantIdsToDelete: [ID!]!
) {{
  priceListFixedPricesUpdate(
    priceListId: $priceListId, pricesToAdd: $pricesToAdd, variantIdsToDelete: $variantIdsToDelete
  ) {{
    priceList {{ {_PRICE_LIST_FIELDS} }}
    pricesAdded {{ {_PRICE_FIELDS} }}
    deletedFixedPriceVariantIds
    userErrors {{ field message code }}
  }}
}}
"""

# What return routing needs of an order: its date and the product type of each line (the category
# a returns policy's rules name). `processedAt` is the order's date as the shop shows it (set for
# imported orders too, where `createdAt` is the import time).
ORDER_PRODUCT_FACTS = """
query CasebridgeOrderProductFacts($id: ID!) {
  order(id: $id) {
    id processedAt email
    fulfillments(first: 20) { createdAt }
    lineItems(first: 100) { nodes { id product { id productType } } }
  }
}
"""
