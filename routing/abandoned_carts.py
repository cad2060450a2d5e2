"""Abandoned-cart reminders: how long after a shopper's last activity on a cart or checkout the
"Abandoned Cart Reminder" goes out, and where a letter sends them back to when the platform's cart
carries no recovery link of its own. Pure policy data; the case is `workflows.abandoned_cart`."""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, field_validator

from routing.order_triggers import url_template

# A reminder later than this reads as spam rather than help, and the cart is likely gone.
MAX_REMIND_AFTER = timedelta(days=30)


class AbandonedCartPolicy(BaseModel):
    enabled: bool = True
    # After the cart's last event (BigCommerce reports a cart abandoned after an hour without
    # activity; Shopify's `checkouts/create`/`update` are the activity itself).
    remind_after: timedelta = timedelta(hours=4)
    # The link the letter gives when the platform's cart has none (BigCommerce): may name `{cart_id}`.
    # None: such a letter has no link (Shopify's `abandonedCheckoutUrl` is always used when there).
    cart_url: str | None = None

    @field_validator("remind_after")
    @classmethod
    def _sensible_delay(cls, after: timedelta) -> timedelta:
        if after <= timedelta(0):
            raise ValueError("remind_after must be positive")
        if after > MAX_REMIND_AFTER:
            raise ValueError(f"remind_after must be at most {MAX_REMIND_AFTER.days} days")
        return after

    @field_validator("cart_url")
    @classmethod
    def _url(cls, url: str | None) -> str | None:
        return None if url is None else url_template(url, {"cart_id"})

    def cart_url_for(self, cart_id: str) -> str:
        return self.cart_url.format(cart_id=cart_id) if self.cart_url else ""
