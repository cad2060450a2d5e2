"""Strict simulator of OpenText Exstream (Core Communications): identity, DAS design lookups, on-demand
generation and batch jobs, for every configured tenant.

Mounted by the sandbox at `/opentext/exstream`; paths below are relative to that prefix. Request
shapes follow OpenText's Postman collection (`exstream-communications.postman_collection.json`):

* `POST /tenants/{tenant}/oauth2/token`   client credentials (JSON as the collection sends it, form, or
  HTTP Basic); OAuth error bodies
* `GET  /design/api/v1/domains`
* `GET  /design/api/v1/resources/{domain}?filter.types&filter.states&filter.latestVersion&count&offset`
* `GET  /design/api/v1/links/{domain}?linkSubjectId&linkDepth&filter.types`
* `GET  /design/api/v1/links/{domain}/resources?linkObjectId&linkDepth&rfilter.types&rfilter.states&...`
* `GET  /design/api/v1/manifests/{domain}/communication-set/{id}`
* `POST /orchestration/api/v1/inputs/ondemand/{domain}/generate`  headers `communicationId`,
  `driverDataSource`; body = raw driver JSON; `Accept` naming one produced mime type answers its raw
  bytes, otherwise (`*/*`, `application/json`, none) every output Base64 per queue; other → 406
* `POST /orchestration/api/v1/inputs/batch/{domain}/{service}`  (ASSUMPTION: community integration)
* `GET  /orchestration/api/v1/runtime/{domain}/jobs/{jobId}` and `.../jobs/{jobId}/outputs`
  (ASSUMPTION: no confirmed status or download call exists; see the connector's contract module)
* `GET  /orchestration/api/v1/runtime/{domain}/delivery-events?after=&limit=`  delivery outcomes and
  preference changes after a cursor (ASSUMPTION: no delivery-tracking API is published; see
  `sandbox.opentext_exstream.deliveries`)
* `/_admin/...`  sandbox conveniences, see `sandbox.opentext_exstream.admin`

Customer communications (those with a `CustomerDesign`) check the driver's envelope (brand, language,
channel, address; `sandbox.opentext_exstream.envelope`), produce the ARCHIVE output and the channel's
output only, and deliver through the channel's queue. ASSUMPTION: each output's `engineOutputContext`
carries the `deliveryId` of that delivery (and a raw single-output answer the `deliveryId` header).
A communication whose set has archive queues only (the packing slip) is a document for filing: it is
rendered and answered, and reaches nobody (ASSUMPTION: delivery is the design's queues' doing).

Errors use the services' body `{timestamp, status, error, message, details, errorCode, path}`.
Fault injection: before each call the simulator asks `world.faults.take("opentext-exstream", op)`
where `op` is `"<METHOD> <route template>"` as in `OPERATIONS` (fnmatch patterns allowed).
"""

# No `from __future__ import annotations`: FastAPI evaluates the route signatures.
import asyncio
import base64
import json
import math
import time
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import JSONResponse

from sandbox.effects import EffectKind
from sandbox.faults import FaultEffect
from sandbox.opentext.http_support import token_request_fields
from sandbox.opentext_exstream import errors as codes
from sandbox.opentext_exstream.admin import build_admin_router
from sandbox.opentext_exstream.catalog import DomainCatalog, TenantCatalog
from sandbox.opentext_exstream.config import CommunicationConfig, ExstreamTenantConfig
from sandbox.opentext_exstream.customer_generation import CustomerRun, generate_batch, generate_on_demand
from sandbox.opentext_exstream.deliveries import DeliveryBook, DomainDeliveries
from sandbox.opentext_exstream.envelope import DriverRefusal
from sandbox.opentext_exstream.errors import ExstreamHttpError, ExstreamRoute
from sandbox.opentext_exstream.jobs import BatchJob, JobBook, OutputLog, OutputRecord
from sandbox.opentext_exstream.rendering import RenderedOutput, missing_fields, render
from sandbox.opentext_exstream.tokens import IssuedToken, TokenIssuer
from sandbox.world import SandboxWorld

SYSTEM = "opentext-exstream"

