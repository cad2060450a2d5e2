"""BigCommerce REST v2/v3 and B2B Edition, simulated against BigCommerce's own OpenAPI files.

`simulator` (`BigCommerceSimulator`: routers, the gate every call passes, fault injection),
`config` (`BigCommerceStoreConfig`), `specs` (the official specs, loaded once; `BigCommerceContract`),
`http_support` (route class: auth, quota, faults, spec check, rate-limit headers), `ratelimit`
(per-store request window), `state` (domain model), `orders` (order rules: statuses, shipments,
refund quotes and refunds), `rest_api`/`store_api`/`b2b_api` (routes), `rendering` (each API's JSON),
`webhooks` (thin payloads signed as Standard Webhooks), `admin` (sandbox-only seeding and inspection),
`standalone` (a small app with just this simulator, for tests and tools).
"""
