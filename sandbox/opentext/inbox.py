"""A reviewer inbox for demos: the open tasks of every tenant, with Approve / Reject buttons.

This stands in for the OT2 task UI a human reviewer would use. A decision goes through the same
engine call as `POST /workflow/v1/tasks/{id}` with `action=complete`, so the process model, its
signed callback and any delivery faults behave exactly as with API completions. No auth and no fault
injection here: it is a sandbox convenience, not part of the simulated API.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from sandbox.opentext.engine import ProcessInstanceState, TaskState, VariableState, WorkflowEngine
from sandbox.opentext.errors import SimulatedHttpError

# Variables rendered as the case summary (the names Casebridge's order review sends); the rest are
# listed under "All variables".
_FACTS = (
    ("orderName", "Order"),
    ("store", "Store"),
    ("orderTotal", "Total"),
    ("customerEmail", "Customer"),
    ("reasons", "Why review"),
)
_HIDDEN = {"callbackUrl"}
_DEFAULT_REVIEWER = "reviewer@casebridge.example"

_STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:0;background:#f4f5f7;color:#1d2330}
header{background:#0b2b4c;color:#fff;padding:18px 32px}
header h1{margin:0;font-size:22px} header p{margin:4px 0 0;opacity:.8;font-size:14px}
main{padding:24px 32px;max-width:1100px}
h2{font-size:16px;text-transform:uppercase;letter-spacing:.05em;color:#4a5568;margin:28px 0 10px}
.card{background:#fff;border:1px solid #dde1e7;border-radius:8px;padding:16px 20px;margin-bottom:14px}
.top{display:flex;gap:10px;align-items:baseline;flex-wrap:wrap}
.task{font-weight:600;font-size:17px}.tag{font-size:12px;background:#e8eef6;border-radius:10px;padding:2px 9px}
.tag.warn{background:#fdecc8}
dl{display:grid;grid-template-columns:130px 1fr;gap:4px 12px;margin:12px 0}
dt{color:#6b7280}dd{margin:0}ul{margin:0;padding-left:18px}
details{font-size:13px;color:#4a5568;margin-bottom:10px}
form{display:flex;gap:8px;flex-wrap:wrap;align-items:center}
input{padding:6px 8px;border:1px solid #c7ccd4;border-radius:4px}
button{padding:7px 16px;border:0;border-radius:4px;color:#fff;font-weight:600;cursor:pointer}
button.approved{background:#1f7a3f}button.rejected{background:#b42318}button.other{background:#3b5b8c}
.notice{padding:10px 14px;border-radius:6px;margin-bottom:16px;background:#e6f4ea}
.notice.error{background:#fde8e8}.empty{color:#6b7280}
"""


def _text(value: object) -> str:
    return html.escape("" if value is None else str(value))


def _value_html(name: str, variables: dict[str, object]) -> str:
    value = variables[name]
    if name == "reasons" and isinstance(value, str):
        value = [part.strip() for part in value.split(";") if part.strip()]
    if name == "orderTotal" and variables.get("currency"):
        value = f"{value} {variables['currency']}"
    if isinstance(value, list):
        return "<ul>" + "".join(f"<li>{_text(item)}</li>" for item in value) + "</ul>"
    return _text(value)


def _facts_html(instance: ProcessInstanceState) -> str:
    variables = instance.variable_values()
    rows = [f"<dt>Case</dt><dd>{_text(instance.business_key or instance.name or instance.id)}</dd>"]
    for name, label in _FACTS:
        if variables.get(name) not in (None, ""):
            rows.append(f"<dt>{label}</dt><dd>{_value_html(name, variables)}</dd>")
    return "<dl>" + "".join(rows) + "</dl>"


def _all_variables_html(variables: dict[str, VariableState]) -> str:
    items = "".join(
        f"<li><code>{_text(name)}</code> ({_text(v.type)}): "
        f"{_text(v.value if isinstance(v.value, str) else json.dumps(v.value))}</li>"
        for name, v in variables.items()
        if name not in _HIDDEN
    )
    return f"<details><summary>All variables</summary><ul>{items}</ul></details>"


