"""Error answers of the simulated Adobe Commerce web API: `{"message": ..., "parameters": ...}`.

`message` keeps Magento's placeholders (`%1` with a list, `%name` with a dict) exactly as the real
API sends them; clients fill them in for display.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class MagentoError(Exception):
    """Raised anywhere in the simulator; the route class turns it into this exact HTTP answer."""

    def __init__(
        self,
        status_code: int,
        message: str,
        parameters: Sequence[object] | Mapping[str, object] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"HTTP {status_code}: {message}")
        self.status_code = status_code
        self.message = message
        self.parameters = parameters
        self.headers = headers or {}

    @property
    def body(self) -> dict[str, object]:
        body: dict[str, object] = {"message": self.message}
        if self.parameters is not None:
            body["parameters"] = (
                dict(self.parameters) if isinstance(self.parameters, Mapping) else list(self.parameters)
            )
        return body


def bad_request(message: str, parameters: Sequence[object] | Mapping[str, object] | None = None) -> MagentoError:
    return MagentoError(400, message, parameters)


def no_such_entity(field_name: str, value: object) -> MagentoError:
    return MagentoError(
        404, "No such entity with %fieldName = %fieldValue", {"fieldName": field_name, "fieldValue": value}
    )


def entity_not_found() -> MagentoError:
    return MagentoError(404, "The entity that was requested doesn't exist. Verify the entity and try again.")


def required_field(name: str) -> MagentoError:
    return bad_request('"%fieldName" is required. Enter and try again.', {"fieldName": name})


def unauthorized(resource: str) -> MagentoError:
    return MagentoError(401, "The consumer isn't authorized to access %resources.", {"resources": resource})


NO_ROUTE = "Request does not match any route."


class PlainHttpError(Exception):
    """A non-JSON answer from in front of Magento (maintenance page, load balancer)."""

    def __init__(self, status_code: int, text: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"HTTP {status_code}: {text}")
        self.status_code = status_code
        self.text = text
        self.headers = headers or {}
