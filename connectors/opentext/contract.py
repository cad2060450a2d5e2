"""What the Workflow connector assumes about the OpenText Workflow Service, in one place.

Facts marked "confirmed" were seen in OpenText's own material (see the reference
`opentext-apis.md`, sections 1, 2 and 7). Everything marked ASSUMPTION is a design guess to verify
against a real tenant; if one turns out wrong, the fix should only touch this module (and the
simulator in `sandbox/opentext`, which implements the same guesses).
"""

from __future__ import annotations

SYSTEM = "opentext-workflow"

# -- Paths ----------------------------------------------------------------------------------------
# confirmed: tenant-scoped token endpoint, client credentials sent as a JSON body.
TOKEN_PATH = "/tenants/{tenant_id}/oauth2/token"
# confirmed: runtime API root; task actions are POST /tasks/{id} with an `action`.
API_PREFIX = "/workflow/v1"
PROCESS_INSTANCES = "/process-instances"
TASKS = "/tasks"

# -- Tokens ---------------------------------------------------------------------------------------
# confirmed: honour `expires_in` and refresh about a minute early; never hard-code a lifetime.
TOKEN_REFRESH_MARGIN_SECONDS = 60.0

# -- Starting processes ---------------------------------------------------------------------------
# confirmed: the OT2 demo sends `"outcome": "none"` on start; we send the same keys as the demo.
START_OUTCOME = "none"

# -- Filters and parameters -----------------------------------------------------------------------
# confirmed: tasks can be filtered by the owning instance's business key.
TASK_BUSINESS_KEY_PARAM = "processInstanceBusinessKey"
# ASSUMPTION (reference 2.4/7): `GET /process-instances` accepts a `businessKey` filter (Flowable
# convention; only `processDefinitionKey` was seen). Idempotent starts depend on it.
PROCESS_BUSINESS_KEY_PARAM = "businessKey"
# ASSUMPTION (reference 2.2/7): `DELETE /process-instances/{id}` takes an optional `deleteReason`
# query parameter (Flowable convention; the OT2 sources only show "Terminate instance").
DELETE_REASON_PARAM = "deleteReason"

# -- Paging ---------------------------------------------------------------------------------------
# confirmed: `offset` (items, not pages) + `count`; HAL `_embedded`, `page.totalElements`,
# `_links.next`. ASSUMPTION: the other `page` keys and the upper bound on `count`.
DEFAULT_PAGE_SIZE = 100
MAX_PAGES = 1000  # a guard against a server that keeps answering `next`

# -- Tasks ----------------------------------------------------------------------------------------
# ASSUMPTION (samples README): candidate assignments are `{"type": "candidate", "group": ...}` and
# `PUT /tasks/{id}` replaces them when `assignments` is given (escalation = new group + priority).
CANDIDATE_ASSIGNMENT_TYPE = "candidate"
# confirmed: task actions answer 200 or 204; the connector does not rely on a body.
# ASSUMPTION: completing an already completed task answers 404 (or 400): NotFoundError /
# RejectedError, never retried. A caller that sees it after a lost response should re-read the
# process instance (its outcome variable) instead of completing again.

# -- Errors ---------------------------------------------------------------------------------------
# confirmed: application errors carry `exception` (and `details`); gateway faults carry
# `fault.faultstring`. ASSUMPTION: throttling is a gateway 429, possibly with `Retry-After`.
DEFAULT_RETRY_AFTER_SECONDS = 1.0

# -- Callbacks ------------------------------------------------------------------------------------
# ASSUMPTION (reference 2.4): the service has no webhooks. Casebridge's process model ends with an
# HTTP service task that POSTs the outcome to the `callbackUrl` variable, signed with the tenant's
# callback secret (`X-Casebridge-Timestamp`, `X-Casebridge-Signature: v1=<hex HMAC-SHA256(secret,
# f"{timestamp}." + body)>`); `connectors.opentext.callback_signing` defines and verifies it. A real
# OT2 HttpTask has no HMAC step of its own: signing there needs a script step or a gateway policy,
# which is still to be proven on a real tenant. Until then, reconciliation by polling
# `get_process` (the outcome variable) is the safety net.
CALLBACK_URL_VARIABLE = "callbackUrl"

# -- Attachments by reference -----------------------------------------------------------------------
# confirmed (reference 2.2, WF-QODEX index): task attachments live at `/tasks/{taskId}/attachments`:
# POST creates, GET lists (`?includeUserIds=false`), GET/DELETE `.../{attachmentId}`; DELETE takes
# `cascade` and `cascadeContent`, which also delete the linked file in the OT2 content store.
ATTACHMENTS = "/attachments"
INCLUDE_USER_IDS_PARAM = "includeUserIds"
CASCADE_PARAM = "cascade"
CASCADE_CONTENT_PARAM = "cascadeContent"
# ASSUMPTION (reference 2.2/7, "Instance-level attachments"): `/process-instances/{id}/attachments`
# mirrors the task variant (Flowable keeps attachments per process instance and per task; OT2's path
# was not seen). Listing an instance's attachments includes those added to its tasks (Flowable).
# ASSUMPTION (reference 2.2/7, "attachment request body"): the create body is Flowable's
# `AttachmentRequest` (the runtime is Flowable-derived): `{"name", "description", "type",
# "externalUrl"}`. `externalUrl` makes it an attachment BY REFERENCE: the document (a Content Server
# node, an Exstream output) stays where it is and the Workflow Service stores only the link. `type`
# is free text in Flowable; Casebridge sends the document's media type (e.g. `application/pdf`).
# ASSUMPTION: an attachment answers Flowable's `AttachmentResponse` keys (`id`, `name`,
# `description`, `type`, `externalUrl`, `contentUrl`, `url`, `userId`, `time`) plus `taskId` and
# `processInstanceId` as OT2 comments carry them; lists are HAL pages `_embedded.attachments`
# holding every attachment of the owner (no paging parameters were seen). The connector also takes a
# bare JSON array (Flowable's list shape), and refuses a page that says it is incomplete, because
# idempotent adds rely on seeing every attachment.
# ASSUMPTION: no idempotency key exists (none documented anywhere). Adding is made safe to retry by
# looking the owner's attachments up by NAME first: the name is the stable key of a reference (one
# name per document and owner). Same name and same URL = already added; same name, other URL =
# ConflictError (never a silent second attachment). Two concurrent first attempts can still race.
# Casebridge never cascades a delete: the referenced document belongs to Content Server / Exstream.
