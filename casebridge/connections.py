"""One connector client per store and per OpenText tenant, created on first use and shared by all
activities in a worker process (each holds an httpx connection pool and a token cache)."""

from __future__ import annotations

from typing import Protocol

from casebridge.stores import Platform, RegistryLookupError, StoreRegistry
from connectors.adobe_commerce.connector import AdobeCommerce
from connectors.bigcommerce.b2b import BigCommerceB2BClient
from connectors.bigcommerce.client import BigCommerceClient
from connectors.opentext.content_server import ContentServerClient
from connectors.opentext.exstream import ExstreamClient
from connectors.opentext.workflow import OpenTextWorkflowClient
from connectors.shopify.admin import ShopifyAdmin
from connectors.shopify.client import ShopifyClient


class _Closable(Protocol):
    async def aclose(self) -> None: ...


class Connections:
    def __init__(self, registry: StoreRegistry) -> None:
        self.registry = registry
        self._shopify: dict[str, ShopifyAdmin] = {}
        self._workflow: dict[str, OpenTextWorkflowClient] = {}
        self._exstream: dict[str, ExstreamClient] = {}
        self._bigcommerce: dict[str, BigCommerceClient] = {}
        self._bigcommerce_b2b: dict[str, BigCommerceB2BClient] = {}
        self._adobe: dict[str, AdobeCommerce] = {}
        self._content_server: dict[str, ContentServerClient] = {}

    def shopify(self, store_id: str) -> ShopifyAdmin:
        if store_id not in self._shopify:
            store = self.registry.store(Platform.SHOPIFY, store_id)
            if store is None:
                raise RegistryLookupError(f"no Shopify store {store_id!r} in the registry")
            self._shopify[store_id] = ShopifyAdmin(ShopifyClient(store.api_base_url, store.access_token()))
        return self._shopify[store_id]

    def bigcommerce(self, store_hash: str) -> BigCommerceClient:
        if store_hash not in self._bigcommerce:
            store = self.registry.store(Platform.BIGCOMMERCE, store_hash)
            if store is None:
                raise RegistryLookupError(f"no BigCommerce store {store_hash!r} in the registry")
            self._bigcommerce[store_hash] = BigCommerceClient(
                store_hash, store.access_token(), base_url=store.api_base_url
            )
        return self._bigcommerce[store_hash]

    def bigcommerce_b2b(self, store_hash: str, base_url: str) -> BigCommerceB2BClient:
        """B2B Edition lives on its own host; it authenticates with the store's API token."""
        if store_hash not in self._bigcommerce_b2b:
            store = self.registry.store(Platform.BIGCOMMERCE, store_hash)
            if store is None:
                raise RegistryLookupError(f"no BigCommerce store {store_hash!r} in the registry")
            client = BigCommerceB2BClient(store_hash, store.access_token(), base_url=base_url)
            self._bigcommerce_b2b[store_hash] = client
        return self._bigcommerce_b2b[store_hash]

    def adobe_commerce(self, store_id: str) -> AdobeCommerce:
        if store_id not in self._adobe:
            store = self.registry.store(Platform.ADOBE_COMMERCE, store_id)
            if store is None or store.adobe_auth is None:
                raise RegistryLookupError(f"no Adobe Commerce store {store_id!r} in the registry")
            self._adobe[store_id] = AdobeCommerce(store.api_base_url, store.adobe_auth.credentials())
        return self._adobe[store_id]

    def content_server(self, tenant_name: str) -> ContentServerClient:
        if tenant_name not in self._content_server:
            tenant = self.registry.tenant(tenant_name)
            if tenant.content_server is None:
                raise RegistryLookupError(f"OpenText tenant {tenant_name!r} has no Content Server configured")
            settings = tenant.content_server
            self._content_server[tenant_name] = ContentServerClient(
                settings.base_url, credentials=settings.credentials()
            )
        return self._content_server[tenant_name]

    def opentext_workflow(self, tenant_name: str) -> OpenTextWorkflowClient:
        if tenant_name not in self._workflow:
            tenant = self.registry.tenant(tenant_name)
            self._workflow[tenant_name] = OpenTextWorkflowClient(
                tenant.base_url, tenant.tenant_id, tenant.client_id(), tenant.client_secret()
            )
        return self._workflow[tenant_name]

    def exstream(self, tenant_name: str) -> ExstreamClient:
        if tenant_name not in self._exstream:
            tenant = self.registry.tenant(tenant_name)
            if tenant.exstream is None:
                raise RegistryLookupError(f"OpenText tenant {tenant_name!r} has no Exstream configured")
            self._exstream[tenant_name] = ExstreamClient(
                tenant.exstream.base_url,
                tenant.tenant_id,
                tenant.client_id(),
                tenant.client_secret(),
                domain=tenant.exstream.domain,
            )
        return self._exstream[tenant_name]

    async def aclose(self) -> None:
        clients: list[_Closable] = [
            *self._shopify.values(),
            *self._workflow.values(),
            *self._exstream.values(),
            *self._bigcommerce.values(),
            *self._bigcommerce_b2b.values(),
            *self._adobe.values(),
            *self._content_server.values(),
        ]
        for client in clients:
            await client.aclose()
        for cache in (
            self._shopify,
            self._workflow,
            self._exstream,
            self._bigcommerce,
            self._bigcommerce_b2b,
            self._adobe,
            self._content_server,
        ):
            cache.clear()
