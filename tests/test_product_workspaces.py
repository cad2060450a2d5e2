"""Product workspaces made from catalogue events, end to end on the three platforms: a product
announced by the platform (Shopify `products/update`, BigCommerce `store/product/updated`, Adobe
Commerce product saves) gets its workspace in the simulated Content Server (found again, never made
twice, on every later update); on Shopify it is linked under its vendor's supplier workspace."""

from __future__ import annotations

import uuid

from connectors.bigcommerce.models import ProductUpdate as BcProductUpdate
from connectors.opentext.content_server_models import BusinessObject
from connectors.shopify.products import ProductUpdate
from tests.support.stack import Stack, eventually
from tests.support.world import ADOBE_DOCS_STORE, BC_DOCS_STORE, DOCS_SHOP, ecm_system
from tests.test_case_file import ecm
from workflows.product_workspace import product_workspace_id


async def test_a_product_gets_one_workspace_under_its_suppliers(stack: Stack) -> None:
    tag = uuid.uuid4().hex[:6].upper()
    seeded = await stack.http.post(
        f"{stack.sandbox_url}/shopify/{DOCS_SHOP}/_admin/products",
        json={"title": f"Desk lamp {tag}", "vendor": "Lumen Lighting Co", "variants": [{"sku": f"LAMP-{tag}"}]},
    )
    seeded.raise_for_status()
    product_id = str(seeded.json()["product"]["id"])
    gid = f"gid://shopify/Product/{product_id}"
    shop = stack.shop(DOCS_SHOP)
    system = ecm_system("shopify", DOCS_SHOP)

    await shop.update_product(gid, ProductUpdate(tags=["new"]))  # the merchant edits it: products/update

    async def workspace() -> int | None:
        found = await ecm(stack).find_business_workspace(
            BusinessObject(ext_system_id=system, bo_type="product", bo_id=product_id)
        )
        return found.id if found is not None else None

    workspace_id = await eventually(workspace, what="the product's workspace")
    node = await ecm(stack).get_node(workspace_id)
    assert node.name == f"Desk lamp {tag} (LAMP-{tag}, {DOCS_SHOP})"
    supplier = await ecm(stack).find_business_workspace(
        BusinessObject(ext_system_id=system, bo_type="supplier", bo_id="lumen-lighting-co")
    )
    assert supplier is not None
    assert workspace_id in [c.id for c in await ecm(stack).list_related_workspaces(supplier.id, rel_type="child")]

    # Another edit runs the job again: it finds the same workspace.
    job = stack.client.get_workflow_handle(product_workspace_id("shopify", DOCS_SHOP, product_id))
    first_run = (await job.describe()).run_id
    await shop.update_product(gid, ProductUpdate(tags=["new", "lamp"]))

    async def ran_again() -> dict[str, object] | None:
        described = await job.describe()
        if described.run_id == first_run:
            return None
        result: dict[str, object] = await job.result()
        return result

    again = await eventually(ran_again, what="the job's second run")
    assert again["workspace_id"] == workspace_id and again["created"] is False


async def _workspace_of(stack: Stack, platform: str, store: str, product_id: str) -> int:
    async def workspace() -> int | None:
        found = await ecm(stack).find_business_workspace(
            BusinessObject(ext_system_id=ecm_system(platform, store), bo_type="product", bo_id=product_id)
        )
        return found.id if found is not None else None

    return await eventually(workspace, what=f"the workspace of {platform} product {product_id}")


async def test_bigcommerce_and_adobe_products_get_their_workspaces(stack: Stack) -> None:
    tag = uuid.uuid4().hex[:6].upper()
    seeded = await stack.http.post(
        f"{stack.sandbox_url}/bigcommerce/_admin/stores/{BC_DOCS_STORE}/products",
        json={"name": f"Kettle {tag}", "sku": f"KETTLE-{tag}", "price": "49.00"},
    )
    seeded.raise_for_status()
    bc_product = int(seeded.json()["id"])
    # The merchant edits it: `store/product/updated`.
    await stack.connections.bigcommerce(BC_DOCS_STORE).update_product(bc_product, BcProductUpdate(is_featured=True))
    bc_workspace = await _workspace_of(stack, "bigcommerce", BC_DOCS_STORE, str(bc_product))
    assert (await ecm(stack).get_node(bc_workspace)).name == f"Kettle {tag} (KETTLE-{tag}, {BC_DOCS_STORE})"

    sku = f"TENT-{tag}"
    seeded = await stack.http.post(
        f"{stack.sandbox_url}/adobe-commerce/_admin/stores/{ADOBE_DOCS_STORE}/products",
        json={"sku": sku, "name": f"Tent {tag}", "price": 199},
    )
    seeded.raise_for_status()
    # The merchant saves it: `catalog_product_save_commit_after`.
    await stack.connections.adobe_commerce(ADOBE_DOCS_STORE).catalog.update_product(sku, name=f"Tent {tag}")
    adobe_workspace = await _workspace_of(stack, "adobe-commerce", ADOBE_DOCS_STORE, sku)
    assert (await ecm(stack).get_node(adobe_workspace)).name == f"Tent {tag} ({sku}, {ADOBE_DOCS_STORE})"
