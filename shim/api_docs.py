"""What the shim's OpenAPI document (`/openapi.json`, `/docs`) tells the people who integrate with
it: per signed endpoint the body its sender posts, the headers the sender signs with, and every
answer the handler can give, each with an example and the reason it is given.

The handlers read the raw body themselves (a signature covers the exact bytes and is checked before
anything is parsed), so FastAPI cannot see their payload models or headers: they are declared here
and attached with `openapi_extra` and `responses`. The answers listed per endpoint are the ones its
code raises (`tests/test_shim_openapi.py` holds each endpoint to its list).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel

from connectors.adobe_commerce.io_events import EVENT_ID_HEADER, KEY_PATH_HEADERS, SIGNATURE_HEADERS, IoEvent
from connectors.bigcommerce.webhooks import WebhookPayload
from connectors.opentext import callback_signing
from connectors.shopify.webhooks import OrderPayload, ReturnRequestPayload
from connectors.standard_webhooks import ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER

SCHEMA_REF = "#/components/schemas/{model}"


class Refusal(BaseModel):
    """The body of every answer that is not a success (FastAPI's `HTTPException`)."""

    detail: str


# --- headers ---------------------------------------------------------------------------------------


def header(name: str, description: str, example: str, *, required: bool = True) -> dict[str, Any]:
    return {
        "name": name,
        "in": "header",
        "required": required,
        "description": description,
        "schema": {"type": "string"},
        "example": example,
    }


SHOPIFY_HEADERS = [
    header(
        "X-Shopify-Hmac-Sha256",
        "Base64 of HMAC-SHA256 over the raw body, keyed with the app's client secret (the store's "
        "`webhook_secret_env` in `stores.yaml`).",
        "4u8RMmBqKkxmSYnYt2DffHq3Pzq3X8Zg1P1Eoa8aTB8=",
    ),
    header("X-Shopify-Shop-Domain", "The shop that sent it: selects the secret.", "casebridge-demo.myshopify.com"),
    header(
        "X-Shopify-Topic",
        "`orders/create`, `orders/cancelled`, `returns/request` or `fulfillment_orders/placed_on_hold` "
        "are routed; any other topic is acknowledged as `ignored`.",
        "orders/create",
    ),
    header(
        "X-Shopify-Webhook-Id",
        "The delivery's id, recorded on the case it starts.",
        "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
        required=False,
    ),
]

STANDARD_WEBHOOKS_HEADERS = [
    header(ID_HEADER, "The delivery's id, the same on every redelivery: answers are deduplicated on it.", "msg_2b8f"),
    header(
        TIMESTAMP_HEADER,
        "Unix seconds when it was signed; more than 5 minutes from the shim's clock is refused.",
        "1735689600",
    ),
    header(
        SIGNATURE_HEADER,
        "Space-separated `v1,<base64 HMAC-SHA256(secret, '{webhook-id}.{webhook-timestamp}.{raw body}')>` "
        "entries (Standard Webhooks); one valid entry suffices (secret rotation).",
        "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=",
    ),
]

EVENT_SOURCE_HEADERS = [
    header(
        "X-Casebridge-Source",
        "The event source's `name` in `stores.yaml` (`event_sources`): selects the secret that signs "
        "the delivery per Standard Webhooks, and the stores the source may report about.",
        "demo-warehouse",
    ),
    *STANDARD_WEBHOOKS_HEADERS,
]

ADOBE_HEADERS = [
    header(
        SIGNATURE_HEADERS[0],
        "Base64 RSA-SHA256 signature over the raw body (Adobe I/O Events). One valid signature with its "
        "key path suffices; a registration challenge comes unsigned.",
        "kH7h...==",
        required=False,
    ),
    header(SIGNATURE_HEADERS[1], "The second signature (Adobe rotates keys).", "Zm9v...==", required=False),
    header(
        KEY_PATH_HEADERS[0],
        "Where Adobe's public key for the first signature lives (`/prod/keys/pub-key-<name>.pem`); "
        "other paths are refused, fetched keys are cached.",
        "/prod/keys/pub-key-voy5XEbWmT.pem",
        required=False,
    ),
    header(
        KEY_PATH_HEADERS[1],
        "The key path of the second signature.",
        "/prod/keys/pub-key-maAv3Tg6ZH.pem",
        required=False,
    ),
    header(
        EVENT_ID_HEADER,
        "Not signed, so not trusted: redeliveries are deduplicated on the event id inside the signed body.",
        "4b5e8d3a-6f0b-4f7e-9d1a-2c3e4f5a6b7c",
        required=False,
    ),
]

OPENTEXT_HEADERS = [
    header(
        callback_signing.TIMESTAMP_HEADER,
        "Unix seconds when the process model's HTTP service task signed it; more than 5 minutes away is refused.",
        "1735689600",
    ),
    header(
        callback_signing.SIGNATURE_HEADER,
        "`v1=<hex HMAC-SHA256(tenant callback secret, '{timestamp}.' + raw body)>`; several comma-separated "
        "entries are allowed (secret rotation).",
        "v1=5f2b9c0e8d7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c",
    ),
]

TENANT_QUERY = {
    "name": "tenant",
    "in": "query",
    "required": True,
    "description": "The OpenText tenant's name in `stores.yaml` (the callback URL each review gives OpenText has it).",
    "schema": {"type": "string"},
    "example": "casebridge-demo",
}


# --- answers ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    status: int
    why: str
    # A refusal's `detail` texts, or the success bodies, by example name.
    examples: dict[str, Any]


def refused(status: int, why: str, **details: str) -> Answer:
    return Answer(status, why, {name: {"detail": detail} for name, detail in details.items()})


def responses(success_model: type[BaseModel], answers: Sequence[Answer]) -> dict[int | str, dict[str, Any]]:
    """FastAPI's `responses=` for these answers: the success one with `success_model`, the others
    with `Refusal`; several reasons for one status are one response with several examples."""
    out: dict[int | str, dict[str, Any]] = {}
    for answer in answers:
        model = success_model if answer.status < 300 else Refusal
        examples = {name: {"value": value} for name, value in answer.examples.items()}
        if answer.status in out:
            out[answer.status]["description"] += f"\n\n{answer.why}"
            out[answer.status]["content"]["application/json"]["examples"] |= examples
            continue
        out[answer.status] = {
            "model": model,
            "description": answer.why,
            "content": {"application/json": {"examples": examples}},
        }
    return out


SIGNED_FIRST = [
    refused(
        413,
        "The body is over `SHIM_MAX_BODY_BYTES` (1 MiB by default): refused before it is hashed or parsed, "
        "whatever Content-Length says.",
        too_large="request body over the 1048576-byte limit",
    ),
    refused(
        401,
        "Not genuinely signed: a bad, missing, stale or future signature, or an unknown shop, store, tenant or "
        "event source. One answer for all, given before any JSON is parsed, so a stranger cannot tell which "
        "stores exist; the reason is in the shim's log.",
        invalid_signature="invalid signature",
    ),
]
NOT_JSON = refused(400, "Signed, but the body is not JSON.", not_json="invalid order payload: body: Invalid JSON")
TRANSIENT = refused(
    503,
    "Something transient: the platform could not be read (down, throttled, failing) or Temporal is unavailable. "
    "Nothing was started: deliver it again (the platforms do by themselves).",
    temporal="Temporal is not reachable yet",
    store="could not read order 5551234 from casebridge-demo.myshopify.com: 503 Service Unavailable",
)
NOT_FOUND_ON_PLATFORM = refused(
    404,
    "The order (return, RMA, fulfillment order) does not exist on the platform: redelivering cannot help.",
    no_such_order="order 5551234 not found in casebridge-demo.myshopify.com",
)
NO_POLICY = "store casebridge-demo.myshopify.com has no routing policy configured"


def _result(result: str, case_id: str | None = None, reasons: Iterable[str] = (), also: Iterable[str] = ()) -> Any:
    return {"result": result, "case_id": case_id, "reasons": list(reasons), "also": list(also)}


REVIEW_CASE = "order-review/shopify/casebridge-demo.myshopify.com/5551234"
WEBHOOK_ACCEPTED = Answer(
    200,
    "Taken. `result` says what became of it: `started` (a case was opened), `accepted` (joined the open case "
    "of its kind, or opened it), `signalled` (reached an open case), `duplicate` (a redelivery: answered as "
    "before, nothing done twice), `not-needed` (the policy wants no case), `no-open-case` (a cancellation "
    "with no case to reach) or `ignored` (not routed, or its subject has moved on).",
    {
        "started": _result("started", REVIEW_CASE, ["total 1250.00 USD at least 1000"]),
        "duplicate": _result("duplicate", REVIEW_CASE, ["total 1250.00 USD at least 1000"]),
        "not_needed": _result("not-needed"),
        "signalled": _result("signalled", REVIEW_CASE),
        "ignored": _result("ignored"),
    },
)

SHOPIFY_ANSWERS = [
    WEBHOOK_ACCEPTED,
    *SIGNED_FIRST,
    NOT_JSON,
    refused(400, "The `X-Shopify-Topic` header is missing.", no_topic="missing X-Shopify-Topic header"),
    refused(
        422,
        "Signed JSON, but not a valid payload for its topic (each field named: absurd amounts, ids beyond 64 bits "
        "or disagreeing with their gid, JSON nested too deeply), or the shop has no routing policy.",
        invalid="invalid order payload: total_price: Input should be less than or equal to 1000000000",
        no_policy=NO_POLICY,
    ),
    NOT_FOUND_ON_PLATFORM,
    TRANSIENT,
]

BIGCOMMERCE_ANSWERS = [
    WEBHOOK_ACCEPTED,
    *SIGNED_FIRST,
    NOT_JSON,
    refused(
        422,
        "Signed JSON, but not a valid webhook payload (each field named), or the store has no routing policy.",
        invalid="invalid webhook payload: producer: String should match pattern '^stores/[A-Za-z0-9_-]{1,100}$'",
        no_policy="store casebridgedemo has no routing policy configured",
    ),
    NOT_FOUND_ON_PLATFORM,
    TRANSIENT,
]

ADOBE_CHALLENGE_ECHO = 'An unsigned POST `{"challenge": "..."}` (a registration check) is echoed as JSON.'
ADOBE_ANSWERS = [
    Answer(
        200,
        WEBHOOK_ACCEPTED.why + "\n\n" + ADOBE_CHALLENGE_ECHO,
        WEBHOOK_ACCEPTED.examples | {"challenge": {"challenge": "8f6d7b3a"}},
    ),
    *SIGNED_FIRST,
    NOT_JSON,
    refused(
        422,
        "Signed JSON, but not a valid I/O event (each field named), or the store has no routing policy.",
        invalid="invalid event: id: Field required",
        no_policy="store default has no routing policy configured",
    ),
    refused(
        404,
        "The event provider (`source`) is no store this deployment serves, or the order or RMA does not exist "
        "in Adobe Commerce.",
        unknown_provider="unknown Adobe Commerce event provider",
        no_such_order="order 42 not found in default",
    ),
    refused(
        503,
        "Adobe's public key could not be fetched yet, the store could not be read, or Temporal is unavailable: "
        "Adobe redelivers.",
        key="cannot verify the event yet: 503 Service Unavailable",
        temporal="Temporal is not reachable yet",
    ),
]

ADOBE_CHALLENGE_ANSWERS = [
    Answer(200, "The challenge, echoed as plain text: Adobe then registers the URL.", {}),
    refused(400, "No `challenge` query parameter.", no_challenge="expected a challenge query parameter"),
]

OPENTEXT_ANSWERS = [
    Answer(
        200,
        "The case took the decision; its view after it. A redelivered callback (same task) gets the first answer.",
        {
            "decided": {
                "case_id": REVIEW_CASE,
                "case_type": "order-review",
                "status": "APPROVED",
                "review_task_id": "task-7f3c",
            }
        },
    ),
    *SIGNED_FIRST,
    refused(400, "Signed, but the body is not JSON.", not_json="invalid callback: body: Invalid JSON"),
    refused(
        422,
        "Signed JSON, but not a valid task outcome (each field named), or an id beyond Temporal's limits.",
        invalid="invalid callback: taskId: Field required",
        too_long="Temporal refused the update: WorkflowId length exceeds limit.",
    ),
    refused(404, "No case under the callback's business key.", no_case=f"no case {REVIEW_CASE}"),
    refused(
        409,
        "The case refused the decision (another process or task, an outcome it does not offer) or is closed.",
        refused="the case refused the decision: task task-1 is not the review's open task",
        closed=f"case {REVIEW_CASE} is closed (COMPLETED)",
    ),
    refused(
        503,
        "The case did not answer in time, is still opening the task the decision is for (3 s of offers "
        "first), or Temporal is unavailable: OpenText sends it again.",
        not_ready="the case is not ready for this decision yet: it is still opening its task",
        timeout="the case did not answer in time; retry later",
    ),
]

EVENT_ANSWERS_FIRST = [
    *SIGNED_FIRST,
    refused(
        403,
        "The source is limited to some stores (`stores` in its `event_sources` entry) and this is not one of them, "
        "whether this deployment serves it or not.",
        not_allowed="event source 'demo-warehouse' may not report about store 'other-shop.myshopify.com'",
    ),
]

FULFILLMENT_EXCEPTION_ANSWERS = [
    WEBHOOK_ACCEPTED,
    *EVENT_ANSWERS_FIRST,
    refused(
        404,
        "The store is not served here (a source limited to no stores asked), or the order does not exist on it.",
        unknown_store="unknown shopify store 'other-shop.myshopify.com'",
        no_such_order="order 5551234 not found in casebridge-demo.myshopify.com",
    ),
    refused(
        422,
        "Not a valid report (each field named; a body that is not JSON too), or the store's policy has no "
        "fulfillment exceptions or no route for this exception type.",
        invalid="invalid event: lines.0.quantity: Input should be greater than or equal to 1",
        no_route="store casebridge-demo.myshopify.com has no route for carrier_delay",
    ),
    TRANSIENT,
]

RETURN_REQUEST_ANSWERS = [
    WEBHOOK_ACCEPTED,
    *EVENT_ANSWERS_FIRST,
    refused(
        404,
        "The store is not served here, or the order does not exist in it (or was deleted).",
        unknown_store="unknown bigcommerce store 'otherstore'",
        no_such_order="order 120 not found in casebridgedemo",
    ),
    refused(
        422,
        "Not a valid request (each field named; a body that is not JSON too), a store whose platform sends its "
        "own returns, a store without a returns policy, or lines not in the order or beyond what is returnable.",
        invalid="invalid event: lines: List should have at least 1 item after validation, not 0",
        platform="returns on shopify arrive from the platform itself, not here",
        lines="invalid return lines: order product 7 is not in order 120",
    ),
    TRANSIENT,
]

RETURN_EVIDENCE_ANSWERS = [
    Answer(
        200,
        "The evidence reached the return's case (`signalled`); it opens a new review round.",
        {
            "signalled": _result("signalled", "return/shopify/casebridge-demo.myshopify.com/9871234"),
            "duplicate": _result("duplicate", "return/shopify/casebridge-demo.myshopify.com/9871234"),
        },
    ),
    *EVENT_ANSWERS_FIRST,
    refused(
        404,
        "The store is not served here, or the return has no open case: the evidence reached nobody.",
        unknown_store="unknown shopify store 'other-shop.myshopify.com'",
        no_case="no open return case return/shopify/casebridge-demo.myshopify.com/9871234",
    ),
    refused(
        422,
        "Not valid evidence (each field named; a body that is not JSON too).",
        invalid="invalid event: body: Value error, evidence needs a note or at least one link",
    ),
    refused(503, "Temporal is unavailable: send it again.", temporal="Temporal did not take the evidence: unavailable"),
]


# --- request bodies --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Body:
    """One kind of body an endpoint takes, with an example that its model accepts."""

    model: type[BaseModel]
    summary: str
    example: dict[str, Any]


# Every model a request body refers to, so `install` can put their schemas into the document.
REQUEST_MODELS: dict[str, type[BaseModel]] = {}


def request_body(bodies: Sequence[Body], *parameters: dict[str, Any], description: str) -> dict[str, Any]:
    """`openapi_extra` for an endpoint that reads its raw body: the body's schema (one of `bodies`)
    with an example of each, and the header and query `parameters` it signs with."""
    for body in bodies:
        REQUEST_MODELS[body.model.__name__] = body.model
    refs = [{"$ref": SCHEMA_REF.format(model=body.model.__name__)} for body in bodies]
    schema = refs[0] if len(refs) == 1 else {"oneOf": refs}
    examples = {body.model.__name__ + (f"-{i}" if i else ""): body for i, body in enumerate(bodies)}
    return {
        "parameters": list(parameters),
        "requestBody": {
            "required": True,
            "description": description,
            "content": {
                "application/json": {
                    "schema": schema,
                    "examples": {name: {"summary": b.summary, "value": b.example} for name, b in examples.items()},
                }
            },
        },
    }


def install(app: FastAPI) -> None:
    """Generate the document with the request models' schemas among its components."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
                tags=app.openapi_tags,
            )
            schemas = document.setdefault("components", {}).setdefault("schemas", {})
            for model in REQUEST_MODELS.values():
                schema = model.model_json_schema(ref_template=SCHEMA_REF, mode="validation")
                schemas.update(schema.pop("$defs", {}))
                schemas[model.__name__] = schema
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


SHOPIFY_ORDER = Body(
    OrderPayload,
    "`orders/create` or `orders/cancelled` (the fields the shim reads; others are ignored)",
    {
        "id": 5551234,
        "admin_graphql_api_id": "gid://shopify/Order/5551234",
        "name": "#1001",
        "email": "buyer@example.com",
        "currency": "USD",
        "total_price": "1250.00",
        "subtotal_price": "1250.00",
        "total_discounts": "0.00",
        "tags": "",
        "cancelled_at": None,
        "customer": {"id": 7001, "email": "buyer@example.com", "tags": "vip"},
        "shipping_address": {"country_code": "US", "zip": "10001"},
        "billing_address": {"country_code": "US", "zip": "10001"},
        "line_items": [{"quantity": 1}],
    },
)
SHOPIFY_RETURN = Body(
    ReturnRequestPayload,
    "`returns/request`",
    {
        "id": 9871234,
        "admin_graphql_api_id": "gid://shopify/Return/9871234",
        "name": "#1001-R1",
        "status": "requested",
        "order": {"id": 5551234, "admin_graphql_api_id": "gid://shopify/Order/5551234"},
        "return_line_items": [
            {
                "quantity": 1,
                "return_reason": "defective",
                "customer_note": "The zip broke on day one",
                "fulfillment_line_item": {
                    "admin_graphql_api_id": "gid://shopify/FulfillmentLineItem/3301",
                    "line_item": {
                        "admin_graphql_api_id": "gid://shopify/LineItem/4401",
                        "title": "Trail jacket",
                        "quantity": 1,
                        "price_set": {"shop_money": {"amount": "180.00", "currency_code": "USD"}},
                    },
                },
            }
        ],
    },
)
BIGCOMMERCE_ORDER = Body(
    WebhookPayload,
    "`store/order/created` (thin: the shim reads the order itself); `store/order/statusUpdated` adds `data.status`",
    {
        "scope": "store/order/created",
        "store_id": "1001234567",
        "data": {"type": "order", "id": 120},
        "hash": "dd70c0976e06b67aaf671e73f49dcb79230ebf9d",
        "created_at": 1735689600,
        "producer": "stores/casebridgedemo",
    },
)
ADOBE_EVENT = Body(
    IoEvent,
    "`com.adobe.commerce.observer.sales_order_place_after` (also `sales_order_save_commit_after` with the "
    "order `canceled`, and `rma_save_commit_after` for a new pending RMA)",
    {
        "specversion": "1.0",
        "id": "4b5e8d3a-6f0b-4f7e-9d1a-2c3e4f5a6b7c",
        "source": "urn:uuid:7e2d8c1a-0000-4000-8000-000000000001",
        "type": "com.adobe.commerce.observer.sales_order_place_after",
        "datacontenttype": "application/json",
        "time": "2025-01-01T00:00:00Z",
        "event_id": "4b5e8d3a-6f0b-4f7e-9d1a-2c3e4f5a6b7c",
        "recipient_client_id": "casebridge-io",
        "data": {"key": "order", "value": {"entity_id": 42, "increment_id": "000000042"}},
    },
)