def _task_html(request: Request, task: TaskState, instance: ProcessInstanceState) -> str:
    tags = [f'<span class="tag">{_text(group)}</span>' for group in task.candidate_groups]
    if task.priority > 50:
        tags.append(f'<span class="tag warn">priority {task.priority}</span>')
    if task.due_date is not None:
        tags.append(f'<span class="tag warn">due {_text(task.due_date.isoformat(timespec="minutes"))}</span>')
    if task.assignee:
        tags.append(f'<span class="tag">claimed by {_text(task.assignee)}</span>')
    buttons = (
        "".join(
            f'<button class="{value if value in ("approved", "rejected") else "other"}" '
            f'name="outcome" value="{_text(value)}">{_text(label)}</button>'
            for label, value in task.step.outcomes()
        )
        or '<button class="other" name="outcome" value="">Complete</button>'
    )
    action = request.url_for("inbox_complete", task_id=task.id)
    date_inputs = "".join(  # the form's date fields (e.g. the new delivery date)
        f'<input type="date" name="{_text(name)}" aria-label="{_text(name)}" title="{_text(name)}">'
        for name in task.step.date_fields
    )
    return (
        '<article class="card">'
        f'<div class="top"><span class="task">{_text(task.name)}</span>{"".join(tags)}</div>'
        f"{_facts_html(instance)}{_all_variables_html(instance.variables)}"
        f'<form method="post" action="{_text(action)}">'
        f'<input name="reviewer" value="{_text(task.assignee or _DEFAULT_REVIEWER)}" aria-label="Reviewer" size="28">'
        '<input name="comment" placeholder="Comment (optional)" aria-label="Comment" size="40">'
        '<input name="item_sku" placeholder="Item SKU (substitute / exchange)" aria-label="Item SKU" size="24">'
        f"{date_inputs}"
        f"{buttons}</form></article>"
    )


def render_inbox(request: Request, engine: WorkflowEngine, tenant_ids: list[str]) -> str:
    sections = []
    total = 0
    for tenant_id in tenant_ids:
        tasks = engine.active_tasks(tenant_id)
        total += len(tasks)
        cards = "".join(
            _task_html(request, task, engine.instance(tenant_id, task.process_instance_id)) for task in tasks
        )
        sections.append(f"<h2>Tenant {_text(tenant_id)}</h2>" + (cards or '<p class="empty">No open tasks.</p>'))
    notice = request.query_params.get("notice")
    error = request.query_params.get("error")
    banner = ""
    if error:
        banner = f'<div class="notice error">{_text(error)}</div>'
    elif notice:
        banner = f'<div class="notice">{_text(notice)}</div>'
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        "<title>Reviewer inbox · OpenText Workflow (sandbox)</title>"
        f"<style>{_STYLE}</style></head><body>"
        f"<header><h1>Reviewer inbox</h1><p>Simulated OpenText Workflow Service · {total} open "
        f"task{'s' if total != 1 else ''}</p></header>"
        f"<main>{banner}{''.join(sections)}</main></body></html>"
    )


def build_inbox_router(
    engine: WorkflowEngine,
    tenant_ids: Callable[[], list[str]],
    complete: Callable[[str, str, str | None, str, str | None, str | None, dict[str, str]], None],
) -> APIRouter:
    """`complete(tenant_id, task_id, outcome, reviewer, comment, item_sku, dates)` is the simulator's
    completion path; `dates` holds the task form's date fields the reviewer filled in."""
    router = APIRouter(tags=["reviewer inbox (sandbox)"])

    @router.get("/inbox", name="inbox", response_class=HTMLResponse)
    async def inbox(request: Request) -> HTMLResponse:
        return HTMLResponse(render_inbox(request, engine, tenant_ids()))

    @router.post("/inbox/tasks/{task_id}", name="inbox_complete")
    async def inbox_complete(
        request: Request,
        task_id: str,
        outcome: str = Form(""),
        reviewer: str = Form(""),
        comment: str = Form(""),
        item_sku: str = Form(""),
    ) -> RedirectResponse:
        target = request.url_for("inbox")
        owner = next((t for t in tenant_ids() if any(x.id == task_id for x in engine.active_tasks(t))), None)
        if owner is None:
            target = target.include_query_params(error="That task is no longer open.")
            return RedirectResponse(str(target), status_code=303)
        form = await request.form()
        fields = engine.task(owner, task_id).step.date_fields
        dates = {name: str(form.get(name) or "").strip() for name in fields}
        try:
            complete(
                owner,
                task_id,
                outcome or None,
                reviewer.strip() or _DEFAULT_REVIEWER,
                comment.strip() or None,
                item_sku.strip() or None,
                {name: value for name, value in dates.items() if value},
            )
        except SimulatedHttpError as exc:
            message = str(exc.body.get("exception", exc))
            return RedirectResponse(str(target.include_query_params(error=message)), status_code=303)
        label = outcome or "completed"
        return RedirectResponse(str(target.include_query_params(notice=f"Task {label}.")), status_code=303)

    return router
