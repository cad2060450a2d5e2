"""Strict simulator of the OpenText Workflow Service (OT2 `/workflow/v1`) and its token endpoint.

Mounted by `sandbox.app` at `/opentext`, so paths below are relative to that prefix:

* `POST /tenants/{tenant}/oauth2/token`  client credentials (JSON as OpenText's Postman collections
  send it, or form-encoded; HTTP Basic client auth also accepted)
* `GET  /workflow/v1/runtime/models`, `GET /workflow/v1/runtime/models/{id}`
* `POST /workflow/v1/process-instances`, `GET /workflow/v1/process-instances`,
  `GET|DELETE /workflow/v1/process-instances/{id}`,
  `GET|POST /workflow/v1/process-instances/{id}/comments`
* `GET /workflow/v1/tasks`, `GET|POST|PUT /workflow/v1/tasks/{id}`
* attachments by reference on tasks and process instances: see `sandbox.opentext.attachment_routes`
* `GET /inbox`, `POST /inbox/tasks/{task_id}`  the demo reviewer inbox (no auth, no faults)

Fault injection: before each call the simulator asks `world.faults.take("opentext-workflow", op)`
where `op` is `"<METHOD> <route template>"` exactly as in `OPERATIONS` (e.g.
`"POST /workflow/v1/tasks/{id}"`); fault rules may use `fnmatch` patterns.

Behaviour choices where the real service is undocumented (see the reference, section 7):
* `DELETE` of an ended instance answers 409 (the instance is still readable with GET here).
* Task actions answer 200 with the task for `claim`/`delegate`/`resolve` and 204 for `complete`.
* Claiming a task claimed by another user answers 409 (Flowable's answer), body `{"exception": ...}`.
* `GET /process-instances` lists ended instances too (filtered by `businessKey`, an ASSUMPTION).
* Starting a second instance with a used `businessKey` is allowed, as in Flowable.
"""

# No `from __future__ import annotations` here: FastAPI must evaluate the route signatures, whose
# `Depends(api(...))` annotations refer to names local to `_build_router`.
import json
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request, Response
from fastapi.responses import JSONResponse

from sandbox.opentext.attachment_routes import ATTACHMENT_OPERATIONS, build_attachment_router
from sandbox.opentext.callback_signing import signed_headers
from sandbox.opentext.engine import (
    AttachmentState,
    CompletionRecord,
    ProcessInstanceState,
    TaskState,
    VariableState,
    WorkflowEngine,
)
from sandbox.opentext.errors import api_error
from sandbox.opentext.http_support import (
    API_FAULT_EFFECTS,
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    WorkflowRoute,
    apply_fault,
    check_paging,
    parse_body,
    sorted_by,
    token_request_fields,
)
from sandbox.opentext.inbox import build_inbox_router
from sandbox.opentext.process_models import DEFAULT_MODELS, HttpCallbackStep, ProcessModelDefinition
from sandbox.opentext.rendering import comment_json, hal_page, instance_json, iso, model_json, task_json
from sandbox.opentext.schemas import (
    CommentRequest,
    StartProcessRequest,
    TaskActionRequest,
    TaskUpdateRequest,
)
from sandbox.opentext.tokens import IssuedToken, TokenIssuer
from sandbox.world import SandboxWorld

SYSTEM = "opentext-workflow"

OP_TOKEN = "POST /tenants/{tenant}/oauth2/token"
OP_LIST_MODELS = "GET /workflow/v1/runtime/models"
OP_GET_MODEL = "GET /workflow/v1/runtime/models/{id}"
OP_START = "POST /workflow/v1/process-instances"
OP_LIST_INSTANCES = "GET /workflow/v1/process-instances"
OP_GET_INSTANCE = "GET /workflow/v1/process-instances/{id}"
OP_DELETE_INSTANCE = "DELETE /workflow/v1/process-instances/{id}"
OP_LIST_COMMENTS = "GET /workflow/v1/process-instances/{id}/comments"
OP_ADD_COMMENT = "POST /workflow/v1/process-instances/{id}/comments"
OP_LIST_TASKS = "GET /workflow/v1/tasks"
OP_GET_TASK = "GET /workflow/v1/tasks/{id}"
OP_TASK_ACTION = "POST /workflow/v1/tasks/{id}"
OP_UPDATE_TASK = "PUT /workflow/v1/tasks/{id}"
OPERATIONS: tuple[str, ...] = (
    OP_TOKEN,
    OP_LIST_MODELS,
    OP_GET_MODEL,
    OP_START,
    OP_LIST_INSTANCES,
    OP_GET_INSTANCE,
    OP_DELETE_INSTANCE,
    OP_LIST_COMMENTS,
    OP_ADD_COMMENT,
    OP_LIST_TASKS,
    OP_GET_TASK,
    OP_TASK_ACTION,
    OP_UPDATE_TASK,
    *ATTACHMENT_OPERATIONS,
)


