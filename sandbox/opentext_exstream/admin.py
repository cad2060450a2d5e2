"""Sandbox-only routes of the Exstream simulator (not part of the simulated API; no auth, no faults):
what was generated, batch jobs, and token expiry for tests and the demo.

Mounted with the simulator, so under `/opentext/exstream/_admin/...`:

* `GET    /_admin/outputs?tenant=&communicationId=&jobId=`  generated documents (metadata, newest last)
* `GET    /_admin/outputs/{id}`                              one document's bytes with its mime type
* `DELETE /_admin/outputs`                                   forget documents and jobs
* `GET    /_admin/jobs?tenant=`                              batch jobs and their current state
* `POST   /_admin/tenants/{tenant}/expire-tokens`            expire the tenant's tokens (next call: 401)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, HTTPException, Response

if TYPE_CHECKING:
    from sandbox.opentext_exstream.api import ExstreamSimulator


def build_admin_router(simulator: ExstreamSimulator) -> APIRouter:
    router = APIRouter(prefix="/_admin", tags=["sandbox admin: opentext exstream"])

    @router.get("/outputs")
    async def list_outputs(
        tenant: str | None = None, communicationId: str | None = None, jobId: str | None = None
    ) -> list[dict[str, object]]:
        return [
            record.summary()
            for record in simulator.outputs(tenant)
            if (communicationId is None or record.communication_id == communicationId)
            and (jobId is None or record.job_id == jobId)
        ]

    @router.get("/outputs/{output_id}")
    async def output_content(output_id: str) -> Response:
        simulator.outputs()  # settle finished jobs first
        record = simulator.output_log.get(output_id)
        if record is None:
            raise HTTPException(404, f"no output {output_id!r}")
        return Response(record.output.content, media_type=record.output.mime_type)

    @router.delete("/outputs", status_code=204)
    async def clear_outputs() -> None:
        simulator.reset()

    @router.get("/jobs")
    async def list_jobs(tenant: str | None = None) -> list[dict[str, object]]:
        now = simulator.clock()
        return [{"tenantId": job.tenant_id, **job.as_json(now)} for job in simulator.jobs(tenant)]

    @router.post("/tenants/{tenant}/expire-tokens")
    async def expire_tokens(tenant: str) -> dict[str, int]:
        if tenant not in simulator.tenant_ids():
            raise HTTPException(404, f"no tenant {tenant!r}")
        return {"expired": simulator.expire_tokens(tenant)}

    return router
