"""GraphQL documents for customer records (marketing consent, metafields) and the documents
published on products (metafields). Validated against the official 2025-01 schema with the rest
(`documents.ALL_DOCUMENTS`)."""

from __future__ import annotations

_CONSENT_FIELDS = """
    id email phone
    emailMarketingConsent { marketingState marketingOptInLevel consentUpdatedAt }
    smsMarketingConsent { marketingState marketingOptInLevel consentUpdatedAt }
"""

_METAFIELD_FIELDS = "id namespace key type value updatedAt"

CUSTOMER_RECORD = f"""
query CasebridgeCustomerRecord($id: ID!, $namespace: String!) {{
  customer(id: $id) {{
    {_CONSENT_FIELDS}
    metafields(first: 50, namespace: $namespace) {{ nodes {{ {_METAFIELD_FIELDS} }} }}
  }}
}}
"""

UPDATE_EMAIL_CONSENT = f"""
mutation CasebridgeEmailConsent($input: CustomerEmailMarketingConsentUpdateInput!) {{
  customerEmailMarketingConsentUpdate(input: $input) {{
    customer {{ {_CONSENT_FIELDS} }}
    userErrors {{ field message code }}
  }}
}}
"""

UPDATE_SMS_CONSENT = f"""
mutation CasebridgeSmsConsent($input: CustomerSmsMarketingConsentUpdateInput!) {{
  customerSmsMarketingConsentUpdate(input: $input) {{
    customer {{ {_CONSENT_FIELDS} }}
    userErrors {{ field message code }}
  }}
}}
"""

SET_METAFIELDS = f"""
mutation CasebridgeSetMetafields($metafields: [MetafieldsSetInput!]!) {{
  metafieldsSet(metafields: $metafields) {{
    metafields {{ {_METAFIELD_FIELDS} }}
    userErrors {{ field message code elementIndex }}
  }}
}}
"""

DELETE_METAFIELDS = """
mutation CasebridgeDeleteMetafields($metafields: [MetafieldIdentifierInput!]!) {
  metafieldsDelete(metafields: $metafields) {
    deletedMetafields { ownerId namespace key }
    userErrors { field message }
  }
}
"""

PRODUCT_METAFIELDS = f"""
query CasebridgeProductMetafields($id: ID!, $namespace: String!) {{
  product(id: $id) {{
    id
    metafields(first: 100, namespace: $namespace) {{ nodes {{ {_METAFIELD_FIELDS} }} }}
  }}
}}
"""
