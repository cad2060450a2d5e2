"""Fault injection shared by every simulator, settable per test and through `/_sandbox/faults`.

A rule names a system and an operation (a GraphQL field name, or `METHOD /path-template` for REST,
`*` for any), an effect and how many times it fires. Simulators ask `take()` at the point where
the real service would fail in that way.

A rule may be scoped to one `store` (shop domain, store hash, store code, OpenText tenant) and one
`order` (the platform's order id, as in the effect ledger): tests running side by side on the
same sandbox then consume only their own rules. A scoped rule fires only where the simulator
knows the call concerns that store / order; unscoped rules fire anywhere, as before.
"""

from __future__ import annotations

import fnmatch
import random
from collections.abc import Iterable
from contextvars import ContextVar
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
    store: str | None = None  # only calls about this store (None: any)
    order: str | None = None  # only calls about this order (None: any)


# Set while the sandbox serves a test driver's own call (`sandbox.driver`): a chaos run's faults are
# meant for Casebridge, and a driver whose order placement or reviewer click fails would count
# against Casebridge a case it never started.
DRIVER_CALL: ContextVar[bool] = ContextVar("sandbox_driver_call", default=False)


class FaultInjector:
    def __init__(self, seed: int = 0) -> None:
        self._rules: list[FaultRule] = []
        self._random = random.Random(seed)

    def add(self, rule: FaultRule) -> None:
        self._rules.append(rule)

    def clear(self, *, store: str | None = None) -> None:
        """Forget every rule, or only those scoped to `store` (a test cleaning up after itself)."""
        if store is None:
            self._rules.clear()
        else:
            self._rules[:] = [r for r in self._rules if r.store != store]

    @property
    def rules(self) -> list[FaultRule]:
        return list(self._rules)

    def take(
        self,
        system: str,
        operation: str,
        effects: set[FaultEffect] | None = None,
        *,
        store: str | None = None,
        orders: Iterable[str] = (),
        outbound: bool = False,
    ) -> FaultRule | None:
        """Return (and spend one use of) the first matching rule, if it fires this time.

        `store` and `orders` say what the call concerns, as far as the simulator can tell; a rule
        scoped to a store or order the call does not name is left for another call. A driver's
        call gets no faults; the deliveries it sets off to Casebridge (`outbound`) still may."""
        if DRIVER_CALL.get() and not outbound:
            return None
        concerned = set(orders)
        for rule in self._rules:
            if rule.system not in ("*", system):
                continue
            if rule.store is not None and rule.store != store:
                continue
            if rule.order is not None and rule.order not in concerned:
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
