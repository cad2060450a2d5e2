"""What the Adobe Commerce connector assumes about Adobe Commerce (Magento 2.4.9 REST) and Adobe I/O
Events, in one place.

Facts marked "confirmed" come from the published 2.4.9 admin schema (`admin-schema-2.4.9.yaml`) or
Adobe's documentation as summarised in the reference `commerce-apis.md`, section 3. Everything
marked ASSUMPTION is a design guess to verify against a real instance; if one turns out wrong, the
fix should only touch this module (and `sandbox/adobe_commerce`, which implements the same guesses).
"""

from __future__ import annotations

SYSTEM = "adobe-commerce"

# -- Base URL -------------------------------------------------------------------------------------
# confirmed: PaaS / on-prem `https://{host}/rest/{store_code}/V1/...`; Cloud Service (SaaS)
# `https://<region>.api.commerce.adobe.com/<tenant-id>/V1/...`. The connector takes everything
# before `/V1` as its base URL, so one client serves either flavour.
API_PREFIX = "/V1"

# -- Admin token (auth mode 1) --------------------------------------------------------------------
# confirmed: `POST /V1/integration/admin/token {username, password}` answers the token as a JSON
# string, valid 4 h by default. No `expires_in` is returned, hence the proactive refresh below.
ADMIN_TOKEN_PATH = "/V1/integration/admin/token"
# ASSUMPTION: the store keeps Magento's default admin token lifetime (`oauth/access_token_lifetime/
# admin` = 4 h). A shorter setting is still handled: the 401 triggers one re-authentication.
ADMIN_TOKEN_LIFETIME_SECONDS = 4 * 3600.0
ADMIN_TOKEN_REFRESH_MARGIN_SECONDS = 300.0
# ASSUMPTION: two-factor authentication (Magento_TwoFactorAuth) is disabled for the API user; with
# it enabled the token endpoint refuses plain username/password (an AuthenticationError here).

# -- OAuth 1.0a integration tokens (auth mode 2) ---------------------------------------------------
# confirmed: integration tokens are no longer accepted as bearer tokens by default; requests are
# signed OAuth 1.0a (RFC 5849) with consumer key/secret + access token/secret. Magento accepts
# HMAC-SHA1 and HMAC-SHA256; we sign with SHA-256.
OAUTH_SIGNATURE_METHOD = "HMAC-SHA256"
OAUTH_VERSION = "1.0"

# -- IMS server-to-server (auth mode 3, Cloud Service) ---------------------------------------------
# confirmed: client-credentials token from `https://ims-na1.adobelogin.com/ims/token/v3` (form
# body), scope must include `commerce.accs`; API calls carry `Authorization: Bearer`, `x-api-key:
# <client id>` and `x-gw-ims-org-id`.
IMS_DEFAULT_BASE_URL = "https://ims-na1.adobelogin.com"
IMS_TOKEN_PATH = "/ims/token/v3"
IMS_DEFAULT_SCOPES = (
    "AdobeID",
    "openid",
    "read_organizations",
    "additional_info.projectedProductContext",
    "commerce.accs",
)
IMS_REFRESH_MARGIN_SECONDS = 60.0

# -- Search criteria -------------------------------------------------------------------------------
# confirmed: Magento converts snake_case search keys to camelCase, so `filter_groups` (what Adobe's
# guides use) and `filterGroups` (the spelling in the generated schema) are both accepted. We send
# the documented `filter_groups`; only `pageSize`/`currentPage` are typed by the schema.
SEARCH_FILTER_GROUPS_KEY = "filter_groups"
# confirmed: page size is capped at 300 only when input limits are enabled (off by default).
DEFAULT_PAGE_SIZE = 100
MAX_PAGES = 1000
# ASSUMPTION (Magento behaviour, seen in practice): a `currentPage` past the last page answers the
# last page again instead of an empty list, so paging stops on `total_count`, never on emptiness.

# -- Rate limiting ---------------------------------------------------------------------------------
# confirmed: no general REST quota in core; Fastly/WAF (cloud) and the SaaS gateway answer 429.
# ASSUMPTION: the 429 may carry `Retry-After` (seconds or an HTTP date); without it we wait 1 s.
DEFAULT_RETRY_AFTER_SECONDS = 1.0

