"""Returns (RMA, Adobe Commerce only): create, read, search and move items through their statuses.

An RMA's status follows its items (pending → authorized → received → approved/rejected, or denied),
so status changes are made per item: the RMA is read, the items changed and sent back whole with
`PUT /V1/returns/{id}` (the schema requires every field). Items already in the target status are
left alone and nothing is sent when none needs a change, which makes retries harmless.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, datetime

from connectors.adobe_commerce.client import AdobeCommerceClient
from connectors.adobe_commerce.contract import RMA_FINAL_STATUSES
from connectors.adobe_commerce.models import NewRmaItem, Order, Rma, RmaComment, RmaItem, RmaItemStatus, RmaStatus
from connectors.adobe_commerce.search import Filter, search_all, where


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")


def _item_json(item: RmaItem) -> dict[str, object]:
    return {
        "entity_id": item.entity_id,
        "rma_entity_id": item.rma_entity_id,
        "order_item_id": item.order_item_id,
        "qty_requested": item.qty_requested,
        "qty_authorized": item.qty_authorized or 0,
        "qty_approved": item.qty_approved or 0,
        "qty_returned": item.qty_returned or 0,
        "reason": item.reason,
        "condition": item.condition,
        "resolution": item.resolution,
        "status": item.status,
    }


def _comment_json(comment: RmaComment, rma_id: int) -> dict[str, object]:
    return {
        "comment": comment.comment,
        "rma_entity_id": rma_id,
        "created_at": comment.created_at or _now(),
        "entity_id": comment.entity_id or 0,
        "customer_notified": comment.customer_notified,
        "visible_on_front": comment.visible_on_front,
        "status": comment.status or "",
        "admin": comment.admin,
    }


def rma_body(rma: Rma) -> dict[str, object]:
    """The whole RMA as `rmaDataObject`, with every field the schema requires present and non-null."""
    return {
        "rmaDataObject": {
            "increment_id": rma.increment_id,
            "entity_id": rma.entity_id,
            "order_id": rma.order_id,
            "order_increment_id": rma.order_increment_id,
            "store_id": rma.store_id,
            "customer_id": rma.customer_id,
            "date_requested": rma.date_requested or _now(),
            "customer_custom_email": rma.customer_custom_email or "",
            "items": [_item_json(i) for i in rma.items],
            "status": rma.status,
            "comments": [_comment_json(c, rma.entity_id) for c in rma.comments],
            "tracks": [
                {
                    "entity_id": t.entity_id or 0,
                    "rma_entity_id": rma.entity_id,
                    "track_number": t.track_number,
                    "carrier_title": t.carrier_title,
                    "carrier_code": t.carrier_code,
                }
                for t in rma.tracks
            ],
        }
    }


def _with_status(item: RmaItem, status: RmaItemStatus) -> RmaItem:
    """The item moved to `status`, with the quantity that status confirms filled in."""
    changes: dict[str, object] = {"status": status.value}
    if status is RmaItemStatus.AUTHORIZED:
        changes["qty_authorized"] = item.qty_authorized or item.qty_requested
    elif status is RmaItemStatus.RECEIVED:
        changes["qty_returned"] = item.qty_returned or item.qty_authorized or item.qty_requested
    elif status is RmaItemStatus.APPROVED:
        changes["qty_approved"] = item.qty_approved or item.qty_returned or item.qty_authorized or item.qty_requested
    return item.model_copy(update=changes)


class AdobeReturns:
    def __init__(self, client: AdobeCommerceClient) -> None:
        self.client = client

    async def create_return(
        self, order: Order, items: Sequence[NewRmaItem], *, comment: str | None = None, notify_customer: bool = False
    ) -> Rma:
        """Open an RMA for items of `order` (read it first: the RMA copies its ids and customer)."""
        draft = Rma(
            entity_id=0,
            increment_id="",
            order_id=order.entity_id,
            order_increment_id=order.increment_id,
            store_id=order.store_id or 1,
            customer_id=order.customer_id or 0,
            date_requested=_now(),
            customer_custom_email="",
            status=RmaStatus.PENDING,
            items=[RmaItem(**i.model_dump()) for i in items],
            comments=[RmaComment(comment=comment, customer_notified=notify_customer, status=RmaStatus.PENDING)]
            if comment
            else [],
        )
        return await self.client.call_as(Rma, "create_return", "POST", "/V1/returns", json=rma_body(draft))

    async def get_return(self, rma_id: int) -> Rma:
        return await self.client.call_as(Rma, "get_return", "GET", f"/V1/returns/{int(rma_id)}")

    async def find_returns(self, groups: Sequence[Sequence[Filter]]) -> list[Rma]:
        return await search_all(self.client, Rma, "find_returns", "/V1/returns", groups)

    async def returns_for_order(self, order_id: int) -> list[Rma]:
        return await self.find_returns(where("order_id", order_id))

    async def set_item_status(
        self, rma_id: int, status: RmaItemStatus, *, order_item_ids: Collection[int] | None = None
    ) -> Rma:
        """Move the RMA's items (all, or those of the given order items) to `status`."""
        rma = await self.get_return(rma_id)
        items = [
            _with_status(item, status)
            if item.status != status and (order_item_ids is None or item.order_item_id in order_item_ids)
            else item
            for item in rma.items
        ]
        if items == rma.items:
            return rma  # already there: a retried call changes nothing
        return await self._put("set_return_item_status", rma.model_copy(update={"items": items}))

    async def close_return(self, rma_id: int) -> Rma:
        """Close the RMA (no further processing). Closing a closed RMA is a no-op."""
        rma = await self.get_return(rma_id)
        if rma.status in RMA_FINAL_STATUSES:
            return rma
        return await self._put("close_return", rma.model_copy(update={"status": RmaStatus.CLOSED.value}))

    async def _put(self, operation: str, rma: Rma) -> Rma:
        return await self.client.call_as(Rma, operation, "PUT", f"/V1/returns/{rma.entity_id}", json=rma_body(rma))
