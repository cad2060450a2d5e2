"""JSON shapes of the simulated Workflow Service, modelled on `specs/opentext/samples/workflow_*.json`.

Fields the samples mark as Flowable-style guesses (`processDefinitionKey` on instances,
`taskDefinitionKey`, `suspended`, `page.size/number/totalPages`) are rendered the same way here.
`endTime` and `deleteReason` on instances are Flowable history field names (an ASSUMPTION: OT2 may
only expose them through `/workflow-history/v1`).
"""

from __future__ import annotations

import math
import uuid
from datetime import datetime

from starlette.datastructures import URL

from sandbox.opentext.engine import (
    AttachmentState,
    CommentState,
    ProcessInstanceState,
    TaskState,
    VariableState,
)
from sandbox.opentext.process_models import ProcessModelDefinition


def iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def subscription_id(tenant_id: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"opentext-subscription:{tenant_id}"))


def variable_json(variable: VariableState, *, with_encryption: bool) -> dict[str, object]:
    body: dict[str, object] = {"name": variable.name, "type": variable.type, "scope": variable.scope}
    if with_encryption:
        body["encryption"] = False
    body["value"] = variable.value
    return body


def comment_json(comment: CommentState) -> dict[str, object]:
    return {
        "id": comment.id,
        "author": comment.author,
        "message": comment.message,
        "time": iso(comment.time),
        "processInstanceId": comment.process_instance_id,
        "taskId": comment.task_id,
        "type": comment.type,
    }


def attachment_json(attachment: AttachmentState, self_url: str) -> dict[str, object]:
    """Flowable's `AttachmentResponse` keys plus `taskId`/`processInstanceId` (an ASSUMPTION)."""
    return {
        "id": attachment.id,
        "url": self_url,
        "name": attachment.name,
        "userId": attachment.user_id,
        "description": attachment.description,
        "type": attachment.type,
        "taskId": attachment.task_id,
        "processInstanceId": attachment.process_instance_id,
        "externalUrl": attachment.external_url,
        "contentUrl": None,  # by reference: the content is not stored in the Workflow Service
        "time": iso(attachment.time),
    }


def instance_json(instance: ProcessInstanceState, *, include_variables: bool) -> dict[str, object]:
    model = instance.definition
    body: dict[str, object] = {
        "id": instance.id,
        "name": instance.name,
        "businessKey": instance.business_key,
        "processDefinitionId": model.definition_id,
        "processDefinitionKey": model.key,
        "processDefinitionName": model.name,
        "activityId": instance.activity_id,
        "startTime": iso(instance.start_time),
        "startUserId": instance.start_user_id,
        "endTime": iso(instance.end_time),
        "dueDate": None,
        "suspended": False,
        "ended": instance.ended,
        "completed": instance.completed,
        "deleteReason": instance.delete_reason,
        "superProcessInstanceId": None,
        "callbackId": None,
        "callbackType": None,
        "tenantId": instance.tenant_id,
        "subscriptionId": subscription_id(instance.tenant_id),
        "comments": [comment_json(c) for c in instance.comments],
    }
    if include_variables:
        body["variables"] = [variable_json(v, with_encryption=True) for v in instance.variables.values()]
    body["links"] = {"empty": False}
    return body


def task_json(task: TaskState, instance: ProcessInstanceState, *, include_variables: bool) -> dict[str, object]:
    return {
        "id": task.id,
        "name": task.name,
        "description": task.description,
        "processInstanceId": task.process_instance_id,
        "processDefinitionId": instance.definition.definition_id,
        "executionId": task.execution_id,
        "taskDefinitionKey": task.step.id,
        "assignee": task.assignee,
        "owner": task.owner,
        "delegationState": task.delegation_state,
        "claimTime": iso(task.claim_time),
        "createTime": iso(task.create_time),
        "dueDate": iso(task.due_date),
        "priority": task.priority,
        "category": task.category,
        "formKey": task.form_key,
        "parentTaskId": task.parent_task_id,
        "suspended": False,
        "assignments": [{"type": a.type, "group": a.group, "user": a.user} for a in task.assignments],
        "variables": (
            [variable_json(v, with_encryption=False) for v in instance.variables.values()] if include_variables else []
        ),
        "comments": [],
    }


def model_json(model: ProcessModelDefinition, tenant_id: str, *, include_content: bool) -> dict[str, object]:
    body: dict[str, object] = {
        "id": model.model_id,
        "key": model.key,
        "name": model.name,
        "version": model.version,
        "category": model.category,
        "processDefinitionId": model.definition_id,
        "modelType": "json",
        "tenantId": tenant_id,
    }
    if include_content:
        body["modelContent"] = model.model_content()
    return body


def hal_page(
    collection: str, items: list[dict[str, object]], *, total: int, offset: int, count: int, url: URL
) -> dict[str, object]:
    """A HAL page: `offset`/`count` are item based; `page.number` is derived for completeness."""
    links: dict[str, object] = {"self": {"href": str(url.include_query_params(offset=offset, count=count))}}
    if offset + len(items) < total:
        links["next"] = {"href": str(url.include_query_params(offset=offset + len(items), count=count))}
    if offset > 0:
        links["prev"] = {"href": str(url.include_query_params(offset=max(0, offset - count), count=count))}
    return {
        "_embedded": {collection: items},
        "_links": links,
        "page": {
            "size": count,
            "totalElements": total,
            "totalPages": math.ceil(total / count) if count else 0,
            "number": offset // count if count else 0,
        },
    }
