"""Product workspaces made from catalogue events, end to end on the three platforms: a product the
merchant creates (Shopify `products/create`, BigCommerce `store/product/created`, Adobe Commerce's
first product save) gets its workspace in the simulated Content Server, linked under its supplier's
workspace (Shopify's vendor, BigCommerce's brand, Adobe Commerce's `manufacturer`); every later edit
(`products/update`, `store/product/updated`, a later save) runs the job again, which finds the same
workspace, never a second one."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

from activities.product_workspaces import supplier_id
from connectors.bigcommerce.models import ProductUpdate as BcProductUpdate
from connectors.opentext.content_server_models import BusinessObject
from connectors.shopify.products import ProductUpdate
from tests.support.histories import keep_history
from tests.support.stack import Stack, eventually
from tests.support.world import ADOBE_DOCS_STORE, BC_DOCS_STORE, DOCS_SHOP, ecm_system
from tests.test_case_file import ecm
from workflows.product_workspace import product_workspace_id


async def _workspace_of(stack: Stack, platform: str, store: str, product_id: str) -> int:
    async def workspace() -> int | None:
        found = await ecm(stack).find_business_workspace(
            BusinessObject(ext_system_id=ecm_system(platform, store), bo_type="product", bo_id=product_id)
        )
        return found.id if found is not None else None

    return await eventually(workspace, what=f"the workspace of {platform} product {product_id}")


async def _assert_under_supplier(stack: Stack, platform: str, store: str, supplier: str, workspace_id: int) -> None:
    found = await ecm(stack).find_business_workspace(
        BusinessObject(ext_system_id=ecm_system(platform, store), bo_type="supplier", bo_id=supplier_id(supplier))
    )
    assert found is not None, f"no workspace of supplier {supplier}"
    assert (await ecm(stack).get_node(found.id)).name.startswith(supplier)
    children = await ecm(stack).list_related_workspaces(found.id, rel_type="child")
    assert workspace_id in [c.id for c in children]


async def _edit_finds_the_same_workspace(
    stack: Stack, platform: str, store: str, product_id: str, workspace_id: int, edit: Callable[[], Awaitable[object]]
) -> None:
    """Once the job's current run has ended, an edit runs it again: the same workspace, found."""
    job = stack.client.get_workflow_handle(product_workspace_id(platform, store, product_id))
    await job.result()
    first_run = (await job.describe()).run_id
    await edit()

    async def ran_again() -> dict[str, object] | None:
        described = await job.describe()
        if described.run_id == first_run:
            return None
        result: dict[str, object] = await job.result()
        return result

    again = await eventually(ran_again, what=f"the {platform} job's run after the edit")
    assert again["workspace_id"] == workspace_id and again["created"] is False


async def test_a_created_shopify_product_gets_one_workspace_under_its_vendors(stack: Stack) -> None:
    tag = uuid.uuid4().hex[:6].upper()
    vendor = f"Lumen Lighting {tag}"
    seeded = await stack.http.post(  # the merchant creates it: `products/create`, no edit needed
        f"{stack.sandbox_url}/shopify/{DOCS_SHOP}/_admin/products",
        json={"title": f"Desk lamp {tag}", "vendor": vendor, "variants": [{"sku": f"LAMP-{tag}"}]},
    )
    seeded.raise_for_status()
    product_id = str(seeded.json()["product"]["id"])

    workspace_id = await _workspace_of(stack, "shopify", DOCS_SHOP, product_id)
    await keep_history(
        stack.client.get_workflow_handle(product_workspace_id("shopify", DOCS_SHOP, product_id)),
        "product_workspace_shopify_created",
    )

    assert (await ecm(stack).get_node(workspace_id)).name == f"Desk lamp {tag} (LAMP-{tag}, {DOCS_SHOP})"
    await _assert_under_supplier(stack, "shopify", DOCS_SHOP, vendor, workspace_id)
    gid = f"gid://shopify/Product/{product_id}"
    await _edit_finds_the_same_workspace(
        stack,
        "shopify",
        DOCS_SHOP,
        product_id,
        workspace_id,
        lambda: stack.shop(DOCS_SHOP).update_product(gid, ProductUpdate(tags=["new"])),  # `products/update`
    )


async def test_a_created_bigcommerce_product_gets_its_workspace_under_its_brands(stack: Stack) -> None:
    tag = uuid.uuid4().hex[:6].upper()
    admin = f"{stack.sandbox_url}/bigcommerce/_admin/stores/{BC_DOCS_STORE}"
    brand = await stack.http.post(f"{admin}/brands", json={"name": f"Kelvin Kitchen {tag}"})
    brand.raise_for_status()
    seeded = await stack.http.post(  # `store/product/created`
        f"{admin}/products",
        json={"name": f"Kettle {tag}", "sku": f"KETTLE-{tag}", "price": "49.00", "brand_id": brand.json()["id"]},
    )
    seeded.raise_for_status()
    product_id = int(seeded.json()["id"])

    workspace_id = await _workspace_of(stack, "bigcommerce", BC_DOCS_STORE, str(product_id))

    assert (await ecm(stack).get_node(workspace_id)).name == f"Kettle {tag} (KETTLE-{tag}, {BC_DOCS_STORE})"
    await _assert_under_supplier(stack, "bigcommerce", BC_DOCS_STORE, f"Kelvin Kitchen {tag}", workspace_id)
    client = stack.connections.bigcommerce(BC_DOCS_STORE)
    await _edit_finds_the_same_workspace(
        stack,
        "bigcommerce",
        BC_DOCS_STORE,
        str(product_id),
        workspace_id,
        lambda: client.update_product(product_id, BcProductUpdate(is_featured=True)),  # `store/product/updated`
    )


async def test_a_created_adobe_product_gets_its_workspace_under_its_manufacturers(stack: Stack) -> None:
    tag = uuid.uuid4().hex[:6].upper()
    admin = f"{stack.sandbox_url}/adobe-commerce/_admin/stores/{ADOBE_DOCS_STORE}"
    maker = f"Northwind Outdoor {tag}"
    option = await stack.http.post(f"{admin}/attributes/manufacturer/options", json={"label": maker})
    option.raise_for_status()
    sku = f"TENT-{tag}"
    seeded = await stack.http.post(  # the product's first save: `catalog_product_save_commit_after`
        f"{admin}/products",
        json={
            "sku": sku,
            "name": f"Tent {tag}",
            "price": 199,
            "custom_attributes": {"manufacturer": option.json()["value"]},
        },
    )
    seeded.raise_for_status()

    workspace_id = await _workspace_of(stack, "adobe-commerce", ADOBE_DOCS_STORE, sku)

    assert (await ecm(stack).get_node(workspace_id)).name == f"Tent {tag} ({sku}, {ADOBE_DOCS_STORE})"
    await _assert_under_supplier(stack, "adobe-commerce", ADOBE_DOCS_STORE, maker, workspace_id)
    catalog = stack.connections.adobe_commerce(ADOBE_DOCS_STORE).catalog
    await _edit_finds_the_same_workspace(
        stack,
        "adobe-commerce",
        ADOBE_DOCS_STORE,
        sku,
        workspace_id,
        lambda: catalog.update_product(sku, name=f"Tent {tag} 2P"),  # a later save
    )
