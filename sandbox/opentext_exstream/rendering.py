"""Deterministic "rendering" of a communication for one driver record: the same input always gives
the same bytes, so tests can compare documents and the demo can show them.

The PDF is hand-built (PDF 1.4, uncompressed, Helvetica, with a correct cross-reference table), so
its text is searchable in the raw bytes. The e-mail is a small HTML document. Driver values are
escaped for each format.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from dataclasses import dataclass

from sandbox.opentext_exstream.design import BodyLine, CommunicationConfig, OutputQueueConfig, RepeatBlock, WhenBlock

_PLACEHOLDER = re.compile(r"\{([A-Za-z0-9_.\-]+)\}")
_MISSING = object()

# Letter page: US Letter, 72 pt margins, 11 pt text on 15 pt lines.
_PAGE_WIDTH, _PAGE_HEIGHT = 612, 792
_MARGIN = 72
_LINE_HEIGHT = 15
_LINES_PER_PAGE = (_PAGE_HEIGHT - 2 * _MARGIN - 30) // _LINE_HEIGHT
_WRAP_AT = 90  # characters per line at 11 pt Helvetica within the margins


@dataclass(frozen=True)
class RenderedOutput:
    queue_name: str
    mime_type: str
    content: bytes
    file_name: str
    customer_number: str
    # ASSUMPTION: the id of the delivery a customer communication's queue made (None for letters).
    delivery_id: str | None = None


def lookup(driver: object, path: str) -> object:
    """The value at a dotted path (`customer.address.city`, list indexes as numbers), or `_MISSING`."""
    current = driver
    for part in path.split("."):
        if isinstance(current, dict) and part in current:
            current = current[part]
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return _MISSING
    return current


def missing_fields(driver: object, required: list[str]) -> list[str]:
    return [path for path in required if lookup(driver, path) in (_MISSING, None)]


def _text(value: object) -> str:
    if value is _MISSING or value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return str(value)


def _fill(template: str, driver: object) -> str:
    return _PLACEHOLDER.sub(lambda m: _text(lookup(driver, m.group(1))), template)


def _flatten(value: object, prefix: str = "") -> list[tuple[str, str]]:
    """Every scalar of the driver as (`dotted.path`, text), in document order."""
    if isinstance(value, dict):
        return [pair for key, item in value.items() for pair in _flatten(item, f"{prefix}{key}.")]
    if isinstance(value, list):
        return [pair for index, item in enumerate(value) for pair in _flatten(item, f"{prefix}{index}.")]
    return [(prefix.rstrip("."), _text(value))]


def _scoped(scopes: list[object], path: str) -> object:
    """The value at `path` in the innermost scope that has it (a repeated item, then outwards)."""
    return next((v for v in (lookup(scope, path) for scope in scopes) if v is not _MISSING), _MISSING)


def body_text(lines: list[BodyLine], scopes: list[object], fill: Callable[[str, list[object]], str]) -> list[str]:
    """A design's body lines for the driver (`scopes`: the innermost repeated item first): repeated
    blocks once per item, conditional blocks by whether their field is known, text by `fill`."""
    out: list[str] = []
    for line in lines:
        if isinstance(line, RepeatBlock):
            items = _scoped(scopes, line.each)
            for item in items if isinstance(items, list) else []:
                out += body_text(line.lines, [item, *scopes], fill)
        elif isinstance(line, WhenBlock):
            value = _scoped(scopes, line.field)
            known = value is not _MISSING and value is not None and value != "" and value != []
            out += body_text(line.lines if known else line.otherwise, scopes, fill)
        else:
            out.append(fill(line, scopes))
    return out


def _plain_fill(line: str, scopes: list[object]) -> str:
    return _PLACEHOLDER.sub(lambda m: _text(_scoped(scopes, m.group(1))), line)


def document_text(communication: CommunicationConfig, driver: object) -> tuple[str, list[str]]:
    """The document's title and lines for one driver record."""
    title = _fill(communication.title or communication.name, driver)
    if communication.body_lines:
        return title, body_text(communication.body_lines, [driver], _plain_fill)
    return title, [f"{path}: {text}" for path, text in _flatten(driver)]


