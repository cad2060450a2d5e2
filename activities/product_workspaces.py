"""Product workspaces in Extended ECM, made when the catalogue announces a product: the workspace
is found by the product's business object before it is created (so every later update of the
product finds the same one), named and keyed with the product's title and SKU, and linked under its
supplier's workspace when the platform names a supplier: Shopify's vendor, BigCommerce's brand
(`brand_id`, named by the catalog's brand), Adobe Commerce's `manufacturer` (an option id, named by
the attribute's option label).

Product ids are as the collateral publishing reads them back: Shopify's product number, BigCommerce's
product id, Adobe Commerce's SKU.
"""

from __future__ import annotations

import re

from pydantic import BaseModel
from temporalio import activity

from activities.content_server import Filing
from activities.document_models import OpenWorkspaceRequest, product_workspace, supplier_workspace
from activities.errors import translate_errors
from casebridge.connections import Connections
from casebridge.stores import Platform

# Adobe Commerce's product attribute naming the maker (a select attribute of the default set).
ADOBE_MANUFACTURER = "manufacturer"


class ProductWorkspaceRequest(BaseModel):
    tenant: str
    platform: str
    store: str
    product_id: str  # Shopify product number, BigCommerce product id, Adobe Commerce SKU


class ProductWorkspaceResult(BaseModel):
    workspace_id: int
    created: bool
    supplier_workspace_id: int | None = None


class CatalogProduct(BaseModel):
    title: str
    sku: str | None = None
    supplier: str | None = None  # the platform's vendor / manufacturer, when it names one


def supplier_id(name: str) -> str:
    """A supplier's business object id from its name: `Lumen Lighting Co` -> `lumen-lighting-co`."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "unknown"


class ProductWorkspaceActivities:
    def __init__(self, connections: Connections) -> None:
        self._connections = connections
        self._filing = Filing(connections)

    @activity.defn(name="ecm.ensure_product_workspace")
    @translate_errors
    async def ensure_product_workspace(self, request: ProductWorkspaceRequest) -> ProductWorkspaceResult:
        product = await self._product(request)
        workspace = await self._filing.open_workspace(
            OpenWorkspaceRequest(
                tenant=request.tenant,
                platform=request.platform,
                store=request.store,
                subject=product_workspace(request.store, request.product_id, product.title, product.sku),
            )
        )
        result = ProductWorkspaceResult(workspace_id=workspace.node_id, created=workspace.created)
        if product.supplier:
            supplier = await self._filing.open_workspace(
                OpenWorkspaceRequest(
                    tenant=request.tenant,
                    platform=request.platform,
                    store=request.store,
                    subject=supplier_workspace(request.store, supplier_id(product.supplier), product.supplier),
                )
            )
            await self._connections.content_server(request.tenant).link_workspaces(supplier.node_id, workspace.node_id)
            result.supplier_workspace_id = supplier.node_id
        return result

    async def _product(self, request: ProductWorkspaceRequest) -> CatalogProduct:
        match Platform(request.platform):
            case Platform.SHOPIFY:
                gid = f"gid://shopify/Product/{request.product_id}"
                shopify = await self._connections.shopify(request.store).get_product(gid)
                skus = [v.sku for v in shopify.variants.nodes if v.sku]
                return CatalogProduct(
                    title=shopify.title, sku=skus[0] if len(skus) == 1 else None, supplier=shopify.vendor
                )
            case Platform.BIGCOMMERCE:
                client = self._connections.bigcommerce(request.store)
                bigcommerce = await client.get_product(int(request.product_id))
                brand = (await client.get_brand(bigcommerce.brand_id)).name if bigcommerce.brand_id else None
                return CatalogProduct(title=bigcommerce.name, sku=bigcommerce.sku or None, supplier=brand)
            case Platform.ADOBE_COMMERCE:
                catalog = self._connections.adobe_commerce(request.store).catalog
                adobe = await catalog.get_product(request.product_id)
                option = adobe.attribute(ADOBE_MANUFACTURER)
                maker = await catalog.option_label(ADOBE_MANUFACTURER, str(option)) if option else None
                return CatalogProduct(title=adobe.name or adobe.sku, sku=adobe.sku, supplier=maker)
        raise AssertionError(f"unhandled platform {request.platform}")
