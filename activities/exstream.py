"""Customer notices through OpenText Exstream: render an approved communication for one driver
record; Exstream's output queues deliver it (the email queue sends, the PDF queue archives).

The design lookups (communication -> set -> manifest) are cached per process and communication
name: they change only when a design is republished. On-demand generation has no idempotency key,
so a retry after a lost answer can send a notice twice; the workflows keep retries few and treat a
notice as a courtesy that never blocks a case.
"""

from __future__ import annotations

from temporalio import activity

from activities.errors import translate_errors
from activities.models import CustomerNoticeRequest, CustomerNoticeResult
from casebridge.connections import Connections
from connectors.opentext.exstream_models import CommunicationTarget


class ExstreamActivities:
    def __init__(self, connections: Connections) -> None:
        self._connections = connections
        self._targets: dict[tuple[str, str], CommunicationTarget] = {}

    @activity.defn(name="exstream.send_customer_notice")
    @translate_errors
    async def send_customer_notice(self, request: CustomerNoticeRequest) -> CustomerNoticeResult:
        client = self._connections.exstream(request.tenant)
        key = (request.tenant, request.communication)
        target = self._targets.get(key)
        if target is None:
            target = self._targets[key] = await client.resolve_communication(request.communication)
        outputs = await client.generate(target.communication_id, target.driver_data_source, request.driver)
        return CustomerNoticeResult(
            communication_id=target.communication_id,
            outputs=[o.queue_name or o.mime_type for o in outputs],
        )
