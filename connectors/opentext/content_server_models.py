"""Typed views of Content Server's JSON and the inputs of the Content Server connector.

Wire models ignore unknown keys (Content Server answers with many more fields than Casebridge
reads) but require the ones it acts on, so a changed contract fails as `ContractError`. The
references returned to callers (`WorkspaceRef`, `DocumentRef`) are small and hold node ids only:
they are what may travel through Temporal payloads, never document content.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from connectors.opentext.content_server_contract import SUBTYPE_BUSINESS_WORKSPACE

CategoryScalar = str | int | float | bool | date | None
CategoryValue = CategoryScalar | list[CategoryScalar]

# `{category_id}_{attribute_id}` or, for set rows, `{category_id}_{set_id}_{row}_{attribute_id}`.
_ATTRIBUTE_KEY = re.compile(r"^(\d+)_(\d+)(?:_(\d+)_(\d+))?$")


def category_key_problem(category_id: int, key: str) -> str | None:
    """Why `key` cannot be an attribute key of `category_id` (None when it can)."""
    match = _ATTRIBUTE_KEY.match(key)
    if match is None:
        return f"attribute key {key!r} is not of the form {category_id}_<attribute id>"
    if int(match.group(1)) != category_id:
        return f"attribute key {key!r} does not belong to category {category_id}"
    return None


def wire_category_value(value: CategoryValue) -> object:
    """Dates as ISO strings (`YYYY-MM-DD`, or full timestamps for datetimes), the rest unchanged."""
    if isinstance(value, list):
        return [wire_category_value(item) for item in value]
    if isinstance(value, datetime):
        return value.replace(microsecond=0).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def wire_category_values(category_id: int, values: Mapping[str, CategoryValue]) -> dict[str, object]:
    """Check every key belongs to `category_id` and convert the values; raise ValueError if not."""
    problems = [p for key in values if (p := category_key_problem(category_id, key)) is not None]
    if problems:
        raise ValueError("; ".join(problems))
    return {key: wire_category_value(value) for key, value in values.items()}


# -- inputs ---------------------------------------------------------------------------------------


class ContentServerCredentials(BaseModel):
    """A Content Server user (a technical integration account, typically)."""

    username: str
    password: SecretStr
    domain: str | None = None


class BusinessObject(BaseModel):
    """The external object a business workspace belongs to, e.g. a Shopify order in Casebridge."""

    model_config = ConfigDict(frozen=True)

    ext_system_id: str
    bo_type: str
    bo_id: str


class BusinessWorkspaceRequest(BaseModel):
    """Everything needed to create a workspace from a template, linked to its business object.

    `categories` maps a category id to its values keyed `{category_id}_{attribute_id}`, exactly as
    Content Server names attributes (`{"30512": {"30512_2": "Contoso"}}`)."""

    template_id: int
    name: str
    business_object: BusinessObject
    workspace_type_id: int | None = None
    parent_id: int | None = None
    description: str | None = None
    categories: dict[int, dict[str, CategoryValue]] = Field(default_factory=dict)

    def to_body(self) -> dict[str, object]:
        """The JSON that goes into the form field `body` of `POST /v2/businessworkspaces`."""
        body: dict[str, object] = {
            "template_id": self.template_id,
            "type": SUBTYPE_BUSINESS_WORKSPACE,
            "name": self.name,
            "ext_system_id": self.business_object.ext_system_id,
            "bo_type": self.business_object.bo_type,
            "bo_id": self.business_object.bo_id,
        }
        if self.workspace_type_id is not None:
            body["wksp_type_id"] = self.workspace_type_id
        if self.parent_id is not None:
            body["parent_id"] = self.parent_id
        if self.description is not None:
            body["description"] = self.description
        if self.categories:
            body["roles"] = {
                "categories": {
                    str(category_id): wire_category_values(category_id, values)
                    for category_id, values in self.categories.items()
                }
            }
        return body


# -- references handed back to callers ------------------------------------------------------------


class WorkspaceRef(BaseModel):
    id: int
    name: str
    business_object: BusinessObject
    created: bool  # False when an existing workspace was found


class DocumentRef(BaseModel):
    node_id: int
    parent_id: int
    name: str
    version_number: int
    created: bool  # False when a new version was added to an existing document


# -- wire models ----------------------------------------------------------------------------------


class _Wire(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Node(_Wire):
    """`data.properties` of a node (`type` is the subtype: 0 folder, 144 document, 848 workspace)."""

    id: int
    name: str
    type: int
    parent_id: int | None = None
    type_name: str | None = None
    description: str | None = None
    container: bool = False
    size: int | None = None
    mime_type: str | None = None
    create_date: str | None = None
    modify_date: str | None = None
    wnf_wksp_type_id: int | None = None
    wnf_wksp_template_id: int | None = None


class _NodeData(_Wire):
    properties: Node


class NodeResult(_Wire):
    data: _NodeData


class NodeEnvelope(_Wire):
    """`GET /v2/nodes/{id}` and `POST /v2/nodes`: `results` is one object."""

    results: NodeResult


class Paging(_Wire):
    page: int = 1
    limit: int | None = None
    page_total: int = 1
    total_count: int | None = None


class _Collection(_Wire):
    paging: Paging = Field(default_factory=Paging)


class NodeListEnvelope(_Wire):
    """`GET /v2/nodes/{id}/nodes`: children in `results[]`, paging under `collection`."""

    results: list[NodeResult]
    collection: _Collection = Field(default_factory=_Collection)


class WorkspaceSearchEnvelope(_Wire):
    """`GET /v2/businessworkspaces`: workspaces in `results[]`, paging at the top."""

    results: list[NodeResult]
    paging: Paging = Field(default_factory=Paging)


class _IdResult(_Wire):
    id: int


class WorkspaceCreateEnvelope(_Wire):
    """`POST /v2/businessworkspaces`: `results.id` (an object, unlike node creation)."""

    results: _IdResult


class AuthTicketEnvelope(_Wire):
    ticket: SecretStr


class VersionInfo(_Wire):
    version_number: int
    file_name: str | None = None
    file_size: int | None = None
    mime_type: str | None = None
    create_date: str | None = None
    description: str | None = None


class _VersionData(_Wire):
    versions: VersionInfo


class _VersionResult(_Wire):
    data: _VersionData


class VersionListEnvelope(_Wire):
    results: list[_VersionResult]


class _VersionAddData(_Wire):
    properties: Node | None = None
    versions: VersionInfo | None = None


class _VersionAddResult(_Wire):
    data: _VersionAddData


class VersionAddEnvelope(_Wire):
    results: _VersionAddResult


class _CategoryData(_Wire):
    categories: dict[str, Any]


class _CategoryResult(_Wire):
    data: _CategoryData


class CategoriesEnvelope(_Wire):
    results: list[_CategoryResult]

    def by_category(self) -> dict[int, dict[str, Any]]:
        """Values grouped by category id (the prefix of each `{category_id}_...` key)."""
        grouped: dict[int, dict[str, Any]] = {}
        for result in self.results:
            for key, value in result.data.categories.items():
                prefix, _, rest = key.partition("_")
                if prefix.isdigit() and rest:
                    grouped.setdefault(int(prefix), {})[key] = value
        return grouped


# -- documents after filing: relations, records management, the change feed ------------------------


class RelatedWorkspace(BaseModel):
    """A workspace related to another; `rel_type` is the relation seen from the workspace asked
    about: `child` (it lists the other as its child) or `parent`."""

    id: int
    name: str
    rel_type: str
    workspace_type_id: int | None = None


class RecordsClassification(BaseModel):
    """A node's Records Management state: its classification (None when unclassified)."""

    node_id: int
    classification_id: int | None
    record_date: str | None = None
    file_status: str | None = None


