"""An order's packing slip: rendered by OpenText Exstream from the order as the platform has it and
filed in the order's workspace among its shipping documents, for the warehouse and the audit trail.
It is never delivered to the customer: the "Packing Slip" of the design is a document communication
whose only output queue is its archive PDF, asked for as `application/pdf` on demand (the
connector's `generate_document`), the way any rendered document is fetched without a delivery.

The slip has a stable name per order and renders the same bytes for the same order, so a rerun or a
repeated event files nothing new, and an order whose lines changed gets a new version of the same
document, never a second one (`Filing.file`).
"""

from __future__ import annotations

from pydantic import BaseModel, JsonValue
from temporalio import activity

from activities.content_server import Filing
from activities.document_models import FiledDocument, OpenWorkspaceRequest, order_workspace
from activities.errors import translate_errors
from activities.transaction_models import OrderTransactions
from activities.transaction_readers import read_order_transactions
from casebridge.connections import Connections
from connectors.opentext.exstream_models import CommunicationTarget
from routing.documents import DocumentKind

PDF = "application/pdf"


class PackingSlipRequest(BaseModel):
    tenant: str  # the OpenText tenant: its Exstream renders, its Content Server keeps the workspace
    platform: str
    store: str
    order_id: str
    communication: str  # the design's packing slip communication ("Packing Slip")


def packing_slip_driver(order: OrderTransactions, store: str) -> dict[str, JsonValue]:
    """What the packing slip prints: the order, its date and every line's quantity to pack. No
    address: the carrier's label carries that."""
    items: list[JsonValue] = [
        {"sku": line.sku or "", "name": line.title, "quantity": line.quantity} for line in order.lines
    ]
    return {
        "store": store,
        "order": {"number": order.order_name, "placedAt": order.created_at.date().isoformat()},
        "items": items,
    }


def packing_slip_name(order_name: str) -> str:
    return f"Packing Slip {order_name}.pdf"


class PackingSlipActivities:
    def __init__(self, connections: Connections) -> None:
        self._connections = connections
        self._filing = Filing(connections)
        self._targets: dict[tuple[str, str], CommunicationTarget] = {}

    @activity.defn(name="documents.file_packing_slip")
    @translate_errors
    async def file_packing_slip(self, request: PackingSlipRequest) -> FiledDocument:
        """Render the order's packing slip and file it with the order's shipping documents."""
        order = await read_order_transactions(self._connections, request.platform, request.store, request.order_id)
        workspace = await self._filing.open_workspace(
            OpenWorkspaceRequest(
                tenant=request.tenant,
                platform=request.platform,
                store=request.store,
                subject=order_workspace(
                    request.store, order.order_id, order.order_name, total=order.total, currency=order.currency
                ),
            )
        )
        target = await self._target(request.tenant, request.communication)
        slip = await self._connections.exstream(request.tenant).generate_document(
            target.communication_id, target.driver_data_source, packing_slip_driver(order, request.store), PDF
        )
        return await self._filing.file(
            workspace,
            DocumentKind.SHIPPING_DOCUMENT,
            packing_slip_name(order.order_name),
            slip.content,
            mime_type=PDF,
            business_key=order.order_name,
        )

    async def _target(self, tenant: str, communication: str) -> CommunicationTarget:
        key = (tenant, communication)
        if key not in self._targets:
            self._targets[key] = await self._connections.exstream(tenant).resolve_communication(communication)
        return self._targets[key]
