"""Attachments by reference: parsing the Workflow Service's attachment lists and the name lookup
that makes adding an attachment safe to retry (see `contract`, "Attachments by reference")."""

from __future__ import annotations

import httpx
from pydantic import TypeAdapter, ValidationError

from connectors.errors import ConflictError, ContractError, contract_error
from connectors.opentext.contract import SYSTEM
from connectors.opentext.models import Attachment, AttachmentPage, AttachmentReference

_BARE_LIST = TypeAdapter(list[Attachment])


def parse_attachment_list(response: httpx.Response, operation: str) -> list[Attachment]:
    """Every attachment of the owner, from a HAL page or (Flowable's shape) a bare JSON array.

    A page that reports more elements than it holds is refused: an idempotent add that missed an
    attachment on a later page would create a duplicate.
    """
    try:
        if response.content.lstrip().startswith(b"["):
            return _BARE_LIST.validate_json(response.content)
        page = AttachmentPage.model_validate_json(response.content)
    except ValidationError as exc:
        # Bad JSON is a ValidationError too.
        raise contract_error(
            exc, "attachment list JSON", system=SYSTEM, operation=operation, status_code=response.status_code
        ) from exc
    total = page.page.total_elements
    if page.links.next is not None or (total is not None and total > len(page.items)):
        raise ContractError(
            f"attachment list is paged ({len(page.items)} of {total}); paging is not supported",
            system=SYSTEM,
            operation=operation,
            status_code=response.status_code,
        )
    return page.items


def existing_attachment(
    attachments: list[Attachment], reference: AttachmentReference, operation: str
) -> Attachment | None:
    """The attachment already standing for `reference` (same name, same URL), if any.

    The same name for another document is a conflict: replacing it silently could swap the document a
    reviewer is looking at, and adding a second one would make the name ambiguous.
    """
    same_name = [a for a in attachments if a.name == reference.name]
    for attachment in same_name:
        if reference.is_same_document(attachment):
            return attachment
    if same_name:
        raise ConflictError(
            f"an attachment named {reference.name!r} already refers to another document",
            system=SYSTEM,
            operation=operation,
            details={"attachmentId": same_name[0].id, "externalUrl": same_name[0].external_url},
        )
    return None
