"""What the BigCommerce connector assumes about the platform, in one place.

Facts marked "confirmed" come from the official OpenAPI files in `specs/bigcommerce` or the
reference `commerce-apis.md` section 2 (which paraphrases BigCommerce's own docs). Everything marked
ASSUMPTION is a design guess to verify against a real store; if one turns out wrong, the fix should
only touch this module (and the simulator in `sandbox/bigcommerce`, which implements the same guesses).
"""

from __future__ import annotations

SYSTEM = "bigcommerce"
B2B_SYSTEM = "bigcommerce-b2b"

# -- Hosts and paths ---------------------------------------------------------------------------------
# confirmed: `https://api.bigcommerce.com/stores/{store_hash}/v2|v3`; versioning by path segment only.
REST_HOST = "https://api.bigcommerce.com"
STORE_PATH = "/stores/{store_hash}"
# confirmed: B2B Edition is its own host, `/api/v3/io`, with `X-Auth-Token` (a store API token)
# and `X-Store-Hash`.
B2B_HOST = "https://api-b2b.bigcommerce.com"
B2B_PREFIX = "/api/v3/io"

# -- Headers -----------------------------------------------------------------------------------------
# confirmed: `X-Auth-Token`; `Accept` and `Content-Type: application/json` are declared required
# header parameters on most operations of the specs (even on some GETs), so they go on every call.
AUTH_HEADER = "X-Auth-Token"
STORE_HASH_HEADER = "X-Store-Hash"
JSON = "application/json"

# -- Rate limits -------------------------------------------------------------------------------------
# confirmed: every response carries these; over quota is a 429 and the client should wait
# `X-Rate-Limit-Time-Reset-Ms`. A 429 WITHOUT them is platform-wide load: back off and grow.
WINDOW_MS_HEADER = "X-Rate-Limit-Time-Window-Ms"
RESET_MS_HEADER = "X-Rate-Limit-Time-Reset-Ms"
QUOTA_HEADER = "X-Rate-Limit-Requests-Quota"
LEFT_HEADER = "X-Rate-Limit-Requests-Left"
# ASSUMPTION: the back-off for platform-load 429s (BigCommerce gives no figure): 1 s, doubling.
PLATFORM_BACKOFF_SECONDS = 1.0
# ASSUMPTION: B2B Edition publishes no rate-limit headers; its 429s are treated like platform load.
# Waits up to this long happen inside the client; longer ones become `RateLimitedError`.
DEFAULT_MAX_LOCAL_WAIT_SECONDS = 5.0
# Quota figures per 30 s window (confirmed, reference 2.2): Standard/Plus 150, Pro 450.
PLAN_QUOTA_PER_30S = {"standard": 150, "plus": 150, "pro": 450}

# -- Paging ------------------------------------------------------------------------------------------
# confirmed: v2 uses `page`/`limit` and answers 204 (no body) for an empty page; v3 wraps results in
# `{data, meta}` with `meta.pagination.{current_page,total_pages}`. ASSUMPTION: 250 is the largest
# `limit` both accept (BigCommerce's docs say so for most list endpoints; the specs do not bound it).
PAGE_LIMIT = 250
MAX_PAGES = 400  # a guard against a server that keeps answering `next`

# -- Orders ------------------------------------------------------------------------------------------
# confirmed (orders.v2 `/order_statuses` table): there is no hold call; "Manual Verification
# Required" (12) is the hold by convention, released to "Awaiting Fulfillment" (11); 5 is Cancelled.
STATUS_HOLD = 12
STATUS_RELEASE = 11
STATUS_AWAITING_FULFILLMENT = 11  # a new order ready to ship
STATUS_CANCELLED = 5
STATUS_DECLINED = 6  # the payment was declined
# confirmed: `GET /v2/orders?external_order_id=` filters by the id we gave the order.
# ASSUMPTION: the filter is an exact match (not a prefix/substring search) and also finds orders in
# every status, so a lookup after a lost `POST /v2/orders` response finds the one we created.
# confirmed (orders.v2 `GET /orders`): `min_date_created`/`max_date_created` take ISO 8601, and
# `sort` takes a field plus `:asc`/`:desc`. ASSUMPTION: both date bounds are inclusive and compare
# whole seconds (v2 dates carry no fractions), and orders created in the same second keep id order,
# so page N of one query is the same page every time while no order is added to the range.
ORDERS_BY_CREATION = "date_created:asc"

# -- Refunds -----------------------------------------------------------------------------------------
# confirmed: quote first (`refund_quotes`), then refund with `payments` whose amounts come from one
# of the quote's `refund_methods`; no idempotency key exists for refunds.
# ASSUMPTION: each refund item's `reason` is stored and returned by `GET .../refunds` (the Refund
# schema lists `items[].reason`). The connector puts `REFUND_MARKER` into every item reason and
# looks for it before refunding again, so a retried call never refunds twice.
REFUND_MARKER = "[casebridge:{key}]"
REASON_MAX_LENGTH = 1000  # confirmed: `reason` maxLength in the item schemas

# -- Metafields --------------------------------------------------------------------------------------
# confirmed: order metafields `{namespace, key, value, permission_set}`; namespace/key <= 64 chars.
# Casebridge writes its external markers (case id, decision) under its own namespace, private to
# the app (`app_only`).
METAFIELD_NAMESPACE = "casebridge"
METAFIELD_PERMISSION = "app_only"

# -- Errors ------------------------------------------------------------------------------------------
# confirmed: v3 errors are `{status, title, type, errors}`; v2 errors are usually a JSON array of
# `{status, message}`; B2B answers `{code, data, meta: {message}}` (sometimes `data.errMsg`).

# -- B2B Edition -------------------------------------------------------------------------------------
# confirmed (company.yaml): `companyStatus` 0 Pending, 1 Approved, 2 Rejected, 3 Inactive; written as
# an integer, read back as a string.
# confirmed (quote.yaml): `GET /rfq/{quote_id}` requires `date`, "the date that the quote was
# created", formatted %m/%d/%Y. ASSUMPTION: any date in that format is accepted (the docs do not say
# what a mismatch does); the connector sends the quote's creation date when it knows it.
QUOTE_DATE_FORMAT = "%m/%d/%Y"

# -- Webhooks ----------------------------------------------------------------------------------------
# confirmed: Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64
# HMAC-SHA256(client secret, f"{id}.{timestamp}.{raw body}")>`, 5 minute tolerance by default.
WEBHOOK_TOLERANCE_SECONDS = 300.0
