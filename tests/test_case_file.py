"""Every case keeps its file in Extended ECM: the order's business workspace (found or created once,
whatever the duplicates and retries), decision records and the closing audit report filed into it,
a record filed again becoming a new version, and a refused filing parking the case for an operator.
Driven through the shim, Temporal and the simulated Content Server over HTTP."""

from __future__ import annotations

import uuid

from temporalio.api.history.v1 import History

from connectors.opentext.content_server import ContentServerClient
from connectors.opentext.content_server_models import BusinessObject, Node
from tests.support.histories import decode_payloads
from tests.support.stack import Stack, eventually
from tests.support.world import SHOP, TENANT, ecm_system
from tests.test_fulfillment_exception import post, report
from tests.test_order_review_flow import REVIEWER, case_of, decide
from workflows.fulfillment_exception import KIND as FULFILLMENT_EXCEPTION
from workflows.messages import CaseStatus, CaseView, OperatorCommand

DOCUMENT_CATEGORY = 30600


def ecm(stack: Stack) -> ContentServerClient:
    return stack.connections.content_server(TENANT)


async def order_workspace_id(stack: Stack, order_id: str) -> int:
    """The order's one workspace (the connector refuses an answer of several)."""
    found = await ecm(stack).find_business_workspace(
        BusinessObject(ext_system_id=ecm_system("shopify", SHOP), bo_type="order", bo_id=order_id)
    )
    assert found is not None, f"no workspace for order {order_id}"
    return found.id


async def documents_in(stack: Stack, workspace_id: int, folder: str) -> list[Node]:
    found = await ecm(stack).find_folder(workspace_id, folder)
    assert found is not None, f"workspace {workspace_id} has no folder {folder}"
    return await ecm(stack).list_children(found.id)


async def content_of(stack: Stack, document: Node, version: int | None = None) -> str:
    versions = await ecm(stack).list_versions(document.id)
    number = version or versions[-1].version_number
    return (await ecm(stack).download_version(document.id, number)).content.decode()


async def test_order_review_files_its_decision_and_audit_report(stack: Stack) -> None:
    order = await stack.create_order(SHOP, unit_price="1250.00")
    case_id = case_of(SHOP, order.legacy_resource_id)
    handle = await stack.case_started(case_id)
    task_id = await stack.open_task_id(case_id)

    workspace_id = await order_workspace_id(stack, order.legacy_resource_id)
    task = await stack.opentext.get_task(task_id, include_variables=True)
    assert any(v.name == "workspaceId" and v.value == str(workspace_id) for v in task.variables)

    await decide(stack.opentext, task_id, "approved")
    assert (await handle.result()).status is CaseStatus.APPROVED

    workspace = await ecm(stack).get_node(workspace_id)
    assert workspace.name == f"Order {order.name} ({SHOP})"
    [decision] = await documents_in(stack, workspace_id, "Review")
    decision_text = await content_of(stack, decision)
    assert "decided approved" in decision_text and REVIEWER in decision_text and "approved in test" in decision_text
    [report_document] = await documents_in(stack, workspace_id, "Audit")
    report_text = await content_of(stack, report_document)
    for expected in ("status APPROVED", "decision received", REVIEWER, case_id):
        assert expected in report_text
    categories = (await ecm(stack).get_categories(report_document.id))[DOCUMENT_CATEGORY]
    assert categories[f"{DOCUMENT_CATEGORY}_2"] == case_id
    assert categories[f"{DOCUMENT_CATEGORY}_3"] == "audit-report"
    classification = await ecm(stack).get_rm_classification(report_document.id)
    assert classification.classification_id == 41004  # "Case records - 7 years", as the layout says
    events = [e.event for e in await stack.audit(case_id)]
    assert events.count("filed in ECM") == 2 and "workspace created" in events

    # The records are rendered and filed inside the activities: none is in the case's history.
    history = History(events=(await handle.fetch_history()).events)
    await decode_payloads(history, stack.client.data_converter.payload_codec)  # type: ignore[arg-type]
    assert b"<!DOCTYPE html>" not in history.SerializeToString()


