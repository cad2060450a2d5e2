"""Fault injection shared by every simulator, settable per test and through `/_sandbox/faults`.

A rule names a system and an operation (a GraphQL field name, or `METHOD /path-template` for REST,
`*` for any), an effect and how many times it fires. Simulators ask `take()` at the point where
the real service would fail in that way.
"""

from __future__ import annotations

import fnmatch
import random
from enum import StrEnum

from pydantic import BaseModel, Field


class FaultEffect(StrEnum):
    HTTP_500 = "http_500"
    HTTP_503 = "http_503"
    THROTTLE = "throttle"  # 429 for REST APIs, THROTTLED for Shopify GraphQL
    USER_ERROR = "user_error"  # a domain refusal (GraphQL userErrors, 4xx body)
    LATENCY = "latency"  # answer after `seconds`
    DROP_CONNECTION = "drop_connection"  # close the connection without a response
    DROP_DELIVERY = "drop_delivery"  # an outbound webhook/callback is lost for good
    DUPLICATE_DELIVERY = "duplicate_delivery"  # an outbound delivery arrives twice
    DELAY_DELIVERY = "delay_delivery"  # an outbound delivery is held back `seconds` (reordering)


class FaultRule(BaseModel):
    system: str  # "shopify", "opentext-workflow", or "*"
    operation: str = "*"
    effect: FaultEffect
    times: int = Field(default=1, ge=1)  # how often the rule fires before it is spent
    probability: float = Field(default=1.0, ge=0.0, le=1.0)
    seconds: float = 0.0
    message: str | None = None


class FaultInjector:
    def __init__(self, seed: int = 0) -> None:
        self._rules: list[FaultRule] = []
        self._random = random.Random(seed)

    def add(self, rule: FaultRule) -> None:
        self._rules.append(rule)

    def clear(self) -> None:
        self._rules.clear()

    @property
    def rules(self) -> list[FaultRule]:
        return list(self._rules)

    def take(self, system: str, operation: str, effects: set[FaultEffect] | None = None) -> FaultRule | None:
        """Return (and spend one use of) the first matching rule, if it fires this time."""
        for rule in self._rules:
            if rule.system not in ("*", system):
                continue
            if not fnmatch.fnmatchcase(operation, rule.operation):
                continue
            if effects is not None and rule.effect not in effects:
                continue
            if self._random.random() >= rule.probability:
                continue
            rule.times -= 1
            if rule.times <= 0:
                self._rules.remove(rule)
            return rule
        return None
