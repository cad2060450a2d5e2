"""Hypothesis strategies for fuzzing the shim: real-looking payloads mutated the way a buggy sender or
an attacker holding a secret would (wrong types, missing fields, huge, negative, NaN and infinite
numbers, long and odd unicode strings, nesting, wrong ids), and bodies that are no payload at all
(raw bytes, random JSON, truncated, deeply nested, over the size limit)."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st


class Raw(str):
    """A JSON literal written as is: what `json.dumps` cannot produce (`1e400`, a 5,000-digit number)."""


@dataclass(frozen=True)
class FuzzCase:
    """One generated request: its body, an endpoint-specific variant (a Shopify topic, an OpenText
    tenant...), how the unsigned copy of it is forged, and whether it is streamed without a
    Content-Length."""

    body: bytes
    variant: str = ""
    forgery: str = "wrong-secret"
    chunked: bool = False


def to_json(value: Any, *, ascii_only: bool = True) -> str:
    """JSON text of `value`, with `Raw` literals verbatim (floats: `NaN`, `Infinity` as Python writes)."""
    if isinstance(value, Raw):
        return str(value)
    if isinstance(value, dict):
        items = (
            f"{json.dumps(str(k), ensure_ascii=ascii_only)}:{to_json(v, ascii_only=ascii_only)}"
            for k, v in value.items()
        )
        return "{" + ",".join(items) + "}"
    if isinstance(value, list):
        return "[" + ",".join(to_json(v, ascii_only=ascii_only) for v in value) + "]"
    return json.dumps(value, ensure_ascii=ascii_only)


def encode(value: Any, *, ascii_only: bool = True) -> bytes:
    # `surrogatepass`: a lone surrogate written unescaped becomes bytes that are not UTF-8 at all.
    return to_json(value, ascii_only=ascii_only).encode("utf-8", "surrogatepass")


def nested(depth: int) -> Raw:
    return Raw('{"a":' * depth + "1" + "}" * depth)


# --- values -------------------------------------------------------------------------------------

NUMBERS = st.one_of(
    st.integers(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.sampled_from([0, -1, 1, 2**31, 2**53 + 1, 2**63 - 1, 2**63, 2**64, 10**30]),
    st.floats(),  # NaN and infinities included
    st.sampled_from(
        [Raw("1e400"), Raw("-1e400"), Raw("1E+999999"), Raw("9" * 5000), Raw("NaN"), Raw("-Infinity"), Raw("-0")]
    ),
)

NASTY_TEXT = [
    "",
    " ",
    "\t\n",
    "\x00",
    "1E+400",
    "-1",
    "0",
    "NaN",
    "null",
    "١٢٣",  # Arabic-Indic digits: `int()` and Unicode `\d` take them, a plain [0-9] does not
    "\ud800",  # a lone surrogate
    "💥" * 3,
    "gid://shopify/Order/1",
    "gid://shopify/Order/99999999999999999999",
    "stores/",
    "../../etc/passwd",
    "Robert'); DROP TABLE orders;--",
    '"}',
]

STRINGS = st.one_of(
    st.text(max_size=40),
    st.text(st.characters(categories=["Cs", "Co", "Zs", "Mn", "Nd"]), max_size=10),
    st.sampled_from(NASTY_TEXT),
    st.integers(min_value=200, max_value=20_000).map(lambda n: "x" * n),
    st.integers(min_value=1, max_value=5000).map(lambda n: "9" * n),
)

SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, STRINGS)

NASTY: st.SearchStrategy[Any] = st.one_of(
    SCALARS,
    st.lists(SCALARS, max_size=3),
    st.dictionaries(st.text(max_size=8), SCALARS, max_size=3),
    st.integers(min_value=50, max_value=3000).map(nested),
    st.integers(min_value=101, max_value=2000).map(lambda n: [{}] * n),  # beyond any list bound
)

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)


# --- mutating a payload -----------------------------------------------------------------------

_OPS = ("replace", "replace", "delete", "add", "wrap", "retype", "grow")


def _path(draw: st.DrawFn, doc: Any) -> list[Any]:
    """A path into `doc`, chosen by descending from the root (deeper nodes less often)."""
    path: list[Any] = []
    node = doc
    while isinstance(node, dict | list) and node and draw(st.integers(0, 4)) > 0:
        key = draw(st.sampled_from(sorted(node) if isinstance(node, dict) else range(len(node))))
        path.append(key)
        node = node[key]
    return path


def _retyped(draw: st.DrawFn, value: Any) -> Any:
    """The same value as another JSON type: `"12"` for 12, 12 for `"12"`, a list for a string..."""
    if isinstance(value, bool) or value is None:
        return draw(st.sampled_from([str(value).lower(), 0, 1, []]))
    if isinstance(value, int | float):
        return draw(st.sampled_from([str(value), [value], {"value": value}, float(value), bool(value)]))
    if isinstance(value, str):
        return draw(st.sampled_from([Raw(value) if value.isdigit() else 0, [value], {"value": value}, True]))
    return draw(st.sampled_from(["", 0, None]))


def _grown(draw: st.DrawFn, value: Any) -> Any:
    if isinstance(value, list) and value:
        return value * draw(st.integers(min_value=2, max_value=150))
    if isinstance(value, str):
        return value * draw(st.integers(min_value=2, max_value=2000)) if value else "x" * 1000
    if isinstance(value, int | float) and not isinstance(value, bool):
        return draw(st.sampled_from([-value, value * 10**30, Raw(f"{value}e400")]))
    return draw(NASTY)


def _numeric(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return True
    return isinstance(value, str) and value.replace(".", "", 1).isdigit()


def _mutate(draw: st.DrawFn, doc: Any) -> Any:
    path = _path(draw, doc)
    op = draw(st.sampled_from(_OPS))
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    node = parent[path[-1]] if path else doc
    if op == "delete" and path:
        del parent[path[-1]]
        return doc
    if op == "add" and isinstance(node, dict):
        known = sorted(node) or ["id"]
        node[draw(st.one_of(st.sampled_from(known), st.text(max_size=10)))] = draw(NASTY)
        return doc
    if op == "wrap":
        new = draw(st.sampled_from([[node], {"value": node}]))
    elif op == "retype":
        new = _retyped(draw, node)
    elif op == "grow":
        new = _grown(draw, node)
    elif _numeric(node):
        # Amounts, ids and quantities are where absurd values hurt: try numbers there more often.
        new = draw(st.one_of(NUMBERS, NUMBERS.map(lambda n: str(n).strip("'")), NASTY))
    else:
        new = draw(NASTY)
    if not path:
        return new
    parent[path[-1]] = new
    return doc


@st.composite
def mutated(draw: st.DrawFn, base: Any) -> Any:
    """`base` with one to three mutations anywhere in it."""
    doc = copy.deepcopy(base)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        doc = _mutate(draw, doc)
    return doc


BODY_KINDS = (
    *("mutated",) * 12,
    "valid",
    "valid",
    "raw-bytes",
    "random-json",
    "truncated",
    "deeply-nested",
    "over-limit",
)


@st.composite
def bodies(draw: st.DrawFn, bases: list[Any], limit: int) -> bytes:
    """A request body: mostly a mutated `bases` payload, sometimes one unchanged (it must get past
    validation), sometimes no payload at all, and some over the `limit`."""
    kind = draw(st.sampled_from(BODY_KINDS))
    base = draw(st.sampled_from(bases))
    ascii_only = draw(st.integers(0, 5)) > 0
    if kind == "valid":
        return encode(base)
    if kind == "mutated":
        return encode(draw(mutated(base)), ascii_only=ascii_only)
    if kind == "raw-bytes":
        return draw(st.binary(max_size=600))
    if kind == "random-json":
        return encode(draw(JSON_VALUES), ascii_only=ascii_only)
    if kind == "truncated":
        raw = encode(base)
        return raw[: draw(st.integers(min_value=0, max_value=len(raw) - 1))]
    if kind == "deeply-nested":
        return encode(nested(draw(st.integers(min_value=100, max_value=5000))))
    # Over the limit: padding (whitespace a JSON parser would skip) or one huge field.
    raw = encode(base)
    extra = limit - len(raw) + draw(st.integers(min_value=1, max_value=limit))
    if draw(st.booleans()):
        return raw + b" " * extra
    return encode(base | {"padding": "x" * extra}) if isinstance(base, dict) else raw + b" " * extra


ASCII_TEXT = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=30)
