"""Shopify Admin GraphQL API 2025-01, simulated against Shopify's own schema.

`api` (router + `ShopifySimulator`), `admin_routes` (sandbox-only setup and inspection), `executor`
(request pipeline), `schema` (official schema), `graphql_contract` (the wire contract for connector
tests), `resolvers` + `resolvers_aftersales`/`_b2b`/`_catalog` (GraphQL ↔ domain), `cost` (query cost,
leaky bucket), `state` + `state_aftersales`/`_b2b`/`_catalog` (domain model), `operations` with
`order_create`/`holds`/`subscriptions`/`fulfillments`/`refunds`/`returns`/`disputes`/`companies`/
`draft_orders`/`catalog`/`price_lists` (mutation rules), `risk` (deterministic fraud analysis),
`search` + `search_terms` (query syntax), `webhooks` + `rest_payloads`/`rest_resources` (signed
REST-shaped deliveries), `standalone` (the simulator alone on a port, for tests and tools).
"""
