"""Process logging with secrets masked.

Our own code never logs a secret, but libraries do at DEBUG (httpcore prints request and response
headers, including `Authorization` and Content Server's rotating `OTCSTicket`). Every handler gets a
filter that masks credential headers by name and any value of a secret-looking variable of this
process, so a raised log level cannot leak them. uvicorn's own loggers (`uvicorn.error`,
`uvicorn.access`: request lines with their query strings) log through the same handler.

`LOG_FORMAT=json` writes one JSON object a line for a log pipeline; every line carries the case id
(the workflow id, in workflow and activity code and in the shim once it knows the case) and the
trace id when a span is current, so a line leads to its case in Temporal and its trace.
"""

from __future__ import annotations

import contextvars
import json
import logging
import os
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import IO

from opentelemetry import trace
from temporalio import activity, workflow

from casebridge.secrets import dotenv_items

MASK = "***"

# `Authorization: Bearer abc`, `(b'x-auth-token', b'abc')`, `"OTCSTicket": "abc"` and the like.
_HEADER = re.compile(
    r"(?P<name>authorization|x-auth-token|x-shopify-access-token|otcsticket|x-casebridge-signature|"
    r"x-shopify-hmac-sha256|webhook-signature|client_secret|access_token|password)"
    r"(?P<sep>['\"]?\s*[:=,]\s*(?:b?['\"])?)(?P<scheme>(?:bearer|basic|oauth)\s+)?(?P<value>[^\s'\",}\)]+)",
    re.IGNORECASE,
)
_SECRET_NAME = re.compile(r"(SECRET|TOKEN|PASSWORD|API_KEY|PRIVATE_KEY)", re.IGNORECASE)
_MIN_SECRET_LENGTH = 6  # shorter values would mask ordinary words


class RedactSecrets(logging.Filter):
    def __init__(self, secret_values: Iterable[str]) -> None:
        super().__init__()
        self._values = sorted({v for v in secret_values if len(v) >= _MIN_SECRET_LENGTH}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for value in self._values:
            text = text.replace(value, MASK)
        return _HEADER.sub(lambda m: f"{m['name']}{m['sep']}{m['scheme'] or ''}{MASK}", text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = self.redact(message)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


def process_secret_values() -> list[str]:
    """Values of this process's secret-looking settings (environment and `.env`)."""
    candidates = {**dotenv_items(), **os.environ}
    return [value for name, value in candidates.items() if value and _SECRET_NAME.search(name)]


# The case a shim request is about, once it knows (`bind_case`); workflow and activity code has
# Temporal's own context instead.
_current_case: contextvars.ContextVar[str | None] = contextvars.ContextVar("casebridge_case_id", default=None)

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# uvicorn configures handlers of its own for these unless told not to; ours replace them.
UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")


def bind_case(case_id: str) -> None:
    """The rest of this request is about `case_id`: its log lines name it and its span carries it
    (`casebridge.case_id`, to find a case's trace). The shim serves each request in its own asyncio
    task, whose context ends with it."""
    _current_case.set(case_id)
    trace.get_current_span().set_attribute("casebridge.case_id", case_id)


def current_case_id() -> str | None:
    if activity.in_activity():
        return activity.info().workflow_id
    if workflow.in_workflow():
        return workflow.info().workflow_id
    return _current_case.get()


class CaseAndTrace(logging.Filter):
    """Puts `case_id`, `trace_id` and `span_id` on every record (None where unknown)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.case_id = current_case_id()
        context = trace.get_current_span().get_span_context()
        record.trace_id = f"{context.trace_id:032x}" if context.is_valid else None
        record.span_id = f"{context.span_id:016x}" if context.is_valid else None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, case and trace ids, exception."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("case_id", "trace_id", "span_id"):
            if (value := getattr(record, key, None)) is not None:
                line[key] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exception"] = record.exc_text
        return json.dumps(line, ensure_ascii=False, default=str)


def log_handler(log_format: str = "text", stream: IO[str] | None = None) -> logging.Handler:
    """A handler that masks secrets, adds the case and trace ids and writes `text` or `json`."""
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactSecrets(process_secret_values()))
    handler.addFilter(CaseAndTrace())
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    return handler


def configure_logging(level: int = logging.INFO, log_format: str = "text") -> None:
    """The root logger writes through one masking handler; uvicorn's loggers lose their own
    handlers and propagate to it, so their lines are masked and formatted alike."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "casebridge", False)]:
        root.removeHandler(old)
    handler = log_handler(log_format)
    handler.casebridge = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    redactor = RedactSecrets(process_secret_values())
    for other in root.handlers:
        if other is not handler:  # whoever added it, it masks too
            other.addFilter(redactor)
    for name in UVICORN_LOGGERS:
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
