"""The Extended ECM simulator's document endpoints, over real HTTP with a plain client: the demo's
workspace types, version content, related workspaces, Records Management, search (the change feed)
and the admin endpoints a reviewer's actions go through. Each is shown accepting what the real
server accepts and refusing what it refuses."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from pydantic import SecretStr

from sandbox.config import SandboxConfig
from sandbox.opentext_ecm.api import ContentServerSimulator
from sandbox.opentext_ecm.config import DEMO_EXTERNAL_SYSTEMS, ContentServerConfig
from sandbox.world import SandboxWorld
from tests.support.servers import serve

MOUNT = "/opentext/otcs/cs.exe"
PASSWORD = "ecm-password-1"
TENANT = ContentServerConfig.demo(username="casebridge", password=SecretStr(PASSWORD))
ORDER_TEMPLATE, ACCOUNT_TEMPLATE, CASE_TEMPLATE = 48211, 48221, 48241
CASE_DOCUMENT = 30600


@dataclass
class Ecm:
    http: httpx.AsyncClient  # carries a ticket; base URL is the REST root
    admin: httpx.AsyncClient  # base URL is the tenant's admin root


@pytest_asyncio.fixture(scope="module")
async def ecm() -> AsyncIterator[Ecm]:
    world = SandboxWorld(config=SandboxConfig(shops=[], tenants=[]))
    simulator = ContentServerSimulator(world, [TENANT])
    app = FastAPI()
    app.include_router(simulator.router, prefix=MOUNT)
    app.include_router(simulator.admin_router, prefix="/opentext/otcs/_admin")
    async with serve(app) as origin, httpx.AsyncClient(base_url=f"{origin}{MOUNT}/api") as http:
        login = await http.post("/v1/auth", data={"username": "casebridge", "password": PASSWORD})
        http.headers["OTCSTicket"] = login.json()["ticket"]
        async with httpx.AsyncClient(base_url=f"{origin}/opentext/otcs/_admin/tenants/{TENANT.name}") as admin:
            yield Ecm(http, admin)


def body(value: dict[str, Any]) -> dict[str, str]:
    return {"body": json.dumps(value)}


async def workspace(ecm: Ecm, template_id: int, category_id: int, ext_system_id: str, bo_type: str) -> int:
    bo_id = uuid.uuid4().hex[:8]
    response = await ecm.http.post(
        "/v2/businessworkspaces",
        data=body(
            {
                "template_id": template_id,
                "name": f"{bo_type} {bo_id}",
                "ext_system_id": ext_system_id,
                "bo_type": bo_type,
                "bo_id": bo_id,
                "roles": {"categories": {str(category_id): {f"{category_id}_2": bo_id}}},
            }
        ),
    )
    assert response.status_code == 200, response.text
    workspace_id: int = response.json()["results"]["id"]
    return workspace_id


async def folder(ecm: Ecm, workspace_id: int, name: str) -> int:
    response = await ecm.http.get(f"/v2/nodes/{workspace_id}/nodes", params={"where_name": name})
    (found,) = [r for r in response.json()["results"] if r["data"]["properties"]["name"] == name]
    folder_id: int = found["data"]["properties"]["id"]
    return folder_id


async def upload(ecm: Ecm, parent_id: int, name: str, content: bytes, **categories: object) -> int:
    fields: dict[str, Any] = {"type": 144, "parent_id": parent_id, "name": name}
    if categories:
        fields["roles"] = {"categories": categories}
    response = await ecm.http.post("/v2/nodes", data=body(fields), files={"file": (name, content, "application/pdf")})
    assert response.status_code == 200, response.text
    node_id: int = response.json()["results"]["data"]["properties"]["id"]
    return node_id


async def search(ecm: Ecm, **fields: str) -> httpx.Response:
    return await ecm.http.post("/v2/search", data=fields)


# -- the demo configuration ---------------------------------------------------------------------


def test_demo_defines_five_workspace_types_for_the_three_stores() -> None:
    types = {t.id: t for t in TENANT.workspace_types}
    assert {i: (t.name, t.templates[0].id, t.location) for i, t in types.items()} == {
        17: ("Order", 48211, "Orders"),
        18: ("Account", 48221, "Accounts"),
        19: ("Product", 48231, "Products"),
        20: ("Case", 48241, "Cases"),
        21: ("Supplier", 48251, "Suppliers"),
    }
    assert DEMO_EXTERNAL_SYSTEMS == ("shopify-demo", "bigcommerce-demo", "adobe-demo")
    served = {
        (bo.ext_system_id, bo.bo_type): workspace_type.id
        for workspace_type in TENANT.workspace_types
        for bo in workspace_type.business_objects
    }
    for system in DEMO_EXTERNAL_SYSTEMS:
        assert {t: served[(system, t)] for t in ("order", "customer", "company", "product", "supplier")} == {
            "order": 17,
            "customer": 18,
            "company": 18,
            "product": 19,
            "supplier": 21,
        }
        assert [served[(system, t)] for t in ("return", "warranty", "service_case")] == [20, 20, 20]
    assert len(served) == 3 * 8
    assert [c.id for c in TENANT.rm_classifications] == [41001, 41002, 41003, 41004, 41005]
    case_document = TENANT.category(CASE_DOCUMENT)
    assert case_document is not None
    assert [(a.id, a.name) for a in case_document.attributes] == [
        (2, "Case id"),
        (3, "Document kind"),
        (4, "Document status"),
        (5, "Business key"),
        (6, "Content hash"),
    ]
    assert case_document.attributes[2].valid_values == ["Draft", "Approved", "Withdrawn"]


async def test_unknown_external_system_or_type_is_refused_on_create_and_lookup(ecm: Ecm) -> None:
    create = await ecm.http.post(
        "/v2/businessworkspaces",
        data=body(
            {"template_id": ORDER_TEMPLATE, "name": "x", "ext_system_id": "erp", "bo_type": "order", "bo_id": "1"}
        ),
    )
    wrong_type = await ecm.http.post(
        "/v2/businessworkspaces",
        data=body(
            {
                "template_id": ORDER_TEMPLATE,
                "name": "y",
                "ext_system_id": "shopify-demo",
                "bo_type": "cart",
                "bo_id": "1",
            }
        ),
    )
    lookup = await ecm.http.get(
        "/v2/businessworkspaces",
        params={
            "where_ext_system_id": "shopify-demo",
            "where_bo_type": "cart",
            "where_bo_id": "1",
            "expanded_view": "true",
        },
    )
    known = await ecm.http.get(
        "/v2/businessworkspaces",
        params={
            "where_ext_system_id": "adobe-demo",
            "where_bo_type": "company",
            "where_bo_id": "1",
            "expanded_view": "true",
        },
    )
    assert create.status_code == 400 and "external system 'erp' is not configured" in create.json()["error"]
    assert wrong_type.status_code == 400 and "'cart' is not configured" in wrong_type.json()["error"]
    assert lookup.status_code == 400 and "'cart' is not configured" in lookup.json()["error"]
    assert known.status_code == 200 and known.json()["results"] == []


async def test_a_type_serving_several_business_object_types_takes_each(ecm: Ecm) -> None:
    customer = await workspace(ecm, ACCOUNT_TEMPLATE, 30513, "bigcommerce-demo", "customer")
    company = await workspace(ecm, ACCOUNT_TEMPLATE, 30513, "bigcommerce-demo", "company")
    # An order template cannot hold an account's business object.
    refused = await ecm.http.post(
        "/v2/businessworkspaces",
        data=body(
            {
                "template_id": ORDER_TEMPLATE,
                "name": "z",
                "ext_system_id": "adobe-demo",
                "bo_type": "company",
                "bo_id": "9",
            }
        ),
    )
    tree = (await ecm.admin.get("/workspaces")).json()
    by_id = {w["id"]: w for w in tree}
    assert (by_id[customer]["workspace_type_id"], by_id[company]["workspace_type_id"]) == (18, 18)
    assert refused.status_code == 400 and "not configured for workspace type 'Order'" in refused.json()["error"]
    folders = (await ecm.http.get(f"/v2/nodes/{customer}/nodes")).json()["results"]
    assert [f["data"]["properties"]["name"] for f in folders] == sorted(
        ["Agreements", "Onboarding", "Tax certificates", "Escalations", "Correspondence", "Audit"], key=str.lower
    )


# -- version content ----------------------------------------------------------------------------


async def test_version_content_is_served_per_version_and_refused_past_the_last(ecm: Ecm) -> None:
    order = await workspace(ecm, ORDER_TEMPLATE, 30512, "shopify-demo", "order")
    document = await upload(ecm, await folder(ecm, order, "Invoices"), "INV-1.pdf", b"%PDF first")
    await ecm.http.post(
        f"/v2/nodes/{document}/versions", files={"file": ("INV-1.pdf", b"%PDF second", "application/pdf")}
    )

    first = await ecm.http.get(f"/v2/nodes/{document}/versions/1/content")
    second = await ecm.http.get(f"/v2/nodes/{document}/versions/2/content")
    missing = await ecm.http.get(f"/v2/nodes/{document}/versions/3/content")
    no_node = await ecm.http.get("/v2/nodes/99999999/versions/1/content")

    assert (first.status_code, first.content, first.headers["content-type"]) == (200, b"%PDF first", "application/pdf")
    assert second.content == b"%PDF second" and 'filename="INV-1.pdf"' in second.headers["content-disposition"]
    assert first.headers["OTCSTicket"]  # the answer carries a fresh ticket like every other
    assert missing.status_code == 500 and missing.json() == {"error": "The version is not found"}
    assert no_node.status_code == 500 and "Could not locate node" in no_node.json()["error"]
    admin = await ecm.admin.get(f"/nodes/{document}/versions/1/content")
    assert admin.content == b"%PDF first"


# -- related workspaces -------------------------------------------------------------------------


async def test_a_relation_shows_on_both_sides_and_twice_is_refused(ecm: Ecm) -> None:
    account = await workspace(ecm, ACCOUNT_TEMPLATE, 30513, "shopify-demo", "customer")
    order = await workspace(ecm, ORDER_TEMPLATE, 30512, "shopify-demo", "order")

    created = await ecm.http.post(f"/v2/businessworkspaces/{account}/relateditems", data=body({"rel_bw_id": order}))
    again = await ecm.http.post(
        f"/v2/businessworkspaces/{order}/relateditems", data=body({"rel_bw_id": account, "rel_type": "parent"})
    )
    children = await ecm.http.get(f"/v2/businessworkspaces/{account}/relateditems", params={"where_rel_types": "child"})
    parents = await ecm.http.get(f"/v2/businessworkspaces/{order}/relateditems", params={"where_rel_types": "parent"})
    none_as_child = await ecm.http.get(
        f"/v2/businessworkspaces/{order}/relateditems", params={"where_rel_types": "child"}
    )

    assert created.status_code == 200
    assert again.status_code == 400 and "already exists" in again.json()["error"]  # the same relation
    assert [
        (r["data"]["properties"]["id"], r["data"]["properties"]["rel_type"]) for r in children.json()["results"]
    ] == [(order, "child")]
    assert [r["data"]["properties"]["id"] for r in parents.json()["results"]] == [account]
    assert parents.json()["paging"]["total_count"] == 1
    assert none_as_child.json()["results"] == []

    removed = await ecm.http.delete(
        f"/v2/businessworkspaces/{account}/relateditems/{order}", params={"rel_type": "child"}
    )
    gone = await ecm.http.delete(f"/v2/businessworkspaces/{account}/relateditems/{order}", params={"rel_type": "child"})
    assert removed.status_code == 200
    assert gone.status_code == 400 and "does not exist" in gone.json()["error"]


async def test_relations_are_refused_for_what_is_not_a_workspace(ecm: Ecm) -> None:
    order = await workspace(ecm, ORDER_TEMPLATE, 30512, "adobe-demo", "order")
    invoices = await folder(ecm, order, "Invoices")
    to_folder = await ecm.http.post(f"/v2/businessworkspaces/{order}/relateditems", data=body({"rel_bw_id": invoices}))
    to_itself = await ecm.http.post(f"/v2/businessworkspaces/{order}/relateditems", data=body({"rel_bw_id": order}))
    bad_type = await ecm.http.post(
        f"/v2/businessworkspaces/{order}/relateditems", data=body({"rel_bw_id": order, "rel_type": "sibling"})
    )
    no_id = await ecm.http.post(f"/v2/businessworkspaces/{order}/relateditems", data=body({"rel_type": "child"}))
    assert to_folder.status_code == 400 and "not a business workspace" in to_folder.json()["error"]
    assert to_itself.status_code == 400 and "itself" in to_itself.json()["error"]
    assert bad_type.status_code == 400 and "sibling" in bad_type.json()["error"]
    assert no_id.status_code == 400 and "rel_bw_id" in no_id.json()["error"]  # the spec requires it


async def test_deleting_a_workspace_takes_its_contents_relations_and_business_object(ecm: Ecm) -> None:
    account = await workspace(ecm, ACCOUNT_TEMPLATE, 30513, "shopify-demo", "customer")
    order = await workspace(ecm, ORDER_TEMPLATE, 30512, "shopify-demo", "order")
    other = await workspace(ecm, ORDER_TEMPLATE, 30512, "shopify-demo", "order")
    await ecm.http.post(f"/v2/businessworkspaces/{account}/relateditems", data=body({"rel_bw_id": order}))
    invoice = await upload(ecm, await folder(ecm, order, "Invoices"), "INV-7.pdf", b"%PDF")

    deleted = await ecm.http.delete(f"/v2/nodes/{order}")
    again = await ecm.http.delete(f"/v2/nodes/{order}")
    enterprise = await ecm.http.delete("/v2/nodes/2000")

    assert deleted.status_code == 200, deleted.text
    assert again.status_code == 400 and "Could not get a node" in again.json()["error"]
    assert enterprise.status_code == 400  # the Enterprise Workspace stays
    assert (await ecm.http.get(f"/v2/nodes/{invoice}")).status_code == 400  # its contents went with it
    children = await ecm.http.get(f"/v2/businessworkspaces/{account}/relateditems", params={"where_rel_types": "child"})
    assert children.json()["results"] == []
    orders = await ecm.http.get(
        "/v2/businessworkspaces", params={"where_ext_system_id": "shopify-demo", "where_bo_type": "order"}
    )
    assert orders.status_code == 200, orders.text
    listed = [r["data"]["properties"]["id"] for r in orders.json()["results"]]
    assert other in listed and order not in listed


async def test_workspace_root_of_a_node(ecm: Ecm) -> None:
    case = await workspace(ecm, CASE_TEMPLATE, 30515, "shopify-demo", "return")
    photo = await upload(ecm, await folder(ecm, case, "Photos"), "box.jpg", b"jpeg")
    inside = await ecm.http.get(f"/v1/nodes/{photo}/businessworkspace")
    outside = await ecm.http.get("/v1/nodes/2000/businessworkspace")
    assert inside.json() == {"id": case, "isLinked": True, "type": 848, "workspace_type_id": 20}
    assert outside.status_code == 404 and "error" in outside.json()


# -- records management -------------------------------------------------------------------------


async def test_rm_classification_applies_reads_and_refuses_unknown_or_unguarded_changes(ecm: Ecm) -> None:
    order = await workspace(ecm, ORDER_TEMPLATE, 30512, "shopify-demo", "order")
    invoice = await upload(ecm, await folder(ecm, order, "Invoices"), "INV-9.pdf", b"%PDF")

    unclassified = (await ecm.http.get(f"/v1/nodes/{invoice}/rmclassifications")).json()
    applied = await ecm.http.post(f"/v1/nodes/{invoice}/rmclassifications", data=body({"class_id": 41002}))
    details = (await ecm.http.get(f"/v1/nodes/{invoice}/rmclassifications")).json()
    unknown = await ecm.http.post(f"/v1/nodes/{invoice}/rmclassifications", data=body({"class_id": 49999}))
    unguarded = await ecm.http.post(f"/v1/nodes/{invoice}/rmclassifications", data=body({"class_id": 41001}))
    stray = await ecm.http.post(
        f"/v1/nodes/{invoice}/rmclassifications", data=body({"class_id": 41001, "retention": "forever"})
    )
    guarded = await ecm.http.post(
        f"/v1/nodes/{invoice}/rmclassifications",
        data=body({"class_id": 41001, "rm_metadataToken": details["rm_metadataToken"]}),
    )

    assert unclassified["data"][0]["rmclassification_id"] is None
    assert applied.status_code == 200
    assert details["data"][0]["rmclassification_id"] == 41002 and details["data"][0]["record_date"]
    assert unknown.status_code == 400 and "49999" in unknown.json()["error"]
    assert unguarded.status_code == 400 and "rm_metadataToken" in unguarded.json()["error"]
    assert stray.status_code == 400 and "retention" in stray.json()["error"]  # not a field of the call
    assert guarded.status_code == 200
    assert (await ecm.admin.get(f"/nodes/{invoice}")).json()["rm_classification_id"] == 41001


async def test_rm_classification_of_a_workspace_can_reach_every_item_below(ecm: Ecm) -> None:
    case = await workspace(ecm, CASE_TEMPLATE, 30515, "bigcommerce-demo", "warranty")
    letter = await upload(ecm, await folder(ecm, case, "Correspondence"), "letter.pdf", b"%PDF")
    response = await ecm.http.post(
        f"/v1/nodes/{case}/rmclassifications", data=body({"class_id": 41004, "apply_to_sub_items": True})
    )
    assert response.status_code == 200
    documents = (await ecm.admin.get(f"/workspaces/{case}/documents")).json()
    assert [(d["id"], d["folder"], d["rm_classification_id"]) for d in documents] == [(letter, "Correspondence", 41004)]


# -- search: the change feed --------------------------------------------------------------------


async def test_search_by_modify_date_pages_in_modify_order(ecm: Ecm) -> None:
    product = await workspace(ecm, 48231, 30514, "adobe-demo", "product")
    sheets = await folder(ecm, product, "Safety data sheets")
    made = [await upload(ecm, sheets, f"sds-{n}.pdf", b"%PDF") for n in range(3)]
    today = datetime.now(UTC).strftime("%Y%m%d")
    where = f"OTModifyDate:>={today} and OTSubType:144 and OTLocation:{product}"

    first = await search(ecm, where=where, sort="asc_OTModifyDate", page="1", limit="2")
    second = await search(ecm, where=where, sort="asc_OTModifyDate", page="2", limit="2")
    future = await search(ecm, where=f"OTModifyDate:>=29991231 and OTLocation:{product}")

    ids = [r["data"]["properties"]["id"] for r in first.json()["results"] + second.json()["results"]]
    assert ids == made
    paging = first.json()["collection"]["paging"]
    assert (paging["total_count"], paging["page_total"], paging["range_min"], paging["range_max"]) == (3, 2, 1, 2)
    hit = first.json()["results"][0]
    assert hit["data"]["properties"]["parent_id"] == sheets
    assert hit["data"]["versions"]["version_number"] == 1
    assert hit["data"]["regions"]["OTModifyDate"] == today
    assert future.json()["results"] == [] and future.json()["collection"]["paging"]["total_count"] == 0


@pytest.mark.parametrize(
    "where",
    ["", "OTModifyDate:>=2024-01-01", "OTModifyDate:~20240101", "OTOwner:1000", "OTLocation:>2000", "anything"],
)
async def test_search_refuses_what_it_cannot_evaluate(ecm: Ecm, where: str) -> None:
    response = await search(ecm, where=where)
    assert response.status_code == 400 and response.json()["error"].startswith("Error Evaluating Query")


async def test_search_refuses_wrong_types_and_sorts(ecm: Ecm) -> None:
    bad_page = await search(ecm, where="OTSubType:144", page="first")
    bad_sort = await search(ecm, where="OTSubType:144", sort="asc_colour")
    assert bad_page.status_code == 400 and "integer" in bad_page.json()["error"]
    assert bad_sort.status_code == 400 and "sort" in bad_sort.json()["error"]


# -- admin: what a reviewer does in the UI ------------------------------------------------------


async def test_document_status_set_by_a_reviewer_moves_the_modify_time(ecm: Ecm) -> None:
    product = await workspace(ecm, 48231, 30514, "shopify-demo", "product")
    manual = await upload(
        ecm, await folder(ecm, product, "Collateral"), "manual.pdf", b"%PDF", **{f"{CASE_DOCUMENT}_3": "manual"}
    )
    await ecm.http.put(f"/v2/nodes/{manual}/categories/{CASE_DOCUMENT}/", data=body({f"{CASE_DOCUMENT}_4": "Draft"}))
    before = (await ecm.admin.get(f"/nodes/{manual}")).json()["properties"]["modify_date"]

    approved = await ecm.admin.post(f"/nodes/{manual}/document-status", json={"status": "Approved"})
    invalid = await ecm.admin.post(f"/nodes/{manual}/document-status", json={"status": "Published"})
    via_api = await ecm.http.put(
        f"/v2/nodes/{manual}/categories/{CASE_DOCUMENT}/", data=body({f"{CASE_DOCUMENT}_4": "Published"})
    )
    not_a_document = await ecm.admin.post(f"/nodes/{product}/document-status", json={"status": "Approved"})

    assert approved.status_code == 200
    assert approved.json()["categories"][str(CASE_DOCUMENT)][f"{CASE_DOCUMENT}_4"] == "Approved"
    assert approved.json()["properties"]["modify_date"] >= before
    assert invalid.status_code == 400 and "valid values" in invalid.json()["detail"]
    assert via_api.status_code == 400 and "valid values" in via_api.json()["error"]  # the API checks it too
    assert not_a_document.status_code == 400
    documents = (await ecm.admin.get(f"/workspaces/{product}/documents")).json()
    (entry,) = documents
    assert entry["categories"][str(CASE_DOCUMENT)][f"{CASE_DOCUMENT}_4"] == "Approved"
    assert [v["version_number"] for v in entry["versions"]] == [1]


async def test_document_status_applies_the_category_when_missing(ecm: Ecm) -> None:
    order = await workspace(ecm, ORDER_TEMPLATE, 30512, "bigcommerce-demo", "order")
    plain = await upload(ecm, await folder(ecm, order, "Shipping"), "label.pdf", b"%PDF")
    response = await ecm.admin.post(f"/nodes/{plain}/document-status", json={"status": "Withdrawn"})
    categories = (await ecm.http.get(f"/v2/nodes/{plain}/categories")).json()["results"]
    assert response.status_code == 200
    (values,) = [c["data"]["categories"] for c in categories]
    assert values[f"{CASE_DOCUMENT}_4"] == "Withdrawn" and values[f"{CASE_DOCUMENT}_2"] is None


# -- a workspace's business objects -------------------------------------------------------------


async def test_a_workspace_answers_its_type_and_business_object(ecm: Ecm) -> None:
    product = await workspace(ecm, 48231, 30514, "bigcommerce-demo", "product")
    listed = (await ecm.http.get(f"/v2/nodes/{product}")).json()["results"]["data"]["properties"]
    sheets = await folder(ecm, product, "Collateral")

    answer = await ecm.http.get(f"/v2/businessworkspaces/{product}", params={"fields": "workspace_references"})
    of_a_folder = await ecm.http.get(f"/v2/businessworkspaces/{sheets}")
    of_nothing = await ecm.http.get("/v2/businessworkspaces/999999")
    not_an_id = await ecm.http.get("/v2/businessworkspaces/first")

    assert answer.status_code == 200, answer.text
    data = answer.json()["results"]["data"]
    assert data["properties"]["id"] == product and data["properties"]["name"] == listed["name"]
    assert (data["business_properties"]["workspace_type_id"], data["business_properties"]["workspace_type_name"]) == (
        19,
        "Product",
    )
    (reference,) = data["workspace_references"]
    assert (reference["external_system_id"], reference["business_object_type"]) == ("bigcommerce-demo", "product")
    assert reference["business_object_id"] == listed["name"].removeprefix("product ")
    assert of_a_folder.status_code == 404 and "not a business workspace" in of_a_folder.json()["error"]
    assert of_nothing.status_code in (400, 404) and not_an_id.status_code == 400
