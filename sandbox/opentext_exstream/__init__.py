"""Simulator of OpenText Exstream (Core Communications): identity, DAS design lookups, on-demand and
batch generation, customer communications with their deliveries. Mount
`sandbox.opentext_exstream.api.ExstreamSimulator(world, tenants).router` at `/opentext/exstream`.

Only the configuration models are re-exported here: `sandbox.config` may import them without pulling
in the simulator (which imports `sandbox.world`, which imports `sandbox.config`).
"""

from sandbox.opentext_exstream.config import (
    BatchServiceConfig,
    BrandConfig,
    CommunicationConfig,
    ExstreamDomainConfig,
    ExstreamTenantConfig,
    OutputQueueConfig,
    order_decision_letter,
    sample_domain,
)

__all__ = [
    "BatchServiceConfig",
    "BrandConfig",
    "CommunicationConfig",
    "ExstreamDomainConfig",
    "ExstreamTenantConfig",
    "OutputQueueConfig",
    "order_decision_letter",
    "sample_domain",
]