# -- PDF -------------------------------------------------------------------------------------------


def _pdf_string(text: str) -> bytes:
    # WinAnsi (cp1252) covers the Latin letters of names and addresses; anything else becomes "?".
    raw = text.encode("cp1252", errors="replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _wrap(line: str) -> list[str]:
    if len(line) <= _WRAP_AT:
        return [line]
    pieces: list[str] = []
    while len(line) > _WRAP_AT:
        cut = line.rfind(" ", 0, _WRAP_AT)
        cut = cut if cut > 0 else _WRAP_AT
        pieces.append(line[:cut])
        line = line[cut:].lstrip()
    return [*pieces, line]


def _page_stream(title: str | None, lines: list[str]) -> bytes:
    ops = [b"BT", b"/F1 11 Tf", f"{_LINE_HEIGHT} TL".encode(), f"{_MARGIN} {_PAGE_HEIGHT - _MARGIN} Td".encode()]
    if title is not None:
        ops += [b"/F1 16 Tf", _pdf_string(title) + b" Tj", b"/F1 11 Tf", b"T*", b"T*"]
    ops += [_pdf_string(line) + b" '" for line in lines]
    ops.append(b"ET")
    return b"\n".join(ops) + b"\n"


def render_pdf(title: str, lines: list[str]) -> bytes:
    """A valid one-or-more-page PDF with `title` as heading and `lines` as text."""
    wrapped = [piece for line in lines for piece in _wrap(line)] or [""]
    pages = [wrapped[i : i + _LINES_PER_PAGE] for i in range(0, len(wrapped), _LINES_PER_PAGE)]
    # Objects: 1 catalog, 2 page tree, 3 font, then (page, content) per page.
    page_ids = [4 + 2 * i for i in range(len(pages))]
    kids = " ".join(f"{page_id} 0 R" for page_id in page_ids)
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    for index, page_lines in enumerate(pages):
        stream = _page_stream(title if index == 0 else None, page_lines)
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {_PAGE_WIDTH} {_PAGE_HEIGHT}]"
            f" /Resources << /Font << /F1 3 0 R >> >> /Contents {page_ids[index] + 1} 0 R >>".encode()
        )
        objects.append(b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"endstream")
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets: list[int] = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref_at = len(out)
    out += f"xref\n0 {len(objects) + 1}\n".encode() + b"0000000000 65535 f \n"
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref_at}\n%%EOF\n".encode()
    return bytes(out)


# -- HTML and text ---------------------------------------------------------------------------------


def render_html(title: str, lines: list[str]) -> bytes:
    paragraphs = "".join(f"<p>{html.escape(line)}</p>" if line else "<br>" for line in lines)
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title></head>'
        f"<body><h1>{html.escape(title)}</h1>{paragraphs}</body></html>"
    ).encode()


def render_text(title: str, lines: list[str]) -> bytes:
    return "\n".join([title, "", *lines, ""]).encode()


RENDERERS = {"application/pdf": render_pdf, "text/html": render_html, "text/plain": render_text}
SUFFIX = {"application/pdf": "letter", "text/html": "email", "text/plain": "text"}


def render(communication: CommunicationConfig, driver: object, customer_number: int = 1) -> list[RenderedOutput]:
    """One output per queue of the communication, in queue order."""
    title, lines = document_text(communication, driver)
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", communication.name).strip("_")
    return [
        _render_queue(queue, title, lines, f"{stem}_{customer_number}", customer_number)
        for queue in communication.queues
    ]


def _render_queue(
    queue: OutputQueueConfig, title: str, lines: list[str], stem: str, customer_number: int
) -> RenderedOutput:
    return RenderedOutput(
        queue_name=queue.name,
        mime_type=queue.mime_type,
        content=RENDERERS[queue.mime_type](title, lines),
        file_name=f"{stem}_{SUFFIX[queue.mime_type]}",
        customer_number=str(customer_number),
    )