# -- Orders ----------------------------------------------------------------------------------------
# confirmed: states `new`, `pending_payment`, `processing`, `complete`, `closed`, `canceled`,
# `holded`, `payment_review`. hold/unhold answer `true` or refuse with 400; cancel answers `false`
# when the order cannot be cancelled (already canceled, fully invoiced, held, ...).
STATE_HOLDED = "holded"
STATE_CANCELED = "canceled"
FINAL_ORDER_STATES = frozenset({"canceled", "complete", "closed"})
# ASSUMPTION: `POST /V1/orders/{id}/comments` requires `parent_id` (the schema marks it required) and
# switches the order's status when `status` is given (it must belong to the current state).

# -- Credit memos ----------------------------------------------------------------------------------
# confirmed ([MAG-src] `CreditmemoFactory`, `QuantityValidator`): `POST /V1/order/{id}/refund` without
# `items` refunds every refundable unit; an adjustment-only memo ("goodwill") lists the items at qty 0
# with `arguments.shipping_amount: 0` and `adjustment_positive`. Magento refuses it with "You can't
# create a creditmemo without products." when the order has no shipping left to refund (issue
# magento/magento2#23069), and any memo above what is left with "The most money available to refund
# is %1.".

# -- Catalog prices --------------------------------------------------------------------------------
# ASSUMPTION: special price dates (`price_from`/`price_to`, `Y-m-d H:i:s`) are compared as UTC, not in
# the store's time zone; a price that starts or ends today may apply a few hours early or late.

# -- Returns (RMA) ---------------------------------------------------------------------------------
# confirmed ([MAG-src]): RMA status is derived from its items' statuses.
# ASSUMPTION: the schema marks every RMA field required and non-null, so a new RMA is sent with
# `entity_id: 0`, `increment_id: ""` and zero quantities; the server assigns ids and numbers.
# ASSUMPTION: an RMA is closed by `PUT /V1/returns/{id}` with `status: "closed"`.
RMA_FINAL_STATUSES = frozenset({"closed", "processed_closed"})

# -- Companies (B2B) --------------------------------------------------------------------------------
# confirmed: status 0 pending approval, 1 approved (active), 2 rejected, 3 blocked.
# ASSUMPTION: `PUT /V1/company/{id}` replaces the company, so status changes read the company first
# and send it back whole; `reject_reason`/`rejected_at` (required strings in the schema) are sent as
# "" when the company has none.

# -- Negotiable quotes (B2B) ------------------------------------------------------------------------
# confirmed: the quote is read as a cart (`GET /V1/carts/{id}`, `extension_attributes.negotiable_quote`)
# and updated with `PUT /V1/negotiableQuote/{id}` `{"quote": <cart>}`; we send back the cart we read.

# -- Carts (orders placed over REST) ---------------------------------------------------------------
# confirmed: `POST /V1/carts/` with an admin/integration token creates an empty guest quote; items by
# SKU (`POST /V1/carts/{quoteId}/items`), coupon `PUT /V1/carts/{cartId}/coupons/{code}` (404 for an
# unknown code), `shipping-information`, then `PUT /V1/carts/{cartId}/order` answers the order id and
# deactivates the quote (later calls: 404 `cartId`). Payment `free` is offered only at a grand total of
# 0. Orders carry `quote_id`, and `GET /V1/orders` filters on it.
# ASSUMPTION: the store has a cart price rule with a specific coupon taking 100% off the items and
# shipping (`apply_to_shipping`), named per store in the policy; REST cannot set a custom item price.
# ASSUMPTION: a guest order (the customer's email on the billing address) is acceptable for a
# replacement; the quote is not assigned to the customer account, which would run into the
# customer's own active cart (to verify per version: refused, or the quote becomes their cart).

# -- Adobe I/O Events ------------------------------------------------------------------------------
# confirmed: `x-adobe-digital-signature-1/2` are base64 RSA-SHA256 signatures of the raw body; the
# PEM public keys live at `https://static.adobeioevents.com` + `x-adobe-public-key{1,2}-path`; one
# valid signature suffices; `recipient_client_id` must be our client id; dedupe on the event id.
IO_EVENTS_PUBLIC_KEY_BASE_URL = "https://static.adobeioevents.com"
# ASSUMPTION: key paths are plain absolute paths ending in `.pem` (e.g. `/prod/keys/pub-key-x.pem`);
# anything else (a full URL, `..`) is refused so a forged header cannot make us fetch elsewhere.

# Written into a credit memo comment (or an order comment) by the `*_once` writes: the REST API has no
# idempotency key, so a retried call finds the marker of the first attempt and does not repeat it.
ONCE_MARKER = "[casebridge:{key}]"
