"""Error answers of the simulated BigCommerce APIs, in each API's own shape.

* v3: `{"status", "title", "type", "errors"}` (the specs' `ErrorResponse`);
* v2: a JSON array of `{"status", "message"}`;
* B2B Edition: `{"code", "data", "meta": {"message"}}`.

Domain code raises `StoreError` without knowing which API it serves; the route renders it.
"""

from __future__ import annotations

from enum import StrEnum

STATUS_CODES_DOC = "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes"


class Api(StrEnum):
    V2 = "v2"
    V3 = "v3"
    B2B = "b2b"


class StoreError(Exception):
    """Raised anywhere in the simulator; the route answers with `status` in its API's error shape."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        errors: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        bare: bool = False,
    ) -> None:
        super().__init__(f"HTTP {status}: {message}")
        self.status = status
        self.message = message
        self.errors = errors or {}
        self.headers = headers or {}
        self.bare = bare  # no body at all (e.g. a gateway 429 under platform load)

    def status_for(self, api: Api) -> int:
        # v2 reports invalid data as 400 where v3 and B2B Edition use 422.
        return 400 if api is Api.V2 and self.status == 422 else self.status

    def body(self, api: Api) -> object:
        if api is Api.V2:
            # v2 has no `errors` object: details, when there are any, go into the message.
            details = "; ".join(f"{k}: {v}" for k, v in self.errors.items())
            message = f"{self.message} ({details})" if details else self.message
            return [{"status": self.status_for(api), "message": message}]
        if api is Api.B2B:
            return {"code": self.status, "data": dict(self.errors), "meta": {"message": self.message}}
        body: dict[str, object] = {"status": self.status, "title": self.message, "type": STATUS_CODES_DOC}
        if self.errors:
            body["errors"] = dict(self.errors)
        return body


def not_found(what: str, object_id: object) -> StoreError:
    return StoreError(404, f"The requested {what} ({object_id}) was not found.")


def invalid(message: str, field: str | None = None) -> StoreError:
    """A refusal of the data sent (v2 answers 400, v3 and B2B 422; see `status_for`)."""
    return StoreError(422, message, errors={field: message} if field else None)
