"""The store registry: which stores and OpenText tenants this deployment serves, and where their
secrets live. Connection details are ops-owned (`config/stores.yaml`); routing policies are
business-owned (`config/policies/<store>.yaml`, see `routing.policy`).

Values may reference the environment as `${NAME}` or `${NAME:-default}` so one file serves the
local stack, CI and a cluster. Secrets are referenced by variable name only and resolved at use.
"""

from __future__ import annotations

import re
from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, Field, SecretStr, model_validator

from casebridge.ecm_layout import EcmLayout
from casebridge.secrets import env_value, resolve_secret
from connectors.adobe_commerce.auth import AdminTokenCredentials, ImsCredentials, OAuth1Credentials
from connectors.opentext.content_server_models import ContentServerCredentials

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


class CollateralSettings(BaseModel):
    """Approved product documents published to the storefronts (`workflows.collateral_sync`)."""

    # Where shoppers can open an approved document: a template with `{node_id}` and `{version}`,
    # e.g. the ECM's public delivery (a CDN or share service), which Content Server itself is not.
    public_url: str = Field(pattern=r"^https?://.*\{node_id\}")
    sync_every: timedelta = Field(default=timedelta(minutes=5), gt=timedelta(0))  # the schedule's interval


class ContentServerSettings(BaseModel):
    base_url: str  # the CGI URL, e.g. https://ecm.example.com/otcs/cs.exe
    username: str
    password_env: str
    layout: EcmLayout | None = None  # where cases file their documents; None: cases file nothing
    collateral: CollateralSettings | None = None  # None: no collateral reaches the storefronts

    def credentials(self) -> ContentServerCredentials:
        return ContentServerCredentials(username=self.username, password=resolve_secret(self.password_env))


class AdobeAuth(BaseModel):
    """How Casebridge authenticates to one Adobe Commerce instance; secrets named, not written."""

    mode: Literal["admin_token", "oauth1", "ims"]
    username: str | None = None  # admin_token
    password_env: str | None = None
    consumer_key_env: str | None = None  # oauth1 (an integration)
    consumer_secret_env: str | None = None
    access_token_env: str | None = None
    access_token_secret_env: str | None = None
    client_id: str | None = None  # ims (Cloud Service)
    client_secret_env: str | None = None
    ims_base_url: str | None = None

    @model_validator(mode="after")
    def _complete(self) -> AdobeAuth:
        needed = {
            "admin_token": ("username", "password_env"),
            "oauth1": ("consumer_key_env", "consumer_secret_env", "access_token_env", "access_token_secret_env"),
            "ims": ("client_id", "client_secret_env"),
        }[self.mode]
        missing = [name for name in needed if getattr(self, name) is None]
        if missing:
            raise ValueError(f"Adobe auth mode {self.mode} needs {', '.join(missing)}")
        return self

    def credentials(self) -> AdminTokenCredentials | OAuth1Credentials | ImsCredentials:
        def secret(name: str | None) -> SecretStr:
            assert name is not None  # checked by _complete
            return resolve_secret(name)

        if self.mode == "admin_token":
            assert self.username is not None
            return AdminTokenCredentials(username=self.username, password=secret(self.password_env))
        if self.mode == "oauth1":
            return OAuth1Credentials(
                consumer_key=secret(self.consumer_key_env).get_secret_value(),
                consumer_secret=secret(self.consumer_secret_env),
                access_token=secret(self.access_token_env).get_secret_value(),
                access_token_secret=secret(self.access_token_secret_env),
            )
        assert self.client_id is not None
        extra = {"ims_base_url": self.ims_base_url} if self.ims_base_url else {}
        return ImsCredentials(client_id=self.client_id, client_secret=secret(self.client_secret_env), **extra)


class AdobeIoEvents(BaseModel):
    """The Adobe Developer Console project that receives Commerce events (one per deployment: every
    Commerce instance is an event provider delivering to it)."""

    client_id: str  # deliveries must name it as `recipient_client_id`; not a secret
    # Where Adobe serves the signing keys named in `x-adobe-public-key{1,2}-path`.
    public_key_base_url: str = "https://static.adobeioevents.com"


