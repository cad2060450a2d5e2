"""GraphQL documents for B2B: companies (locations, contacts) and draft orders (quotes, offline
orders). Validated against the official 2025-01 schema with the rest (`documents.ALL_DOCUMENTS`)."""

from __future__ import annotations

_MONEY = "shopMoney { amount currencyCode }"

_COMPANY_FIELDS = """
    id name externalId note createdAt
    mainContact { id customer { id email } }
    contacts(first: 10) { nodes { id isMainContact title customer { id email firstName lastName } } }
    locations(first: 10) { nodes { id name externalId currency } }
"""

CREATE_COMPANY = f"""
mutation CasebridgeCreateCompany($input: CompanyCreateInput!) {{
  companyCreate(input: $input) {{
    company {{ {_COMPANY_FIELDS} }}
    userErrors {{ field message code }}
  }}
}}
"""

FIND_COMPANIES = f"""
query CasebridgeFindCompanies($query: String!) {{
  companies(first: 3, query: $query) {{ nodes {{ {_COMPANY_FIELDS} }} }}
}}
"""

GET_COMPANY = f"""
query CasebridgeGetCompany($id: ID!) {{
  company(id: $id) {{ {_COMPANY_FIELDS} }}
}}
"""

CREATE_COMPANY_LOCATION = """
mutation CasebridgeCreateCompanyLocation($companyId: ID!, $input: CompanyLocationInput!) {
  companyLocationCreate(companyId: $companyId, input: $input) {
    companyLocation { id name externalId currency }
    userErrors { field message code }
  }
}
"""

ASSIGN_COMPANY_MAIN_CONTACT = f"""
mutation CasebridgeAssignMainContact($companyId: ID!, $companyContactId: ID!) {{
  companyAssignMainContact(companyId: $companyId, companyContactId: $companyContactId) {{
    company {{ {_COMPANY_FIELDS} }}
    userErrors {{ field message code }}
  }}
}}
"""

_DRAFT_ORDER_FIELDS = f"""
    id name status tags email invoiceUrl invoiceSentAt completedAt createdAt
    note2
    totalPriceSet {{ {_MONEY} }}
    subtotalPriceSet {{ {_MONEY} }}
    customer {{ id email }}
    purchasingEntity {{
      __typename
      ... on Customer {{ id }}
      ... on PurchasingCompany {{ company {{ id }} location {{ id }} contact {{ id }} }}
    }}
    lineItems(first: 20) {{
      nodes {{ id title quantity sku variant {{ id }} originalUnitPriceSet {{ {_MONEY} }} }}
    }}
    order {{ id name }}
"""

CREATE_DRAFT_ORDER = f"""
mutation CasebridgeCreateDraftOrder($input: DraftOrderInput!) {{
  draftOrderCreate(input: $input) {{
    draftOrder {{ {_DRAFT_ORDER_FIELDS} }}
    userErrors {{ field message }}
  }}
}}
"""

FIND_DRAFT_ORDERS = f"""
query CasebridgeFindDraftOrders($query: String!) {{
  draftOrders(first: 3, query: $query) {{ nodes {{ {_DRAFT_ORDER_FIELDS} }} }}
}}
"""

GET_DRAFT_ORDER = f"""
query CasebridgeGetDraftOrder($id: ID!) {{
  draftOrder(id: $id) {{ {_DRAFT_ORDER_FIELDS} }}
}}
"""

SEND_DRAFT_ORDER_INVOICE = f"""
mutation CasebridgeSendDraftOrderInvoice($id: ID!, $email: EmailInput) {{
  draftOrderInvoiceSend(id: $id, email: $email) {{
    draftOrder {{ {_DRAFT_ORDER_FIELDS} }}
    userErrors {{ field message }}
  }}
}}
"""

COMPLETE_DRAFT_ORDER = f"""
mutation CasebridgeCompleteDraftOrder($id: ID!, $sourceName: String) {{
  draftOrderComplete(id: $id, sourceName: $sourceName) {{
    draftOrder {{ {_DRAFT_ORDER_FIELDS} }}
    userErrors {{ field message }}
  }}
}}
"""

# The orders processed in a period with the company, location and customer that bought them, for
# B2B statements. Every order of the period is listed (the 2025-01 search has no filter for
# company orders); the caller keeps those bought by a company. Sorted by `processedAt`, the date an
# order carries in Shopify's reports (an imported order keeps its original date there).
ORDERS_PROCESSED_WITH_BUYER = """
query CasebridgeOrdersProcessedWithBuyer($first: Int!, $after: String, $query: String!) {
  orders(first: $first, after: $after, query: $query, sortKey: PROCESSED_AT) {
    nodes {
      id
      name
      processedAt
      totalPriceSet { shopMoney { amount currencyCode } }
      customer { id displayName }
      purchasingEntity {
        __typename
        ... on PurchasingCompany { company { id name } location { id name } }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""
