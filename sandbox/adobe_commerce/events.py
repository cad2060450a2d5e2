"""Simulated Adobe I/O Events for Adobe Commerce: signed CloudEvents-style webhook deliveries.

Every store has two RSA key pairs (Adobe signs with two keys so it can rotate them); the public
halves are served as PEM files under `/prod/keys/<name>.pem` by the I/O Events router, exactly the
paths the deliveries name in `x-adobe-public-key{1,2}-path`. Receivers are registered per store
through the sandbox admin API (in reality: in the Developer Console), after they have answered
the registration challenge.
"""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from sandbox.adobe_commerce.config import AdobeStoreConfig
from sandbox.delivery import Deliverer

SYSTEM = "adobe-commerce"
EVENT_PREFIX = "com.adobe.commerce."
COMMERCE_VERSION = "2.4.9"
EVENTS_CLIENT_VERSION = "1.12.1"

# The observer events the simulator emits (codes without the `com.adobe.commerce.` prefix).
ORDER_PLACED = "observer.sales_order_place_after"  # once, when the customer places the order
ORDER_SAVED = "observer.sales_order_save_commit_after"  # after every save, placement included
INVOICE_SAVED = "observer.sales_order_invoice_save_after"
CREDIT_MEMO_SAVED = "observer.sales_order_creditmemo_save_after"
RMA_SAVED = "observer.rma_save_commit_after"
COMPANY_SAVED = "observer.company_save_commit_after"
PRODUCT_SAVED = "observer.catalog_product_save_commit_after"
# ASSUMPTION: Adobe Commerce has no cart webhook; an I/O Events subscription to the quote's save
# observer is how an app hears of carts (no payload sample is vendored: `sandbox.adobe_commerce.carts`).
QUOTE_SAVED = "observer.sales_quote_save_after"
EMITTED = (ORDER_PLACED, ORDER_SAVED, INVOICE_SAVED, CREDIT_MEMO_SAVED, RMA_SAVED, COMPANY_SAVED, PRODUCT_SAVED)


@dataclass
class Registration:
    id: str
    url: str
    event_codes: frozenset[str] | None  # full event types; None = every event of the provider

    def wants(self, event_type: str) -> bool:
        return self.event_codes is None or event_type in self.event_codes


@dataclass
class SigningKey:
    name: str  # file name under /prod/keys/
    private: rsa.RSAPrivateKey = field(repr=False)

    @property
    def path(self) -> str:
        return f"/prod/keys/{self.name}"

    def public_pem(self) -> bytes:
        return self.private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def sign(self, body: bytes) -> str:
        return base64.b64encode(self.private.sign(body, padding.PKCS1v15(), hashes.SHA256())).decode()


def _new_key(name: str) -> SigningKey:
    return SigningKey(name, rsa.generate_private_key(public_exponent=65537, key_size=2048))


class IoEventsPublisher:
    """Signs and hands events to the sandbox deliverer; one per simulator, holding every store."""

    def __init__(self, deliverer: Deliverer, stores: list[AdobeStoreConfig]) -> None:
        self._deliverer = deliverer
        self.stores = {s.store_code: s for s in stores}
        self.keys: dict[str, tuple[SigningKey, SigningKey]] = {
            s.store_code: (_new_key(f"pub-key-{s.store_code}-1.pem"), _new_key(f"pub-key-{s.store_code}-2.pem"))
            for s in stores
        }
        self.registrations: dict[str, list[Registration]] = {s.store_code: [] for s in stores}
        self.published: list[dict[str, Any]] = []  # every event body built, delivered or not

    def public_key(self, name: str) -> bytes | None:
        for pair in self.keys.values():
            for key in pair:
                if key.name == name:
                    return key.public_pem()
        return None

    def register(self, store_code: str, url: str, event_codes: list[str] | None) -> Registration:
        codes = None if not event_codes else frozenset(_full_type(c) for c in event_codes)
        registration = Registration(str(uuid.uuid4()), url, codes)
        self.registrations[store_code].append(registration)
        return registration

    def unregister_all(self, store_code: str) -> None:
        self.registrations[store_code].clear()

    def unregister(self, store_code: str, registration_id: str) -> bool:
        """Remove one registration; False when the store has none with this id."""
        kept = [r for r in self.registrations[store_code] if r.id != registration_id]
        removed = len(kept) != len(self.registrations[store_code])
        self.registrations[store_code][:] = kept
        return removed

    def emit(self, store_code: str, event_code: str, value: dict[str, Any]) -> None:
        """Publish one event; delivered (signed) to every registration of the store that wants it."""
        store = self.stores[store_code]
        event_type = _full_type(event_code)
        event_id = str(uuid.uuid4())
        body = {
            "specversion": "1.0",
            "id": event_id,
            "source": f"urn:uuid:{store.io_events_provider_id}",
            "type": event_type,
            "datacontenttype": "application/json",
            "time": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "event_id": event_id,
            "recipient_client_id": store.io_events_client_id,
            "data": {
                "key": str(uuid.uuid4()),
                "value": value,
                "source": f"{store.store_code}.Sandbox",
                "_metadata": {
                    "commerceEdition": "Adobe Commerce",
                    "commerceVersion": COMMERCE_VERSION,
                    "eventsClientVersion": EVENTS_CLIENT_VERSION,
                    "storeId": "1",
                    "websiteId": "1",
                    "storeGroupId": "1",
                },
            },
        }
        self.published.append(body)
        raw = json.dumps(body, separators=(",", ":")).encode()
        for registration in self.registrations[store_code]:
            if registration.wants(event_type):
                self._deliverer.send(
                    SYSTEM,
                    event_type,
                    registration.url,
                    raw,
                    self.headers(store_code, event_id, event_type, raw),
                    store=store_code,
                    # An order's entity_id, or the order of an RMA / invoice / credit memo.
                    orders=[value.get("order_id") or value.get("parent_id") or value.get("entity_id")],
                )

    def headers(self, store_code: str, event_id: str, event_type: str, raw: bytes) -> dict[str, str]:
        """Delivery headers as in `_delivery_headers.example.json`, signed with both of the store's keys."""
        store = self.stores[store_code]
        key1, key2 = self.keys[store_code]
        return {
            "Content-Type": "application/json",
            "user-agent": "Adobe/1.0",
            "x-adobe-delivery-id": str(uuid.uuid4()),
            "x-adobe-event-code": event_type,
            "x-adobe-event-id": event_id,
            "x-adobe-provider": store.io_events_provider_id,
            "x-adobe-digital-signature-1": key1.sign(raw),
            "x-adobe-digital-signature-2": key2.sign(raw),
            "x-adobe-public-key1-path": key1.path,
            "x-adobe-public-key2-path": key2.path,
        }


def _full_type(code: str) -> str:
    return code if code.startswith(EVENT_PREFIX) else EVENT_PREFIX + code
