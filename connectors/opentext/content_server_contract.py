"""What the Content Server connector assumes about OpenText Extended ECM, in one place.

Facts marked "confirmed" come from OpenText's published Content Server REST API 2.0.2 and Business
Workspaces REST API specs (`specs/opentext/`) or from OpenText's own Python library
(pyxecm), as summarised in the reference `opentext-apis.md`, sections 3, 5, 6 and 7. Everything
marked ASSUMPTION is a design guess to verify against a real server; if one turns out wrong, the
fix should touch only this module (and the simulator in `sandbox/opentext_ecm`, which implements
the same guesses).
"""

from __future__ import annotations

SYSTEM = "opentext-ecm"

# -- Paths ----------------------------------------------------------------------------------------
# confirmed: the REST root is the CGI URL plus `/api` (`/otcs/cs.exe/api` on Windows, `/cs/cs/api`
# on Linux); v1 and v2 calls live side by side under it.
API_ROOT = "/api"
AUTH = "/v1/auth"
NODES = "/v2/nodes"
BUSINESS_WORKSPACES = "/v2/businessworkspaces"
# confirmed (Business Workspaces spec): `GET|POST /v2/businessworkspaces/{id}/relateditems`,
# `DELETE .../relateditems/{rel_bw_id}?rel_type=`; `GET /v1/nodes/{id}/businessworkspace`.
RELATED_ITEMS = "/v2/businessworkspaces/{workspace_id}/relateditems"
# confirmed (Business Workspaces spec): `GET /v2/businessworkspaces/{id}` (`fields` adds data); with
# `fields=workspace_references` its `results.data.workspace_references[]` carry `external_system_id`,
# `business_object_type`, `business_object_id` (reference 3.6, from pyxecm: the spec leaves the
# items untyped).
WORKSPACE_INFO = "/v2/businessworkspaces/{workspace_id}"
WORKSPACE_ROOT = "/v1/nodes/{node_id}/businessworkspace"
# confirmed (CS spec): `GET /v2/nodes/{id}/versions/{version_number}/content`; `POST /v2/search`.
VERSION_CONTENT = "/v2/nodes/{node_id}/versions/{version_number}/content"
SEARCH = "/v2/search"
# ASSUMPTION (not in the vendored specs; pyxecm's `assign_rm_classification` and
# `get_node_records_details`): Records Management lives at `/v1/nodes/{id}/rmclassifications`;
# `POST` takes `body={"class_id", "apply_to_sub_items", "rm_metadataToken"}` (the token only when
# changing one classification to another), `GET` answers `data[0].rmclassification_id` and
# `rm_metadataToken`.
RM_CLASSIFICATIONS = "/v1/nodes/{node_id}/rmclassifications"
# confirmed: the spec's update path for one category ends with a slash
# (`PUT /v2/nodes/{id}/categories/{category_id}/`); clients that omit it hit an unmapped URL.
CATEGORY_UPDATE = "/v2/nodes/{node_id}/categories/{category_id}/"

# -- Authentication -------------------------------------------------------------------------------
# confirmed: `POST /v1/auth` with form fields `username`/`password` answers `{"ticket": ...}`; the
# ticket travels as the `OTCSTicket` header; an OTDS bearer token is exchanged by
# `GET /v1/auth` with `Authorization: Bearer ...`, the ticket coming back in the `OTCSTicket`
# RESPONSE header; successful calls return a fresher ticket in that header, which clients swap in.
TICKET_HEADER = "OTCSTicket"
# confirmed: the session dies after a server-side idle time (about 30 minutes by default); a 401
# means "log in again". The connector re-authenticates once and repeats the call once.

# -- Request encoding -----------------------------------------------------------------------------
# confirmed: writes are `application/x-www-form-urlencoded` or `multipart/form-data`; structured
# arguments go as a JSON string in ONE form field named `body`; files as the multipart part `file`.
# ASSUMPTION: `application/json` request bodies are refused (a community client says so; the
# Business Workspaces spec declares JSON for workspace creation, but pyxecm sends form `body`,
# and so does this connector).
BODY_FIELD = "body"
FILE_PART = "file"

# -- Node subtypes --------------------------------------------------------------------------------
# confirmed (pyxecm ITEM_TYPE_*): folder 0, document 144, business workspace 848.
SUBTYPE_FOLDER = 0
SUBTYPE_DOCUMENT = 144
SUBTYPE_BUSINESS_WORKSPACE = 848

