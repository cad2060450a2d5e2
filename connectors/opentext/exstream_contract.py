"""What the Exstream connector assumes about OpenText Exstream (Core Communications), in one place.

"confirmed" = seen in OpenText's own material: the Core Communications Postman collection
(`specs/opentext/exstream-communications.postman_collection.json`) or the SDK sample described
in the reference `opentext-apis.md`, sections 1 and 4. Everything marked ASSUMPTION is a design guess
to verify against a real tenant; if one turns out wrong, the fix should only touch this module (and
the simulator in `sandbox/opentext_exstream`, which implements the same guesses).
"""

from __future__ import annotations

from enum import StrEnum

SYSTEM = "opentext-exstream"

# -- Identity -------------------------------------------------------------------------------------
# confirmed: tenant-scoped token endpoint on the region host (`{{api_host}}`), client credentials
# as a JSON body ("Client Credentials Grant - tenant json"). The same endpoint and body as the
# Workflow Service, so `connectors.opentext.auth.TokenProvider` is reused.
TOKEN_PATH = "/tenants/{tenant_id}/oauth2/token"
# confirmed: honour `expires_in` (the SDK README quotes a 15-minute default); refresh ~60 s early.

# -- Design-time lookups (DAS) --------------------------------------------------------------------
# confirmed: all four paths and their query parameters are items of the Postman collection.
DOMAINS_PATH = "/design/api/v1/domains"
RESOURCES_PATH = "/design/api/v1/resources/{domain}"
LINKS_PATH = "/design/api/v1/links/{domain}"
MANIFEST_PATH = "/design/api/v1/manifests/{domain}/communication-set/{communication_set_id}"
# confirmed: communications are resources of type `exstrapplication`; their sets `exstrcommunicationset`.
COMMUNICATION_TYPE = "exstrapplication"
COMMUNICATION_SET_TYPE = "exstrcommunicationset"
APPROVED_STATE = "APPROVED"
# confirmed: "linkDepth=2 should always get the communication set when using a communication id".
COMMUNICATION_SET_LINK_DEPTH = 2
# confirmed: `count` + 0-based `offset`; page info in `page.totalElements` (SDK `PageInfo`).
# ASSUMPTION: the upper bound on `count` (the collection uses 100 and 1000).
PAGE_SIZE = 100
MAX_PAGES = 1000  # a guard against a server that keeps answering full pages
# ASSUMPTION (reference 4.3): no name filter exists; a communication is found by listing the latest
# APPROVED versions and matching `name` client-side.
# ASSUMPTION: the manifest answers in the usual `{"status", "data": {...}}` envelope; the parser also
# accepts `dsnlist`/`queueList` at the top level.
# ASSUMPTION: the driver data source is the `dsnlist` entry whose `type` is `DRIVER` (any case); the
# other entries are reference data. With a single entry, that one is the driver.
DRIVER_DSN_TYPE = "driver"
# ASSUMPTION (reference 4.3: "each queue's driver tells the output type"): the `driver` values below.
QUEUE_DRIVER_MIME_TYPES: dict[str, str] = {
    "PDF": "application/pdf",
    "HTML": "text/html",
    "TEXT": "text/plain",
    "EMPOWER": "application/vnd.exstream-empower",
    "JSON": "application/json",
}

# -- On-demand generation -------------------------------------------------------------------------
# confirmed: the path, the two selector headers, the raw driver JSON as the body (no wrapper).
GENERATE_PATH = "/orchestration/api/v1/inputs/ondemand/{domain}/generate"
COMMUNICATION_ID_HEADER = "communicationId"
DRIVER_DATA_SOURCE_HEADER = "driverDataSource"
# confirmed: without a specific `Accept` (Postman sends its default `*/*`) every output comes back
# Base64 per queue in `data[]`; `Accept: application/pdf` answers the raw bytes of that mime type.
FULL_RESPONSE_ACCEPT = "*/*"
# confirmed: success envelopes carry `"status": "success"`; orchestration may answer
# `"status": "error"` with `data[]{errorMessage, statusCode}` instead of an HTTP error.
SUCCESS_STATUS = "success"
# confirmed: no idempotency; every call renders again. Callers dedupe with their own reference in the
# driver data (e.g. the case id).

