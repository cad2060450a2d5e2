"""`casebridge search-attributes register`: the custom search attributes every case carries
(`workflows.search_attributes`) registered on the namespace.

A self-hosted cluster takes them through the operator service (only the missing ones are added, so
running it again changes nothing; an attribute registered with another type is reported, not
changed). Temporal Cloud does not accept them through the operator service: there the command to
run with `tcld` is printed instead.
"""

from __future__ import annotations

import shlex

from pydantic import BaseModel
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest, ListSearchAttributesRequest
from temporalio.client import Client

from casebridge.settings import Settings
from casebridge.temporal import connect_config
from workflows import search_attributes

# Hosts of Temporal Cloud's frontends: `<ns>.<account>.tmprl.cloud` and the API-key regional ones.
CLOUD_HOST_SUFFIXES = (".tmprl.cloud", ".api.temporal.io")

# How the CLIs (`temporal`, `tcld`) spell each type.
TYPE_NAMES: dict[int, str] = {
    IndexedValueType.INDEXED_VALUE_TYPE_TEXT: "Text",
    IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD: "Keyword",
    IndexedValueType.INDEXED_VALUE_TYPE_INT: "Int",
    IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE: "Double",
    IndexedValueType.INDEXED_VALUE_TYPE_BOOL: "Bool",
    IndexedValueType.INDEXED_VALUE_TYPE_DATETIME: "Datetime",
    IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST: "KeywordList",
}


class SearchAttribute(BaseModel):
    name: str
    indexed_value_type: int  # temporal.api.enums.v1.IndexedValueType

    @property
    def type_name(self) -> str:
        return TYPE_NAMES.get(self.indexed_value_type, str(self.indexed_value_type))


class Registered(BaseModel):
    namespace: str
    added: list[str]
    present: list[str]


class SearchAttributeConflict(RuntimeError):
    """An attribute exists with another type; Temporal cannot change a type in place."""


def case_search_attributes() -> list[SearchAttribute]:
    return [
        SearchAttribute(name=key.name, indexed_value_type=int(key.indexed_value_type)) for key in search_attributes.ALL
    ]


def is_temporal_cloud(settings: Settings) -> bool:
    """A Temporal Cloud address, or an API key configured (Cloud's way of authenticating)."""
    config = connect_config(settings)
    address = config["target_host"]
    host = address.rpartition(":")[0] or address
    return host.lower().endswith(CLOUD_HOST_SUFFIXES) or bool(config.get("api_key"))


def tcld_command(namespace: str) -> str:
    """The `tcld` command that adds the case search attributes to a Temporal Cloud namespace."""
    argv = ["tcld", "namespace", "search-attributes", "add", "--namespace", namespace]
    for attribute in case_search_attributes():
        argv += ["--search-attribute", f"{attribute.name}={attribute.type_name}"]
    return shlex.join(argv)


async def register_search_attributes(client: Client, namespace: str) -> Registered:
    """Add the missing case search attributes through the operator service."""
    listed = await client.operator_service.list_search_attributes(ListSearchAttributesRequest(namespace=namespace))
    existing = {name: int(kind) for name, kind in listed.custom_attributes.items()}
    wanted = case_search_attributes()
    conflicts = [
        f"{a.name} is {TYPE_NAMES.get(existing[a.name], existing[a.name])}, expected {a.type_name}"
        for a in wanted
        if a.name in existing and existing[a.name] != a.indexed_value_type
    ]
    if conflicts:
        raise SearchAttributeConflict(f"namespace {namespace}: {'; '.join(conflicts)}")
    missing = [a for a in wanted if a.name not in existing]
    if missing:
        await client.operator_service.add_search_attributes(
            AddSearchAttributesRequest(
                namespace=namespace,
                search_attributes={a.name: IndexedValueType.ValueType(a.indexed_value_type) for a in missing},
            )
        )
    return Registered(
        namespace=namespace,
        added=[a.name for a in missing],
        present=[a.name for a in wanted if a.name in existing],
    )
