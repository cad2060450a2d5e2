"""Attachment routes of the simulated Workflow Service: attachments BY REFERENCE on tasks and process
instances (paths relative to the `/opentext` mount):

* `POST|GET /workflow/v1/tasks/{id}/attachments`, `GET|DELETE /workflow/v1/tasks/{id}/attachments/{aid}`
  (the paths OpenText's API index lists)
* the same four under `/workflow/v1/process-instances/{id}/attachments` (an ASSUMPTION, Flowable-like;
  an instance's list includes its tasks' attachments)

Bodies are Flowable's `{"name", "description", "type", "externalUrl"}` (an ASSUMPTION, see
`connectors/opentext/contract.py`); a missing or non-http(s) `externalUrl` is a 400. Every POST adds a
new attachment, as in Flowable: the names are not unique, so duplicates are visible to tests. Adding
to an ended instance answers 409. `DELETE` takes `cascade`/`cascadeContent` (OT2); with nothing
stored here but a link there is no content to cascade to, so they only have to be booleans.
"""

# No `from __future__ import annotations`: FastAPI evaluates these signatures (see workflow_api).
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from sandbox.opentext.engine import AttachmentState, WorkflowEngine
from sandbox.opentext.errors import not_found
from sandbox.opentext.http_support import WorkflowRoute, parse_body
from sandbox.opentext.rendering import attachment_json
from sandbox.opentext.schemas import AttachmentRequest
from sandbox.opentext.tokens import IssuedToken

_TASK = "/workflow/v1/tasks/{id}/attachments"
_PROCESS = "/workflow/v1/process-instances/{id}/attachments"
OP_ADD_TASK_ATTACHMENT = f"POST {_TASK}"
OP_LIST_TASK_ATTACHMENTS = f"GET {_TASK}"
OP_GET_TASK_ATTACHMENT = f"GET {_TASK}/{{attachmentId}}"
OP_DELETE_TASK_ATTACHMENT = f"DELETE {_TASK}/{{attachmentId}}"
OP_ADD_PROCESS_ATTACHMENT = f"POST {_PROCESS}"
OP_LIST_PROCESS_ATTACHMENTS = f"GET {_PROCESS}"
OP_GET_PROCESS_ATTACHMENT = f"GET {_PROCESS}/{{attachmentId}}"
OP_DELETE_PROCESS_ATTACHMENT = f"DELETE {_PROCESS}/{{attachmentId}}"
ATTACHMENT_OPERATIONS: tuple[str, ...] = (
    OP_ADD_TASK_ATTACHMENT,
    OP_LIST_TASK_ATTACHMENTS,
    OP_GET_TASK_ATTACHMENT,
    OP_DELETE_TASK_ATTACHMENT,
    OP_ADD_PROCESS_ATTACHMENT,
    OP_LIST_PROCESS_ATTACHMENTS,
    OP_GET_PROCESS_ATTACHMENT,
    OP_DELETE_PROCESS_ATTACHMENT,
)

Guard = Callable[[str], Callable[..., Awaitable[IssuedToken]]]


def _api_root(request: Request) -> str:
    return str(request.url).split("/workflow/v1/", 1)[0] + "/workflow/v1"


def _self_url(request: Request, attachment: AttachmentState) -> str:
    # An attachment's canonical URL is under the task it was added to, else under its instance.
    if attachment.task_id is not None:
        return f"{_api_root(request)}/tasks/{attachment.task_id}/attachments/{attachment.id}"
    return f"{_api_root(request)}/process-instances/{attachment.process_instance_id}/attachments/{attachment.id}"


def _page(request: Request, attachments: list[AttachmentState]) -> dict[str, object]:
    """Every attachment in one HAL page (owners hold a handful; no paging parameters were seen)."""
    count = len(attachments)
    return {
        "_embedded": {"attachments": [attachment_json(a, _self_url(request, a)) for a in attachments]},
        "_links": {"self": {"href": str(request.url)}},
        "page": {"size": count, "totalElements": count, "totalPages": 1 if count else 0, "number": 0},
    }


def _one(attachments: list[AttachmentState], attachment_id: str) -> AttachmentState:
    for attachment in attachments:
        if attachment.id == attachment_id:
            return attachment
    raise not_found("Attachment", attachment_id)


