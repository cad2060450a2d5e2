"""The store registry: which stores and OpenText tenants this deployment serves, and where their
secrets live. Connection details are ops-owned (`config/stores.yaml`); routing policies are
business-owned (`config/policies/<store>.yaml`, see `routing.policy`).

Values may reference the environment as `${NAME}` or `${NAME:-default}` so one file serves the
local stack, CI and a cluster. Secrets are referenced by variable name only and resolved at use.
"""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path

import yaml
from pydantic import BaseModel, Field, SecretStr, model_validator

from casebridge.secrets import env_value, resolve_secret

_ENV_REF = re.compile(r"\$\{(?P<name>[A-Z0-9_]+)(?::-(?P<default>[^}]*))?\}")


class Platform(StrEnum):
    SHOPIFY = "shopify"
    BIGCOMMERCE = "bigcommerce"
    ADOBE_COMMERCE = "adobe-commerce"


class RegistryLookupError(LookupError):
    """A case or webhook names a store or tenant this deployment does not serve."""


class ExstreamSettings(BaseModel):
    base_url: str
    domain: str


class OpenTextTenant(BaseModel):
    name: str
    base_url: str  # Workflow Service and token host
    tenant_id: str
    client_id_env: str
    client_secret_env: str
    callback_secret_env: str
    exstream: ExstreamSettings | None = None  # customer communications, when the tenant has them

    def client_id(self) -> str:
        return resolve_secret(self.client_id_env).get_secret_value()

    def client_secret(self) -> SecretStr:
        return resolve_secret(self.client_secret_env)

    def callback_secret(self) -> SecretStr:
        return resolve_secret(self.callback_secret_env)


class Store(BaseModel):
    platform: Platform
    # The platform's own identifier: the myshopify domain, a BigCommerce store hash, an Adobe host.
    id: str
    api_base_url: str
    access_token_env: str
    webhook_secret_env: str
    opentext_tenant: str
    policy_file: str
    # Platforms with a per-store request quota (BigCommerce) get their own task queue with this
    # server-side activity rate: the Temporal server enforces it across every worker process.
    activities_per_second: float | None = Field(default=None, gt=0)

    def access_token(self) -> SecretStr:
        return resolve_secret(self.access_token_env)

    def webhook_secret(self) -> SecretStr:
        return resolve_secret(self.webhook_secret_env)


class StoreRegistry(BaseModel):
    opentext_tenants: list[OpenTextTenant] = Field(default_factory=list)
    stores: list[Store] = Field(default_factory=list)

    @model_validator(mode="after")
    def _tenants_exist(self) -> StoreRegistry:
        names = {t.name for t in self.opentext_tenants}
        for store in self.stores:
            if store.opentext_tenant not in names:
                raise ValueError(f"store {store.id} names unknown OpenText tenant {store.opentext_tenant!r}")
        return self

    def store(self, platform: Platform, store_id: str) -> Store | None:
        for store in self.stores:
            if store.platform is platform and store.id == store_id:
                return store
        return None

    def tenant(self, name: str) -> OpenTextTenant:
        for tenant in self.opentext_tenants:
            if tenant.name == name:
                return tenant
        raise RegistryLookupError(f"unknown OpenText tenant {name!r}")


def store_task_queue(base_queue: str, store: Store) -> str:
    """The task queue of a store's API activities: the shared queue, or the store's own when it
    is rate limited (workflows route activities by this name, so it must be derivable from input)."""
    if store.activities_per_second is None:
        return base_queue
    return f"{base_queue}.{store.platform.value}.{store.id}"


def _expand_env(text: str) -> str:
    def substitute(match: re.Match[str]) -> str:
        value = env_value(match["name"])
        if value is None:
            if match["default"] is None:
                raise ValueError(f"store registry needs ${{{match['name']}}}, which is not set")
            return match["default"]
        return value

    return _ENV_REF.sub(substitute, text)


def load_registry(config_dir: Path) -> StoreRegistry:
    path = config_dir / "stores.yaml"
    raw = yaml.safe_load(_expand_env(path.read_text()))
    return StoreRegistry.model_validate(raw or {})
