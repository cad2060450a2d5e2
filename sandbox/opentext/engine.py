"""The process engine behind the simulated Workflow Service: instances, tasks, comments, per tenant.

It interprets `ProcessModelDefinition`s step by step: a user task makes the instance wait for a
completion; an HTTP callback step hands the last completion to `CallbackSender`; after the last step
the instance ends as completed. Everything runs synchronously on the event loop (all routes are
`async def`), so state changes need no locking.

The engine knows nothing about HTTP routing; it raises `SimulatedHttpError` with the status and body
the real runtime answers with, and the router passes those through.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sandbox.effects import EffectKind, EffectLedger
from sandbox.opentext.errors import api_error, not_found
from sandbox.opentext.process_models import (
    HttpCallbackStep,
    ProcessModelDefinition,
    UserTaskStep,
    render_expression,
)
from sandbox.opentext.schemas import (
    AttachmentRequest,
    StartProcessRequest,
    TaskUpdateRequest,
    VariableIn,
    infer_type,
)

SYSTEM = "opentext-workflow"  # as the ledger and the fault rules name it


@dataclass
class VariableState:
    name: str
    type: str
    value: object
    scope: str = "global"

    @classmethod
    def from_request(cls, variable: VariableIn) -> VariableState:
        return cls(variable.name, variable.resolved_type(), variable.value, variable.scope or "global")

    @classmethod
    def infer(cls, name: str, value: object) -> VariableState:
        return cls(name, infer_type(value), value)


@dataclass
class Assignment:
    type: str  # "candidate"
    group: str | None = None
    user: str | None = None


@dataclass
class CommentState:
    id: str
    author: str
    message: str
    time: datetime
    process_instance_id: str
    task_id: str | None = None
    type: str = "comment"


@dataclass
class AttachmentState:
    """A link to a document kept elsewhere (by reference): only its URL is stored here."""

    id: str
    name: str
    description: str | None
    type: str | None
    external_url: str
    user_id: str
    time: datetime
    process_instance_id: str
    task_id: str | None = None


@dataclass
class CompletionRecord:
    """What the last completed user task decided; the HTTP callback step reports it."""

    task_id: str
    task_name: str
    outcome: str | None
    outcome_variable: str | None
    completed_by: str
    completed_at: datetime
    variables: dict[str, object]


@dataclass
class TaskState:
    id: str
    tenant_id: str
    process_instance_id: str
    execution_id: str
    step: UserTaskStep
    name: str
    description: str | None
    create_time: datetime
    priority: int
    assignments: list[Assignment]
    category: str | None = None
    assignee: str | None = None
    owner: str | None = None
    delegation_state: str | None = None  # "pending" | "resolved"
    claim_time: datetime | None = None
    due_date: datetime | None = None
    form_key: str | None = None
    parent_task_id: str | None = None

    @property
    def candidate_groups(self) -> list[str]:
        return [a.group for a in self.assignments if a.type == "candidate" and a.group]


@dataclass
class ProcessInstanceState:
    id: str
    tenant_id: str
    definition: ProcessModelDefinition
    name: str | None
    business_key: str | None
    start_time: datetime
    start_user_id: str
    execution_id: str
    variables: dict[str, VariableState] = field(default_factory=dict)
    step_index: int = 0
    activity_id: str | None = None
    ended: bool = False
    completed: bool = False
    end_time: datetime | None = None
    delete_reason: str | None = None
    comments: list[CommentState] = field(default_factory=list)
    attachments: list[AttachmentState] = field(default_factory=list)
    last_completion: CompletionRecord | None = None

    def variable_values(self) -> dict[str, object]:
        return {name: variable.value for name, variable in self.variables.items()}


# Called by the HTTP callback step; the simulator signs and queues the delivery.
CallbackSender = Callable[[ProcessInstanceState, HttpCallbackStep, str, CompletionRecord | None], None]


@dataclass
class _TenantState:
    instances: dict[str, ProcessInstanceState] = field(default_factory=dict)
    tasks: dict[str, TaskState] = field(default_factory=dict)  # active tasks only


def _now() -> datetime:
    return datetime.now(UTC)


class WorkflowEngine:
    def __init__(
        self,
        models: list[ProcessModelDefinition],
        send_callback: CallbackSender,
        effects: EffectLedger | None = None,
    ) -> None:
        self._models: dict[str, ProcessModelDefinition] = {}
        for model in models:
            self.deploy(model)
        self._send_callback = send_callback
        self._tenants: dict[str, _TenantState] = {}
        self._effects = effects  # the world's side-effect ledger: processes and tasks per business key

    def _record(self, instance: ProcessInstanceState, kind: EffectKind, ref: str, **detail: str | None) -> None:
        if self._effects is not None:
            self._effects.record(SYSTEM, instance.tenant_id, instance.business_key or "", kind, ref, **detail)

    # -- models ---------------------------------------------------------------------------------

    def deploy(self, model: ProcessModelDefinition) -> None:
        """Deploy (or replace) a model; instances already running keep the definition they started with."""
        self._models[model.key] = model

    def models(self) -> list[ProcessModelDefinition]:
        return list(self._models.values())

    def _resolve_model(self, request: StartProcessRequest) -> ProcessModelDefinition:
        if request.processDefinitionId:
            for model in self._models.values():
                if model.definition_id == request.processDefinitionId:
                    return model
            raise api_error(
                400,
                f"No process definition found with id '{request.processDefinitionId}'",
                "processDefinitionId does not name a deployed process definition.",
            )
        if request.processDefinitionKey:
            by_key = self._models.get(request.processDefinitionKey)
            if by_key is None:
                raise api_error(
                    400,
                    f"No process definition found with key '{request.processDefinitionKey}'",
                    "processDefinitionKey does not name a deployed process definition.",
                )
            return by_key
        raise api_error(400, "Starting a process instance by message is not supported", "Use processDefinitionKey.")

    # -- process instances ----------------------------------------------------------------------

    def _tenant(self, tenant_id: str) -> _TenantState:
        return self._tenants.setdefault(tenant_id, _TenantState())

    def reset(self) -> None:
        self._tenants.clear()

    def start(self, tenant_id: str, start_user_id: str, request: StartProcessRequest) -> ProcessInstanceState:
        model = self._resolve_model(request)
        variables = {v.name: VariableState.from_request(v) for v in request.variables}
        _check_required_variables(model, variables)
        instance = ProcessInstanceState(
            id=str(uuid.uuid4()),
            tenant_id=tenant_id,
            definition=model,
            name=request.name,
            business_key=request.businessKey,
            start_time=_now(),
            start_user_id=start_user_id,
            execution_id=str(uuid.uuid4()),
            variables=variables,
        )
        self._tenant(tenant_id).instances[instance.id] = instance
        self._record(instance, EffectKind.PROCESS_STARTED, instance.id, model=model.key)
        if request.comment is not None:
            self.add_comment(tenant_id, instance.id, start_user_id, request.comment.message)
        self._advance(instance)
        return instance

    def instance(self, tenant_id: str, instance_id: str) -> ProcessInstanceState:
        instance = self._tenant(tenant_id).instances.get(instance_id)
        if instance is None:
            raise not_found("Process instance", instance_id)
        return instance

    def instances(self, tenant_id: str) -> list[ProcessInstanceState]:
        """Every instance of the tenant, running or ended, oldest first."""
        return sorted(self._tenant(tenant_id).instances.values(), key=lambda i: i.start_time)

    def delete(self, tenant_id: str, instance_id: str, reason: str | None) -> None:
        instance = self.instance(tenant_id, instance_id)
        if instance.ended:
            # The runtime no longer holds it; we answer 409 (not 404) because GET still shows it.
            raise api_error(409, f"Process instance '{instance_id}' has already ended", "Nothing to delete.")
        tenant = self._tenant(tenant_id)
        for task_id in [t.id for t in tenant.tasks.values() if t.process_instance_id == instance_id]:
            del tenant.tasks[task_id]
        instance.ended = True
        instance.completed = False
        instance.end_time = _now()
        instance.delete_reason = reason or "Deleted"
        instance.activity_id = None
        self._record(instance, EffectKind.PROCESS_DELETED, instance.id, reason=instance.delete_reason)

    # -- comments -------------------------------------------------------------------------------

    def add_comment(
        self, tenant_id: str, instance_id: str, author: str, message: str, task_id: str | None = None
    ) -> CommentState:
        instance = self.instance(tenant_id, instance_id)
        comment = CommentState(
            id=str(uuid.uuid4()),
            author=author,
            message=message,
            time=_now(),
            process_instance_id=instance.id,
            task_id=task_id,
        )
        instance.comments.append(comment)
        return comment

    # -- attachments ----------------------------------------------------------------------------

    def add_attachment(
        self, tenant_id: str, instance_id: str, task_id: str | None, user_id: str, request: AttachmentRequest
    ) -> AttachmentState:
        """Like Flowable: no uniqueness of names, every POST adds one (clients must look up first)."""
        instance = self.instance(tenant_id, instance_id)
        if instance.ended:
            raise api_error(
                409, f"Process instance '{instance_id}' has already ended", "Attachments cannot be added to it."
            )
        attachment = AttachmentState(
            id=str(uuid.uuid4()),
            name=request.name,
            description=request.description,
            type=request.type,
            external_url=request.externalUrl,
            user_id=user_id,
            time=_now(),
            process_instance_id=instance.id,
            task_id=task_id,
        )
        instance.attachments.append(attachment)
        return attachment

    def task_attachments(self, tenant_id: str, task_id: str) -> list[AttachmentState]:
        task = self.task(tenant_id, task_id)  # a completed task has left the runtime: 404
        instance = self.instance(tenant_id, task.process_instance_id)
        return [a for a in instance.attachments if a.task_id == task_id]

    def process_attachments(self, tenant_id: str, instance_id: str) -> list[AttachmentState]:
        """The instance's own attachments and its tasks' (Flowable keeps both per instance)."""
        return list(self.instance(tenant_id, instance_id).attachments)

    def delete_attachment(self, tenant_id: str, attachment: AttachmentState) -> None:
        self.instance(tenant_id, attachment.process_instance_id).attachments.remove(attachment)

    # -- tasks ----------------------------------------------------------------------------------

    def active_tasks(self, tenant_id: str) -> list[TaskState]:
        return sorted(self._tenant(tenant_id).tasks.values(), key=lambda t: (t.create_time, t.id))

    def task(self, tenant_id: str, task_id: str) -> TaskState:
        task = self._tenant(tenant_id).tasks.get(task_id)
        if task is None:
            # Completed and withdrawn tasks leave the runtime; the history API would still know them.
            raise not_found("Task", task_id)
        return task

    def claim(self, tenant_id: str, task_id: str, assignee: str | None) -> TaskState:
        task = self.task(tenant_id, task_id)
        if not assignee:
            raise api_error(400, "An assignee is required to claim a task", "Set 'assignee'.")
        if task.assignee and task.assignee != assignee:
            raise api_error(
                409,
                f"Task '{task_id}' is already claimed by someone else",
                f"Task '{task_id}' is assigned to '{task.assignee}'.",
            )
        if task.assignee != assignee:
            task.assignee = assignee
            task.claim_time = _now()
        return task

    def delegate(self, tenant_id: str, task_id: str, assignee: str | None, actor: str) -> TaskState:
        task = self.task(tenant_id, task_id)
        if not assignee:
            raise api_error(400, "An assignee is required to delegate a task", "Set 'assignee'.")
        task.owner = task.owner or task.assignee or actor
        task.assignee = assignee
        task.delegation_state = "pending"
        return task

    def resolve(self, tenant_id: str, task_id: str) -> TaskState:
        task = self.task(tenant_id, task_id)
        if task.delegation_state != "pending":
            raise api_error(400, f"Task '{task_id}' is not delegated", "Only a delegated task can be resolved.")
        task.delegation_state = "resolved"
        task.assignee = task.owner
        return task

    def update_task(self, tenant_id: str, task_id: str, update: TaskUpdateRequest) -> TaskState:
        task = self.task(tenant_id, task_id)
        given = update.model_fields_set
        if "name" in given and update.name:
            task.name = update.name
        if "description" in given:
            task.description = update.description
        if "assignee" in given:
            task.assignee = update.assignee
            task.claim_time = _now() if update.assignee else None
        if "owner" in given:
            task.owner = update.owner
        if "dueDate" in given:
            due = update.dueDate
            task.due_date = due.astimezone(UTC) if due is not None and due.tzinfo else due
        if "priority" in given and update.priority is not None:
            task.priority = update.priority
        if "category" in given:
            task.category = update.category
        if "formKey" in given:
            task.form_key = update.formKey
        if "parentTaskId" in given:
            task.parent_task_id = update.parentTaskId
        if "assignments" in given:
            task.assignments = [Assignment(a.type, a.group, a.user) for a in update.assignments or []]
        return task

    def complete(
        self,
        tenant_id: str,
        task_id: str,
        outcome: str | None,
        completed_by: str,
        variables: list[VariableState],
    ) -> CompletionRecord:
        """Complete a user task and run the model on to its next wait state or end."""
        task = self.task(tenant_id, task_id)
        instance = self.instance(tenant_id, task.process_instance_id)
        step = task.step
        allowed = step.outcome_values()
        if allowed:
            if outcome not in allowed:
                labels = {label: value for label, value in step.outcomes()}
                hint = f" (that is a label; send its value '{labels[outcome]}')" if outcome in labels else ""
                raise api_error(
                    400,
                    f"Invalid outcome '{outcome}' for task '{task.name}'{hint}",
                    f"Possible outcomes: {', '.join(allowed)}.",
                )
        elif outcome not in (None, "", "none"):
            raise api_error(400, f"Task '{task.name}' has no outcomes", "Complete it without an outcome.")
        problems = step.date_problems({v.name: v.value for v in variables}, _now().date())
        if problems:
            raise api_error(
                400,
                f"Invalid form value for task '{task.name}': {'; '.join(problems)}",
                "Correct the form and complete it again.",
            )

        for variable in variables:
            instance.variables[variable.name] = variable
        if allowed and step.outcome_variable:
            instance.variables[step.outcome_variable] = VariableState(step.outcome_variable, "string", outcome)
        record = CompletionRecord(
            task_id=task.id,
            task_name=task.name,
            outcome=outcome if allowed else None,
            outcome_variable=step.outcome_variable,
            completed_by=completed_by,
            completed_at=_now(),
            variables={v.name: v.value for v in variables},
        )
        del self._tenant(tenant_id).tasks[task.id]
        self._record(instance, EffectKind.TASK_COMPLETED, task.id, name=task.name, outcome=record.outcome)
        instance.last_completion = record
        instance.step_index += 1
        self._advance(instance)
        return record

    # -- model execution ------------------------------------------------------------------------

    def _advance(self, instance: ProcessInstanceState) -> None:
        steps = instance.definition.steps
        while instance.step_index < len(steps):
            step = steps[instance.step_index]
            instance.activity_id = step.id
            if isinstance(step, UserTaskStep):
                self._create_task(instance, step)
                return  # wait for a human
            url = instance.variables[step.url_variable].value
            self._send_callback(instance, step, str(url), instance.last_completion)
            instance.step_index += 1
        instance.ended = True
        instance.completed = True
        instance.end_time = _now()
        instance.activity_id = None

    def _create_task(self, instance: ProcessInstanceState, step: UserTaskStep) -> None:
        values = instance.variable_values()
        groups = list(step.candidate_groups)
        if step.candidate_group_variable:
            groups.append(str(values[step.candidate_group_variable]))
        task = TaskState(
            id=str(uuid.uuid4()),
            tenant_id=instance.tenant_id,
            process_instance_id=instance.id,
            execution_id=instance.execution_id,
            step=step,
            name=render_expression(step.name, values) or step.id,
            description=render_expression(step.description, values),
            create_time=_now(),
            priority=step.priority,
            category=step.category,
            assignments=[Assignment("candidate", group=group) for group in groups],
        )
        self._tenant(instance.tenant_id).tasks[task.id] = task
        self._record(instance, EffectKind.TASK_CREATED, task.id, name=task.name)


def _check_required_variables(model: ProcessModelDefinition, variables: dict[str, VariableState]) -> None:
    missing = [
        name for name in model.variables_required() if name not in variables or variables[name].value in (None, "")
    ]
    if missing:
        raise api_error(
            400,
            f"Missing required process variable(s) for '{model.key}': {', '.join(missing)}",
            "The process model reads these variables; start the instance with them.",
        )
    for step in model.steps:
        if isinstance(step, HttpCallbackStep):
            url = variables[step.url_variable].value
            if not isinstance(url, str) or not url.startswith(("http://", "https://")):
                raise api_error(
                    400,
                    f"Variable '{step.url_variable}' must be an http(s) URL",
                    f"The '{step.name}' service task POSTs to it.",
                )
        elif step.candidate_group_variable:
            group = variables[step.candidate_group_variable].value
            if not isinstance(group, str):
                raise api_error(
                    400,
                    f"Variable '{step.candidate_group_variable}' must be a string (a group name)",
                    "It is the review task's candidate group.",
                )