class WorkflowServiceSimulator:
    """One simulated Workflow Service holding every configured tenant.

    Python surface for tests (same code paths as the HTTP API): `complete_task`, `instances`,
    `tasks`, `attachments`, `deploy`, `expire_tokens`, `reset`; `engine` and `tokens` for deeper inspection.
    """

    def __init__(
        self,
        world: SandboxWorld,
        *,
        models: Iterable[ProcessModelDefinition] = DEFAULT_MODELS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.world = world
        self.tokens = TokenIssuer(world.config.tenants, clock)
        self.engine = WorkflowEngine(list(models), self._send_callback, world.effects)
        self.router = self._build_router()

    # -- Python surface -------------------------------------------------------------------------

    def complete_task(
        self,
        tenant_id: str,
        task_id: str,
        outcome: str | None,
        reviewer: str | None = None,
        variables: dict[str, object] | None = None,
    ) -> CompletionRecord:
        """Complete a task as a reviewer would (needs a running event loop for the callback)."""
        task = self.engine.task(tenant_id, task_id)
        states = [VariableState.infer(name, value) for name, value in (variables or {}).items()]
        return self.engine.complete(tenant_id, task_id, outcome, reviewer or task.assignee or "reviewer", states)

    def instances(self, tenant_id: str) -> list[ProcessInstanceState]:
        return self.engine.instances(tenant_id)

    def tasks(self, tenant_id: str) -> list[TaskState]:
        """Open (active) tasks of the tenant."""
        return self.engine.active_tasks(tenant_id)

    def attachments(self, tenant_id: str, instance_id: str) -> list[AttachmentState]:
        """Every attachment of an instance, its tasks' included."""
        return self.engine.process_attachments(tenant_id, instance_id)

    def deploy(self, model: ProcessModelDefinition) -> None:
        self.engine.deploy(model)

    def expire_tokens(self, tenant_id: str | None = None) -> None:
        """Make every issued token (of one tenant) expired, as if time had passed."""
        self.tokens.expire(tenant_id)

    def reset(self) -> None:
        """Forget all instances, tasks and comments (models and tokens stay)."""
        self.engine.reset()

    def tenant_ids(self) -> list[str]:
        return [tenant.tenant_id for tenant in self.tokens.tenants]

    # -- callbacks ------------------------------------------------------------------------------

    def _send_callback(
        self,
        instance: ProcessInstanceState,
        step: HttpCallbackStep,
        url: str,
        completion: CompletionRecord | None,
    ) -> None:
        """The model's HTTP service task: serialise once, sign those bytes, hand to the deliverer."""
        tenant = self.tokens.tenant(instance.tenant_id)
        if tenant is None:
            raise api_error(500, f"Tenant '{instance.tenant_id}' has no callback secret")
        payload = {
            "tenantId": instance.tenant_id,
            "processInstanceId": instance.id,
            "processDefinitionKey": instance.definition.key,
            "businessKey": instance.business_key,
            "taskId": completion.task_id if completion else None,
            "taskName": completion.task_name if completion else None,
            "outcome": completion.outcome if completion else None,
            "outcomeVariable": completion.outcome_variable if completion else None,
            "completedBy": completion.completed_by if completion else None,
            "completedAt": iso(completion.completed_at) if completion else None,
            "variables": completion.variables if completion else {},
        }
        body = json.dumps(payload, separators=(",", ":")).encode()
        headers = signed_headers(tenant.callback_secret.get_secret_value(), body)
        self.world.deliverer.send(
            SYSTEM, step.label, url, body, headers, store=instance.tenant_id, orders=[instance.business_key]
        )

    def _complete_from_inbox(
        self,
        tenant_id: str,
        task_id: str,
        outcome: str | None,
        reviewer: str,
        comment: str | None,
        item_sku: str | None,
        dates: dict[str, str],
    ) -> None:
        instance_id = self.engine.task(tenant_id, task_id).process_instance_id
        # The form's fields become task variables, as a task form would submit them; the callback
        # carries them in `variables` (Casebridge reads `reviewer`, `comment`, `itemSku` and
        # `deliveryDate`).
        variables: dict[str, object] = {"reviewer": reviewer, **dates}
        if comment:
            variables["comment"] = comment
        if item_sku:
            variables["itemSku"] = item_sku
        self.complete_task(tenant_id, task_id, outcome, reviewer, variables)
        if comment:
            self.engine.add_comment(tenant_id, instance_id, reviewer, comment, task_id)

    # -- HTTP -----------------------------------------------------------------------------------

    async def _inject_fault(self, operation: str) -> None:
        rule = self.world.faults.take(SYSTEM, operation, API_FAULT_EFFECTS)
        if rule is not None:
            await apply_fault(rule)

    def _api(self, operation: str) -> Callable[..., Awaitable[IssuedToken]]:
        """Dependency for one API operation: fault injection first, then the bearer token."""

        async def guard(authorization: Annotated[str | None, Header()] = None) -> IssuedToken:
            await self._inject_fault(operation)
            return self.tokens.authenticate(authorization)

        return guard

    def _build_router(self) -> APIRouter:
        router = APIRouter(route_class=WorkflowRoute)
        engine = self.engine
        api = self._api

        @router.post("/tenants/{tenant}/oauth2/token", tags=["opentext identity"])
        async def token(request: Request, tenant: str) -> JSONResponse:
            await self._inject_fault(OP_TOKEN)
            fields = await token_request_fields(request)
            access_token, ttl = self.tokens.issue(
                tenant, fields.get("grant_type"), fields.get("client_id"), fields.get("client_secret")
            )
            return JSONResponse(
                {"access_token": access_token, "token_type": "Bearer", "expires_in": ttl},
                headers={"Cache-Control": "no-store"},
            )

        # -- models --

        @router.get("/workflow/v1/runtime/models", tags=["opentext workflow"])
        async def list_models(
            request: Request,
            caller: Annotated[IssuedToken, Depends(api(OP_LIST_MODELS))],
            key: str | None = None,
            offset: int = 0,
            count: int = DEFAULT_PAGE_SIZE,
        ) -> JSONResponse:
            check_paging(offset, count)
            models = [m for m in engine.models() if key is None or m.key == key]
            items = [model_json(m, caller.tenant_id, include_content=False) for m in models[offset : offset + count]]
            page = hal_page("models", items, total=len(models), offset=offset, count=count, url=request.url)
            return JSONResponse(page)

        @router.get("/workflow/v1/runtime/models/{model_id}", tags=["opentext workflow"])
        async def get_model(model_id: str, caller: Annotated[IssuedToken, Depends(api(OP_GET_MODEL))]) -> JSONResponse:
            for model in engine.models():
                if model_id in (model.model_id, model.key):
                    return JSONResponse(model_json(model, caller.tenant_id, include_content=True))
            raise api_error(404, "Model not found", f"No model with id '{model_id}'.")

        # -- process instances --

        @router.post("/workflow/v1/process-instances", tags=["opentext workflow"])
        async def start_process(
            request: Request, caller: Annotated[IssuedToken, Depends(api(OP_START))]
        ) -> JSONResponse:
            body = parse_body(StartProcessRequest, await request.body(), "Invalid process instance request")
            instance = engine.start(caller.tenant_id, caller.client_id, body)
            return JSONResponse(instance_json(instance, include_variables=body.returnVariables), status_code=201)

        @router.get("/workflow/v1/process-instances", tags=["opentext workflow"])
        async def list_processes(
            request: Request,
            caller: Annotated[IssuedToken, Depends(api(OP_LIST_INSTANCES))],
            businessKey: str | None = None,
            processDefinitionKey: str | None = None,
            includeProcessVariables: bool = False,
            sort: str = "startTime",
            order: str = "asc",
            offset: int = 0,
            count: int = DEFAULT_PAGE_SIZE,
        ) -> JSONResponse:
            check_paging(offset, count)
            if sort not in ("startTime", "id", "businessKey"):
                raise api_error(400, f"Invalid sort '{sort}'", "Use startTime, id or businessKey.")
            matches = [
                i
                for i in engine.instances(caller.tenant_id)
                if (businessKey is None or i.business_key == businessKey)
                and (processDefinitionKey is None or i.definition.key == processDefinitionKey)
            ]
            sort_key: dict[str, Callable[[ProcessInstanceState], Any]] = {
                "startTime": lambda i: (i.start_time, i.id),
                "id": lambda i: i.id,
                "businessKey": lambda i: (i.business_key or "", i.start_time),
            }
            matches = sorted_by(matches, sort_key[sort], order)
            items = [
                instance_json(i, include_variables=includeProcessVariables) for i in matches[offset : offset + count]
            ]
            page = hal_page("process-instances", items, total=len(matches), offset=offset, count=count, url=request.url)
            return JSONResponse(page)

        @router.get("/workflow/v1/process-instances/{instance_id}", tags=["opentext workflow"])
        async def get_process(
            instance_id: str,
            caller: Annotated[IssuedToken, Depends(api(OP_GET_INSTANCE))],
            includeProcessVariables: bool = False,
        ) -> JSONResponse:
            instance = engine.instance(caller.tenant_id, instance_id)
            return JSONResponse(instance_json(instance, include_variables=includeProcessVariables))

        @router.delete("/workflow/v1/process-instances/{instance_id}", status_code=204, tags=["opentext workflow"])
        async def delete_process(
            instance_id: str,
            caller: Annotated[IssuedToken, Depends(api(OP_DELETE_INSTANCE))],
            deleteReason: str | None = None,
        ) -> Response:
            engine.delete(caller.tenant_id, instance_id, deleteReason)
            return Response(status_code=204)

        @router.get("/workflow/v1/process-instances/{instance_id}/comments", tags=["opentext workflow"])
        async def list_comments(
            request: Request,
            instance_id: str,
            caller: Annotated[IssuedToken, Depends(api(OP_LIST_COMMENTS))],
            offset: int = 0,
            count: int = MAX_PAGE_SIZE,
        ) -> JSONResponse:
            check_paging(offset, count)
            comments = engine.instance(caller.tenant_id, instance_id).comments
            items = [comment_json(c) for c in comments[offset : offset + count]]
            page = hal_page("comments", items, total=len(comments), offset=offset, count=count, url=request.url)
            return JSONResponse(page)

        @router.post("/workflow/v1/process-instances/{instance_id}/comments", tags=["opentext workflow"])
        async def add_comment(
            request: Request, instance_id: str, caller: Annotated[IssuedToken, Depends(api(OP_ADD_COMMENT))]
        ) -> JSONResponse:
            body = parse_body(CommentRequest, await request.body(), "Invalid comment")
            comment = engine.add_comment(caller.tenant_id, instance_id, caller.client_id, body.message)
            return JSONResponse(comment_json(comment), status_code=201)

        # -- tasks --

        @router.get("/workflow/v1/tasks", tags=["opentext workflow"])
        async def list_tasks(
            request: Request,
            caller: Annotated[IssuedToken, Depends(api(OP_LIST_TASKS))],
            processInstanceId: str | None = None,
            processInstanceBusinessKey: str | None = None,
            processDefinitionKey: str | None = None,
            candidateGroup: str | None = None,
            candidateGroups: str | None = None,
            assignee: str | None = None,
            unassigned: bool | None = None,
            name: str | None = None,
            active: bool | None = None,
            includeProcessVariables: bool = False,
            sort: str = "createTime",
            order: str = "asc",
            offset: int = 0,
            count: int = DEFAULT_PAGE_SIZE,
        ) -> JSONResponse:
            check_paging(offset, count)
            if sort not in ("createTime", "priority", "name", "dueDate", "id"):
                raise api_error(400, f"Invalid sort '{sort}'", "Use createTime, priority, name, dueDate or id.")
            groups = {g.strip() for g in (candidateGroups or "").split(",") if g.strip()}
            if candidateGroup:
                groups.add(candidateGroup)
            tenant_id = caller.tenant_id

            def wanted(task: TaskState) -> bool:
                instance = engine.instance(tenant_id, task.process_instance_id)
                return (
                    active is not False  # the runtime holds active tasks only; none is suspended
                    and (processInstanceId is None or task.process_instance_id == processInstanceId)
                    and (processInstanceBusinessKey is None or instance.business_key == processInstanceBusinessKey)
                    and (processDefinitionKey is None or instance.definition.key == processDefinitionKey)
                    and (not groups or bool(groups & set(task.candidate_groups)))
                    and (assignee is None or task.assignee == assignee)
                    and (unassigned is not True or task.assignee is None)
                    and (name is None or task.name == name)
                )

            sort_key: dict[str, Callable[[TaskState], Any]] = {
                "createTime": lambda t: (t.create_time, t.id),
                "priority": lambda t: (t.priority, t.create_time, t.id),
                "name": lambda t: (t.name, t.id),
                "dueDate": lambda t: (t.due_date is None, t.due_date or t.create_time, t.id),
                "id": lambda t: t.id,
            }
            matches = sorted_by([t for t in engine.active_tasks(tenant_id) if wanted(t)], sort_key[sort], order)
            items = [
                task_json(
                    t, engine.instance(tenant_id, t.process_instance_id), include_variables=includeProcessVariables
                )
                for t in matches[offset : offset + count]
            ]
            page = hal_page("tasks", items, total=len(matches), offset=offset, count=count, url=request.url)
            return JSONResponse(page)

        @router.get("/workflow/v1/tasks/{task_id}", tags=["opentext workflow"])
        async def get_task(
            task_id: str,
            caller: Annotated[IssuedToken, Depends(api(OP_GET_TASK))],
            includeProcessVariables: bool = False,
        ) -> JSONResponse:
            task = engine.task(caller.tenant_id, task_id)
            instance = engine.instance(caller.tenant_id, task.process_instance_id)
            return JSONResponse(task_json(task, instance, include_variables=includeProcessVariables))

        @router.post("/workflow/v1/tasks/{task_id}", tags=["opentext workflow"])
        async def task_action(
            request: Request, task_id: str, caller: Annotated[IssuedToken, Depends(api(OP_TASK_ACTION))]
        ) -> Response:
            tenant_id = caller.tenant_id
            task = engine.task(tenant_id, task_id)  # 404 before body checks, as the runtime does
            body = parse_body(TaskActionRequest, await request.body(), "Invalid task action")
            if body.action == "complete":
                variables = [VariableState.from_request(v) for v in body.variables]
                engine.complete(tenant_id, task_id, body.outcome, task.assignee or caller.client_id, variables)
                return Response(status_code=204)
            if body.action == "claim":
                task = engine.claim(tenant_id, task_id, body.assignee)
            elif body.action == "delegate":
                task = engine.delegate(tenant_id, task_id, body.assignee, caller.client_id)
            else:
                task = engine.resolve(tenant_id, task_id)
            instance = engine.instance(tenant_id, task.process_instance_id)
            return JSONResponse(task_json(task, instance, include_variables=False))

        @router.put("/workflow/v1/tasks/{task_id}", tags=["opentext workflow"])
        async def update_task(
            request: Request, task_id: str, caller: Annotated[IssuedToken, Depends(api(OP_UPDATE_TASK))]
        ) -> JSONResponse:
            engine.task(caller.tenant_id, task_id)
            body = parse_body(TaskUpdateRequest, await request.body(), "Invalid task update")
            task = engine.update_task(caller.tenant_id, task_id, body)
            instance = engine.instance(caller.tenant_id, task.process_instance_id)
            return JSONResponse(task_json(task, instance, include_variables=False))

        router.include_router(build_attachment_router(engine, api))
        router.include_router(build_inbox_router(engine, self.tenant_ids, self._complete_from_inbox))
        return router
