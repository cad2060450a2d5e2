"""Shopify Admin GraphQL API 2025-01: transport (`client`), documents, typed models and operations.

`admin.ShopifyAdmin` is the one object callers use; its methods come from `admin` (orders, holds,
tags, notes, webhooks) and the subject modules `refunds`, `fulfillments`, `returns`, `disputes`,
`companies`, `draft_orders`, `products` and `price_lists`. Everything the connector assumes beyond
the official schema is in `assumptions`.
"""