# -- Batch ----------------------------------------------------------------------------------------
# confirmed (community integration, not OpenText's own material): the submit path, and `data[0]`
# carrying `jobId` and `id`. ASSUMPTION: the orchestration input service named in the path binds
# the communication server-side, so no `communicationId`/`driverDataSource` headers are sent, and
# the body is the driver JSON: one object, or an array with one object per customer.
BATCH_SUBMIT_PATH = "/orchestration/api/v1/inputs/batch/{domain}/{service}"
# ASSUMPTION (reference 4.7): a job status call under the runtime URL that integration configured;
# its answer is `{"status", "data": {"jobId", "state", "outputs": [...], "errors": [...]}}`.
JOB_STATUS_PATH = "/orchestration/api/v1/runtime/{domain}/jobs/{job_id}"
# ASSUMPTION (reference 4.7: no REST download was confirmed; real deployments write to an output
# location): outputs of a completed job in the same envelope as an on-demand full response. Asking
# before the job completed answers 409.
JOB_OUTPUTS_PATH = "/orchestration/api/v1/runtime/{domain}/jobs/{job_id}/outputs"


# -- Customer communications and deliveries -------------------------------------------------------
# ASSUMPTION (reference 4.5: channels are design queues, not a request field): a customer
# communication's driver carries the common envelope (`document`, `brand`, `language` (BCP 47),
# `currency`, `channel`, `recipient`, `store`); its set has the queues ARCHIVE (always produced) and
# one delivery queue per channel, and the driver's `channel` selects which delivery queue runs.
ARCHIVE_QUEUE_USE = "ARCHIVE"


class Channel(StrEnum):
    EMAIL = "email"
    PRINT = "print"
    WEB = "web"

    @property
    def queue_use(self) -> str:
        """The manifest `use` of the queue delivering on this channel (ASSUMPTION)."""
        return self.value.upper()


# ASSUMPTION: the delivery a generation's channel queue made is named by `engineOutputContext.
# deliveryId` on each of its outputs (and by the `deliveryId` header of a raw single-output answer).
DELIVERY_ID_HEADER = "deliveryId"
# ASSUMPTION (Exstream publishes no delivery-tracking API): delivery outcomes and customers' channel
# preference changes are read from a polled feed, `?after=<cursor>&limit=N`, answering
# `{"status", "data": [event...], "next": cursor, "hasMore"}`; a cursor not handed out is refused (400).
DELIVERY_EVENTS_PATH = "/orchestration/api/v1/runtime/{domain}/delivery-events"
DELIVERY_EVENTS_PAGE_SIZE = 100  # ASSUMPTION: also the largest page the feed serves


class DeliveryEventType(StrEnum):
    DELIVERED = "delivered"
    BOUNCED = "bounced"
    OPTED_OUT = "opted_out"  # the customer refused the channel: nothing was sent
    RETURNED = "returned"  # print returned as undeliverable
    PREFERENCE_CHANGED = "preference_changed"  # the customer opted in or out of a channel


class JobState(StrEnum):
    """ASSUMPTION (reference 4.7): the job states a status poll reports."""

    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"

    @property
    def finished(self) -> bool:
        return self in (JobState.COMPLETED, JobState.FAILED)


# -- Errors and limits ----------------------------------------------------------------------------
# confirmed: the error body `{timestamp, status, error, message, details, errorCode, path}` (SDK
# `ExstreamErrorResponse`). ASSUMPTION: the `errorCode` values themselves.
# ASSUMPTION (reference 4.9: limits undocumented): throttling is a gateway 429 with `Retry-After`
# in seconds; no other rate-limit headers are relied on. Without the header, wait this long:
DEFAULT_RETRY_AFTER_SECONDS = 1.0
# A 429 asking for at most this long is waited out inside the client (at most twice per call);
# anything longer becomes `RateLimitedError` so Temporal's retry does the waiting.
MAX_LOCAL_RETRY_WAIT_SECONDS = 2.0
MAX_LOCAL_RETRIES = 2
# ASSUMPTION: rendering is synchronous and may take seconds for a large document.
DEFAULT_TIMEOUT_SECONDS = 30.0
