"""Error answers of the simulated Workflow Service, in the two shapes clients meet in reality.

* Application errors from the workflow runtime: `{"exception": "...", "details": "..."}` (the OT2
  demo reads `exception`; `details` is the second key the older demo backend handled).
* Faults from the API gateway in front of it (auth, throttling, upstream failures):
  `{"fault": {"faultstring": "...", "detail": {"errorcode": "..."}}}` (Apigee style).
"""

from __future__ import annotations

from pydantic import ValidationError


class SimulatedHttpError(Exception):
    """Raised anywhere in the simulator; the router turns it into this exact HTTP answer."""

    def __init__(self, status_code: int, body: dict[str, object], headers: dict[str, str] | None = None) -> None:
        super().__init__(f"HTTP {status_code}: {body}")
        self.status_code = status_code
        self.body = body
        self.headers = headers or {}


def api_error(status_code: int, exception: str, details: str | None = None) -> SimulatedHttpError:
    return SimulatedHttpError(status_code, {"exception": exception, "details": details or exception})


def gateway_fault(
    status_code: int, faultstring: str, errorcode: str, headers: dict[str, str] | None = None
) -> SimulatedHttpError:
    return SimulatedHttpError(
        status_code, {"fault": {"faultstring": faultstring, "detail": {"errorcode": errorcode}}}, headers
    )


def not_found(what: str, object_id: str) -> SimulatedHttpError:
    return api_error(404, f"{what} not found", f"Could not find a {what.lower()} with id '{object_id}'.")


def describe_validation_error(exc: ValidationError) -> str:
    """`loc: message; loc: message` for the first few problems; enough to fix a request."""
    parts = []
    for error in exc.errors()[:5]:
        location = ".".join(str(item) for item in error["loc"]) or "body"
        parts.append(f"{location}: {error['msg']}")
    return "; ".join(parts)


def invalid_body(context: str, exc: ValidationError) -> SimulatedHttpError:
    described = describe_validation_error(exc)
    return api_error(400, f"{context}: {described}", described)