class EventSource(BaseModel):
    """A system that posts events to the shim's `/events/...` endpoints directly (a warehouse
    system, a storefront's return form), signing them per Standard Webhooks with its own secret."""

    name: str  # sent as `X-Casebridge-Source`; selects the secret to verify with
    secret_env: str
    # The stores it may report about (by id); empty: any store of this deployment.
    stores: list[str] = Field(default_factory=list)

    def secret(self) -> SecretStr:
        return resolve_secret(self.secret_env)


class OpenTextTenant(BaseModel):
    name: str
    base_url: str  # Workflow Service and token host
    tenant_id: str
    client_id_env: str
    client_secret_env: str
    callback_secret_env: str
    exstream: ExstreamSettings | None = None  # customer communications, when the tenant has them
    content_server: ContentServerSettings | None = None  # Extended ECM, when documents are filed

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
    # BigCommerce B2B Edition's API (its own host); None: https://api-b2b.bigcommerce.com.
    b2b_api_base_url: str | None = None
    access_token_env: str | None = None  # Shopify, BigCommerce
    webhook_secret_env: str | None = None  # Shopify app secret, BigCommerce client secret
    adobe_auth: AdobeAuth | None = None  # Adobe Commerce
    io_events_provider_id: str | None = None  # Adobe Commerce: the instance's I/O Events provider
    # Adobe Commerce: where `casebridge webhooks sync` registers the shim for this provider's
    # events (the sandbox's registrations API). None: register it in the Developer Console.
    io_events_registrations_url: str | None = None
    opentext_tenant: str
    # The routing policy; a store without one takes part in no webhook-started case yet.
    policy_file: str | None = None
    # The external system this store is known as in Extended ECM (business workspaces are keyed by
    # it); None: the store's cases file no documents.
    ecm_ext_system_id: str | None = None
    # Platforms with a per-store request quota (BigCommerce) get their own task queue with this
    # server-side activity rate: the Temporal server enforces it across every worker process.
    activities_per_second: float | None = Field(default=None, gt=0)
    # Sells to companies: each company gets a monthly statement of its orders (Exstream, filed in ECM).
    b2b: bool = False

    @model_validator(mode="after")
    def _credentials_for_platform(self) -> Store:
        if self.platform is Platform.ADOBE_COMMERCE and self.adobe_auth is None:
            raise ValueError(f"Adobe Commerce store {self.id} needs adobe_auth")
        if self.platform is not Platform.ADOBE_COMMERCE and (
            self.access_token_env is None or self.webhook_secret_env is None
        ):
            raise ValueError(f"{self.platform.value} store {self.id} needs access_token_env and webhook_secret_env")
        return self

    def access_token(self) -> SecretStr:
        if self.access_token_env is None:
            raise RegistryLookupError(f"store {self.id} has no access token configured")
        return resolve_secret(self.access_token_env)

    def webhook_secret(self) -> SecretStr:
        if self.webhook_secret_env is None:
            raise RegistryLookupError(f"store {self.id} has no webhook secret configured")
        return resolve_secret(self.webhook_secret_env)


class StoreRegistry(BaseModel):
    opentext_tenants: list[OpenTextTenant] = Field(default_factory=list)
    stores: list[Store] = Field(default_factory=list)
    adobe_io_events: AdobeIoEvents | None = None
    event_sources: list[EventSource] = Field(default_factory=list)

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

    def event_source(self, name: str) -> EventSource | None:
        return next((source for source in self.event_sources if source.name == name), None)

    def store_for_io_events_provider(self, provider_id: str) -> Store | None:
        for store in self.stores:
            if store.platform is Platform.ADOBE_COMMERCE and store.io_events_provider_id == provider_id:
                return store
        return None

    def files_documents(self, store: Store) -> bool:
        """The store's cases keep ECM workspaces: its tenant has an ECM layout and the ECM knows the
        store as an external system."""
        content_server = self.tenant(store.opentext_tenant).content_server
        return store.ecm_ext_system_id is not None and content_server is not None and content_server.layout is not None

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
    return store_queue_name(base_queue, store.platform.value, store.id)


def store_queue_name(base_queue: str, platform: str, store_id: str) -> str:
    """The name of a rate-limited store's own queue (for a job whose input names only the store)."""
    return f"{base_queue}.{platform}.{store_id}"


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
