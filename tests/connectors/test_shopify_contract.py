"""`ShopifyGraphQLContract`, the check contract tests put in front of the Shopify connector, refuses
what the Admin API would refuse (and lets through what it accepts)."""

from __future__ import annotations

import json

from sandbox.shopify.graphql_contract import ShopifyGraphQLContract

URL = "http://127.0.0.1:1/shopify/x.myshopify.com/admin/api/2025-01/graphql.json"
HEADERS = {"X-Shopify-Access-Token": "t", "Content-Type": "application/json"}
GOOD = "query Q($id: ID!) { order(id: $id) { id name } }"


def _errors(body: object, *, method: str = "POST", url: str = URL, headers: dict[str, str] = HEADERS) -> list[str]:
    return ShopifyGraphQLContract().errors(method, url, headers, json.dumps(body).encode())


def test_a_valid_request_passes() -> None:
    assert _errors({"query": GOOD, "variables": {"id": "gid://shopify/Order/1"}}) == []


def test_transport_rules() -> None:
    body = {"query": GOOD, "variables": {"id": "gid://shopify/Order/1"}}
    assert _errors(body, method="GET") == ["method GET is not POST"]
    assert "not the 2025-01 GraphQL endpoint" in _errors(body, url=URL.replace("2025-01", "2024-01"))[0]
    assert _errors(body, headers={"Content-Type": "application/json"}) == ["X-Shopify-Access-Token header missing"]
    assert _errors({"variables": {}}) == ["body has no `query` string"]


def test_documents_and_variables_are_checked_against_the_schema() -> None:
    assert _errors({"query": "query { order(id: 1) { nmae } }"})[0].startswith("schema: ")
    assert _errors({"query": "query {"})[0].startswith("parse: ")
    assert _errors({"query": GOOD, "variables": {}})[0].startswith("variables: ")
    refund = "mutation R($i: RefundInput!) { refundCreate(input: $i) { refund { id } } }"
    wrong_shipping = {"orderId": "gid://shopify/Order/1", "shipping": {"shippingRefundAmount": "1"}}
    assert _errors({"query": refund, "variables": {"i": wrong_shipping}})[0].startswith("variables: ")
