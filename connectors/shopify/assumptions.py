"""What the Shopify connector assumes beyond the 2025-01 schema, in one place.

Facts marked "confirmed" are in the official schema or in the reference (`commerce-apis.md`, section
1). Everything marked ASSUMPTION is a design choice or an unverified reading, to check against a
real shop; if one turns out wrong, the fix should only touch this module (and the simulator in
`sandbox/shopify`, which implements the same guesses).
"""

from __future__ import annotations

import re
from typing import Final

# -- Idempotency markers ----------------------------------------------------------------------------
# confirmed (reference 1.6): 2025-01 has no idempotency keys for refundCreate, draftOrderCreate,
# orderCreate, companyCreate or returnRequest. A write that may be repeated after a lost response
# carries an external marker and is preceded by a read that looks for it.
MARKER_PREFIX = "casebridge-"
# ASSUMPTION: keys are made of letters, digits, `-`, `_`, `.`, `:` and `/` (case ids are), so a
# marker is a valid tag (≤ 255 chars) and a search value that needs no escaping beyond quotes.
MAX_KEY_LENGTH = 200
_KEY = re.compile(r"^[A-Za-z0-9_.:/-]+$")


def marker(key: str) -> str:
    """The tag / note marker for an idempotency key: `casebridge-<key>`."""
    if not _KEY.match(key) or len(key) > MAX_KEY_LENGTH:
        raise ValueError(f"idempotency key {key!r} must match {_KEY.pattern} and be at most {MAX_KEY_LENGTH} long")
    return f"{MARKER_PREFIX}{key}"


def refund_note(note: str, key: str) -> str:
    """A refund's `note` carrying the key. ASSUMPTION: `Refund.note` is returned verbatim by
    `order.refunds` (it is in the schema and in the `refunds/create` sample)."""
    tag = f"[{marker(key)}]"
    return f"{note} {tag}".strip()


def note_has_marker(note: str | None, key: str) -> bool:
    return note is not None and f"[{marker(key)}]" in note


def search_value(value: str) -> str:
    """A value quoted for Shopify's search syntax (hyphens and colons would otherwise split it)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


# -- Read-before-write lookups ----------------------------------------------------------------------
# How each once-only helper finds an earlier write. The refund lookup reads `order.refunds` directly
# (strongly consistent). The others go through Shopify's search index.
# ASSUMPTION: `orders(query:)` supports `source_identifier:`, `draftOrders(query:)` supports `tag:`,
# `companies(query:)` supports `external_id:` (all listed in Shopify's filter docs for these
# queries, not in the schema). ASSUMPTION: the search index lags writes by up to a few seconds; a
# retry that follows a timeout by less than that could miss the first write. Temporal's retry
# back-off (seconds) normally covers this; every hit is also re-checked client-side, because an
# unsupported filter is ignored by Shopify (it only warns) and would match everything.
ORDER_BY_SOURCE_IDENTIFIER = "source_identifier:{value}"
DRAFT_ORDER_BY_TAG = "tag:{value}"
COMPANY_BY_EXTERNAL_ID = "external_id:{value}"

# -- Refunds ----------------------------------------------------------------------------------------
# confirmed: money moves only through `transactions` (kind REFUND, with the parent SALE/CAPTURE and
# its gateway); `order.suggestedRefund` computes them. The connector refunds exactly the suggested
# transactions, so it never asks for more than Shopify itself calculated.
# ASSUMPTION: a refund line without `restockType` is NO_RESTOCK (REST's documented default).
DEFAULT_RESTOCK_TYPE: Final = "NO_RESTOCK"

# -- Disputes ---------------------------------------------------------------------------------------
# ASSUMPTION: a dispute's evidence object has the dispute's own number,
# `gid://shopify/ShopifyPaymentsDisputeEvidence/<n>` for `gid://shopify/ShopifyPaymentsDispute/<n>`
# (the 2025-01 `ShopifyPaymentsDispute` type has no field that links to its evidence).
DISPUTE_GID_PREFIX = "gid://shopify/ShopifyPaymentsDispute/"
EVIDENCE_GID_PREFIX = "gid://shopify/ShopifyPaymentsDisputeEvidence/"


def evidence_gid(dispute_or_evidence_gid: str) -> str:
    if dispute_or_evidence_gid.startswith(EVIDENCE_GID_PREFIX):
        return dispute_or_evidence_gid
    if not dispute_or_evidence_gid.startswith(DISPUTE_GID_PREFIX):
        raise ValueError(f"not a dispute id: {dispute_or_evidence_gid!r}")
    return EVIDENCE_GID_PREFIX + dispute_or_evidence_gid.removeprefix(DISPUTE_GID_PREFIX)


# -- Draft orders -----------------------------------------------------------------------------------
# confirmed (reference 1.3): `DraftOrderInput` has no `customerId` in 2025-01; the buyer is given as
# `purchasingEntity` (a customer or a company + location + contact).

# -- User errors ------------------------------------------------------------------------------------
# ASSUMPTION: these `userErrors` codes mean "the object is not there" or "not in a state that allows
# it"; the connector raises NotFoundError / ConflictError for them (both still rejections).
NOT_FOUND_CODES = frozenset(
    {
        "NOT_FOUND",
        "RESOURCE_NOT_FOUND",
        "PRICE_LIST_NOT_FOUND",
        "VARIANT_NOT_FOUND",
        "DISPUTE_EVIDENCE_NOT_FOUND",
        "FULFILLMENT_ORDER_NOT_FOUND",
        "CATALOG_DOES_NOT_EXIST",
    }
)
CONFLICT_CODES = frozenset({"INVALID_STATE", "EVIDENCE_ALREADY_ACCEPTED", "EVIDENCE_PAST_DUE_DATE", "TAKEN"})
