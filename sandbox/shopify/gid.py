"""Shopify global ids (`gid://shopify/Order/5550000000001`).

Clients hand ids back verbatim, so a malformed id is a GraphQL error (Shopify refuses it while
coercing the argument), while a well-formed id of another type or an unknown number is simply "not
found" - the distinction a connector needs to tell a bug from a missing record.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from graphql import GraphQLError

_GID = re.compile(r"^gid://shopify/(?P<type>[A-Za-z][A-Za-z0-9]*)/(?P<id>[^/?#\s]+)(?:\?[^#\s]*)?$")


@dataclass(frozen=True)
class GlobalId:
    type_name: str
    raw_id: str

    @property
    def numeric(self) -> int | None:
        return int(self.raw_id) if self.raw_id.isdigit() else None

    def is_a(self, type_name: str) -> int | None:
        """The numeric id when this gid names a `type_name`, else None."""
        return self.numeric if self.type_name == type_name else None


def gid(type_name: str, raw_id: int | str) -> str:
    return f"gid://shopify/{type_name}/{raw_id}"


def parse_gid(value: str) -> GlobalId:
    match = _GID.match(value.strip())
    if match is None:
        raise GraphQLError(
            f"Invalid global id '{value}'",
            extensions={"code": "argumentLiteralsIncompatible", "typeName": "CoercionError"},
        )
    return GlobalId(match["type"], match["id"])
