"""Reading a Content Server request body: form fields, the JSON in the field `body`, file parts.

Content Server takes arguments as form fields; structured ones come as a JSON object in the field
`body`, whose keys count as arguments too (they win over a plain field of the same name). A plain
`application/json` body on a write is refused with a 400 (see `sandbox.opentext_ecm.spec`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from fastapi import Request
from starlette.datastructures import UploadFile

from sandbox.opentext_ecm.errors import cs_error
from sandbox.opentext_ecm.repository import Upload
from sandbox.opentext_ecm.spec import BODY_FIELD, JSON_BODY_REFUSED, WRITE_METHODS, FormPayload

_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


@dataclass
class Arguments:
    """Everything a request carried: merged arguments, uploads, and the raw split for the spec check."""

    values: dict[str, object] = field(default_factory=dict)
    uploads: dict[str, Upload] = field(default_factory=dict)
    payload: FormPayload | None = None

    def text(self, name: str) -> str | None:
        value = self.values.get(name)
        return None if value is None else str(value)

    def integer(self, name: str, *, required: bool = False) -> int | None:
        value = self.values.get(name)
        if value is None or value == "":
            if required:
                raise cs_error(400, f"Missing required parameter '{name}'")
            return None
        if isinstance(value, bool):
            raise cs_error(400, f"Invalid datatype specified for argument '{name}'")
        try:
            return int(str(value))
        except ValueError as exc:
            raise cs_error(400, f"Invalid datatype specified for argument '{name}'") from exc

    def boolean(self, name: str, default: bool = False) -> bool:
        value = self.values.get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        if str(value).lower() in ("true", "1"):
            return True
        if str(value).lower() in ("false", "0"):
            return False
        raise cs_error(400, f"Could not set feature {name}, value must be a Boolean")

    def mapping(self, *path: str) -> dict[str, object]:
        """A nested object of the arguments (e.g. `roles`, `categories`), empty when absent."""
        current: object = self.values
        for key in path:
            current = current.get(key) if isinstance(current, dict) else None
        if current is None:
            return {}
        if not isinstance(current, dict):
            raise cs_error(400, f"Body parameter is invalid: '{'.'.join(path)}' must be an object")
        return {str(k): v for k, v in current.items()}


async def read_arguments(request: Request) -> Arguments:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if request.method in WRITE_METHODS and content_type == "application/json" and await request.body():
        raise cs_error(400, JSON_BODY_REFUSED)
    if content_type not in _FORM_TYPES:
        return Arguments()
    form = await request.form()
    arguments = Arguments(payload=FormPayload([], {}))
    assert arguments.payload is not None
    plain: dict[str, object] = {}
    structured: dict[str, object] = {}
    for name, value in form.multi_items():
        if isinstance(value, UploadFile):
            content = await value.read()
            arguments.uploads[name] = Upload(
                value.filename or name, value.content_type or "application/octet-stream", content
            )
            arguments.payload.files[name] = len(content)
            continue
        arguments.payload.fields.append((name, value))
        if name != BODY_FIELD:
            plain[name] = value
            continue
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError as exc:
            raise cs_error(400, "Body parameter is invalid") from exc
        if not isinstance(parsed, dict):
            raise cs_error(400, "Body parameter is invalid")
        structured.update(parsed)
    arguments.values = {**plain, **structured}
    return arguments
