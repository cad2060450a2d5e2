"""The shared state of one sandbox server: configuration, fault rules, the outbound deliverer and
the side-effect ledger every simulator writes to.

Each simulator keeps its own domain state on the object it builds from this world.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sandbox.config import SandboxConfig
from sandbox.delivery import Deliverer
from sandbox.effects import EffectLedger
from sandbox.faults import FaultInjector


@dataclass
class SandboxWorld:
    config: SandboxConfig
    faults: FaultInjector = field(default_factory=FaultInjector)
    effects: EffectLedger = field(default_factory=EffectLedger)
    deliverer: Deliverer = field(init=False)

    def __post_init__(self) -> None:
        self.deliverer = Deliverer(
            self.faults,
            max_attempts=self.config.delivery_max_attempts,
            retry_seconds=self.config.delivery_retry_seconds,
        )
