"""What the collateral job (`workflows.collateral_sync`) and its activities (`activities.collateral`)
exchange: documents of product workspaces whose review status changed, as references (node ids,
names, versions), never content."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field


class ReviewStatus(StrEnum):
    """The document category's "Document status", set by a reviewer in Extended ECM."""

    DRAFT = "Draft"
    APPROVED = "Approved"
    WITHDRAWN = "Withdrawn"


class ProductRef(BaseModel):
    """The product a product workspace belongs to, on the store its external system stands for."""

    platform: str
    store: str
    product_id: str  # the workspace's business object id: a Shopify product (gid or number), a
    # BigCommerce product id, an Adobe Commerce SKU
    task_queue: str | None = None  # the store's rate-limited queue (None: the workflow's own)


class Handled(BaseModel):
    """A document a read has dealt with: its modify time and, for collateral, the state acted on.

    Modify times have second precision, so a reviewer's next change can carry the same time: the
    state (status and version) tells it apart."""

    modified_at: datetime
    state: str | None = None  # "Approved v2"; None: no collateral of a served product at all


def review_state(status: ReviewStatus | str | None, version: int) -> str:
    return f"{status or 'unreviewed'} v{version}"


class CollateralChange(BaseModel):
    """An approved or withdrawn document of a product workspace, as the change feed found it."""

    node_id: int
    name: str
    version: int
    modified_at: datetime
    status: Literal[ReviewStatus.APPROVED, ReviewStatus.WITHDRAWN]
    workspace_id: int
    product: ProductRef

    def handled(self) -> Handled:
        return Handled(modified_at=self.modified_at, state=review_state(self.status, self.version))


class ChangesRequest(BaseModel):
    tenant: str
    since: datetime  # inclusive
    base_task_queue: str  # the workflow's queue, from which a rate-limited store's own is named
    # Documents already dealt with (node id -> modify time and state): a re-read of the same change
    # is left out, so a page never fills up with work already done.
    handled: dict[int, Handled] = Field(default_factory=dict)
    limit: int = Field(default=50, ge=1, le=200)


class UnplacedDocument(BaseModel):
    """Collateral that cannot be placed on one product: a failure to report, not to retry."""

    node_id: int
    handled: Handled
    reason: str


class ChangesPage(BaseModel):
    changes: list[CollateralChange]
    read_to: datetime | None  # the newest modify time read (None: nothing new)
    more: bool  # the page stopped at its limit: read again from `read_to`
    # Changed documents that are no collateral to act on (other workspaces, drafts): dealt with too,
    # so that a re-read leaves them out.
    passed: dict[int, Handled] = Field(default_factory=dict)
    unplaced: list[UnplacedDocument] = Field(default_factory=list)  # collateral of no single store


class PublishRequest(BaseModel):
    tenant: str
    change: CollateralChange


class PublishOutcome(BaseModel):
    action: Literal["published", "withdrawn", "not published"]  # the last: a withdrawal found nothing
    url: str | None = None  # the link published