OP_TOKEN = "POST /tenants/{tenant}/oauth2/token"
OP_DOMAINS = "GET /design/api/v1/domains"
OP_RESOURCES = "GET /design/api/v1/resources/{domain}"
OP_LINKS = "GET /design/api/v1/links/{domain}"
OP_LINKED_RESOURCES = "GET /design/api/v1/links/{domain}/resources"
OP_MANIFEST = "GET /design/api/v1/manifests/{domain}/communication-set/{id}"
OP_GENERATE = "POST /orchestration/api/v1/inputs/ondemand/{domain}/generate"
OP_BATCH = "POST /orchestration/api/v1/inputs/batch/{domain}/{service}"
OP_JOB = "GET /orchestration/api/v1/runtime/{domain}/jobs/{jobId}"
OP_JOB_OUTPUTS = "GET /orchestration/api/v1/runtime/{domain}/jobs/{jobId}/outputs"
OP_DELIVERY_EVENTS = "GET /orchestration/api/v1/runtime/{domain}/delivery-events"
OPERATIONS: tuple[str, ...] = (
    OP_TOKEN,
    OP_DOMAINS,
    OP_RESOURCES,
    OP_LINKS,
    OP_LINKED_RESOURCES,
    OP_MANIFEST,
    OP_GENERATE,
    OP_BATCH,
    OP_JOB,
    OP_JOB_OUTPUTS,
    OP_DELIVERY_EVENTS,
)

# Delivery faults belong to the deliverer; an API call must not spend them.
_API_FAULTS = {
    FaultEffect.HTTP_500,
    FaultEffect.HTTP_503,
    FaultEffect.THROTTLE,
    FaultEffect.LATENCY,
    FaultEffect.USER_ERROR,
}
_MAX_COUNT = 1000
_MAX_LINK_DEPTH = 10
_FULL_RESPONSE = {"*/*", "application/json"}
_MAX_EVENTS = 100  # ASSUMPTION: the largest page of delivery events
DELIVERY_ID_HEADER = "deliveryId"

Authorization = Annotated[str | None, Header()]


def _success(data: object, page: dict[str, int] | None = None) -> JSONResponse:
    body: dict[str, object] = {"status": "success", "data": data}
    if page is not None:
        body["page"] = page
    return JSONResponse(body)


def _page(items: list[dict[str, object]], offset: int, count: int) -> tuple[list[dict[str, object]], dict[str, int]]:
    if offset < 0 or not 1 <= count <= _MAX_COUNT:
        raise ExstreamHttpError(
            400,
            f"count must be 1..{_MAX_COUNT} and offset not negative",
            codes.INVALID_PARAMETER,
            f"count={count} offset={offset}",
        )
    total = len(items)
    info = {
        "pageSize": count,
        "pageOffset": offset,
        "totalElements": total,
        "totalPages": math.ceil(total / count),
        "currentPageNumber": offset // count,
    }
    return items[offset : offset + count], info


def _values(raw: list[str] | None) -> set[str]:
    """A filter given repeatedly and/or comma-separated."""
    return {part.strip() for value in raw or [] for part in value.split(",") if part.strip()}


def _outputs_json(outputs: list[RenderedOutput]) -> list[dict[str, object]]:
    return [
        {
            "mimeType": o.mime_type,
            "content": base64.b64encode(o.content).decode(),
            "engineOutputContext": {
                "queueName": o.queue_name,
                "fileName": o.file_name,
                "customerNumber": o.customer_number,
                **({"deliveryId": o.delivery_id} if o.delivery_id else {}),
            },
        }
        for o in outputs
    ]


def _refused(refusal: DriverRefusal, communication: CommunicationConfig) -> ExstreamHttpError:
    details = f"communicationId={communication.id}" + (f" {refusal.details}" if refusal.details else "")
    return ExstreamHttpError(400, refusal.message, refusal.error_code, details)


def negotiate(accept: str | None, produced: list[str]) -> str | None:
    """The single mime type asked for, or None for the full Base64 response; 406 otherwise."""
    if accept is None or not accept.strip():
        return None
    for media in (part.split(";")[0].strip().lower() for part in accept.split(",")):
        if media in produced:
            return media
        if media in _FULL_RESPONSE:
            return None
    raise ExstreamHttpError(
        406,
        f"No output of the communication has the requested media type '{accept}'",
        codes.NOT_ACCEPTABLE,
        f"produced={','.join(produced)}",
    )


