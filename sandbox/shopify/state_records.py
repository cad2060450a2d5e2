"""Metafields: typed values attached to a customer or a product by (owner, namespace, key)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from sandbox.shopify.gid import gid
from sandbox.shopify.state import UserError, utcnow

# `MetafieldOwnerType` per owner gid type, for the owners the sandbox simulates.
OWNER_TYPES = {"Customer": "CUSTOMER", "Product": "PRODUCT"}


@dataclass
class Metafield:
    TYPENAME: ClassVar[str] = "Metafield"
    id: int
    owner_gid: str
    namespace: str
    key: str
    type: str
    value: str
    created_at: datetime = field(default_factory=utcnow)
    updated_at: datetime = field(default_factory=utcnow)

    @property
    def gid(self) -> str:
        return gid("Metafield", self.id)

    @property
    def owner_type(self) -> str:
        return OWNER_TYPES[self.owner_gid.split("/")[3]]

    @property
    def compare_digest(self) -> str:
        """A digest of the stored value; `metafieldsSet` compares it with `compareDigest`.
        ASSUMPTION: Shopify documents the digest as opaque; any stable digest of the value behaves alike."""
        return hashlib.sha256(f"{self.type}\0{self.value}".encode()).hexdigest()

    @property
    def json_value(self) -> Any:
        """The value as JSON, as `jsonValue` answers it (text types stay strings)."""
        if self.type == "json" or self.type.startswith("list.") or self.type in ("link", "rating"):
            return json.loads(self.value)
        if self.type == "boolean":
            return self.value == "true"
        if self.type == "number_integer":
            return int(self.value)
        return self.value


@dataclass
class MetafieldsSetError(UserError):
    """A `MetafieldsSetUserError`: a refusal that also names which input it concerns."""

    element_index: int | None = None

    def as_graphql(self) -> dict[str, object]:
        return {**super().as_graphql(), "elementIndex": self.element_index}
