"""Batch jobs of the simulated orchestration service, and the log of every document generated.

A job renders its records when it is submitted but shows nothing until its time has come: QUEUED
for the first quarter of the tenant's `batch_delay_seconds`, RUNNING for the rest, then COMPLETED
(or FAILED when a record lacks a required driver field; a failed job has no outputs). The state is
derived from the clock whenever someone looks, so no background task is needed. A completed job of
customer communications delivers its documents (`sandbox.opentext_exstream.deliveries`) when it
finishes, under the delivery ids its outputs already carry.
"""

from __future__ import annotations

import hashlib
import itertools
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sandbox.opentext_exstream.deliveries import DeliveryBook, DeliveryRequest
from sandbox.opentext_exstream.rendering import RenderedOutput

_ids = itertools.count(1)


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class OutputRecord:
    """One generated document as the admin routes list it."""

    id: str
    tenant_id: str
    domain: str
    communication_id: str
    source: str  # "ondemand" or "batch"
    output: RenderedOutput
    created_at: float
    job_id: str | None = None

    def summary(self) -> dict[str, object]:
        return {
            "id": self.id,
            "tenantId": self.tenant_id,
            "domain": self.domain,
            "communicationId": self.communication_id,
            "source": self.source,
            "jobId": self.job_id,
            "queueName": self.output.queue_name,
            "mimeType": self.output.mime_type,
            "fileName": self.output.file_name,
            "customerNumber": self.output.customer_number,
            "size": len(self.output.content),
            "sha256": hashlib.sha256(self.output.content).hexdigest(),
            "createdAt": _iso(self.created_at),
        }


class OutputLog:
    """The most recent documents (bounded: documents can be large)."""

    def __init__(self, limit: int = 1000) -> None:
        self._records: deque[OutputRecord] = deque(maxlen=limit)

    def add(
        self,
        tenant_id: str,
        domain: str,
        communication_id: str,
        source: str,
        output: RenderedOutput,
        at: float,
        job_id: str | None = None,
    ) -> OutputRecord:
        record = OutputRecord(f"out-{next(_ids)}", tenant_id, domain, communication_id, source, output, at, job_id)
        self._records.append(record)
        return record

    def records(self) -> list[OutputRecord]:
        return list(self._records)

    def get(self, output_id: str) -> OutputRecord | None:
        return next((r for r in self._records if r.id == output_id), None)

    def clear(self) -> None:
        self._records.clear()


@dataclass
class BatchJob:
    tenant_id: str
    domain: str
    service: str
    communication_id: str
    submitted_at: float
    delay: float
    outputs: list[RenderedOutput]
    errors: list[dict[str, str]]
    deliveries: list[DeliveryRequest] = field(default_factory=list)
    job_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    id: str = field(default_factory=lambda: str(uuid.uuid4()))  # the input's id (the sample's `id`)
    logged: bool = False  # outputs copied to the output log once the job finished

    def state(self, now: float) -> str:
        elapsed = now - self.submitted_at
        if elapsed >= self.delay:
            return "FAILED" if self.errors else "COMPLETED"
        return "QUEUED" if elapsed < self.delay / 4 else "RUNNING"

    def finished(self, now: float) -> bool:
        return self.state(now) in ("COMPLETED", "FAILED")

    def as_json(self, now: float) -> dict[str, object]:
        finished = self.finished(now)
        return {
            "jobId": self.job_id,
            "id": self.id,
            "service": self.service,
            "state": self.state(now),
            "submitted": _iso(self.submitted_at),
            "completed": _iso(self.submitted_at + self.delay) if finished else None,
            "outputs": [
                {
                    "queueName": o.queue_name,
                    "mimeType": o.mime_type,
                    "fileName": o.file_name,
                    "customerNumber": o.customer_number,
                    "size": len(o.content),
                    **({"deliveryId": o.delivery_id} if o.delivery_id else {}),
                }
                for o in (self.outputs if finished else [])
            ],
            "errors": self.errors if finished else [],
        }


class JobBook:
    def __init__(self, outputs: OutputLog, deliveries: DeliveryBook, clock: Callable[[], float]) -> None:
        self._jobs: dict[str, BatchJob] = {}
        self._outputs = outputs
        self._deliveries = deliveries
        self._clock = clock

    def add(self, job: BatchJob) -> BatchJob:
        self._jobs[job.job_id] = job
        return job

    def get(self, tenant_id: str, domain: str, job_id: str) -> BatchJob | None:
        """The job, if it belongs to this tenant and domain (other tenants' jobs do not exist)."""
        job = self._jobs.get(job_id)
        if job is None or job.tenant_id != tenant_id or job.domain != domain:
            return None
        self.settle(job)
        return job

    def all(self) -> list[BatchJob]:
        for job in self._jobs.values():
            self.settle(job)
        return list(self._jobs.values())

    def settle(self, job: BatchJob) -> None:
        """Log a finished job's documents and make its deliveries, once, at the time it finished."""
        if job.logged or not job.finished(self._clock()):
            return
        job.logged = True
        finished_at = job.submitted_at + job.delay
        if not job.errors:
            book = self._deliveries.domain(job.tenant_id, job.domain)
            for request in job.deliveries:
                book.deliver(request, finished_at, "batch", job.job_id)
        for output in job.outputs:
            self._outputs.add(
                job.tenant_id,
                job.domain,
                job.communication_id,
                "batch",
                output,
                finished_at,
                job.job_id,
            )

    def clear(self) -> None:
        self._jobs.clear()
