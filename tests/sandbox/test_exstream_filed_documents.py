"""The Exstream simulator's documents for filing and the partial shipment letter, over real HTTP: the
packing slip renders its archive PDF only and reaches nobody (no delivery, no letter), refuses a driver
without its fields; the partial shipment letter needs what shipped and what is still to come."""

from __future__ import annotations

from typing import Any

from sandbox.effects import EffectKind
from sandbox.opentext_exstream.filed_documents import packing_slip
from tests.sandbox.test_exstream_customer_communications import (
    DOMAIN,
    GENERATE,
    Sim,
    assert_refused,
    outputs,
    sample,
)
from tests.sandbox.test_exstream_customer_communications import sim as sim

SLIP = packing_slip()
# The PDF escapes parentheses in its text strings.
TENT, PEGS = rb"1 x Two-person tent \(TENT-2P\)", rb"3 x Tent pegs \(PEGS-10\)"
SLIP_DRIVER: dict[str, Any] = {
    "store": "casebridge-demo.myshopify.com",
    "order": {"number": "#1042", "placedAt": "2026-12-04"},
    "items": [
        {"sku": "TENT-2P", "name": "Two-person tent", "quantity": 1},
        {"sku": "PEGS-10", "name": "Tent pegs", "quantity": 3},
    ],
}


async def generate_slip(sim: Sim, driver: dict[str, Any], accept: str | None = None) -> Any:
    headers = {"communicationId": SLIP.id, "driverDataSource": SLIP.prod_dsn}
    if accept:
        headers["Accept"] = accept
    return await sim.api.post(GENERATE, headers=headers, json=driver)


async def test_the_packing_slip_is_an_archive_pdf_that_reaches_nobody(sim: Sim) -> None:
    listed = await sim.api.get(
        f"/design/api/v1/resources/{DOMAIN}",
        params={"filter.types": "exstrapplication", "filter.states": "APPROVED", "count": 100},
    )
    assert [r["id"] for r in listed.json()["data"] if r["name"] == "Packing Slip"] == [SLIP.id]
    manifest = (
        await sim.api.get(f"/design/api/v1/manifests/{DOMAIN}/communication-set/{SLIP.communication_set_id}")
    ).json()["data"]
    assert [(q["name"], q["driver"], q["use"]) for q in manifest["queueList"]] == [("Archive_PDF", "PDF", "ARCHIVE")]
    assert [d["prodDsn"] for d in manifest["dsnlist"]] == ["PackingSlipDriver"]

    raw = await generate_slip(sim, SLIP_DRIVER, accept="application/pdf")
    assert raw.status_code == 200 and raw.headers["content-type"] == "application/pdf"
    assert "deliveryId" not in raw.headers
    pdf = raw.content
    assert pdf.startswith(b"%PDF-") and b"Packing slip #1042" in pdf
    assert TENT in pdf and PEGS in pdf
    again = await generate_slip(sim, SLIP_DRIVER, accept="application/pdf")
    assert again.content == pdf  # the same order renders the same bytes

    [(queue, mime, _, context)] = outputs(await generate_slip(sim, SLIP_DRIVER))
    assert (queue, mime) == ("Archive_PDF", "application/pdf") and "deliveryId" not in context
    assert await sim.deliveries() == []
    assert sim.simulator.world.effects.count(kind=EffectKind.LETTER_SENT) == 0


async def test_the_packing_slip_needs_its_fields(sim: Sim) -> None:
    without_items = {k: v for k, v in SLIP_DRIVER.items() if k != "items"}
    assert_refused(await generate_slip(sim, without_items), 400, 400014, "items")
    undated = {**SLIP_DRIVER, "order": {"number": "#1042"}}
    assert_refused(await generate_slip(sim, undated), 400, 400014, "order.placedAt")
    refused = await generate_slip(sim, SLIP_DRIVER, accept="text/html")
    assert_refused(refused, 406, 406001, "text/html")  # a slip has no e-mail


async def test_the_partial_shipment_letter_names_what_shipped_and_what_is_to_come(sim: Sim) -> None:
    name = "Partial Shipment Letter"
    driver = sample(name, items=[{"sku": "TENT-2P", "name": "Two-person tent", "quantity": 1}])
    driver["pending"] = {"items": [{"sku": "PEGS-10", "name": "Tent pegs", "quantity": 3}]}
    archive = outputs(await sim.generate(name, driver))[0][2]
    assert rb"Part of your order #1001 is on its way \(DHL, JD0001\)" in archive
    assert TENT in archive and b"Still to come:" in archive and PEGS in archive
    assert archive.index(TENT) < archive.index(b"Still to come:") < archive.index(PEGS)

    nothing_to_come = {k: v for k, v in driver.items() if k != "pending"}
    assert_refused(await sim.generate(name, nothing_to_come), 400, 400014, "pending")
    untracked = sample(name, shipment={"carrier": "DHL"})
    assert_refused(await sim.generate(name, untracked), 400, 400014, "shipment.trackingNumber")
