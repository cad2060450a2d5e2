"""Connector for OpenText Exstream (Core Communications): find a communication in the design service
(DAS), render it on demand, or hand driver records to a batch service and collect the outputs.

One client per tenant and domain. Every method raises only `connectors.errors` types
(`system="opentext-exstream"`, `operation` = the method name):

* 4xx answers are rejections carrying the service's `message` and `errorCode` (404 `NotFoundError`,
  409 `ConflictError`, others `RejectedError`); 401 is answered by one token refresh and one repeat,
  then `AuthenticationError` (403 too);
* 429 is waited out here when `Retry-After` is short, otherwise `RateLimitedError(retry_after=...)`;
* 5xx, timeouts and network failures are `TransientError`;
* an answer that does not parse is a `ContractError`.

Rendering is not idempotent: every on-demand call renders again (and a design whose queue delivers
e-mail sends again). Wire-level assumptions live in `connectors.opentext.exstream_contract`.

Customer communications (`send_communication`, `submit_statement_batch`, `batch_communications`)
are driven by the common envelope (`CommunicationDriver`): the brand, language and currency select the
design's texts, the channel selects the delivery queue. Each generation answers the ARCHIVE copy, the
channel's output and a delivery id, whose outcome later appears in `delivery_events`. An unknown brand
or language, or a channel without the recipient's address, is refused (`RejectedError`).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import logging
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, SecretStr, ValidationError
from pydantic_core import to_jsonable_python

from connectors.errors import (
    AuthenticationError,
    ConflictError,
    ConnectorError,
    ContractError,
    NotFoundError,
    RateLimitedError,
    RejectedError,
    TransientError,
    contract_error,
)
from connectors.lifecycle import Closing
from connectors.opentext.auth import TokenProvider
from connectors.opentext.error_mapping import service_message
from connectors.opentext.exstream_contract import (
    APPROVED_STATE,
    ARCHIVE_QUEUE_USE,
    BATCH_SUBMIT_PATH,
    COMMUNICATION_ID_HEADER,
    COMMUNICATION_SET_LINK_DEPTH,
    COMMUNICATION_SET_TYPE,
    COMMUNICATION_TYPE,
    DEFAULT_RETRY_AFTER_SECONDS,
    DEFAULT_TIMEOUT_SECONDS,
    DELIVERY_EVENTS_PAGE_SIZE,
    DELIVERY_EVENTS_PATH,
    DELIVERY_ID_HEADER,
    DOMAINS_PATH,
    DRIVER_DATA_SOURCE_HEADER,
    DRIVER_DSN_TYPE,
    FULL_RESPONSE_ACCEPT,
    GENERATE_PATH,
    JOB_OUTPUTS_PATH,
    JOB_STATUS_PATH,
    LINKS_PATH,
    MANIFEST_PATH,
    MAX_LOCAL_RETRIES,
    MAX_LOCAL_RETRY_WAIT_SECONDS,
    MAX_PAGES,
    PAGE_SIZE,
    QUEUE_DRIVER_MIME_TYPES,
    RESOURCES_PATH,
    SUCCESS_STATUS,
    SYSTEM,
    TOKEN_PATH,
    Channel,
)
from connectors.opentext.exstream_models import (
    BatchJob,
    BatchJobEnvelope,
    BatchSubmission,
    BatchSubmitResponse,
    CommunicationDelivery,
    CommunicationDriver,
    CommunicationTarget,
    DasResource,
    DataSource,
    DeliveryEventPage,
    Domain,
    DomainList,
    ExstreamErrorBody,
    GeneratedOutput,
    LinkList,
    Manifest,
    ManifestEnvelope,
    OrchestrationResponse,
    OutputQueue,
    ResourcePage,
    StatementRecord,
)
from connectors.retry_after import retry_after_seconds
from connectors.telemetry import external_call

log = logging.getLogger(__name__)

_Model = TypeVar("_Model", bound=BaseModel)
_Params = dict[str, str | int | bool]
_MAX_MESSAGE = 300


def _segment(value: str) -> str:
    """A value as one path segment (ids come from the service, but never trust them into a path)."""
    return quote(value, safe="")


class ExstreamClient(Closing):
    def __init__(
        self,
        base_url: str,
        tenant_id: str,
        client_id: str,
        client_secret: SecretStr,
        *,
        domain: str,
        auth_base_url: str | None = None,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        max_local_retry_wait: float = MAX_LOCAL_RETRY_WAIT_SECONDS,
        page_size: int = PAGE_SIZE,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        """`base_url` is the Core Communications host (e.g. `https://communication.{region}.api.
        opentext.com`, or the sandbox's `http://127.0.0.1:8100/opentext/exstream`); `auth_base_url`
        the identity host when it differs (e.g. `https://us.api.opentext.com`)."""
        self._base = base_url.rstrip("/")
        self._domain = domain
        self._max_local_retry_wait = max_local_retry_wait
        self._page_size = page_size
        self._http = httpx.AsyncClient(timeout=timeout, transport=transport)
        auth_base = (auth_base_url or base_url).rstrip("/")
        token_url = f"{auth_base}{TOKEN_PATH.format(tenant_id=_segment(tenant_id))}"
        self._tokens = TokenProvider(self._http, token_url, client_id, client_secret)

    # -- lifecycle ------------------------------------------------------------------------------

    async def aclose(self) -> None:
        await self._http.aclose()

    @property
    def domain(self) -> str:
        return self._domain

    @property
    def token_fetches(self) -> int:
        """How many access tokens this client has requested so far."""
        return self._tokens.fetch_count

    # -- design-time lookups (DAS) --------------------------------------------------------------

    async def list_domains(self) -> list[Domain]:
        response = await self._call("list_domains", "GET", DOMAINS_PATH)
        return self._parse_envelope(response, DomainList, "list_domains").data

    async def list_communications(self) -> list[DasResource]:
        """The latest APPROVED version of every communication in the domain (drafts cannot be
        generated, so they are never listed)."""
        params: _Params = {
            "filter.types": COMMUNICATION_TYPE,
            "filter.states": APPROVED_STATE,
            "filter.latestVersion": True,
        }
        path = RESOURCES_PATH.format(domain=_segment(self._domain))
        items: list[DasResource] = []
        offset = 0
        for _ in range(MAX_PAGES):
            page_params: _Params = {**params, "count": self._page_size, "offset": offset}
            response = await self._call("list_communications", "GET", path, params=page_params)
            page = self._parse_envelope(response, ResourcePage, "list_communications")
            items.extend(page.data)
            offset += len(page.data)
            total = page.page.total_elements
            if (
                not page.data
                or (total is not None and offset >= total)
                or (total is None and len(page.data) < self._page_size)
            ):
                return items
        raise ContractError(f"more than {MAX_PAGES} pages", system=SYSTEM, operation="list_communications")

    async def communication_set_ids(self, communication_id: str) -> list[str]:
        """Ids of the communication sets a communication belongs to (usually exactly one)."""
        params: _Params = {
            "linkSubjectId": communication_id,
            "linkDepth": COMMUNICATION_SET_LINK_DEPTH,
            "filter.types": COMMUNICATION_SET_TYPE,
        }
        path = LINKS_PATH.format(domain=_segment(self._domain))
        response = await self._call("communication_set_ids", "GET", path, params=params)
        links = self._parse_envelope(response, LinkList, "communication_set_ids").data
        ids = [
            link.link_object_id
            for link in links
            if link.object_type is None or link.object_type == COMMUNICATION_SET_TYPE
        ]
        return list(dict.fromkeys(ids))  # distinct, in the service's order

    async def get_manifest(self, communication_set_id: str) -> Manifest:
        """The set's data sources (`prodDsn` = the `driverDataSource` to send) and output queues."""
        path = MANIFEST_PATH.format(domain=_segment(self._domain), communication_set_id=_segment(communication_set_id))
        response = await self._call("get_manifest", "GET", path)
        body = self._json(response, "get_manifest")
        if isinstance(body, dict) and "data" in body:
            return self._validate(body, ManifestEnvelope, "get_manifest", response).data
        return self._validate(body, Manifest, "get_manifest", response)

    async def resolve_communication(self, name: str) -> CommunicationTarget:
        """Everything needed to generate the latest APPROVED communication called `name`.

        Three design calls; cache the answer (it changes only when the design is republished).
        """
        matches = [c for c in await self.list_communications() if c.name == name]
        if not matches:
            raise NotFoundError(
                f"no APPROVED communication named {name!r} in domain {self._domain!r}",
                system=SYSTEM,
                operation="resolve_communication",
            )
        if len({c.id for c in matches}) > 1:
            raise RejectedError(
                f"{len(matches)} communications are named {name!r}; call them by id",
                system=SYSTEM,
                operation="resolve_communication",
            )
        communication = max(matches, key=lambda c: c.version or 0)
        set_ids = await self.communication_set_ids(communication.id)
        if len(set_ids) != 1:
            problem = "belongs to no communication set" if not set_ids else f"belongs to {len(set_ids)} sets"
            error = NotFoundError if not set_ids else RejectedError
            raise error(f"communication {name!r} {problem}", system=SYSTEM, operation="resolve_communication")
        manifest = await self.get_manifest(set_ids[0])
        return CommunicationTarget(
            domain=self._domain,
            communication_id=communication.id,
            name=communication.name,
            version=communication.version,
            communication_set_id=set_ids[0],
            driver_data_source=_driver_source(manifest.dsnlist, name).prod_dsn,
            queues=[
                OutputQueue(
                    name=q.name,
                    driver=q.driver,
                    use=q.use,
                    mime_type=QUEUE_DRIVER_MIME_TYPES.get((q.driver or "").upper()),
                )
                for q in manifest.queue_list
            ],
        )

    # -- on-demand generation -------------------------------------------------------------------

    async def generate(
        self, communication_id: str, driver_data_source: str, driver: Mapping[str, object]
    ) -> list[GeneratedOutput]:
        """Render every output queue of the communication for one driver record."""
        response = await self._generate("generate", communication_id, driver_data_source, driver, FULL_RESPONSE_ACCEPT)
        return self._outputs(response, "generate")

    async def generate_document(
        self, communication_id: str, driver_data_source: str, driver: Mapping[str, object], mime_type: str
    ) -> GeneratedOutput:
        """Render and return only the output of one mime type (e.g. `application/pdf`), as raw bytes.

        A communication with no output of that type is refused (406, `RejectedError`)."""
        operation = "generate_document"
        response = await self._generate(operation, communication_id, driver_data_source, driver, mime_type)
        received = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if received != mime_type.lower():
            raise ContractError(
                f"asked for {mime_type}, received {received or 'no content type'}",
                system=SYSTEM,
                operation=operation,
                status_code=response.status_code,
            )
        # ASSUMPTION (contract): a customer communication names its delivery in a header.
        delivery_id = response.headers.get(DELIVERY_ID_HEADER) or None
        return GeneratedOutput(mime_type=mime_type, content=response.content, delivery_id=delivery_id)

    async def _generate(
        self,
        operation: str,
        communication_id: str,
        driver_data_source: str,
        driver: Mapping[str, object],
        accept: str,
    ) -> httpx.Response:
        headers = {
            COMMUNICATION_ID_HEADER: communication_id,
            DRIVER_DATA_SOURCE_HEADER: driver_data_source,
            "Accept": accept,
        }
        path = GENERATE_PATH.format(domain=_segment(self._domain))
        return await self._call(
            operation,
            "POST",
            path,
            content=_driver_json(driver),
            headers=headers,
            attributes={"exstream.communication_id": communication_id},
        )

    # -- batch ----------------------------------------------------------------------------------

    async def submit_batch(
        self, service: str, records: Mapping[str, object] | Sequence[Mapping[str, object]]
    ) -> BatchSubmission:
        """Hand driver data to a batch input service: one record, or a list with one per customer."""
        if isinstance(records, Mapping):
            payload: object = records
        elif isinstance(records, str | bytes) or not all(isinstance(r, Mapping) for r in records):
            raise TypeError("records must be a mapping or a sequence of mappings")
        else:
            payload = list(records)
        path = BATCH_SUBMIT_PATH.format(domain=_segment(self._domain), service=_segment(service))
        response = await self._call(
            "submit_batch", "POST", path, content=_driver_json(payload), attributes={"exstream.service": service}
        )
        entry = self._parse_envelope(response, BatchSubmitResponse, "submit_batch").data[0]
        return BatchSubmission(job_id=entry.job_id, id=entry.id)

    async def get_batch_job(self, job_id: str) -> BatchJob:
        """The job's state (QUEUED, RUNNING, COMPLETED, FAILED), its outputs and record errors."""
        path = JOB_STATUS_PATH.format(domain=_segment(self._domain), job_id=_segment(job_id))
        response = await self._call("get_batch_job", "GET", path, attributes={"exstream.job_id": job_id})
        return self._parse_envelope(response, BatchJobEnvelope, "get_batch_job").data

    async def batch_outputs(self, job_id: str) -> list[GeneratedOutput]:
        """The documents of a COMPLETED job; before that `ConflictError` (poll `get_batch_job`)."""
        path = JOB_OUTPUTS_PATH.format(domain=_segment(self._domain), job_id=_segment(job_id))
        response = await self._call("batch_outputs", "GET", path, attributes={"exstream.job_id": job_id})
        return self._outputs(response, "batch_outputs")

    # -- customer communications ----------------------------------------------------------------

    async def send_communication(
        self, target: CommunicationTarget, driver: CommunicationDriver
    ) -> CommunicationDelivery:
        """Generate a customer communication for the driver's channel: the design delivers it through
        that channel's queue. Not idempotent (see the module docstring): dedupe by `document.id`."""
        operation = "send_communication"
        response = await self._generate(
            operation,
            target.communication_id,
            target.driver_data_source,
            driver.model_dump(mode="json", by_alias=True),
            FULL_RESPONSE_ACCEPT,
        )
        deliveries = _deliveries(target, self._outputs(response, operation), operation)
        if len(deliveries) != 1 or deliveries[0].channel is not driver.channel:
            raise ContractError(
                f"asked for one document on channel {driver.channel.value}, the answer holds"
                f" {[d.channel.value for d in deliveries]}",
                system=SYSTEM,
                operation=operation,
            )
        return deliveries[0]

    async def delivery_events(
        self, after: str | None = None, *, limit: int = DELIVERY_EVENTS_PAGE_SIZE
    ) -> DeliveryEventPage:
        """Delivery outcomes and preference changes after the cursor `after` (None: from the first),
        oldest first. Keep `next_cursor` and pass it next time; `has_more` says another page is ready.
        A cursor the service did not hand out is refused (`RejectedError`)."""
        if not 1 <= limit <= DELIVERY_EVENTS_PAGE_SIZE:
            raise ValueError(f"limit must be 1..{DELIVERY_EVENTS_PAGE_SIZE}")
        params: _Params = {"limit": limit} if after is None else {"after": after, "limit": limit}
        path = DELIVERY_EVENTS_PATH.format(domain=_segment(self._domain))
        response = await self._call("delivery_events", "GET", path, params=params)
        return self._parse_envelope(response, DeliveryEventPage, "delivery_events")

    async def submit_statement_batch(self, service: str, records: Sequence[StatementRecord]) -> BatchSubmission:
        """Hand statement lines to the statement batch service: one document per company comes out,
        its lines grouped by buyer and location. Poll `get_batch_job`, then `batch_communications`."""
        if not records:
            raise ValueError("a statement batch needs at least one record")
        return await self.submit_batch(service, [r.model_dump(mode="json", by_alias=True) for r in records])

    async def batch_communications(self, job_id: str, target: CommunicationTarget) -> list[CommunicationDelivery]:
        """The documents of a COMPLETED customer-communication job (before: `ConflictError`), one per
        customer number, each with its archive copy, channel output and delivery id."""
        return _deliveries(target, await self.batch_outputs(job_id), "batch_communications")

    # -- plumbing -------------------------------------------------------------------------------

    async def _call(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        params: _Params | None = None,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
        attributes: dict[str, str] | None = None,
    ) -> httpx.Response:
        """One API call with auth, one token refresh on 401, short 429 waits, tracing, error mapping."""
        with external_call(
            SYSTEM,
            operation,
            method=method,
            path=path,
            attributes={"exstream.domain": self._domain, **(attributes or {})},
        ) as call:
            request_headers = {"Accept": "application/json", **(headers or {})}
            if content is not None:
                request_headers["Content-Type"] = "application/json"
            response = await self._send(operation, method, f"{self._base}{path}", params, content, request_headers)
            call.answered(response.status_code)
            call.span.set_attribute("http.response.body.size", len(response.content))
            return response

    async def _send(
        self,
        operation: str,
        method: str,
        url: str,
        params: _Params | None,
        content: bytes | None,
        headers: dict[str, str],
    ) -> httpx.Response:
        refreshed = False
        local_waits = 0
        while True:
            token = await self._token(operation)
            try:
                response = await self._http.request(
                    method, url, params=params, content=content, headers={**headers, "Authorization": f"Bearer {token}"}
                )
            except httpx.HTTPError as exc:
                kind = "timeout" if isinstance(exc, httpx.TimeoutException) else "network error"
                raise TransientError(f"{kind}: {type(exc).__name__}", system=SYSTEM, operation=operation) from exc
            log.debug("%s %s -> %s", method, httpx.URL(url).path, response.status_code)
            if response.status_code == 401 and not refreshed:
                # Expired or revoked early: forget it and try once more with a fresh one.
                self._tokens.invalidate(token)
                refreshed = True
                continue
            if response.status_code == 429 and local_waits < MAX_LOCAL_RETRIES:
                wait = _retry_after(response)
                if wait <= self._max_local_retry_wait:
                    # A 429 means the request was not processed, so repeating even a POST is safe.
                    local_waits += 1
                    log.info("%s %s throttled; waiting %.2fs", SYSTEM, operation, wait)
                    await asyncio.sleep(wait)
                    continue
            if not response.is_success:
                raise error_for_response(response, operation)
            return response

    async def _token(self, operation: str) -> str:
        # The shared provider labels its errors as the Workflow Service's; relabel them as ours.
        try:
            return await self._tokens.token(operation)
        except ConnectorError as exc:
            if exc.system == SYSTEM:
                raise
            raise type(exc)(
                exc.message,
                system=SYSTEM,
                operation=operation,
                status_code=exc.status_code,
                retry_after=exc.retry_after,
                details=exc.details,
            ) from exc

    def _outputs(self, response: httpx.Response, operation: str) -> list[GeneratedOutput]:
        envelope = self._validate(self._json(response, operation), OrchestrationResponse, operation, response)
        failed = [e for e in envelope.data if e.error_message or e.content is None]
        if envelope.status != SUCCESS_STATUS or failed:
            problems = "; ".join(
                f"{e.error_message or 'output without content'}"
                + (f" (statusCode {e.status_code})" if e.status_code else "")
                for e in failed
            )
            raise RejectedError(
                problems or f"orchestration answered status {envelope.status!r}",
                system=SYSTEM,
                operation=operation,
                status_code=response.status_code,
                details=[e.model_dump(exclude={"content"}, by_alias=True) for e in failed],
            )
        outputs: list[GeneratedOutput] = []
        for entry in envelope.data:
            context = entry.engine_output_context
            try:
                content = base64.b64decode(entry.content or "", validate=True)
            except (binascii.Error, ValueError) as exc:
                raise ContractError("output content is not Base64", system=SYSTEM, operation=operation) from exc
            outputs.append(
                GeneratedOutput(
                    mime_type=entry.mime_type or "application/octet-stream",
                    content=content,
                    queue_name=context.queue_name if context else None,
                    file_name=context.file_name if context else None,
                    customer_number=context.customer_number if context else None,
                    delivery_id=context.delivery_id if context else None,
                )
            )
        return outputs

    def _parse_envelope(self, response: httpx.Response, model: type[_Model], operation: str) -> _Model:
        parsed = self._validate(self._json(response, operation), model, operation, response)
        status = getattr(parsed, "status", SUCCESS_STATUS)
        if status != SUCCESS_STATUS:
            raise RejectedError(
                f"service answered status {status!r}",
                system=SYSTEM,
                operation=operation,
                status_code=response.status_code,
            )
        return parsed

    @staticmethod
    def _json(response: httpx.Response, operation: str) -> object:
        try:
            body: object = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ContractError(
                "answer is not JSON", system=SYSTEM, operation=operation, status_code=response.status_code
            ) from exc
        return body

    @staticmethod
    def _validate(body: object, model: type[_Model], operation: str, response: httpx.Response) -> _Model:
        try:
            return model.model_validate(body)
        except ValidationError as exc:
            raise contract_error(
                exc, f"{model.__name__} JSON", system=SYSTEM, operation=operation, status_code=response.status_code
            ) from exc


def _driver_json(driver: object) -> bytes:
    """The driver record exactly as the communication's sample driver file is shaped: no wrapper.
    Decimals become strings and datetimes ISO-8601, so amounts keep their exact digits."""
    return json.dumps(to_jsonable_python(driver), separators=(",", ":"), ensure_ascii=False).encode()


def _deliveries(
    target: CommunicationTarget, outputs: list[GeneratedOutput], operation: str
) -> list[CommunicationDelivery]:
    """Outputs paired per document (customer number): the ARCHIVE queue's and a channel queue's."""
    uses = {q.name: (q.use or "").upper() for q in target.queues}
    channels = {channel.queue_use: channel for channel in Channel}
    documents: dict[str | None, list[GeneratedOutput]] = {}
    for output in outputs:
        documents.setdefault(output.customer_number, []).append(output)
    found: list[CommunicationDelivery] = []
    for customer_number, produced in documents.items():
        archive = [o for o in produced if uses.get(o.queue_name or "") == ARCHIVE_QUEUE_USE]
        delivered = [o for o in produced if uses.get(o.queue_name or "") in channels]
        delivery_ids = {o.delivery_id for o in produced}
        if len(archive) != 1 or len(delivered) != 1 or len(delivery_ids) != 1 or None in delivery_ids:
            raise ContractError(
                f"document {customer_number}: expected one ARCHIVE and one channel output under one"
                f" delivery id, got queues {[o.queue_name for o in produced]}",
                system=SYSTEM,
                operation=operation,
            )
        found.append(
            CommunicationDelivery(
                delivery_id=str(delivery_ids.pop()),
                channel=channels[uses[delivered[0].queue_name or ""]],
                archive=archive[0],
                channel_output=delivered[0],
                customer_number=customer_number,
            )
        )
    return found


def _driver_source(dsnlist: list[DataSource], communication: str) -> DataSource:
    drivers = [d for d in dsnlist if (d.type or "").lower() == DRIVER_DSN_TYPE]
    if not drivers and len(dsnlist) == 1:
        drivers = dsnlist
    if len(drivers) != 1:
        raise ContractError(
            f"manifest of {communication!r} names {len(drivers)} driver data sources, expected one",
            system=SYSTEM,
            operation="resolve_communication",
        )
    return drivers[0]


def _retry_after(response: httpx.Response) -> float:
    seconds = retry_after_seconds(response)
    return DEFAULT_RETRY_AFTER_SECONDS if seconds is None else seconds


def _describe(response: httpx.Response) -> tuple[str, object]:
    """The error text (with Exstream's `errorCode` when given) and the parsed body for `details`."""
    try:
        body: Any = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        body = None
    if isinstance(body, dict) and ("errorCode" in body or "timestamp" in body):
        try:
            parsed = ExstreamErrorBody.model_validate(body)
        except ValidationError:
            parsed = None
        if parsed is not None and (parsed.message or parsed.error):
            text = str(parsed.message or parsed.error)[:_MAX_MESSAGE]
            if parsed.error_code:
                text = f"{text} (errorCode {parsed.error_code})"
            return text, body
    # Gateway faults and identity errors share the Workflow Service's shapes.
    return service_message(response)


def error_for_response(response: httpx.Response, operation: str) -> ConnectorError:
    """The connector error for a non-2xx answer. 401s reaching here are final (already refreshed)."""
    status = response.status_code
    message, details = _describe(response)
    common: dict[str, Any] = {"system": SYSTEM, "operation": operation, "status_code": status, "details": details}
    if status == 429:
        return RateLimitedError(message, retry_after=_retry_after(response), **common)
    if status >= 500 or status == 408:
        return TransientError(message, **common)
    if status in (401, 403):
        return AuthenticationError(message, **common)
    if status == 404:
        return NotFoundError(message, **common)
    if status == 409:
        return ConflictError(message, **common)
    return RejectedError(message, **common)
