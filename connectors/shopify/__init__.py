"""Shopify Admin GraphQL API 2025-01: transport (`client`), documents, typed models and operations."""
