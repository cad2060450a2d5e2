"""Shared ground of the simulated mutations: outcomes, input helpers and the per-shop base class.

The mutations are split by subject (`order_create`, `holds`, `subscriptions`, `fulfillments`,
`refunds`, `returns`, `disputes`, `companies`, `draft_orders`, `catalog`, `price_lists`, and order
lifecycle in `operations`); each is a mixin over `OperationsBase`, and `operations.ShopOperations`
combines them.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Generic, TypeVar

from graphql import GraphQLError

from sandbox.effects import EffectRecorder, no_effects
from sandbox.shopify.gid import GlobalId, parse_gid
from sandbox.shopify.state import (
    Address,
    FulfillmentOrder,
    Order,
    ShopState,
    UserError,
)
from sandbox.shopify.webhooks import WebhookDispatcher

T = TypeVar("T")

MAX_TAG_LENGTH = 255
MAX_RISK_FACTS = 10

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass
class Outcome(Generic[T]):
    value: T | None = None
    errors: list[UserError] = field(default_factory=list)


def normalize_tags(raw: list[str]) -> list[str]:
    """Shopify splits on commas, trims, and treats tags case-insensitively (first spelling wins)."""
    seen: dict[str, str] = {}
    for entry in raw:
        for part in entry.split(","):
            tag = part.strip()
            if tag and tag.lower() not in seen:
                seen[tag.lower()] = tag
    return list(seen.values())


def sorted_tags(tags: list[str]) -> list[str]:
    return sorted(tags, key=str.lower)


def money_input(bag: dict[str, Any] | None) -> tuple[Decimal, str] | None:
    if not bag:
        return None
    shop_money = bag["shopMoney"]
    return Decimal(shop_money["amount"]), str(shop_money["currencyCode"])


def build_address(shop: ShopState, data: dict[str, Any] | None) -> Address | None:
    if data is None:
        return None
    return Address(
        id=shop.next_id("MailingAddress"),
        first_name=data.get("firstName"),
        last_name=data.get("lastName"),
        company=data.get("company"),
        address1=data.get("address1"),
        address2=data.get("address2"),
        city=data.get("city"),
        province_code=data.get("provinceCode"),
        zip=data.get("zip"),
        phone=data.get("phone"),
        country_code=data.get("countryCode"),
    )


def safe_gid(value: str) -> GlobalId | None:
    try:
        return parse_gid(value)
    except GraphQLError:
        return None


class OperationsBase:
    """One shop's state, its webhook sender and the clock jobs are timed on."""

    def __init__(
        self,
        shop: ShopState,
        webhooks: WebhookDispatcher,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.shop = shop
        self.webhooks = webhooks
        self._clock = clock
        # The world's side-effect ledger for this shop (set by the simulator; silent in unit tests).
        self.effects: EffectRecorder = no_effects
        self._timers: list[asyncio.TimerHandle] = []

    # ---------------------------------------------------------------- lookups

    def order_by_gid(self, value: str) -> Order | None:
        number = parse_gid(value).is_a("Order")
        return self.shop.orders.get(number) if number is not None else None

    def fulfillment_order_by_gid(self, value: str) -> FulfillmentOrder | None:
        number = parse_gid(value).is_a("FulfillmentOrder")
        return self.shop.fulfillment_orders.get(number) if number is not None else None