async def _driver_data(request: Request) -> object:
    """The driver record(s) as JSON; the service also takes XML drivers, this sandbox does not."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise ExstreamHttpError(
            415,
            f"Content type '{content_type or 'none'}' not supported; send the driver data as application/json",
            codes.UNSUPPORTED_MEDIA_TYPE,
        )
    try:
        return json.loads(await request.body())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ExstreamHttpError(400, "Driver data is not valid JSON", codes.INVALID_DRIVER_DATA, str(exc)) from exc


class ExstreamSimulator:
    """One simulated Exstream holding every configured tenant.

    Python surface for tests and the demo: `outputs`, `jobs`, `expire_tokens`, `reset`; `tokens` for
    deeper inspection (e.g. `tokens.issued[tenant_id]`); `deliveries(tenant, domain)` for the
    deliveries, preferences and events of customer communications.
    """

    def __init__(
        self, world: SandboxWorld, tenants: list[ExstreamTenantConfig], *, clock: Callable[[], float] = time.time
    ) -> None:
        self.world = world
        self.clock = clock
        self._tenants = {t.tenant_id: TenantCatalog.build(t) for t in tenants}
        self.tokens = TokenIssuer(tenants, clock)
        self.output_log = OutputLog()
        self.delivery_book = DeliveryBook()
        self.job_book = JobBook(self.output_log, self.delivery_book, clock)
        self.router = self._build_router()

    # -- Python surface -------------------------------------------------------------------------

    def outputs(self, tenant_id: str | None = None) -> list[OutputRecord]:
        self.job_book.all()  # finished jobs log their documents
        return [r for r in self.output_log.records() if tenant_id is None or r.tenant_id == tenant_id]

    def jobs(self, tenant_id: str | None = None) -> list[BatchJob]:
        return [j for j in self.job_book.all() if tenant_id is None or j.tenant_id == tenant_id]

    def deliveries(self, tenant_id: str, domain: str) -> DomainDeliveries:
        """Deliveries, preferences and events of one domain (finished batch jobs delivered first)."""
        self.job_book.all()
        return self.delivery_book.domain(tenant_id, domain)

    def has_domain(self, tenant_id: str, domain: str) -> bool:
        tenant = self._tenants.get(tenant_id)
        return tenant is not None and domain in tenant.domains

    def expire_tokens(self, tenant_id: str | None = None) -> int:
        """Make every issued token (of one tenant) expired, as if time had passed."""
        return self.tokens.expire(tenant_id)

    def reset(self) -> None:
        """Forget generated documents and jobs (design resources and tokens stay, and so do deliveries,
        preferences and delivery events: the feed's cursors that clients hold remain valid)."""
        self.output_log.clear()
        self.job_book.clear()

    def tenant_ids(self) -> list[str]:
        return list(self._tenants)

    # -- request checks -------------------------------------------------------------------------

    async def _inject_fault(self, operation: str) -> None:
        rule = self.world.faults.take(SYSTEM, operation, _API_FAULTS)
        if rule is None:
            return
        if rule.effect is FaultEffect.LATENCY:
            await asyncio.sleep(rule.seconds)
        elif rule.effect is FaultEffect.HTTP_500:
            raise ExstreamHttpError(500, rule.message or "Internal server error", codes.INTERNAL_ERROR)
        elif rule.effect is FaultEffect.HTTP_503:
            raise ExstreamHttpError(503, rule.message or "Service temporarily unavailable", codes.SERVICE_UNAVAILABLE)
        elif rule.effect is FaultEffect.THROTTLE:
            # Retry-After is whole seconds (RFC 9110 delta-seconds), at least one.
            retry_after = str(max(1, math.ceil(rule.seconds)))
            raise ExstreamHttpError(
                429,
                rule.message or "Rate limit exceeded; retry later",
                codes.TOO_MANY_REQUESTS,
                headers={"Retry-After": retry_after},
            )
        elif rule.effect is FaultEffect.USER_ERROR:
            raise ExstreamHttpError(400, rule.message or "Simulated refusal", codes.INVALID_DRIVER_DATA)

    async def _guard(self, operation: str, authorization: str | None) -> IssuedToken:
        """Fault injection first (as at the gateway), then the bearer token."""
        await self._inject_fault(operation)
        return self.tokens.authenticate(authorization)

    def _domain(self, caller: IssuedToken, domain: str) -> DomainCatalog:
        catalog = self._tenants[caller.tenant_id].domains.get(domain)
        if catalog is None:
            raise ExstreamHttpError(404, f"Domain '{domain}' not found", codes.DOMAIN_NOT_FOUND, f"domain={domain}")
        return catalog

    @staticmethod
    def _approved(catalog: DomainCatalog, communication_id: str) -> CommunicationConfig:
        communication = catalog.communication(communication_id)
        if communication is None or communication.state != "APPROVED":
            raise ExstreamHttpError(
                400,
                "Unable to resolve communication for the supplied communicationId",
                codes.UNRESOLVED_COMMUNICATION,
                f"communicationId={communication_id} domain={catalog.config.id}",
            )
        return communication

    def _on_demand_communication(self, request: Request, catalog: DomainCatalog) -> CommunicationConfig:
        communication_id = request.headers.get("communicationId")
        data_source = request.headers.get("driverDataSource")
        missing = [
            name for name, v in (("communicationId", communication_id), ("driverDataSource", data_source)) if not v
        ]
        if missing:
            raise ExstreamHttpError(
                400,
                f"Required request header '{missing[0]}' is not present",
                codes.MISSING_HEADER,
                f"missing={','.join(missing)}",
            )
        assert communication_id is not None and data_source is not None
        communication = self._approved(catalog, communication_id)
        if data_source != communication.prod_dsn:
            raise ExstreamHttpError(
                400,
                f"Driver data source '{data_source}' is not defined for the communication",
                codes.DATA_SOURCE_MISMATCH,
                f"communicationId={communication_id} driverDataSource={data_source}",
            )
        return communication

    @staticmethod
    def _check_fields(communication: CommunicationConfig, driver: object) -> None:
        if not isinstance(driver, dict):
            raise ExstreamHttpError(400, "Driver data must be a JSON object", codes.INVALID_DRIVER_DATA)
        missing = missing_fields(driver, communication.required_fields)
        if missing:
            raise ExstreamHttpError(
                400,
                f"Driver data lacks required fields: {', '.join(missing)}",
                codes.MISSING_DRIVER_FIELDS,
                f"communicationId={communication.id} missing={','.join(missing)}",
            )

    def _batch_job(self, caller: IssuedToken, catalog: DomainCatalog, service: str, records: list[object]) -> BatchJob:
        binding = next((s for s in catalog.config.batch_services if s.name == service), None)
        if binding is None:
            raise ExstreamHttpError(
                404, f"Input service '{service}' not found", codes.SERVICE_NOT_FOUND, f"domain={catalog.config.id}"
            )
        communication = self._approved(catalog, binding.communication_id)
        if communication.customer_design is not None:
            run = generate_batch(communication, catalog.config.brands, records)
            return self._new_job(caller, catalog, service, communication, run)
        errors: list[dict[str, str]] = []
        outputs: list[RenderedOutput] = []
        for number, record in enumerate(records, start=1):
            missing = missing_fields(record, communication.required_fields)
            if missing:
                errors.append({"customerNumber": str(number), "errorMessage": f"missing {', '.join(missing)}"})
            else:
                outputs += render(communication, record, number)
        return BatchJob(
            tenant_id=caller.tenant_id,
            domain=catalog.config.id,
            service=service,
            communication_id=communication.id,
            submitted_at=self.clock(),
            delay=self._tenants[caller.tenant_id].config.batch_delay_seconds,
            outputs=[] if errors else outputs,  # all or nothing, as one engine run
            errors=errors,
        )

    def _new_job(
        self,
        caller: IssuedToken,
        catalog: DomainCatalog,
        service: str,
        communication: CommunicationConfig,
        run: CustomerRun,
    ) -> BatchJob:
        return BatchJob(
            tenant_id=caller.tenant_id,
            domain=catalog.config.id,
            service=service,
            communication_id=communication.id,
            submitted_at=self.clock(),
            delay=self._tenants[caller.tenant_id].config.batch_delay_seconds,
            outputs=run.outputs,
            errors=run.errors,
            deliveries=run.deliveries,
        )

    def _generate_customer(
        self,
        caller: IssuedToken,
        catalog: DomainCatalog,
        communication: CommunicationConfig,
        driver: object,
        wanted: str | None,
    ) -> list[RenderedOutput]:
        """Check, render and deliver one customer communication; the outputs to answer with."""
        try:
            run = generate_on_demand(communication, catalog.config.brands, driver)
        except DriverRefusal as refusal:
            raise _refused(refusal, communication) from None
        if wanted is not None and all(o.mime_type != wanted for o in run.outputs):
            raise ExstreamHttpError(
                406,
                f"No output of this run has the requested media type '{wanted}'",
                codes.NOT_ACCEPTABLE,
                f"produced={','.join(o.mime_type for o in run.outputs)}",
            )
        book = self.delivery_book.domain(caller.tenant_id, catalog.config.id)
        now = self.clock()
        for request in run.deliveries:
            delivery = book.deliver(request, now, "ondemand")
            self.world.effects.record(
                SYSTEM,
                caller.tenant_id,
                _about(driver) or request.document_id,
                EffectKind.LETTER_SENT,
                communication.id,
                channel=request.channel,
                outcome=delivery.outcome,
            )
        return run.outputs

    def _letter_sent(self, caller: IssuedToken, communication: CommunicationConfig, driver: object) -> None:
        """One letter per generation, whatever the queues: keyed by the order it is about."""
        about = driver if isinstance(driver, dict) else {}
        self.world.effects.record(
            SYSTEM,
            caller.tenant_id,
            str(about.get("orderName") or ""),
            EffectKind.LETTER_SENT,
            communication.id,
            email=str(about.get("email") or "") or None,
            decision=str(about.get("decision") or "") or None,
        )

    # -- HTTP -----------------------------------------------------------------------------------

    def _build_router(self) -> APIRouter:
        router = APIRouter(route_class=ExstreamRoute)
        self._add_identity_routes(router)
        self._add_design_routes(router)
        self._add_orchestration_routes(router)
        router.include_router(build_admin_router(self))
        return router

    def _add_identity_routes(self, router: APIRouter) -> None:
        @router.post("/tenants/{tenant}/oauth2/token", tags=["opentext exstream identity"])
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

    def _add_design_routes(self, router: APIRouter) -> None:
        @router.get("/design/api/v1/domains", tags=["opentext exstream design"])
        async def domains(authorization: Authorization = None) -> JSONResponse:
            caller = await self._guard(OP_DOMAINS, authorization)
            catalogs = self._tenants[caller.tenant_id].domains.values()
            return _success(
                [
                    {"id": c.config.id, "name": c.config.name or c.config.id, "description": c.config.description}
                    for c in catalogs
                ]
            )

        @router.get("/design/api/v1/resources/{domain}", tags=["opentext exstream design"])
        async def resources(
            domain: str,
            authorization: Authorization = None,
            types: Annotated[list[str] | None, Query(alias="filter.types")] = None,
            states: Annotated[list[str] | None, Query(alias="filter.states")] = None,
            latest: Annotated[bool, Query(alias="filter.latestVersion")] = False,
            count: int = 100,
            offset: int = 0,
        ) -> JSONResponse:
            caller = await self._guard(OP_RESOURCES, authorization)
            catalog = self._domain(caller, domain)
            # Each resource has one version here, so every version is also the latest one.
            matches = [r.as_json() for r in catalog.resources_matching(_values(types), _values(states))]
            items, page = _page(matches, offset, count)
            return _success(items, page)

        @router.get("/design/api/v1/links/{domain}", tags=["opentext exstream design"])
        async def links(
            domain: str,
            authorization: Authorization = None,
            subject_id: Annotated[str | None, Query(alias="linkSubjectId")] = None,
            depth: Annotated[int, Query(alias="linkDepth")] = 1,
            types: Annotated[list[str] | None, Query(alias="filter.types")] = None,
            count: int = 100,
            offset: int = 0,
        ) -> JSONResponse:
            caller = await self._guard(OP_LINKS, authorization)
            catalog = self._domain(caller, domain)
            if not subject_id:
                raise ExstreamHttpError(400, "linkSubjectId is required", codes.INVALID_PARAMETER)
            wanted = _values(types)
            found = [
                link.as_json(d)
                for link, d in catalog.links_from(subject_id, _depth(depth))
                if not wanted or link.target.type in wanted
            ]
            items, page = _page(found, offset, count)
            return _success(items, page)

        @router.get("/design/api/v1/links/{domain}/resources", tags=["opentext exstream design"])
        async def linked_resources(
            domain: str,
            authorization: Authorization = None,
            object_id: Annotated[str | None, Query(alias="linkObjectId")] = None,
            depth: Annotated[int, Query(alias="linkDepth")] = 1,
            types: Annotated[list[str] | None, Query(alias="rfilter.types")] = None,
            states: Annotated[list[str] | None, Query(alias="rfilter.states")] = None,
            fetch_approval: Annotated[bool, Query(alias="fetchApproval")] = False,
            count: int = 100,
            offset: int = 0,
        ) -> JSONResponse:
            caller = await self._guard(OP_LINKED_RESOURCES, authorization)
            catalog = self._domain(caller, domain)
            if not object_id:
                raise ExstreamHttpError(400, "linkObjectId is required", codes.INVALID_PARAMETER)
            wanted_types, wanted_states = _values(types), _values(states)
            subjects = {link.subject.id: link.subject for link, _ in catalog.links_to(object_id, _depth(depth))}
            found = [
                r.as_json()
                for r in subjects.values()
                if (not wanted_types or r.type in wanted_types) and (not wanted_states or r.state in wanted_states)
            ]
            items, page = _page(found, offset, count)
            return _success(items, page)

        @router.get("/design/api/v1/manifests/{domain}/communication-set/{set_id}", tags=["opentext exstream design"])
        async def manifest(domain: str, set_id: str, authorization: Authorization = None) -> JSONResponse:
            caller = await self._guard(OP_MANIFEST, authorization)
            catalog = self._domain(caller, domain)
            found = catalog.manifest(set_id)
            if found is None:
                raise ExstreamHttpError(
                    404, f"Communication set '{set_id}' not found", codes.RESOURCE_NOT_FOUND, f"domain={domain}"
                )
            return _success(found)

    def _add_orchestration_routes(self, router: APIRouter) -> None:
        @router.post(
            "/orchestration/api/v1/inputs/ondemand/{domain}/generate", tags=["opentext exstream orchestration"]
        )
        async def generate(request: Request, domain: str, authorization: Authorization = None) -> Response:
            caller = await self._guard(OP_GENERATE, authorization)
            catalog = self._domain(caller, domain)
            communication = self._on_demand_communication(request, catalog)
            wanted = negotiate(request.headers.get("accept"), [q.mime_type for q in communication.queues])
            driver = await _driver_data(request)
            if communication.customer_design is not None:
                outputs = self._generate_customer(caller, catalog, communication, driver, wanted)
            else:
                self._check_fields(communication, driver)
                outputs = render(communication, driver)
                if not communication.archive_only:  # a document for filing reaches nobody
                    self._letter_sent(caller, communication, driver)
            if wanted is not None:
                outputs = [next(o for o in outputs if o.mime_type == wanted)]
            now = self.clock()
            for output in outputs:
                self.output_log.add(caller.tenant_id, domain, communication.id, "ondemand", output, now)
            if wanted is not None:
                delivery = {DELIVERY_ID_HEADER: outputs[0].delivery_id} if outputs[0].delivery_id else None
                return Response(outputs[0].content, media_type=wanted, headers=delivery)
            return _success(_outputs_json(outputs))

        @router.post("/orchestration/api/v1/inputs/batch/{domain}/{service}", tags=["opentext exstream orchestration"])
        async def submit_batch(
            request: Request, domain: str, service: str, authorization: Authorization = None
        ) -> JSONResponse:
            caller = await self._guard(OP_BATCH, authorization)
            catalog = self._domain(caller, domain)
            body = await _driver_data(request)
            records = body if isinstance(body, list) else [body]
            if not records or not all(isinstance(r, dict) for r in records):
                raise ExstreamHttpError(
                    400,
                    "Batch driver data must be a JSON object or a non-empty array of objects",
                    codes.INVALID_DRIVER_DATA,
                )
            job = self.job_book.add(self._batch_job(caller, catalog, service, records))
            return _success([{"jobId": job.job_id, "id": job.id}])

        @router.get("/orchestration/api/v1/runtime/{domain}/jobs/{job_id}", tags=["opentext exstream orchestration"])
        async def job_status(domain: str, job_id: str, authorization: Authorization = None) -> JSONResponse:
            caller = await self._guard(OP_JOB, authorization)
            job = self._job(caller, domain, job_id)
            return _success(job.as_json(self.clock()))

        @router.get(
            "/orchestration/api/v1/runtime/{domain}/jobs/{job_id}/outputs", tags=["opentext exstream orchestration"]
        )
        async def job_outputs(domain: str, job_id: str, authorization: Authorization = None) -> JSONResponse:
            caller = await self._guard(OP_JOB_OUTPUTS, authorization)
            job = self._job(caller, domain, job_id)
            state = job.state(self.clock())
            if state != "COMPLETED":
                raise ExstreamHttpError(
                    409, f"Job '{job_id}' is {state}; outputs exist once it is COMPLETED", codes.JOB_NOT_FINISHED
                )
            return _success(_outputs_json(job.outputs))

        @router.get("/orchestration/api/v1/runtime/{domain}/delivery-events", tags=["opentext exstream orchestration"])
        async def delivery_events(
            domain: str, after: str | None = None, limit: int = _MAX_EVENTS, authorization: Authorization = None
        ) -> JSONResponse:
            caller = await self._guard(OP_DELIVERY_EVENTS, authorization)
            self._domain(caller, domain)
            book = self.deliveries(caller.tenant_id, domain)
            position = _cursor(after, book.last_seq)
            if not 1 <= limit <= _MAX_EVENTS:
                raise ExstreamHttpError(
                    400, f"limit must be 1..{_MAX_EVENTS}", codes.INVALID_PARAMETER, f"limit={limit}"
                )
            events = book.events_after(position, limit)
            next_cursor = events[-1].cursor if events else str(position)
            return JSONResponse(
                {
                    "status": "success",
                    "data": [e.as_json() for e in events],
                    "next": next_cursor,
                    "hasMore": int(next_cursor) < book.last_seq,
                }
            )

    def _job(self, caller: IssuedToken, domain: str, job_id: str) -> BatchJob:
        self._domain(caller, domain)
        job = self.job_book.get(caller.tenant_id, domain, job_id)
        if job is None:
            raise ExstreamHttpError(404, f"Job '{job_id}' not found", codes.JOB_NOT_FOUND, f"domain={domain}")
        return job


def _cursor(after: str | None, last: int) -> int:
    """The position a cursor names: absent = before the first event; anything not handed out is refused
    (a client that lost its place must not skip or repeat events silently)."""
    if after is None:
        return 0
    if not (after.isascii() and after.isdigit()) or int(after) > last:
        raise ExstreamHttpError(400, f"Unknown cursor '{after}'", codes.INVALID_PARAMETER, f"after={after}")
    return int(after)


def _depth(depth: int) -> int:
    if not 1 <= depth <= _MAX_LINK_DEPTH:
        raise ExstreamHttpError(
            400, f"linkDepth must be 1..{_MAX_LINK_DEPTH}", codes.INVALID_PARAMETER, f"linkDepth={depth}"
        )
    return depth


def _about(driver: object) -> str | None:
    """What a customer communication is about, for the effect ledger: the order's number, or
    `cart <id>` for a cart's reminder; None: neither (the ledger keys it by its document)."""
    if not isinstance(driver, dict):
        return None
    order, cart = driver.get("order"), driver.get("cart")
    if isinstance(order, dict) and order.get("number"):
        return str(order["number"])
    if isinstance(cart, dict) and cart.get("id"):
        return f"cart {cart['id']}"
    return None
