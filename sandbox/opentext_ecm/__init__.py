"""Simulator of OpenText Extended ECM (Content Server REST and Business Workspaces). Mount
`sandbox.opentext_ecm.api.ContentServerSimulator(world, tenants).router` at `/opentext/otcs/cs.exe`
and its `admin_router` at `/opentext/otcs/_admin`.

Only the configuration models are re-exported here: `sandbox.config` may import them without pulling
in the simulator (which imports `sandbox.world`, which imports `sandbox.config`).
"""

from sandbox.opentext_ecm.config import (
    AttributeDefinition,
    BusinessObjectType,
    CategoryDefinition,
    ContentServerConfig,
    ContentServerUser,
    OTDSTokenGrant,
    RMClassification,
    WorkspaceTemplate,
    WorkspaceType,
)

__all__ = [
    "AttributeDefinition",
    "BusinessObjectType",
    "CategoryDefinition",
    "ContentServerConfig",
    "ContentServerUser",
    "OTDSTokenGrant",
    "RMClassification",
    "WorkspaceTemplate",
    "WorkspaceType",
]
