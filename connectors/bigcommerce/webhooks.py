"""BigCommerce webhook deliveries: Standard Webhooks signature verification and the thin payload.

Format (Standard Webhooks, as BigCommerce uses it):

* `webhook-id`: the delivery's id (also the natural dedupe key, with the body's `hash`);
* `webhook-timestamp`: unix seconds; deliveries outside `tolerance_seconds` of now are refused
  (replay protection, 5 minutes by default as in the reference library);
* `webhook-signature`: space-separated `v1,<base64 HMAC-SHA256(key, f"{id}.{timestamp}.{body}")>`
  entries (several during secret rotation; one valid entry suffices).

The key is the app's client secret as raw bytes (BigCommerce's own sample hands
`base64(client_secret)` to the `standardwebhooks` library, which decodes it again). A `whsec_`
prefixed secret is decoded the way the library does, so either form can be configured.

The HMAC covers the raw request bytes: verify before parsing, never over a re-serialised body.
The payload is thin: fetch the order (or refund, shipment...) afterwards.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from connectors import standard_webhooks
from connectors.bigcommerce.contract import WEBHOOK_TOLERANCE_SECONDS
from connectors.payload_bounds import EntityId
from connectors.standard_webhooks import ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, WebhookVerificationError, sign

__all__ = [
    "ID_HEADER",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "WebhookPayload",
    "WebhookVerificationError",
    "is_valid",
    "parse_payload",
    "sign",
    "verify",
]


def verify(
    secret: str | bytes,
    body: bytes,
    headers: Mapping[str, str],
    *,
    tolerance_seconds: float = WEBHOOK_TOLERANCE_SECONDS,
    now: float | None = None,
) -> str:
    """Check one BigCommerce delivery; returns its `webhook-id` (see `connectors.standard_webhooks`)."""
    return standard_webhooks.verify(secret, body, headers, tolerance_seconds=tolerance_seconds, now=now)


def is_valid(
    secret: str | bytes,
    body: bytes,
    headers: Mapping[str, str],
    *,
    tolerance_seconds: float = WEBHOOK_TOLERANCE_SECONDS,
    now: float | None = None,
) -> bool:
    return standard_webhooks.is_valid(secret, body, headers, tolerance_seconds=tolerance_seconds, now=now)


UNIX_SECONDS_MAX = 253402300799  # 9999-12-31: beyond it a timestamp has no date


class _Payload(BaseModel):
    model_config = ConfigDict(extra="allow")


class StatusChange(_Payload):
    previous_status_id: int = Field(ge=0, le=1000)
    new_status_id: int = Field(ge=0, le=1000)


class RefundRef(_Payload):
    refund_id: EntityId


# A cart's id (`store/cart/*`): a UUID, where every other entity has a number.
CartId = Annotated[
    str, StringConstraints(pattern=r"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$")
]


class WebhookData(_Payload):
    """`{type, id}` plus a few scope-specific extras (`status`, `refund`, `orderId`, a cart's `token`...)."""

    type: str = Field(max_length=100)
    id: EntityId | CartId
    token: str | None = Field(default=None, max_length=200)  # `store/cart/abandoned`: the abandoned-cart token
    status: StatusChange | None = None
    refund: RefundRef | None = None
    order_id: EntityId | None = Field(default=None, alias="orderId")  # `store/shipment/*`: its order


class WebhookPayload(_Payload):
    scope: str = Field(max_length=200)  # e.g. `store/order/statusUpdated`
    store_id: str = Field(max_length=100)
    data: WebhookData
    hash: str = Field(max_length=200)  # identical when the same event is delivered twice
    created_at: int = Field(ge=0, le=UNIX_SECONDS_MAX)  # unix seconds
    producer: str = Field(pattern=r"^stores/[A-Za-z0-9_-]{1,100}$")  # `stores/{store_hash}`

    @property
    def store_hash(self) -> str:
        return self.producer.removeprefix("stores/")


def parse_payload(body: bytes) -> WebhookPayload:
    """Parse a verified body (raises pydantic's `ValidationError` for a malformed one)."""
    return WebhookPayload.model_validate_json(body)
