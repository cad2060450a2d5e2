"""The ECM layout of config/stores.yaml and the names Casebridge gives Content Server nodes."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from activities.content_server import MAX_NAME_LENGTH, node_name
from casebridge.ecm_layout import EcmLayout
from casebridge.stores import load_registry
from routing.documents import DocumentKind, WorkspaceKind
from tests.support.world import PROJECT_CONFIG


def test_the_project_layout_files_every_case_record_kind() -> None:
    content_server = load_registry(PROJECT_CONFIG).tenant("demo").content_server
    assert content_server is not None and content_server.layout is not None
    layout = content_server.layout
    for kind in (WorkspaceKind.ORDER, WorkspaceKind.CASE):
        for document in (DocumentKind.DECISION, DocumentKind.AUDIT_REPORT, DocumentKind.EVIDENCE):
            assert layout.workspace(kind).folder_for(document)
    assert layout.workspace(WorkspaceKind.ORDER).folder_for(DocumentKind.ORDER_RECORD) == ""  # the top folder


def test_retention_for_a_kind_filed_nowhere_is_refused() -> None:
    with pytest.raises(ValidationError, match="retention for kinds it files nowhere: invoice"):
        EcmLayout.model_validate(
            {
                "document_category": {"id": 1},
                "workspaces": {
                    "order": {"template_id": 1, "category_id": 2, "folders": {}, "retention": {"invoice": 3}}
                },
            }
        )


def test_node_names_lose_colons_and_keep_their_extension_within_the_limit() -> None:
    assert (
        node_name("Audit report return storefront-returns:RET-1.html")
        == "Audit report return storefront-returns-RET-1.html"
    )
    long = node_name("x" * 400 + ".html")
    assert len(long) == MAX_NAME_LENGTH and long.endswith(".html")
    assert node_name("  Order   #1001  ") == "Order #1001"