def build_attachment_router(engine: WorkflowEngine, api: Guard) -> APIRouter:
    router = APIRouter(route_class=WorkflowRoute, tags=["opentext workflow"])

    # -- on tasks --

    @router.post(_TASK.replace("{id}", "{task_id}"))
    async def add_task_attachment(
        request: Request, task_id: str, caller: Annotated[IssuedToken, Depends(api(OP_ADD_TASK_ATTACHMENT))]
    ) -> JSONResponse:
        task = engine.task(caller.tenant_id, task_id)  # 404 before body checks
        body = parse_body(AttachmentRequest, await request.body(), "Invalid attachment")
        attachment = engine.add_attachment(caller.tenant_id, task.process_instance_id, task.id, caller.client_id, body)
        return JSONResponse(attachment_json(attachment, _self_url(request, attachment)), status_code=201)

    @router.get(_TASK.replace("{id}", "{task_id}"))
    async def list_task_attachments(
        request: Request,
        task_id: str,
        caller: Annotated[IssuedToken, Depends(api(OP_LIST_TASK_ATTACHMENTS))],
        includeUserIds: bool = False,
    ) -> JSONResponse:
        return JSONResponse(_page(request, engine.task_attachments(caller.tenant_id, task_id)))

    @router.get(_TASK.replace("{id}", "{task_id}") + "/{attachment_id}")
    async def get_task_attachment(
        request: Request,
        task_id: str,
        attachment_id: str,
        caller: Annotated[IssuedToken, Depends(api(OP_GET_TASK_ATTACHMENT))],
        includeUserIds: bool = False,
    ) -> JSONResponse:
        attachment = _one(engine.task_attachments(caller.tenant_id, task_id), attachment_id)
        return JSONResponse(attachment_json(attachment, _self_url(request, attachment)))

    @router.delete(_TASK.replace("{id}", "{task_id}") + "/{attachment_id}", status_code=204)
    async def delete_task_attachment(
        task_id: str,
        attachment_id: str,
        caller: Annotated[IssuedToken, Depends(api(OP_DELETE_TASK_ATTACHMENT))],
        cascade: bool = False,
        cascadeContent: bool = False,
    ) -> Response:
        attachment = _one(engine.task_attachments(caller.tenant_id, task_id), attachment_id)
        engine.delete_attachment(caller.tenant_id, attachment)
        return Response(status_code=204)

    # -- on process instances --

    @router.post(_PROCESS.replace("{id}", "{instance_id}"))
    async def add_process_attachment(
        request: Request,
        instance_id: str,
        caller: Annotated[IssuedToken, Depends(api(OP_ADD_PROCESS_ATTACHMENT))],
    ) -> JSONResponse:
        engine.instance(caller.tenant_id, instance_id)  # 404 before body checks
        body = parse_body(AttachmentRequest, await request.body(), "Invalid attachment")
        attachment = engine.add_attachment(caller.tenant_id, instance_id, None, caller.client_id, body)
        return JSONResponse(attachment_json(attachment, _self_url(request, attachment)), status_code=201)

    @router.get(_PROCESS.replace("{id}", "{instance_id}"))
    async def list_process_attachments(
        request: Request,
        instance_id: str,
        caller: Annotated[IssuedToken, Depends(api(OP_LIST_PROCESS_ATTACHMENTS))],
        includeUserIds: bool = False,
    ) -> JSONResponse:
        return JSONResponse(_page(request, engine.process_attachments(caller.tenant_id, instance_id)))

    @router.get(_PROCESS.replace("{id}", "{instance_id}") + "/{attachment_id}")
    async def get_process_attachment(
        request: Request,
        instance_id: str,
        attachment_id: str,
        caller: Annotated[IssuedToken, Depends(api(OP_GET_PROCESS_ATTACHMENT))],
        includeUserIds: bool = False,
    ) -> JSONResponse:
        attachment = _one(engine.process_attachments(caller.tenant_id, instance_id), attachment_id)
        return JSONResponse(attachment_json(attachment, _self_url(request, attachment)))

    @router.delete(_PROCESS.replace("{id}", "{instance_id}") + "/{attachment_id}", status_code=204)
    async def delete_process_attachment(
        instance_id: str,
        attachment_id: str,
        caller: Annotated[IssuedToken, Depends(api(OP_DELETE_PROCESS_ATTACHMENT))],
        cascade: bool = False,
        cascadeContent: bool = False,
    ) -> Response:
        attachment = _one(engine.process_attachments(caller.tenant_id, instance_id), attachment_id)
        engine.delete_attachment(caller.tenant_id, attachment)
        return Response(status_code=204)

    return router
