"""Shopify Admin GraphQL API 2025-01, simulated against Shopify's own schema.

`api` (router + `ShopifySimulator`), `executor` (request pipeline), `schema` (official schema),
`resolvers` (GraphQL ↔ domain), `cost` (query cost, leaky bucket), `state` (domain model),
`operations`/`order_create`/`holds`/`subscriptions` (mutation rules), `risk` (deterministic fraud
analysis), `search` (orders query syntax), `webhooks` + `rest_payloads` (signed REST-shaped deliveries).
"""
