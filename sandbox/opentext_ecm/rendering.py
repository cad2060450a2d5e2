"""JSON shapes of the simulated Content Server's answers.

They follow what real servers send (and OpenText's pyxecm parses): `results` is an object for
single nodes and workspace creation, a list for listings. The 2.0.2 spec's response schemas wrap
everything in arrays, which real servers do not do; requests, not responses, are checked against
the spec.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from starlette.datastructures import URL

from sandbox.opentext_ecm.config import ContentServerConfig
from sandbox.opentext_ecm.repository import (
    SUBTYPE_BUSINESS_WORKSPACE,
    SUBTYPE_DOCUMENT,
    TYPE_NAMES,
    NodeState,
    Version,
)

VOLUME_ID = -2000  # the Enterprise Workspace volume


def timestamp(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S")


def links(url: URL, method: str) -> dict[str, Any]:
    """The `links.data.self` block every v2 answer starts with."""
    href = url.path[url.path.find("/api/") + 4 :] if "/api/" in url.path else url.path
    if url.query:
        href = f"{href}?{url.query}"
    return {"data": {"self": {"body": "", "content_type": "", "href": href, "method": method, "name": ""}}}


def node_properties(node: NodeState) -> dict[str, Any]:
    latest = node.versions[-1] if node.versions else None
    properties: dict[str, Any] = {
        "id": node.id,
        "parent_id": node.parent_id,
        "volume_id": VOLUME_ID,
        "name": node.name,
        "description": node.description,
        "type": node.subtype,
        "type_name": TYPE_NAMES.get(node.subtype, "Node"),
        "container": node.is_container,
        "create_date": timestamp(node.created_at),
        "create_user_id": node.owner_id,
        "modify_date": timestamp(node.modified_at),
        "modify_user_id": node.owner_id,
        "owner_user_id": node.owner_id,
        "reserved": False,
        "reserved_user_id": 0,
        "hidden": False,
        "mime_type": latest.mime_type if latest else None,
    }
    if node.is_container:
        count = len(node.children)
        properties["size"] = count
        properties["size_formatted"] = f"{count} Items"
    elif node.subtype == SUBTYPE_DOCUMENT:
        properties["size"] = latest.size if latest else 0
        properties["advanced_versioning"] = False
    if node.subtype == SUBTYPE_BUSINESS_WORKSPACE:
        properties["wnf_wksp_type_id"] = node.workspace_type_id
        properties["wnf_wksp_template_id"] = node.template_id
    return properties


def node_result(node: NodeState) -> dict[str, Any]:
    return {"data": {"properties": node_properties(node)}}


def workspace_result(node: NodeState) -> dict[str, Any]:
    return {
        "actions": {"data": {"open": {}}, "map": {"default_action": "open"}, "order": ["open"]},
        **node_result(node),
    }


def version_info(node: NodeState, version: Version) -> dict[str, Any]:
    return {
        "id": node.id,
        "version_id": node.id * 1000 + version.number,
        "version_number": version.number,
        "version_major_number": sum(1 for v in node.versions[: version.number] if v.major),
        "version_minor_number": version.number,
        "file_name": version.file_name,
        "file_size": version.size,
        "file_type": version.file_name.rsplit(".", 1)[-1] if "." in version.file_name else "",
        "mime_type": version.mime_type,
        "description": version.description,
        "create_date": timestamp(version.created_at),
        "modify_date": timestamp(version.created_at),
        "owner_id": version.owner_id,
        "locked": 0,
        "has_generation": False,
        "provider_name": "Simulated storage",
    }


def paging(total: int, page: int, limit: int) -> dict[str, Any]:
    start = (page - 1) * limit
    shown = max(0, min(limit, total - start))
    return {
        "limit": limit,
        "page": page,
        "page_total": max(1, math.ceil(total / limit)),
        "range_min": start + 1 if shown else 0,
        "range_max": start + shown,
        "total_count": total,
    }


def category_results(node: NodeState, config: ContentServerConfig) -> list[dict[str, Any]]:
    """One entry per applied category: values flat under `data.categories`, names in `metadata`."""
    results = []
    for category_id, values in node.categories.items():
        definition = config.category(category_id)
        name = definition.name if definition else str(category_id)
        metadata: dict[str, Any] = {str(category_id): {"key": str(category_id), "name": name, "persona": "category"}}
        for attribute in definition.attributes if definition else []:
            metadata[f"{category_id}_{attribute.id}"] = {
                "key": f"{category_id}_{attribute.id}",
                "name": attribute.name,
                "type_name": attribute.type,
                "required": attribute.required,
                "multi_value": attribute.multi_value,
            }
        data = {
            f"{category_id}_{a.id}": values.get(f"{category_id}_{a.id}")
            for a in (definition.attributes if definition else [])
        }
        data.update(values)
        results.append({"data": {"categories": data}, "metadata": {"categories": metadata}})
    return results


def workspace_info(node: NodeState, type_name: str | None) -> dict[str, Any]:
    """`GET /v2/businessworkspaces/{id}` (`V2BusinessWorkspaceSpecificResult`): the node, its type
    and its business object links. The link fields are pyxecm's (`get_workspace_references`): the
    spec leaves `workspace_references[]` untyped. They are always given here, with or without
    `fields=workspace_references` (ASSUMPTION: the real server may answer them only when asked)."""
    bo = node.business_object
    references = (
        [
            {
                "external_system_id": bo.ext_system_id,
                "business_object_type": bo.bo_type,
                "business_object_id": bo.bo_id,
                "workspace_type_id": node.workspace_type_id,
                "has_default_display": True,
                "has_default_search": True,
            }
        ]
        if bo is not None
        else []
    )
    return {
        "data": {
            "properties": node_properties(node),
            "business_properties": {
                "workspace_type_id": node.workspace_type_id,
                "workspace_type_name": type_name,
                "has_default_display": True,
                "has_default_search": True,
                "isEarly": False,
            },
            "workspace_references": references,
        }
    }


def related_result(node: NodeState, rel_type: str) -> dict[str, Any]:
    """A related workspace (`GET .../relateditems`): the workspace, with the relation as seen from
    the workspace asked about (`child` or `parent`; pyxecm's examples show it in the properties)."""
    result = workspace_result(node)
    result["data"]["properties"]["rel_type"] = rel_type
    return result


def search_result(node: NodeState, location: list[int], parent_name: str | None) -> dict[str, Any]:
    """One hit of `POST /v2/search`, shaped as pyxecm's example: properties, a few regions, the
    latest version, the parent link and `search_result_metadata`."""
    latest = node.versions[-1] if node.versions else None
    data: dict[str, Any] = {
        "properties": node_properties(node),
        "regions": {
            "OTName": node.name,
            "OTSubType": node.subtype,
            "OTModifyDate": node.modified_at.strftime("%Y%m%d"),
            "OTObjectDate": node.modified_at.strftime("%Y%m%d"),
            "OTLocation": " ".join(str(i) for i in location),
        },
    }
    if latest is not None:
        data["versions"] = version_info(node, latest)
    return {
        "data": data,
        "links": {"parent": {"href": f"api/v1/nodes/{node.parent_id}", "name": parent_name or ""}},
        "search_result_metadata": {
            "current_version": True,
            "object_href": None,
            "object_id": f"DataId={node.id}&Version={len(node.versions) or 1}",
            "result_type": "264",
            "source_id": None,
            "version_type": None,
        },
    }


def search_collection(total: int, page: int, limit: int, sort: str) -> dict[str, Any]:
    block = paging(total, page, limit)
    shown = f"{block['range_min']} to {block['range_max']}" if total else "0"
    block["result_header_string"] = f"Results {shown} of {total} sorted by {sort}"
    return {
        "paging": block,
        "searching": {"cache_id": 0, "result_title": "Search Results"},
        "sorting": {"sort": [sort]},
    }


def records_details(node: NodeState) -> dict[str, Any]:
    """`GET /v1/nodes/{id}/rmclassifications` as pyxecm's example shows it (the fields Casebridge
    reads; the definitions and display settings are left out)."""
    classified = node.rm_classification_id is not None
    return {
        "canRMClassify": True,
        "canRemoveClass": classified,
        "data": [
            {
                "rmclassification_id": node.rm_classification_id,
                "multiple_classifications": [],
                "file_number": None,
                "record_date": timestamp(node.rm_record_date) if node.rm_record_date else None,
                "file_status": "ACTIVE" if classified else None,
                "status_date": timestamp(node.rm_record_date) if node.rm_record_date else None,
                "official": False,
                "storage": "EL" if classified else None,
                "essential": None,
            }
        ],
        "rm_metadataToken": node.rm_metadata_token,
    }
