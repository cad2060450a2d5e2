"""GraphQL documents for what follows an order: notes, fulfillments, refunds, returns, disputes.
Validated against the official 2025-01 schema with the rest (`documents.ALL_DOCUMENTS`)."""

from __future__ import annotations

_MONEY = "shopMoney { amount currencyCode }"

_TRANSACTION_FIELDS = f"""
    id kind status gateway
    amountSet {{ {_MONEY} }}
    parentTransaction {{ id }}
"""

_REFUND_FIELDS = f"""
    id note createdAt
    totalRefundedSet {{ {_MONEY} }}
    refundLineItems(first: 50) {{
      nodes {{
        id quantity restockType restocked
        lineItem {{ id }}
        subtotalSet {{ {_MONEY} }}
        totalTaxSet {{ {_MONEY} }}
      }}
    }}
    transactions(first: 20) {{ nodes {{ {_TRANSACTION_FIELDS} }} }}
"""

CREATE_FULFILLMENT = """
mutation CasebridgeCreateFulfillment($fulfillment: FulfillmentV2Input!) {
  fulfillmentCreateV2(fulfillment: $fulfillment) {
    fulfillment {
      id name status totalQuantity
      fulfillmentLineItems(first: 100) { nodes { id quantity lineItem { id } } }
    }
    userErrors { field message }
  }
}
"""

ORDER_REFUNDS = f"""
query CasebridgeOrderRefunds($id: ID!) {{
  order(id: $id) {{
    id displayFinancialStatus
    totalRefundedSet {{ {_MONEY} }}
    refunds(first: 50) {{ {_REFUND_FIELDS} }}
  }}
}}
"""

SUGGESTED_REFUND = f"""
query CasebridgeSuggestedRefund(
  $id: ID!, $refundLineItems: [RefundLineItemInput!], $refundShipping: Boolean, $shippingAmount: Money,
  $suggestFullRefund: Boolean
) {{
  order(id: $id) {{
    id
    suggestedRefund(
      refundLineItems: $refundLineItems, refundShipping: $refundShipping, shippingAmount: $shippingAmount,
      suggestFullRefund: $suggestFullRefund
    ) {{
      amountSet {{ {_MONEY} }}
      subtotalSet {{ {_MONEY} }}
      totalTaxSet {{ {_MONEY} }}
      maximumRefundableSet {{ {_MONEY} }}
      shipping {{ amountSet {{ {_MONEY} }} maximumRefundableSet {{ {_MONEY} }} }}
      refundLineItems {{ quantity restockType lineItem {{ id }} subtotalSet {{ {_MONEY} }} }}
      suggestedTransactions {{
        kind gateway
        amountSet {{ {_MONEY} }}
        parentTransaction {{ id kind gateway }}
      }}
    }}
  }}
}}
"""

CREATE_REFUND = f"""
mutation CasebridgeCreateRefund($input: RefundInput!) {{
  refundCreate(input: $input) {{
    refund {{ {_REFUND_FIELDS} }}
    order {{ id displayFinancialStatus }}
    userErrors {{ field message }}
  }}
}}
"""

_RETURN_FIELDS = """
    id name status totalQuantity
    order { id }
    decline { reason note }
    returnLineItems(first: 50) {
      nodes {
        ... on ReturnLineItem {
          id quantity returnReason customerNote
          fulfillmentLineItem { id lineItem { id } }
        }
      }
    }
"""

RETURNABLE_FULFILLMENTS = """
query CasebridgeReturnableFulfillments($orderId: ID!) {
  returnableFulfillments(orderId: $orderId, first: 5) {
    nodes {
      id
      fulfillment { id }
      returnableFulfillmentLineItems(first: 25) {
        nodes { quantity fulfillmentLineItem { id lineItem { id } } }
      }
    }
  }
}
"""

REQUEST_RETURN = f"""
mutation CasebridgeRequestReturn($input: ReturnRequestInput!) {{
  returnRequest(input: $input) {{
    return {{ {_RETURN_FIELDS} }}
    userErrors {{ field message code }}
  }}
}}
"""

APPROVE_RETURN = f"""
mutation CasebridgeApproveReturn($input: ReturnApproveRequestInput!) {{
  returnApproveRequest(input: $input) {{
    return {{ {_RETURN_FIELDS} }}
    userErrors {{ field message code }}
  }}
}}
"""

DECLINE_RETURN = f"""
mutation CasebridgeDeclineReturn($input: ReturnDeclineRequestInput!) {{
  returnDeclineRequest(input: $input) {{
    return {{ {_RETURN_FIELDS} }}
    userErrors {{ field message code }}
  }}
}}
"""

GET_RETURN = f"""
query CasebridgeGetReturn($id: ID!) {{
  return(id: $id) {{ {_RETURN_FIELDS} }}
}}
"""

_DISPUTE_FIELDS = """
    id legacyResourceId status type initiatedAt evidenceDueBy evidenceSentOn finalizedOn
    amount { amount currencyCode }
    reasonDetails { reason networkReasonCode }
    order { id name }
"""

LIST_DISPUTES = f"""
query CasebridgeDisputes($first: Int!, $after: String, $query: String) {{
  disputes(first: $first, after: $after, query: $query) {{
    nodes {{ {_DISPUTE_FIELDS} }}
    pageInfo {{ hasNextPage endCursor }}
  }}
}}
"""

GET_DISPUTE = f"""
query CasebridgeGetDispute($id: ID!) {{
  dispute(id: $id) {{ {_DISPUTE_FIELDS} }}
}}
"""

_EVIDENCE_FIELDS = """
    id submitted
    customerEmailAddress customerFirstName customerLastName
    uncategorizedText accessActivityLog cancellationPolicyDisclosure cancellationRebuttal
    refundPolicyDisclosure refundRefusalExplanation
    dispute { id status evidenceSentOn }
"""

GET_DISPUTE_EVIDENCE = f"""
query CasebridgeGetDisputeEvidence($id: ID!) {{
  disputeEvidence(id: $id) {{ {_EVIDENCE_FIELDS} }}
}}
"""

UPDATE_DISPUTE_EVIDENCE = f"""
mutation CasebridgeUpdateDisputeEvidence($id: ID!, $input: ShopifyPaymentsDisputeEvidenceUpdateInput!) {{
  disputeEvidenceUpdate(id: $id, input: $input) {{
    disputeEvidence {{ {_EVIDENCE_FIELDS} }}
    userErrors {{ field message code }}
  }}
}}
"""
