"""Who exists in the simulated BigCommerce world: stores with their API account and app secret."""

from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr


class BigCommerceStoreConfig(BaseModel):
    store_hash: str = Field(pattern=r"^[a-z0-9]+$")
    # The store-level API account's token (`X-Auth-Token`), also accepted by B2B Edition.
    access_token: SecretStr
    # The app's client secret: Standard Webhooks signatures are keyed with it.
    client_secret: SecretStr
    client_id: str = "casebridge-sandbox-app"
    store_id: str = "1001234567"  # the numeric id webhooks carry as `store_id`
    currency_code: str = "USD"
    # Request quota per window: Standard/Plus plans get 150 requests per 30 s. Tests shrink both.
    rate_limit_quota: int = Field(default=150, ge=1)
    rate_limit_window_ms: int = Field(default=30_000, ge=1)
    # B2B Edition installed on the store, and its company-credit feature switched on.
    b2b_enabled: bool = True
    b2b_credit_enabled: bool = True
    # A refund must follow a quote for the same items (BigCommerce advises quoting first to avoid a
    # 422; the sandbox insists, so a connector that skips the quote is caught).
    require_refund_quote: bool = True
    # Ids of run N start past those of runs before it (Temporal remembers cases keyed by them).
    generation: int = Field(default=0, ge=0)
