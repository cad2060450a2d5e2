"""Process logging with secrets masked.

Our own code never logs a secret, but libraries do at DEBUG (httpcore prints request and response
headers, including `Authorization` and Content Server's rotating `OTCSTicket`). Every handler gets a
filter that masks credential headers by name and any value of a secret-looking variable of this
process, so a raised log level cannot leak them.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable

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


def configure_logging(level: int = logging.INFO) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    redactor = RedactSecrets(process_secret_values())
    for handler in logging.getLogger().handlers:
        handler.addFilter(redactor)
