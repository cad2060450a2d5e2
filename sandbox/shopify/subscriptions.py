"""Webhook subscriptions of the shop's app: create, update, delete; one per (topic, address).

Deliberate deviation: Shopify only accepts public `https://` addresses, the sandbox also accepts
`http://` (including localhost) because its receivers are local test servers. Only the JSON format
is simulated; `filter` is stored but not applied, `includeFields` trims the payload.
"""

from __future__ import annotations

import re
from typing import Any

from sandbox.shopify.gid import parse_gid
from sandbox.shopify.ops_base import (
    OperationsBase,
    Outcome,
)
from sandbox.shopify.state import (
    UserError,
    WebhookSubscription,
    utcnow,
)


class WebhookSubscriptions(OperationsBase):
    def create_webhook_subscription(self, topic: str, data: dict[str, Any]) -> Outcome[WebhookSubscription]:
        url = data.get("callbackUrl")
        path = ["webhookSubscription", "callbackUrl"]
        if not url:
            return Outcome(errors=[UserError("Address can't be blank", path)])
        if not re.match(r"^https?://[^/\s]+", str(url)):
            return Outcome(errors=[UserError("Address is invalid", path)])
        if (data.get("format") or "JSON") != "JSON":
            return Outcome(
                errors=[UserError("Only JSON webhooks are simulated by the sandbox", ["webhookSubscription", "format"])]
            )
        if any(s.topic == topic and s.callback_url == url for s in self.shop.webhook_subscriptions.values()):
            return Outcome(errors=[UserError("Address for this topic has already been taken", path)])
        subscription = WebhookSubscription(
            id=self.shop.next_id("WebhookSubscription"),
            topic=topic,
            callback_url=str(url),
            include_fields=list(data.get("includeFields") or []),
            metafield_namespaces=list(data.get("metafieldNamespaces") or []),
            filter=data.get("filter"),
        )
        self.shop.webhook_subscriptions[subscription.id] = subscription
        return Outcome(subscription)

    def update_webhook_subscription(self, sub_gid: str, data: dict[str, Any]) -> Outcome[WebhookSubscription]:
        number = parse_gid(sub_gid).is_a("WebhookSubscription")
        subscription = self.shop.webhook_subscriptions.get(number) if number is not None else None
        if subscription is None:
            return Outcome(errors=[UserError("Webhook subscription does not exist", ["id"])])
        url = data.get("callbackUrl")
        if url is not None:
            if not re.match(r"^https?://[^/\s]+", str(url)):
                return Outcome(errors=[UserError("Address is invalid", ["webhookSubscription", "callbackUrl"])])
            if any(
                s.topic == subscription.topic and s.callback_url == url and s.id != subscription.id
                for s in self.shop.webhook_subscriptions.values()
            ):
                return Outcome(
                    errors=[
                        UserError(
                            "Address for this topic has already been taken", ["webhookSubscription", "callbackUrl"]
                        )
                    ]
                )
            subscription.callback_url = str(url)
        if data.get("includeFields") is not None:
            subscription.include_fields = list(data["includeFields"])
        if data.get("metafieldNamespaces") is not None:
            subscription.metafield_namespaces = list(data["metafieldNamespaces"])
        if "filter" in data:
            subscription.filter = data["filter"]
        subscription.updated_at = utcnow()
        return Outcome(subscription)

    def delete_webhook_subscription(self, sub_gid: str) -> Outcome[str]:
        number = parse_gid(sub_gid).is_a("WebhookSubscription")
        subscription = self.shop.webhook_subscriptions.pop(number, None) if number is not None else None
        if subscription is None:
            return Outcome(errors=[UserError("Webhook subscription does not exist", ["id"])])
        return Outcome(subscription.gid)
