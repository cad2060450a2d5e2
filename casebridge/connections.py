"""One connector client per store and per OpenText tenant, created on first use and shared by all
activities in a worker process (each holds an httpx connection pool and a token cache)."""

from __future__ import annotations

from casebridge.stores import Platform, RegistryLookupError, StoreRegistry
from connectors.bigcommerce.client import BigCommerceClient
from connectors.opentext.exstream import ExstreamClient
from connectors.opentext.workflow import OpenTextWorkflowClient
from connectors.shopify.admin import ShopifyAdmin
from connectors.shopify.client import ShopifyClient


class Connections:
    def __init__(self, registry: StoreRegistry) -> None:
        self.registry = registry
        self._shopify: dict[str, ShopifyAdmin] = {}
        self._workflow: dict[str, OpenTextWorkflowClient] = {}
        self._exstream: dict[str, ExstreamClient] = {}
        self._bigcommerce: dict[str, BigCommerceClient] = {}

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
        for shop in self._shopify.values():
            await shop.aclose()
        for client in self._workflow.values():
            await client.aclose()
        for exstream in self._exstream.values():
            await exstream.aclose()
        for bigcommerce in self._bigcommerce.values():
            await bigcommerce.aclose()
        self._bigcommerce.clear()
        self._shopify.clear()
        self._workflow.clear()
        self._exstream.clear()
