"""What the monthly statement tests share: reading the simulator's PDFs, and checking that each
company's statement of a month is filed once in its account workspace and e-mailed once."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from connectors.opentext.content_server_models import BusinessObject
from tests.support.stack import Stack
from tests.support.world import TENANT, TENANT_ID

POLL = timedelta(seconds=0.2)  # the sandbox's batch jobs take a second
_PDF_LINE = re.compile(rb"\(((?:\\.|[^\\()])*)\) '")


def pdf_lines(content: bytes) -> list[str]:
    """The text lines of the simulator's PDF (each shown with the `'` operator)."""
    return [re.sub(rb"\\(.)", rb"\1", raw).decode("cp1252") for raw in _PDF_LINE.findall(content)]


@dataclass
class ExpectedStatement:
    company_id: str
    company_name: str
    contact_ref: str  # the main contact's customer id on the platform (Exstream's customerRef)
    greeting: str  # e.g. "Dear Mona Ledger,"
    brand: str  # the brand's display name, printed on the statement
    lines: list[str]  # the statement's body: company line, sections by buyer and location, total


async def assert_statements_filed(
    stack: Stack, ext_system_id: str, store: str, month: str, expected: list[ExpectedStatement]
) -> None:
    """Each company's account workspace holds exactly one statement of the month, version 1, with
    its lines grouped by buyer and location; Exstream e-mailed it once, to the company's contact."""
    ecm = stack.connections.content_server(TENANT)
    for statement in expected:
        workspace = await ecm.find_business_workspace(
            BusinessObject(ext_system_id=ext_system_id, bo_type="company", bo_id=statement.company_id)
        )
        assert workspace is not None and workspace.name == f"{statement.company_name} ({store})"
        folder = await ecm.find_folder(workspace.id, "Correspondence")
        assert folder is not None
        filed = [n for n in await ecm.list_children(folder.id) if n.name.startswith("Statement")]
        assert [s.name for s in filed] == [f"Statement {month} {statement.company_name}.pdf"]
        assert [v.version_number for v in await ecm.list_versions(filed[0].id)] == [1]
        lines = pdf_lines((await ecm.download_version(filed[0].id, 1)).content)
        start = lines.index(statement.lines[0])
        assert lines[start : start + len(statement.lines)] == statement.lines
        assert statement.brand in lines and statement.greeting in lines
        assert (await ecm.get_rm_classification(filed[0].id)).classification_id == 41002

        deliveries = await stack.http.get(
            f"{stack.sandbox_url}/opentext/exstream/_admin/tenants/{TENANT_ID}/domains/casebridge/deliveries",
            params={"store": store, "customerRef": statement.contact_ref},
        )
        sent = [d for d in deliveries.json() if d["documentId"] == f"ST-{statement.company_id}-{month}"]
        assert [(d["communication"], d["channel"]) for d in sent] == [("Monthly Statement", "email")]
