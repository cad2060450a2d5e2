"""Sandbox-only routes of the Exstream simulator (not part of the simulated API; no auth, no faults):
what was generated, batch jobs, and token expiry for tests and the demo.

Mounted with the simulator, so under `/opentext/exstream/_admin/...`:

* `GET    /_admin/outputs?tenant=&communicationId=&jobId=`  generated documents (metadata, newest last)
* `GET    /_admin/outputs/{id}`                              one document's bytes with its mime type
* `DELETE /_admin/outputs`                                   forget documents and jobs (not deliveries)
* `GET    /_admin/jobs?tenant=`                              batch jobs and their current state
* `POST   /_admin/tenants/{tenant}/expire-tokens`            expire the tenant's tokens (next call: 401)

Deliveries of customer communications (ASSUMPTION: stand-ins for the e-mail provider, print shop and
the customer; see `sandbox.opentext_exstream.deliveries`), under `/_admin/tenants/{tenant}/domains/{domain}`:

* `POST .../bouncing-emails`          `{"email", "bouncing": true}`  e-mail to it bounces (false: no more)
* `POST .../undeliverable-addresses`  `{"postalAddress": {...}, "undeliverable": true}`  print is returned
* `POST .../preferences`              `{"store", "customerRef", "channel", "optIn"}`  the customer's click;
  answers `{"changed", "eventId"}` (an event only when the preference changes)
* `GET  .../preferences?store=&customerRef=`  the opted-out (store, customerRef, channel)s
* `GET  .../deliveries?store=&customerRef=&communicationId=&deliveryId=`  deliveries, oldest first
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from fastapi import APIRouter, HTTPException, Response
from pydantic import BaseModel, Field

from sandbox.opentext_exstream.deliveries import DomainDeliveries, address_key

if TYPE_CHECKING:
    from sandbox.opentext_exstream.api import ExstreamSimulator


class BouncingEmail(BaseModel):
    email: str = Field(min_length=3)
    bouncing: bool = True


class UndeliverableAddress(BaseModel):
    postal_address: dict[str, object] = Field(alias="postalAddress", min_length=1)
    undeliverable: bool = True


class PreferenceChange(BaseModel):
    store: str = Field(min_length=1)
    customer_ref: str = Field(alias="customerRef", min_length=1)
    channel: Literal["email", "print", "web"]
    opt_in: bool = Field(alias="optIn")


def build_admin_router(simulator: ExstreamSimulator) -> APIRouter:
    router = APIRouter(prefix="/_admin", tags=["sandbox admin: opentext exstream"])

    def book(tenant: str, domain: str) -> DomainDeliveries:
        if not simulator.has_domain(tenant, domain):
            raise HTTPException(404, f"no domain {domain!r} in tenant {tenant!r}")
        return simulator.deliveries(tenant, domain)

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

    domain_path = "/tenants/{tenant}/domains/{domain}"

    @router.post(f"{domain_path}/bouncing-emails", status_code=204)
    async def mark_bouncing(tenant: str, domain: str, body: BouncingEmail) -> None:
        addresses = book(tenant, domain).bouncing
        if body.bouncing:
            addresses.add(body.email.lower())
        else:
            addresses.discard(body.email.lower())

    @router.post(f"{domain_path}/undeliverable-addresses", status_code=204)
    async def mark_undeliverable(tenant: str, domain: str, body: UndeliverableAddress) -> None:
        addresses = book(tenant, domain).undeliverable
        if body.undeliverable:
            addresses.add(address_key(body.postal_address))
        else:
            addresses.discard(address_key(body.postal_address))

    @router.post(f"{domain_path}/preferences")
    async def set_preference(tenant: str, domain: str, body: PreferenceChange) -> dict[str, object]:
        event = book(tenant, domain).set_preference(
            body.store, body.customer_ref, body.channel, body.opt_in, simulator.clock()
        )
        return {"changed": event is not None, "eventId": event.cursor if event else None}

    @router.get(f"{domain_path}/preferences")
    async def list_preferences(
        tenant: str, domain: str, store: str | None = None, customerRef: str | None = None
    ) -> list[dict[str, object]]:
        return [
            {"store": s, "customerRef": c, "channel": ch, "optIn": False}
            for s, c, ch in sorted(book(tenant, domain).opted_out)
            if (store is None or s == store) and (customerRef is None or c == customerRef)
        ]

    @router.get(f"{domain_path}/deliveries")
    async def list_deliveries(
        tenant: str,
        domain: str,
        store: str | None = None,
        customerRef: str | None = None,
        communicationId: str | None = None,
        deliveryId: str | None = None,
    ) -> list[dict[str, object]]:
        return [
            d.as_json()
            for d in book(tenant, domain).deliveries
            if (store is None or d.request.store == store)
            and (customerRef is None or d.request.customer_ref == customerRef)
            and (communicationId is None or d.request.communication_id == communicationId)
            and (deliveryId is None or d.request.delivery_id == deliveryId)
        ]

    return router
