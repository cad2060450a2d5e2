"""The shim's API as integrators read it: `/openapi.json` documents, for every webhook, callback and
event endpoint, the body, the signature headers and exactly the answers its handler can give; and
`/docs` works without internet (Swagger UI served by the shim itself).

The shim runs in this process (`httpx.ASGITransport`): neither document needs Temporal or a store."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from casebridge.settings import Settings
from shim import api_docs
from shim.app import create_app

SHIM_DIR = Path(__file__).resolve().parent.parent / "shim"

# What each handler can answer, read from its code (see the module of each):
# every signed POST: 200 taken, 413 body over the limit (`intake.bounded_body`), 401 not genuinely
# signed (`intake.unauthenticated`), 503 Temporal not reached (`ShimDeps.temporal`) or a transient
# store read (`cases.store_read_failed`).
SIGNED = {200, 401, 413, 503}
EXPECTED_ANSWERS: dict[tuple[str, str], set[int]] = {
    # 400 body not JSON (`intake.parse_verified`) or no X-Shopify-Topic; 404 order/return/fulfillment
    # order not on Shopify (`store_read_failed`); 422 invalid payload or no routing policy.
    ("post", "/webhooks/shopify"): SIGNED | {400, 404, 422},
    # 400 not JSON; 404 order not in the store; 422 invalid payload or no routing policy.
    ("post", "/webhooks/bigcommerce"): SIGNED | {400, 404, 422},
    # The registration challenge: 200 echoed, 400 no `challenge` parameter.
    ("get", "/webhooks/adobe-commerce"): {200, 400},
    # 400 not JSON; 404 unknown event provider, order or RMA; 422 invalid event or no routing policy;
    # 503 also when Adobe's public key cannot be fetched.
    ("post", "/webhooks/adobe-commerce"): SIGNED | {400, 404, 422},
    # 400 not JSON; 404 no such case; 409 decision refused or case closed; 422 invalid callback or an
    # id beyond Temporal's limits; 503 not answered in time, task still opening.
    ("post", "/callbacks/opentext/workflow"): SIGNED | {400, 404, 409, 422},
    # `events.handle_event`: 403 store not the source's, 404 store not served, 422 invalid (a body
    # that is not JSON included: `events.parse_event` never answers 400); then each handler's own:
    # fulfillment 404 no order, 422 no policy or route; return request 404 no order, 422 platform,
    # policy or lines; evidence 404 no open case.
    ("post", "/events/fulfillment-exception"): SIGNED | {403, 404, 422},
    ("post", "/events/return-request"): SIGNED | {403, 404, 422},
    ("post", "/events/return-evidence"): SIGNED | {403, 404, 422},
}

STANDARD_WEBHOOKS = {"webhook-id", "webhook-timestamp", "webhook-signature"}
EVENT_SOURCE = {"X-Casebridge-Source"} | STANDARD_WEBHOOKS
# The headers (and query) each sender signs with; those it must always send are required.
SIGNATURE_PARAMETERS: dict[tuple[str, str], dict[str, bool]] = {
    ("post", "/webhooks/shopify"): {
        "X-Shopify-Hmac-Sha256": True,
        "X-Shopify-Shop-Domain": True,
        "X-Shopify-Topic": True,
        "X-Shopify-Webhook-Id": False,
    },
    ("post", "/webhooks/bigcommerce"): dict.fromkeys(STANDARD_WEBHOOKS, True),
    ("get", "/webhooks/adobe-commerce"): {"challenge": True},
    # One signature with its key path suffices, and a registration challenge comes unsigned.
    ("post", "/webhooks/adobe-commerce"): {
        "x-adobe-digital-signature-1": False,
        "x-adobe-digital-signature-2": False,
        "x-adobe-public-key1-path": False,
        "x-adobe-public-key2-path": False,
    },
    ("post", "/callbacks/opentext/workflow"): {
        "tenant": True,
        "X-Casebridge-Timestamp": True,
        "X-Casebridge-Signature": True,
    },
    ("post", "/events/fulfillment-exception"): dict.fromkeys(EVENT_SOURCE, True),
    ("post", "/events/return-request"): dict.fromkeys(EVENT_SOURCE, True),
    ("post", "/events/return-evidence"): dict.fromkeys(EVENT_SOURCE, True),
}


@pytest.fixture(scope="module")
async def shim() -> AsyncIterator[httpx.AsyncClient]:
    async def no_temporal(_: Settings) -> Any:
        raise AssertionError("the documents need no Temporal")

    app = create_app(Settings(), no_temporal)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://shim.test") as http:
        yield http


@pytest.fixture(scope="module")
async def document(shim: httpx.AsyncClient) -> dict[str, Any]:
    response = await shim.get("/openapi.json")
    assert response.status_code == 200
    return dict(response.json())


def integration_operations(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (method, path): operation
        for path, operations in document["paths"].items()
        if path.startswith(("/webhooks", "/events", "/callbacks"))
        for method, operation in operations.items()
    }


async def test_every_integration_endpoint_is_documented(document: dict[str, Any]) -> None:
    assert set(integration_operations(document)) == set(EXPECTED_ANSWERS)


async def test_each_endpoint_documents_exactly_the_answers_its_code_gives(document: dict[str, Any]) -> None:
    for key, operation in integration_operations(document).items():
        documented = {int(status) for status in operation["responses"]}
        assert documented == EXPECTED_ANSWERS[key], key
        for status, response in operation["responses"].items():
            assert response["description"].strip(), (key, status)
            content = response["content"]
            if int(status) >= 300:
                body = content["application/json"]
                assert body["schema"] == {"$ref": "#/components/schemas/Refusal"}, (key, status)
                assert body["examples"] and all(set(e["value"]) == {"detail"} for e in body["examples"].values())
            else:
                assert any("schema" in c or "example" in c for c in content.values()), (key, status)


async def test_signature_headers_are_documented(document: dict[str, Any]) -> None:
    for key, operation in integration_operations(document).items():
        parameters = {p["name"]: p for p in operation.get("parameters", [])}
        for name, required in SIGNATURE_PARAMETERS[key].items():
            assert name in parameters, (key, name)
            assert parameters[name]["required"] is required, (key, name)
            assert parameters[name]["description"], (key, name)


async def test_request_bodies_have_schemas_and_examples_their_models_accept(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    for key, operation in integration_operations(document).items():
        if key[0] == "get":
            assert "requestBody" not in operation
            continue
        body = operation["requestBody"]["content"]["application/json"]
        refs = body["schema"].get("oneOf", [body["schema"]])
        names = [ref["$ref"].removeprefix("#/components/schemas/") for ref in refs]
        assert all(name in schemas for name in names), key
        assert body["examples"], key
        for example in body["examples"].values():
            accepted = []
            for name in names:
                try:
                    api_docs.REQUEST_MODELS[name].model_validate(example["value"])
                    accepted.append(name)
                except ValidationError:
                    pass
            assert accepted, (key, example["summary"])


async def test_every_status_the_shim_raises_is_documented(document: dict[str, Any]) -> None:
    """A cross-check on the table above: a status a handler starts raising shows up here."""
    raised = {int(s) for f in SHIM_DIR.glob("*.py") for s in re.findall(r"HTTPException\((\d{3})", f.read_text())}
    documented = {
        int(status) for ops in document["paths"].values() for op in ops.values() for status in op["responses"]
    }
    assert raised <= documented, raised - documented


EXTERNAL = re.compile(r"(?:https?:)?//", re.IGNORECASE)


async def test_docs_work_without_internet(shim: httpx.AsyncClient) -> None:
    page = await shim.get("/docs")
    assert page.status_code == 200
    html = page.text
    assert not EXTERNAL.search(html.replace("window.location.origin", "")), "the page names an external URL"
    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)
    assets += re.findall(r"""\burl:\s*["']([^"']+)["']""", html)  # the OpenAPI document
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    assert any(a.endswith("swagger-ui.css") for a in assets)
    assert "/openapi.json" in assets
    for asset in assets:
        assert asset.startswith("/"), asset
        response = await shim.get(asset)
        assert response.status_code == 200, asset
        if asset.endswith(".css"):
            # What a stylesheet loads itself: only inline data, nothing from another host.
            for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", response.text):
                assert url.startswith("data:"), url
    # No online validator badge (it would load from validator.swagger.io).
    assert '"validatorUrl": null' in html
