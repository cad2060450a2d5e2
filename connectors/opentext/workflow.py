"""Connector for the OpenText Workflow Service (OT2 `/workflow/v1`): start review processes, read and
act on their tasks, withdraw them, and link documents that live elsewhere (Content Server nodes,
Exstream outputs) to tasks and instances as attachments by reference.

Every method raises only `connectors.errors` types (`system="opentext-workflow"`, `operation` = the
method name), so activities can leave retry decisions to Temporal. A 401 from the API is answered by
fetching a fresh token and repeating the call once; a second 401 is an `AuthenticationError`.
Wire-level assumptions live in `connectors.opentext.contract`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, SecretStr, ValidationError

from connectors.errors import ContractError, contract_error
from connectors.lifecycle import Closing
from connectors.opentext.attachments import existing_attachment, parse_attachment_list
from connectors.opentext.auth import TokenProvider
from connectors.opentext.contract import (
    API_PREFIX,
    ATTACHMENTS,
    CANDIDATE_ASSIGNMENT_TYPE,
    CASCADE_CONTENT_PARAM,
    CASCADE_PARAM,
    DEFAULT_PAGE_SIZE,
    DELETE_REASON_PARAM,
    INCLUDE_USER_IDS_PARAM,
    MAX_PAGES,
    PROCESS_BUSINESS_KEY_PARAM,
    PROCESS_INSTANCES,
    START_OUTCOME,
    SYSTEM,
    TASK_BUSINESS_KEY_PARAM,
    TASKS,
    TOKEN_PATH,
)
from connectors.opentext.error_mapping import error_for_response, error_for_transport
from connectors.opentext.models import (
    Attachment,
    AttachmentReference,
    Comment,
    CommentPage,
    HalPage,
    ProcessInstance,
    ProcessInstancePage,
    Task,
    TaskPage,
    iso_datetime,
    to_wire_variables,
)
from connectors.telemetry import external_call

log = logging.getLogger(__name__)

_Model = TypeVar("_Model", bound=BaseModel)
_PageT = TypeVar("_PageT", bound=HalPage)
_Item = TypeVar("_Item")
_Params = dict[str, str | int | bool]


def _segment(value: str) -> str:
    """An id as one path segment (ids come from the service, but never trust them into a path)."""
    return quote(value, safe="")


def _instances(page: ProcessInstancePage) -> list[ProcessInstance]:
    return page.items


def _tasks(page: TaskPage) -> list[Task]:
    return page.items


def _comments(page: CommentPage) -> list[Comment]:
    return page.items


class OpenTextWorkflowClient(Closing):
    def __init__(
        self,
        base_url: str,
        tenant_id: str,
        client_id: str,
        client_secret: SecretStr,
        *,
        timeout: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
    ) -> None:
        """`base_url` is the region host (plus any prefix), e.g. `https://us.api.opentext.com` or the
        sandbox's `http://127.0.0.1:8100/opentext`."""
        base = base_url.rstrip("/")
        self._api = f"{base}{API_PREFIX}"
        self._page_size = page_size
        self._http = httpx.AsyncClient(timeout=timeout, transport=transport)
        self._tokens = TokenProvider(
            self._http, f"{base}{TOKEN_PATH.format(tenant_id=_segment(tenant_id))}", client_id, client_secret
        )

    # -- lifecycle ------------------------------------------------------------------------------

    async def aclose(self) -> None:
        await self._http.aclose()

    @property
    def token_fetches(self) -> int:
        """How many access tokens this client has requested so far."""
        return self._tokens.fetch_count

    # -- process instances ----------------------------------------------------------------------

    async def start_process(
        self, definition_key: str, name: str, business_key: str, variables: Mapping[str, object]
    ) -> ProcessInstance:
        """Start an instance; the answer includes its variables. Not idempotent by itself: look the
        business key up with `find_processes` first when a retry may repeat the start."""
        body = {
            "processDefinitionKey": definition_key,
            "name": name,
            "businessKey": business_key,
            "outcome": START_OUTCOME,
            "variables": to_wire_variables(variables),
            "returnVariables": True,
        }
        response = await self._call("start_process", "POST", PROCESS_INSTANCES, json=body)
        return self._parse(response, ProcessInstance, "start_process")

    async def find_processes(self, business_key: str, definition_key: str | None = None) -> list[ProcessInstance]:
        """Every instance (running or ended) with this business key, oldest first."""
        params: _Params = {PROCESS_BUSINESS_KEY_PARAM: business_key}
        if definition_key is not None:
            params["processDefinitionKey"] = definition_key
        return await self._collect("find_processes", PROCESS_INSTANCES, params, ProcessInstancePage, _instances)

    async def get_process(self, process_instance_id: str, include_variables: bool = True) -> ProcessInstance:
        response = await self._call(
            "get_process",
            "GET",
            f"{PROCESS_INSTANCES}/{_segment(process_instance_id)}",
            params={"includeProcessVariables": include_variables},
        )
        return self._parse(response, ProcessInstance, "get_process")

    async def delete_process(self, process_instance_id: str, reason: str) -> None:
        """Withdraw a running instance; its open tasks disappear. Ended instances: `ConflictError`."""
        await self._call(
            "delete_process",
            "DELETE",
            f"{PROCESS_INSTANCES}/{_segment(process_instance_id)}",
            params={DELETE_REASON_PARAM: reason},
        )

    async def add_comment(self, process_instance_id: str, message: str) -> Comment:
        response = await self._call(
            "add_comment",
            "POST",
            f"{PROCESS_INSTANCES}/{_segment(process_instance_id)}/comments",
            json={"message": message, "includeUserIds": False},
        )
        return self._parse(response, Comment, "add_comment")

    async def list_comments(self, process_instance_id: str) -> list[Comment]:
        path = f"{PROCESS_INSTANCES}/{_segment(process_instance_id)}/comments"
        return await self._collect("list_comments", path, {}, CommentPage, _comments)

    # -- tasks ----------------------------------------------------------------------------------

    async def list_tasks(
        self,
        *,
        process_instance_id: str | None = None,
        business_key: str | None = None,
        candidate_group: str | None = None,
        assignee: str | None = None,
        include_variables: bool = True,
    ) -> list[Task]:
        """Open tasks matching every filter given, across all pages."""
        params: _Params = {"includeProcessVariables": include_variables}
        if process_instance_id is not None:
            params["processInstanceId"] = process_instance_id
        if business_key is not None:
            params[TASK_BUSINESS_KEY_PARAM] = business_key
        if candidate_group is not None:
            params["candidateGroup"] = candidate_group
        if assignee is not None:
            params["assignee"] = assignee
        return await self._collect("list_tasks", TASKS, params, TaskPage, _tasks)

    async def get_task(self, task_id: str, include_variables: bool = True) -> Task:
        response = await self._call(
            "get_task", "GET", f"{TASKS}/{_segment(task_id)}", params={"includeProcessVariables": include_variables}
        )
        return self._parse(response, Task, "get_task")

    async def claim_task(self, task_id: str, assignee: str) -> None:
        """Claim for `assignee`; a task claimed by someone else raises `ConflictError`."""
        await self._call(
            "claim_task", "POST", f"{TASKS}/{_segment(task_id)}", json={"action": "claim", "assignee": assignee}
        )

    async def delegate_task(self, task_id: str, assignee: str) -> None:
        """Hand the task to `assignee` for input; the owner gets it back when the delegate resolves it."""
        await self._call(
            "delegate_task", "POST", f"{TASKS}/{_segment(task_id)}", json={"action": "delegate", "assignee": assignee}
        )

    async def resolve_task(self, task_id: str) -> None:
        """The delegate is done: the task returns to its owner (a delegated task only)."""
        await self._call("resolve_task", "POST", f"{TASKS}/{_segment(task_id)}", json={"action": "resolve"})

    async def complete_task(self, task_id: str, outcome: str, variables: Mapping[str, object] | None = None) -> None:
        """Complete with an outcome VALUE of the model (e.g. `approved`, not the label `Approve`)."""
        body = {"action": "complete", "outcome": outcome, "variables": to_wire_variables(variables or {})}
        await self._call("complete_task", "POST", f"{TASKS}/{_segment(task_id)}", json=body)

    async def update_task(
        self,
        task_id: str,
        *,
        candidate_group: str | None = None,
        priority: int | None = None,
        due_date: datetime | None = None,
    ) -> Task:
        """Escalation: move the task to another candidate group, raise its priority, set a due date."""
        body: dict[str, object] = {}
        if candidate_group is not None:
            body["assignments"] = [{"type": CANDIDATE_ASSIGNMENT_TYPE, "group": candidate_group}]
        if priority is not None:
            body["priority"] = priority
        if due_date is not None:
            body["dueDate"] = iso_datetime(due_date)
        if not body:
            raise ValueError("update_task needs at least one of candidate_group, priority, due_date")
        response = await self._call("update_task", "PUT", f"{TASKS}/{_segment(task_id)}", json=body)
        return self._parse(response, Task, "update_task")

    # -- attachments by reference ---------------------------------------------------------------

    async def add_task_attachment(self, task_id: str, reference: AttachmentReference) -> Attachment:
        """Link a document that lives elsewhere to an open task. Safe to retry: an attachment with the
        same name and URL is returned instead of adding a second; the same name for another URL is a
        `ConflictError`."""
        return await self._add_attachment("add_task_attachment", self._task_owner(task_id), reference)

    async def list_task_attachments(self, task_id: str) -> list[Attachment]:
        return await self._list_attachments("list_task_attachments", self._task_owner(task_id))

    async def get_task_attachment(self, task_id: str, attachment_id: str) -> Attachment:
        path = f"{self._task_owner(task_id)}{ATTACHMENTS}/{_segment(attachment_id)}"
        response = await self._call("get_task_attachment", "GET", path, params={INCLUDE_USER_IDS_PARAM: False})
        return self._parse(response, Attachment, "get_task_attachment")

    async def remove_task_attachment(self, task_id: str, attachment_id: str) -> None:
        """Unlink; the referenced document itself is never deleted (no cascade)."""
        await self._remove_attachment("remove_task_attachment", self._task_owner(task_id), attachment_id)

    async def add_process_attachment(self, process_instance_id: str, reference: AttachmentReference) -> Attachment:
        """As `add_task_attachment`, for the whole process instance (every task of it can show it)."""
        return await self._add_attachment("add_process_attachment", self._process_owner(process_instance_id), reference)

    async def list_process_attachments(self, process_instance_id: str) -> list[Attachment]:
        """The instance's attachments, including those added to its tasks."""
        return await self._list_attachments("list_process_attachments", self._process_owner(process_instance_id))

    async def remove_process_attachment(self, process_instance_id: str, attachment_id: str) -> None:
        await self._remove_attachment(
            "remove_process_attachment", self._process_owner(process_instance_id), attachment_id
        )

    @staticmethod
    def _task_owner(task_id: str) -> str:
        return f"{TASKS}/{_segment(task_id)}"

    @staticmethod
    def _process_owner(process_instance_id: str) -> str:
        return f"{PROCESS_INSTANCES}/{_segment(process_instance_id)}"

    async def _add_attachment(self, operation: str, owner: str, reference: AttachmentReference) -> Attachment:
        # No idempotency key exists: look the name up first (contract, "Attachments by reference").
        existing = existing_attachment(await self._list_attachments(operation, owner), reference, operation)
        if existing is not None:
            return existing
        response = await self._call(operation, "POST", f"{owner}{ATTACHMENTS}", json=reference.wire())
        return self._parse(response, Attachment, operation)

    async def _list_attachments(self, operation: str, owner: str) -> list[Attachment]:
        response = await self._call(operation, "GET", f"{owner}{ATTACHMENTS}", params={INCLUDE_USER_IDS_PARAM: False})
        return parse_attachment_list(response, operation)

    async def _remove_attachment(self, operation: str, owner: str, attachment_id: str) -> None:
        await self._call(
            operation,
            "DELETE",
            f"{owner}{ATTACHMENTS}/{_segment(attachment_id)}",
            # The document belongs to Content Server / Exstream: never delete it with the link.
            params={CASCADE_PARAM: False, CASCADE_CONTENT_PARAM: False},
        )

    # -- plumbing -------------------------------------------------------------------------------

    async def _collect(
        self,
        operation: str,
        path: str,
        params: _Params,
        page_type: type[_PageT],
        items_of: Callable[[_PageT], list[_Item]],
    ) -> list[_Item]:
        """Follow `offset`/`count` until the service reports no further page."""
        items: list[_Item] = []
        offset = 0
        for _ in range(MAX_PAGES):
            response = await self._call(
                operation, "GET", path, params={**params, "offset": offset, "count": self._page_size}
            )
            page = self._parse(response, page_type, operation)
            batch = items_of(page)
            items.extend(batch)
            offset += len(batch)
            total = page.page.total_elements
            if not batch or page.links.next is None or (total is not None and offset >= total):
                return items
        raise ContractError(f"more than {MAX_PAGES} pages", system=SYSTEM, operation=operation)

    async def _call(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        params: _Params | None = None,
        json: object = None,
    ) -> httpx.Response:
        """One API call with auth, one token refresh on 401, tracing and error mapping."""
        url = f"{self._api}{path}"
        with external_call(SYSTEM, operation, method=method, path=f"{API_PREFIX}{path}") as call:
            response = await self._send(operation, method, url, params, json)
            call.answered(response.status_code)
            return response

    async def _send(
        self, operation: str, method: str, url: str, params: _Params | None, json: object
    ) -> httpx.Response:
        for attempt in range(2):
            token = await self._tokens.token(operation)
            try:
                response = await self._http.request(
                    method,
                    url,
                    params=params,
                    json=json,
                    headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
                )
            except httpx.HTTPError as exc:
                raise error_for_transport(exc, operation) from exc
            log.debug("%s %s -> %s", method, httpx.URL(url).path, response.status_code)
            if response.status_code == 401 and attempt == 0:
                # Expired or revoked early: forget it and try once more with a fresh one.
                self._tokens.invalidate(token)
                continue
            if not response.is_success:
                raise error_for_response(response, operation)
            return response
        raise AssertionError("unreachable")  # the second 401 raised above

    @staticmethod
    def _parse(response: httpx.Response, model: type[_Model], operation: str) -> _Model:
        try:
            return model.model_validate_json(response.content)
        except ValidationError as exc:
            raise contract_error(
                exc, f"{model.__name__} JSON", system=SYSTEM, operation=operation, status_code=response.status_code
            ) from exc
