"""Documents of customer communications: the brand's name, the language's greeting, closing and legal
footer around the communication's body, amounts in the driver's currency, and the printed address
block for the print channel. The statement's consolidation of many batch records into one document
per company lives here too.

Amounts are formatted by the primary language: `en` as `€1,234.50`, `de` as `1.234,50 €`, `fr` as
`1 234,50 €` (ASSUMPTION: the design's number formats; a real design holds its own).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sandbox.opentext_exstream.design import (
    ARCHIVE_USE,
    CHANNEL_QUEUE_USES,
    CommunicationConfig,
)
from sandbox.opentext_exstream.envelope import Envelope
from sandbox.opentext_exstream.rendering import RENDERERS, SUFFIX, RenderedOutput, body_text

_PLACEHOLDER = re.compile(r"\{([A-Za-z0-9_.\-]+)(\|amount)?\}")
_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥"}
_NO_DECIMALS = {"JPY", "KRW", "ISK"}
# (thousands separator, decimal separator, symbol after the number)
_NUMBER_STYLES = {"en": (",", ".", False), "de": (".", ",", True), "fr": (" ", ",", True)}
_MISSING = object()


def format_amount(value: object, currency: str, language: str) -> str:
    """`value` (number or decimal string) in `currency` for `language`."""
    amount = Decimal(str(value))
    places = Decimal(1) if currency in _NO_DECIMALS else Decimal("0.01")
    digits = f"{abs(amount.quantize(places, rounding=ROUND_HALF_UP)):,f}"
    thousands, decimal, after = _NUMBER_STYLES.get(language.split("-")[0].lower(), _NUMBER_STYLES["en"])
    digits = digits.replace(",", "\0").replace(".", decimal).replace("\0", thousands)
    sign = "-" if amount < 0 else ""
    symbol = _SYMBOLS.get(currency)
    if symbol is None:
        return f"{sign}{currency} {digits}" if not after else f"{sign}{digits} {currency}"
    return f"{sign}{digits} {symbol}" if after else f"{sign}{symbol}{digits}"


def _lookup(scopes: list[object], path: str) -> object:
    """The value at a dotted path in the innermost scope that has it."""
    for scope in scopes:
        current: Any = scope
        for part in path.split("."):
            if isinstance(current, dict) and part in current:
                current = current[part]
            elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
                current = current[int(part)]
            else:
                break
        else:
            return current
    return _MISSING


def _text(value: object) -> str:
    if value is _MISSING or value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return str(value)


def _filler(envelope: Envelope) -> Callable[[str, list[object]], str]:
    def fill(template: str, scopes: list[object]) -> str:
        def one(match: re.Match[str]) -> str:
            value = _lookup(scopes, match.group(1))
            if match.group(2) and value is not _MISSING and value is not None:
                return format_amount(value, envelope.currency, envelope.language)
            return _text(value)

        return _PLACEHOLDER.sub(one, template)

    return fill


def _address_block(envelope: Envelope, driver: dict[str, Any]) -> list[str]:
    postal = envelope.postal_address or {}
    street = postal.get("lines")
    lines = [str(line) for line in street] if isinstance(street, list) else []
    return [
        str(driver["recipient"]["name"]),
        *lines,
        f"{postal.get('postalCode', '')} {postal.get('city', '')}".strip(),
        str(postal.get("country", "")),
        "",
    ]


def customer_document_text(
    communication: CommunicationConfig, envelope: Envelope, driver: dict[str, Any], *, printed: bool
) -> tuple[str, list[str]]:
    """Title and lines: brand, (address block when printed), greeting, body, closing, legal footer."""
    assert communication.customer_design is not None
    fill = _filler(envelope)
    title = f"{envelope.brand.display_name}: {fill(communication.title or communication.name, [driver])}"
    lines = [envelope.brand.display_name, ""]
    if printed:
        lines += _address_block(envelope, driver)
    lines += [fill(envelope.texts.greeting, [driver]), ""]
    lines += body_text(communication.customer_design.body, [driver], fill)
    lines += [
        "",
        fill(envelope.texts.closing, [driver]),
        "",
        f"Ref. {envelope.document_id}",
        envelope.texts.legal_footer,
    ]
    return title, lines


def render_customer(
    communication: CommunicationConfig,
    envelope: Envelope,
    driver: dict[str, Any],
    customer_number: int,
    delivery_id: str,
) -> list[RenderedOutput]:
    """The ARCHIVE output and the output of the channel's delivery queue, in queue order."""
    channel_use = CHANNEL_QUEUE_USES[envelope.channel]
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", communication.name).strip("_")
    outputs: list[RenderedOutput] = []
    for queue in communication.queues:
        if queue.use not in (ARCHIVE_USE, channel_use):
            continue
        title, lines = customer_document_text(communication, envelope, driver, printed=queue.use == "PRINT")
        outputs.append(
            RenderedOutput(
                queue_name=queue.name,
                mime_type=queue.mime_type,
                content=RENDERERS[queue.mime_type](title, lines),
                file_name=f"{stem}_{customer_number}_{queue.use.lower()}_{SUFFIX[queue.mime_type]}",
                customer_number=str(customer_number),
                delivery_id=delivery_id,
            )
        )
    return outputs


# -- statements ------------------------------------------------------------------------------------


def consolidate(communication: CommunicationConfig, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One driver per value at `consolidate_by` (first appearance order): the first record's fields,
    with `sections` grouping the records' `line_field` by the `group_by` values, each with its
    `subtotal`, and the `total`. Amounts are summed exactly and written as decimal strings."""
    design = communication.customer_design
    assert design is not None and design.consolidate_by and design.line_field and design.amount_field
    documents: dict[str, dict[str, Any]] = {}
    for record in records:
        key = _text(_lookup([record], design.consolidate_by))
        document = documents.setdefault(key, {**record, "sections": [], "total": "0"})
        group = {path.split(".")[-1]: _lookup([record], path) for path in design.group_by}
        section = next((s for s in document["sections"] if all(s[k] == v for k, v in group.items())), None)
        if section is None:
            section = {**group, "lines": [], "subtotal": "0"}
            document["sections"].append(section)
        line = record[design.line_field]
        section["lines"].append(line)
        amount = Decimal(str(line[design.amount_field]))
        section["subtotal"] = str(Decimal(section["subtotal"]) + amount)
        document["total"] = str(Decimal(document["total"]) + amount)
    for document in documents.values():
        document.pop(design.line_field, None)
    return list(documents.values())


def disagreements(records: list[dict[str, Any]], fields: tuple[str, ...]) -> list[str]:
    """Envelope fields on which records consolidated into one document differ."""
    return [f for f in fields if len({json.dumps(r.get(f), sort_keys=True) for r in records}) > 1]