class NodeChange(BaseModel):
    """One node found by the change feed: what changed and when, never content.

    `workspace_id` is the business workspace the node lies in (None outside workspaces, or when not
    resolved); `categories` holds the requested categories' values (None when none were asked for)."""

    node_id: int
    name: str
    subtype: int
    parent_id: int | None
    workspace_id: int | None
    modified_at: datetime
    version_number: int | None = None
    categories: dict[int, dict[str, Any]] | None = None


class VersionContent(BaseModel):
    """The bytes of one document version (for activities that pass them on, not for payloads)."""

    node_id: int
    version_number: int
    file_name: str | None
    mime_type: str
    content: bytes = Field(repr=False)


class _RelatedProperties(Node):
    rel_type: str = "child"


class _RelatedData(_Wire):
    properties: _RelatedProperties


class _RelatedResult(_Wire):
    data: _RelatedData


class RelatedItemsEnvelope(_Wire):
    """`GET /v2/businessworkspaces/{id}/relateditems`: workspaces in `results[]`, paging at the top."""

    results: list[_RelatedResult]
    paging: Paging = Field(default_factory=Paging)


class WorkspaceRootInfo(_Wire):
    """`GET /v1/nodes/{id}/businessworkspace`: the workspace a node lies in."""

    id: int
    type: int | None = None
    workspace_type_id: int | None = None


class _WorkspaceReference(_Wire):
    """One business object link in `workspace_references[]` (field names as pyxecm reads them; the
    spec leaves the items untyped)."""

    external_system_id: str
    business_object_type: str
    business_object_id: str


class _WorkspaceInfoData(_Wire):
    workspace_references: list[_WorkspaceReference] = Field(default_factory=list)


class _WorkspaceInfoResult(_Wire):
    data: _WorkspaceInfoData


class WorkspaceInfoEnvelope(_Wire):
    """`GET /v2/businessworkspaces/{id}?fields=workspace_references`: the workspace's business objects."""

    results: _WorkspaceInfoResult

    def business_objects(self) -> list[BusinessObject]:
        return [
            BusinessObject(
                ext_system_id=r.external_system_id, bo_type=r.business_object_type, bo_id=r.business_object_id
            )
            for r in self.results.data.workspace_references
        ]


class _RecordsData(_Wire):
    rmclassification_id: int | None = None
    record_date: str | None = None
    file_status: str | None = None


class RecordsDetailsEnvelope(_Wire):
    """`GET /v1/nodes/{id}/rmclassifications` (pyxecm's example): `data[0]` and the token."""

    data: list[_RecordsData]
    rm_metadata_token: str | None = Field(default=None, alias="rm_metadataToken")


class _SearchData(_Wire):
    properties: Node
    versions: VersionInfo | None = None


class _SearchResult(_Wire):
    data: _SearchData


class SearchEnvelope(_Wire):
    """`POST /v2/search`: hits in `results[]`, paging under `collection`."""

    results: list[_SearchResult]
    collection: _Collection = Field(default_factory=_Collection)
