"""A case's file in Extended ECM: its business workspace, the records filed into it as the case
goes (decisions, evidence, exception notes) and the closing audit report (who decided what, when,
with which comment).

Filing never holds up the store: a record that cannot be filed while the case runs is kept and
filed again at the close. At the close every record must be in the workspace: a filing that still
fails parks the case (NEEDS_ATTENTION) until an operator runs `retry` (after fixing the cause),
`skip` (filed by hand) or `abort` (left unfiled, recorded so). Cases of a tenant without an ECM
layout, or of a store the ECM does not know, file nothing (`CaseKind.files_documents`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from activities.content_server import ContentServerActivities
    from activities.document_models import (
        CaseRecordRequest,
        DocumentKind,
        FiledDocument,
        OpenWorkspaceRequest,
        RecordEntry,
        WorkspaceRef,
        WorkspaceSubject,
    )

from workflows.failures import describe_failure
from workflows.messages import OperatorAction
from workflows.retries import API_RETRY, API_TIMEOUT

if TYPE_CHECKING:
    from workflows.case import AnyCase


@dataclass
class PendingRecord:
    kind: DocumentKind
    name: str
    entries: list[RecordEntry]
    status: str | None


class CaseFile:
    """One case's workspace and the records it files. Made in the case's `@workflow.init` (see
    `CaseWorkflow.open_case_file`); the case calls `open()` early, `file()` as records appear and
    `close()` last."""

    def __init__(self, case: AnyCase, subject: WorkspaceSubject, related: list[WorkspaceSubject] | None = None) -> None:
        self.case = case
        self.subject = subject
        self.related = related or []  # the workspaces it belongs under (a return's order)
        self.workspace: WorkspaceRef | None = None
        self.filed: list[FiledDocument] = []
        self.pending: list[PendingRecord] = []

    async def open(self) -> WorkspaceRef | None:
        """The workspace, found or created once; None when it cannot be opened now (tried again at
        the close)."""
        if self.workspace is None:
            try:
                self.workspace = await self._open_workspace()
            except ActivityError as err:
                self.case.record("workspace not opened", f"{describe_failure(err)}; tried again at the close")
        return self.workspace

    async def file(
        self, kind: DocumentKind, name: str, entries: list[RecordEntry], *, status: str | None = None
    ) -> None:
        """File a record now; when that fails it is filed at the close."""
        record = PendingRecord(kind=kind, name=name, entries=entries, status=status)
        try:
            await self._file(record)
        except ActivityError as err:
            self.pending.append(record)
            self.case.record("record not filed yet", f"{name}: {describe_failure(err)}; filed at the close")

    async def close(self) -> None:
        """File what is still pending, then the closing audit report; park while the ECM refuses."""
        report = PendingRecord(
            kind=DocumentKind.AUDIT_REPORT,
            name=f"Audit report {self.case.case_id.replace('/', ' ')}.html",
            entries=record_entries(self.case),
            status=self.case.case_status.value,
        )
        for record in [*self.pending, report]:
            if not await self._file_or_park(record):
                return
        self.pending.clear()

    async def _file_or_park(self, record: PendingRecord) -> bool:
        """True once filed (or skipped by an operator); False when an operator chose to leave it."""
        step = f"File '{record.name}' in ECM"
        while True:
            try:
                await self._file(record)
                return True
            except ActivityError as err:
                action = await self.case.park(step, describe_failure(err), interruptible=False)
            if action is OperatorAction.SKIP:
                self.case.record("skipped", step)
                return True
            if action is OperatorAction.ABORT:
                self.case.record("not filed", f"{step}: an operator chose to leave the case's records unfiled")
                return False

    async def _file(self, record: PendingRecord) -> None:
        workspace = self.workspace or await self._open_workspace()
        self.workspace = workspace
        filed = await workflow.execute_activity_method(
            ContentServerActivities.file_case_record,
            CaseRecordRequest(
                workspace=workspace,
                kind=record.kind,
                case_id=self.case.case_id,
                case_title=self._title(),
                name=record.name,
                status=record.status,
                entries=record.entries,
            ),
            start_to_close_timeout=API_TIMEOUT,
            retry_policy=API_RETRY,
            summary=f"File {record.kind.value} '{record.name}'",
        )
        self.filed.append(filed)
        version = "" if filed.version == 1 else f", version {filed.version}"
        self.case.record("filed in ECM", f"{filed.folder}/{filed.name}{version}")

    async def _open_workspace(self) -> WorkspaceRef:
        i = self.case.input
        workspace = await workflow.execute_activity_method(
            ContentServerActivities.open_workspace,
            OpenWorkspaceRequest(
                tenant=i.opentext_tenant,
                platform=i.platform,
                store=i.store,
                subject=self.subject,
                related_to=self.related,
            ),
            start_to_close_timeout=API_TIMEOUT,
            retry_policy=API_RETRY,
            summary=f"Open the {self.subject.kind.value} workspace '{self.subject.title}'",
        )
        self.case.record(
            "workspace created" if workspace.created else "workspace found",
            f"{workspace.name} (node {workspace.node_id})",
        )
        return workspace

    def _title(self) -> str:
        labels = self.case.labels()
        return f"{self.case.case_title} {labels.ref}" if labels is not None else self.case.case_title


def record_entries(case: AnyCase) -> list[RecordEntry]:
    """The case's audit trail as record lines."""
    return [RecordEntry(at=e.at, event=e.event, detail=e.detail, actor=e.actor) for e in case.audit_trail]
