"""Who exists in the simulated world: shops with their app credentials, OpenText tenants."""

from __future__ import annotations

import os

from pydantic import BaseModel, Field, SecretStr

from sandbox.adobe_commerce.config import AdobeStoreConfig
from sandbox.bigcommerce.config import BigCommerceStoreConfig
from sandbox.opentext_ecm.config import ContentServerConfig
from sandbox.opentext_exstream.config import ExstreamTenantConfig


class ShopConfig(BaseModel):
    domain: str
    access_token: SecretStr
    # Shopify signs webhooks with the app's client secret.
    app_client_secret: SecretStr
    # Cost-based leaky bucket (Standard plan figures); tests shrink it to provoke THROTTLED.
    bucket_size: float = 2000.0
    restore_rate: float = 100.0
    # Delay before an asynchronous orderCancel job reports done.
    cancel_job_seconds: float = 0.5
    # Ids and order numbers of run N start past those of runs before it. The sandbox forgets its
    # orders on restart but Temporal remembers the cases keyed by them, so ids must never repeat.
    generation: int = Field(default=0, ge=0)


class TenantConfig(BaseModel):
    tenant_id: str
    client_id: str
    client_secret: SecretStr
    # The process model's HTTP service task signs callbacks with this shared secret.
    callback_secret: SecretStr
    token_ttl_seconds: int = 900


class SandboxConfig(BaseModel):
    shops: list[ShopConfig]
    tenants: list[TenantConfig]
    # OpenText Exstream (Core Communications) tenants; each gets the sample domain unless configured.
    exstream_tenants: list[ExstreamTenantConfig] = Field(default_factory=list)
    # OpenText Extended ECM (Content Server) tenants, served at /opentext/otcs/cs.exe.
    content_servers: list[ContentServerConfig] = Field(default_factory=list)
    # BigCommerce stores, served at /bigcommerce (REST v2/v3) and /bigcommerce-b2b (B2B Edition).
    bigcommerce_stores: list[BigCommerceStoreConfig] = Field(default_factory=list)
    # Adobe Commerce instances (REST at /adobe-commerce/rest/{store_code}, IMS, I/O Events).
    adobe_stores: list[AdobeStoreConfig] = Field(default_factory=list)
    # Outbound deliveries (webhooks, process callbacks): attempts and first back-off.
    delivery_max_attempts: int = 8
    delivery_retry_seconds: float = 0.5

    @classmethod
    def from_env(cls, generation: int = 0) -> SandboxConfig:
        """The local stack's world, from the same variables the app side reads (`.env`)."""
        from casebridge.secrets import resolve_secret

        shop = os.environ.get("SANDBOX_SHOPIFY_SHOP", "casebridge-demo.myshopify.com")
        return cls(
            shops=[
                ShopConfig(
                    domain=shop,
                    access_token=resolve_secret("SHOPIFY_ACCESS_TOKEN"),
                    app_client_secret=resolve_secret("SHOPIFY_WEBHOOK_SECRET"),
                    generation=generation,
                )
            ],
            tenants=[
                TenantConfig(
                    tenant_id=os.environ.get("OPENTEXT_TENANT_ID", "casebridge-demo"),
                    client_id=resolve_secret("OPENTEXT_CLIENT_ID").get_secret_value(),
                    client_secret=resolve_secret("OPENTEXT_CLIENT_SECRET"),
                    callback_secret=resolve_secret("OPENTEXT_CALLBACK_SECRET"),
                )
            ],
            exstream_tenants=[
                ExstreamTenantConfig(
                    tenant_id=os.environ.get("OPENTEXT_TENANT_ID", "casebridge-demo"),
                    client_id=resolve_secret("OPENTEXT_CLIENT_ID").get_secret_value(),
                    client_secret=resolve_secret("OPENTEXT_CLIENT_SECRET"),
                )
            ],
            content_servers=[
                ContentServerConfig.demo(
                    username=os.environ.get("OPENTEXT_ECM_USERNAME", "casebridge"),
                    password=resolve_secret("OPENTEXT_ECM_PASSWORD"),
                    generation=generation,
                )
            ],
            bigcommerce_stores=[
                BigCommerceStoreConfig(
                    store_hash=os.environ.get("SANDBOX_BIGCOMMERCE_STORE_HASH", "casebridgedemo"),
                    access_token=resolve_secret("BIGCOMMERCE_ACCESS_TOKEN"),
                    client_secret=resolve_secret("BIGCOMMERCE_CLIENT_SECRET"),
                    generation=generation,
                )
            ],
            adobe_stores=[
                AdobeStoreConfig(
                    store_code=os.environ.get("SANDBOX_ADOBE_STORE_CODE", "default"),
                    admin_username=os.environ.get("ADOBE_ADMIN_USERNAME", "casebridge"),
                    admin_password=resolve_secret("ADOBE_ADMIN_PASSWORD"),
                    consumer_key=resolve_secret("ADOBE_CONSUMER_KEY").get_secret_value(),
                    consumer_secret=resolve_secret("ADOBE_CONSUMER_SECRET"),
                    access_token=resolve_secret("ADOBE_ACCESS_TOKEN").get_secret_value(),
                    access_token_secret=resolve_secret("ADOBE_ACCESS_TOKEN_SECRET"),
                    ims_client_id=os.environ.get("ADOBE_IMS_CLIENT_ID", "casebridge-ims"),
                    ims_client_secret=resolve_secret("ADOBE_IMS_CLIENT_SECRET"),
                    io_events_client_id=os.environ.get("ADOBE_IO_EVENTS_CLIENT_ID", "casebridge-io"),
                    generation=generation,
                )
            ],
        )
