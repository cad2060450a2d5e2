"""One engine run of a customer communication: check the drivers, consolidate them when the design
says so (the monthly statement), render the ARCHIVE output and the channel's output per document, and
name the delivery each document's channel queue makes.

Nothing here records anything: the simulator delivers the returned requests (at once on demand, when
the job finishes in batch) and logs the outputs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sandbox.opentext_exstream.customer_documents import consolidate, disagreements, render_customer
from sandbox.opentext_exstream.deliveries import DeliveryRequest, new_delivery_id
from sandbox.opentext_exstream.design import BrandConfig, CommunicationConfig
from sandbox.opentext_exstream.envelope import DriverRefusal, Envelope, check_envelope
from sandbox.opentext_exstream.rendering import RenderedOutput, lookup

# Records consolidated into one document must agree on these (they are that document's envelope).
_SHARED_FIELDS = ("document", "brand", "language", "currency", "channel", "recipient", "store")


@dataclass
class CustomerRun:
    outputs: list[RenderedOutput] = field(default_factory=list)
    deliveries: list[DeliveryRequest] = field(default_factory=list)
    errors: list[dict[str, str]] = field(default_factory=list)  # batch record errors


def _document(
    run: CustomerRun, communication: CommunicationConfig, envelope: Envelope, driver: dict[str, Any], number: int
) -> None:
    delivery_id = new_delivery_id()
    run.outputs += render_customer(communication, envelope, driver, number, delivery_id)
    run.deliveries.append(
        DeliveryRequest(
            delivery_id=delivery_id,
            communication_id=communication.id,
            communication=communication.name,
            document_id=envelope.document_id,
            channel=envelope.channel,
            customer_ref=envelope.customer_ref,
            store=envelope.store,
            email=envelope.email,
            postal_address=envelope.postal_address,
        )
    )


def _documents(
    communication: CommunicationConfig, valid: list[tuple[int, dict[str, Any], Envelope]], run: CustomerRun
) -> list[tuple[dict[str, Any], Envelope]]:
    """One driver per document: each record, or per consolidation key its records merged."""
    design = communication.customer_design
    assert design is not None
    if design.consolidate_by is None:
        return [(record, envelope) for _, record, envelope in valid]
    groups: dict[str, list[tuple[int, dict[str, Any], Envelope]]] = {}
    for item in valid:
        groups.setdefault(json.dumps(lookup(item[1], design.consolidate_by), sort_keys=True), []).append(item)
    documents: list[tuple[dict[str, Any], Envelope]] = []
    for group in groups.values():
        records = [record for _, record, _ in group]
        differing = disagreements(records, _SHARED_FIELDS)
        if differing:
            run.errors.append(
                {
                    "customerNumber": str(group[0][0]),
                    "errorMessage": f"records of {design.consolidate_by}={lookup(records[0], design.consolidate_by)}"
                    f" disagree on {', '.join(differing)}",
                }
            )
            continue
        (merged,) = consolidate(communication, records)
        documents.append((merged, group[0][2]))
    return documents


def generate_on_demand(communication: CommunicationConfig, brands: list[BrandConfig], driver: object) -> CustomerRun:
    """One driver: its document (the statement consolidates it alone), or the `DriverRefusal`."""
    assert communication.customer_design is not None
    envelope = check_envelope(communication.customer_design, brands, driver)
    assert isinstance(driver, dict)
    run = CustomerRun()
    for merged, merged_envelope in _documents(communication, [(1, driver, envelope)], run):
        _document(run, communication, merged_envelope, merged, 1)
    return run


def generate_batch(communication: CommunicationConfig, brands: list[BrandConfig], records: list[object]) -> CustomerRun:
    """Many drivers as one engine run: all documents, or (any record refused) only the errors."""
    assert communication.customer_design is not None
    run = CustomerRun()
    valid: list[tuple[int, dict[str, Any], Envelope]] = []
    for number, record in enumerate(records, start=1):
        try:
            envelope = check_envelope(communication.customer_design, brands, record)
        except DriverRefusal as refusal:
            run.errors.append({"customerNumber": str(number), "errorMessage": refusal.message})
            continue
        assert isinstance(record, dict)
        valid.append((number, record, envelope))
    documents = _documents(communication, valid, run)
    if run.errors:
        return CustomerRun(errors=run.errors)
    for number, (driver, envelope) in enumerate(documents, start=1):
        _document(run, communication, envelope, driver, number)
    return run