# -- Business workspaces --------------------------------------------------------------------------
# confirmed: `GET /v2/businessworkspaces` with `where_ext_system_id`, `where_bo_type`, `where_bo_id`
# finds the workspace of a business object; `expanded_view=true` is needed, otherwise only the
# user's recently accessed workspaces are searched.
# confirmed: creation answers `results.id` (an object, not a list); node creation answers
# `results.data.properties.id`.
# ASSUMPTION (reference 3.6/7): a business object whose external system or type is not configured is
# refused with 400/404 `{"error": ...}`; a second workspace for the same business object is refused
# with an "already exists" error, which the connector treats as "look it up again".

# -- Names and versions ---------------------------------------------------------------------------
# confirmed: names are unique per parent; a clash answers HTTP 500 "An item with the name '...'
# already exists." (and applying an already applied category answers 400 "... already exists").
# Both are final answers, not server faults: the connector maps them to `ConflictError`.
ALREADY_EXISTS_PHRASE = "already exists"
# ASSUMPTION: `where_name` on `GET /v2/nodes/{id}/nodes` is a (case-insensitive) substring filter,
# not an exact match; the connector always compares names exactly itself.
# ASSUMPTION: `POST /v2/nodes/{id}/versions` answers `results.data.properties` (the node) and
# `results.data.versions` (the new version, with `version_number`); when the latter is missing the
# connector lists the versions (`results[].data.versions`) and takes the highest number.

# -- Categories -----------------------------------------------------------------------------------
# confirmed: attribute keys are `{category_id}_{attribute_id}` (set rows
# `{category_id}_{set_id}_{row}_{attribute_id}`); nested per category in workspace creation,
# flat in node creation; `POST /v2/nodes/{id}/categories` applies one category (`category_id` plus
# keys), `PUT .../categories/{category_id}/` updates one.
# ASSUMPTION: `GET /v2/nodes/{id}/categories` answers one `results[]` entry per applied category,
# its values flat in `data.categories` keyed `{category_id}_{attribute_id}` (pyxecm's examples;
# the spec's response schema wraps everything in arrays, which real servers do not do).

# -- Errors ---------------------------------------------------------------------------------------
# confirmed: error bodies are `{"error": "..."}` (sometimes with `errorDetail`); behind proxies the
# body may be an HTML page. A node that does not exist (or cannot be seen) answers 400 "Could not
# get a node for ..." / "... could not be accessed ..." rather than 404 (and some calls, e.g. reading
# categories, answer 500 "Could not get a node for {id}"): those phrases mean "not found" for any of
# 400, 404 and 500.
# The content download documents 500 "Could not locate node: {id}" / "The version is not found".
NOT_FOUND_PHRASES = (
    "could not get a node",
    "could not be accessed",
    "does not exist",
    "could not locate node",
    "version is not found",
)
# confirmed: right after restarts the server can answer 200 with broken JSON; pyxecm retries those.
# The connector raises `TransientError` for an unparsable 2xx body.
# ASSUMPTION: Content Server has no rate limiting of its own; a gateway in front of it may answer
# 429 with `Retry-After`, which the connector honours (short waits inside the client).
DEFAULT_RETRY_AFTER_SECONDS = 2.0

# -- Paging ---------------------------------------------------------------------------------------
# confirmed: v2 lists page with `page` (1-based) and `limit`; the answer's paging block holds
# `page_total` and `total_count` (`collection.paging` for children, `paging` for workspaces).
DEFAULT_PAGE_SIZE = 100
MAX_PAGES = 1000  # a guard against a server that never reports the last page

# -- Idempotency ----------------------------------------------------------------------------------
# confirmed: there are no idempotency keys. Natural keys make retries safe: (ext_system_id, bo_type,
# bo_id) for workspaces (look up before creating), (parent, name) for documents (a clash becomes a
# new version of the existing document).

# -- Relations between workspaces -----------------------------------------------------------------
# confirmed (pyxecm): one relation shows on both sides (A lists B as `child`, B lists A as `parent`).
# ASSUMPTION (pyxecm warns "It may already exist"): relating a pair twice is refused; the connector
# lists first and treats an "already exists" answer as done.
RELATION_CHILD = "child"
RELATION_PARENT = "parent"

# -- Notifications and the change feed ------------------------------------------------------------
# ASSUMPTION (reference 3.12/7): no outbound webhooks; callers poll. The poll is a search
# (`POST /v2/search`, form fields `where`, `sort`, `page`, `limit`) with an LQL condition on the
# modify date. ASSUMPTION: LQL regions `OTModifyDate` (`YYYYMMDD`, day precision), `OTSubType`,
# `OTLocation`, clauses joined by `and`, `sort=asc_OTModifyDate`; the connector narrows the day
# to the exact `modify_date` of each hit itself. The index lags behind by the indexing delay, so a
# poller re-reads from its last cursor (the query is inclusive) and acts idempotently.
SEARCH_SORT = "asc_OTModifyDate"
# ASSUMPTION: `modify_date` without a zone is the server's time, which is UTC.
