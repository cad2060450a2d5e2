"""The records Casebridge writes itself into a case's workspace: a small self-contained HTML page
per record (a decision, evidence received, the closing audit report), readable in Content Server's
viewer and kept as the audit evidence of who decided what, when, with which comment."""

from __future__ import annotations

from datetime import UTC
from html import escape

from activities.document_models import CaseRecordRequest, RecordEntry

_TITLES = {
    "audit-report": "Audit report",
    "decision": "Decision",
    "evidence": "Evidence received",
    "exception-note": "Exception note",
}


def render_case_record(request: CaseRecordRequest) -> bytes:
    """The record as UTF-8 HTML; the same request always renders the same bytes."""
    heading = (
        f"{_TITLES.get(request.kind.value, request.kind.value.replace('-', ' ').capitalize())}: {request.case_title}"
    )
    status = f"<p>Case status: <strong>{escape(request.status)}</strong></p>" if request.status else ""
    rows = "\n".join(_row(entry) for entry in request.entries)
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(heading)}</title></head>
<body>
<h1>{escape(heading)}</h1>
<p>Case <code>{escape(request.case_id)}</code></p>
{status}
<table>
<thead><tr><th>When (UTC)</th><th>Who</th><th>What</th><th>Detail</th></tr></thead>
<tbody>
{rows}
</tbody>
</table>
</body></html>
"""
    return page.encode()


def _row(entry: RecordEntry) -> str:
    when = entry.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    cells = (when, entry.actor, entry.event, entry.detail)
    return "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in cells) + "</tr>"