async def test_two_cases_of_one_order_share_one_workspace_despite_a_failed_create(stack: Stack) -> None:
    order = await stack.create_order(SHOP, unit_price="1800.00")
    # The first create answers 500 (retried by the activity); both cases open at the same time.
    await stack.fault(system="opentext-ecm", operation="POST /api/v2/businessworkspaces", effect="http_500")
    review_case = case_of(SHOP, order.legacy_resource_id)
    exception = report(order.legacy_resource_id, "carrier_delay")
    assert (await post(stack, exception)).status_code == 200
    exception_case = FULFILLMENT_EXCEPTION.case_id("shopify", SHOP, order.legacy_resource_id)
    await stack.case_started(review_case)
    await stack.case_started(exception_case)

    async def both_opened() -> bool:
        audits = [[e.event for e in await stack.audit(c)] for c in (review_case, exception_case)]
        return all(any(e.startswith("workspace ") for e in events) for events in audits) or None  # type: ignore[return-value]

    await eventually(both_opened, what="both cases opened the workspace")
    workspace_id = await order_workspace_id(stack, order.legacy_resource_id)  # one, not two
    [note] = await documents_in(stack, workspace_id, "Exceptions")
    assert exception["reference"] in note.name


async def test_a_record_filed_again_becomes_a_new_version(stack: Stack) -> None:
    order = await stack.create_order(SHOP, unit_price="90.00")
    case_id = FULFILLMENT_EXCEPTION.case_id("shopify", SHOP, order.legacy_resource_id)
    for round_number in (1, 2):
        # The same order runs into trouble twice: the second case has the same id and report name.
        assert (await post(stack, report(order.legacy_resource_id, "address_validation"))).status_code == 200
        handle = await stack.case_started(case_id)
        task_id = await eventually(lambda: _open_task(stack, case_id), what=f"round {round_number} task")
        await decide(stack.opentext, task_id, "ship-as-is")
        assert (await handle.result()).status is CaseStatus.APPROVED

    workspace_id = await order_workspace_id(stack, order.legacy_resource_id)
    [audit_report] = await documents_in(stack, workspace_id, "Audit")
    versions = await ecm(stack).list_versions(audit_report.id)
    assert [v.version_number for v in versions] == [1, 2]
    assert "ship-as-is" in await content_of(stack, audit_report, 2)


async def _open_task(stack: Stack, case_id: str) -> str | None:
    """The task id of the case's open review task (a fulfillment exception's panel has one team here)."""
    view = await stack.view(case_id)
    return next((t.task_id for t in view.review_tasks if t.open), None)


async def test_a_refused_filing_parks_the_case_until_an_operator_retries(stack: Stack) -> None:
    order = await stack.create_order(SHOP, unit_price="2100.00")
    case_id = case_of(SHOP, order.legacy_resource_id)
    handle = await stack.case_started(case_id)
    task_id = await stack.open_task_id(case_id)
    await order_workspace_id(stack, order.legacy_resource_id)
    # Content Server refuses the next two uploads: the decision record, then its filing at the close.
    await stack.fault(
        system="opentext-ecm", operation="POST /api/v2/nodes", effect="user_error", times=2, message="Access denied."
    )
    await decide(stack.opentext, task_id, "approved")

    parked = await stack.status_is(case_id, CaseStatus.NEEDS_ATTENTION)
    assert parked.attention is not None and parked.attention.step.startswith("File 'Decision 1")
    assert "Access denied" in parked.attention.reason
    view = await handle.execute_update(
        "retry", OperatorCommand(operator="olga", note="permission fixed"), result_type=CaseView
    )
    assert view.attention is None
    assert (await handle.result()).status is CaseStatus.APPROVED
    workspace_id = await order_workspace_id(stack, order.legacy_resource_id)
    assert len(await documents_in(stack, workspace_id, "Review")) == 1
    assert len(await documents_in(stack, workspace_id, "Audit")) == 1


async def test_a_suppliers_shortfall_links_the_order_to_the_suppliers_workspace(stack: Stack) -> None:
    supplier = {"id": f"SUP-{uuid.uuid4().hex[:6]}", "name": "Lumen Lighting Co"}
    orders = [await stack.create_order(SHOP, unit_price="70.00") for _ in range(2)]
    for order in orders:
        answer = await post(stack, report(order.legacy_resource_id, "backorder", supplier=supplier))
        assert answer.status_code == 200, answer.text
        await stack.case_started(answer.json()["case_id"])

    async def supplier_workspace() -> int | None:
        found = await ecm(stack).find_business_workspace(
            BusinessObject(ext_system_id=ecm_system("shopify", SHOP), bo_type="supplier", bo_id=supplier["id"])
        )
        return found.id if found is not None else None

    supplier_id = await eventually(supplier_workspace, what="the supplier's workspace")

    async def both_linked() -> list[int] | None:
        children = [c.id for c in await ecm(stack).list_related_workspaces(supplier_id, rel_type="child")]
        return children if len(children) == 2 else None

    linked = await eventually(both_linked, what="both orders linked under the supplier")
    assert sorted(linked) == sorted([await order_workspace_id(stack, o.legacy_resource_id) for o in orders])
    assert (await ecm(stack).get_node(supplier_id)).name == f"Lumen Lighting Co ({SHOP})"
