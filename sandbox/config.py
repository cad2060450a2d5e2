"""Who exists in the simulated world: shops with their app credentials, OpenText tenants."""

from __future__ import annotations

import os

from pydantic import BaseModel, Field, SecretStr

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
        )
