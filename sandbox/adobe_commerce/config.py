"""Who exists in the simulated Adobe world: one entry per Commerce instance (store code)."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, Field, SecretStr

# The coupon of the rule every simulated store has installed: how merchants make free replacement
# orders over REST (a cart price rule, since REST cannot set a custom item price).
REPLACEMENT_COUPON = "CASEBRIDGE-REPLACEMENT"


class CartPriceRuleConfig(BaseModel):
    """A cart price rule with a specific coupon: `discount_percent` off the items (Magento's
    `by_percent`), and off shipping too when `apply_to_shipping`."""

    name: str
    coupon_code: str
    discount_percent: Decimal = Field(gt=0, le=100)
    apply_to_shipping: bool = False
    is_active: bool = True


def _installed_rules() -> list[CartPriceRuleConfig]:
    return [
        CartPriceRuleConfig(
            name="Casebridge free replacement",
            coupon_code=REPLACEMENT_COUPON,
            discount_percent=Decimal(100),
            apply_to_shipping=True,
        )
    ]


class AdobeStoreConfig(BaseModel):
    # The store code in `/rest/{store_code}/V1/...`; one simulated Commerce instance per entry.
    store_code: str
    # Auth mode 1: an admin user for `POST /V1/integration/admin/token`.
    admin_username: str
    admin_password: SecretStr
    admin_token_ttl_seconds: int = 4 * 3600
    # Auth mode 2: an activated integration (OAuth 1.0a).
    consumer_key: str
    consumer_secret: SecretStr
    access_token: str
    access_token_secret: SecretStr
    # Auth mode 3 (Cloud Service): the Developer Console project's IMS server-to-server credential.
    ims_client_id: str
    ims_client_secret: SecretStr
    ims_org_id: str | None = None  # when set, API calls must carry a matching `x-gw-ims-org-id`
    ims_token_ttl_seconds: int = 86399
    # Adobe I/O Events: the client id events are addressed to, and the event provider's id.
    io_events_client_id: str
    io_events_provider_id: str = "3c4d5e6f-sandbox-provider"
    currency: str = "USD"
    # Merchant-defined order statuses per state (Magento ships one default status per state).
    custom_statuses: dict[str, list[str]] = Field(default_factory=dict)
    # Cart price rules set up in the store (Marketing > Cart Price Rules); more via the admin route.
    cart_price_rules: list[CartPriceRuleConfig] = Field(default_factory=_installed_rules)
    # Flat rate per item (`flatrate_flatrate`); free shipping from this subtotal after discounts.
    flat_rate_per_item: Decimal = Decimal(5)
    free_shipping_subtotal: Decimal = Decimal(100)
    # Ids of run N start past those of runs before it (the sandbox forgets, Temporal remembers).
    generation: int = Field(default=0, ge=0)
