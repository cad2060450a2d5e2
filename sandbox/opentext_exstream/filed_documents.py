"""Documents of the demo domain `casebridge` that are rendered for filing, not sent: their
communication set has one output queue, the ARCHIVE PDF, so a generation answers the document and
delivers nothing (ASSUMPTION: delivery is the design's queues' doing; Exstream publishes no separate
"render only" call). Called on demand like any communication, e.g. with `Accept: application/pdf`.
"""

from __future__ import annotations

import uuid

from sandbox.opentext_exstream.communications import data_source_name
from sandbox.opentext_exstream.design import CommunicationConfig, OutputQueueConfig, RepeatBlock

_ID_NAMESPACE = uuid.UUID("0b7c4e2a-91d3-4f5e-8a6b-3c2d1e0f9a71")
PACKING_SLIP_NAME = "Packing Slip"


def _uuid(kind: str, name: str) -> str:
    return str(uuid.uuid5(_ID_NAMESPACE, f"{kind}:{name}"))


def packing_slip() -> CommunicationConfig:
    """An order's packing slip for the warehouse and the order's workspace: the order, its date and
    each line's quantity to pack. Driver: `{"store", "order": {"number", "placedAt"}, "items": [{"sku",
    "name", "quantity"}]}`; no address (the carrier's label has it)."""
    return CommunicationConfig(
        id=_uuid("communication", PACKING_SLIP_NAME),
        name=PACKING_SLIP_NAME,
        description="An order's packing slip, for filing with its shipping documents",
        communication_set_id=_uuid("set", PACKING_SLIP_NAME),
        communication_set_name="Casebridge Filed Documents: Packing Slip",
        prod_dsn=data_source_name(PACKING_SLIP_NAME),
        driver_sample_id=_uuid("sample", PACKING_SLIP_NAME),
        required_fields=["store", "order.number", "order.placedAt", "items"],
        queues=[OutputQueueConfig(name="Archive_PDF", mime_type="application/pdf", use="ARCHIVE")],
        title="Packing slip {order.number}",
        body_lines=[
            "Order {order.number} of {order.placedAt}, {store}",
            "",
            "Pack:",
            RepeatBlock(each="items", lines=["  {quantity} x {name} ({sku})"]),
        ],
    )
