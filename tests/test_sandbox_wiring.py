"""The whole sandbox server serves every simulator, and the store registry reaches each of them
through `Connections` (what the worker uses), over real HTTP."""

from __future__ import annotations

from pathlib import Path

from casebridge.connections import Connections
from casebridge.stores import load_registry
from connectors.adobe_commerce.search import Filter
from tests.support.world import ADOBE_STORE, BC_STORE, SHOP, TENANT


async def test_registry_reaches_every_simulator(config_dir: Path, sandbox_url: str) -> None:
    connections = Connections(load_registry(config_dir))
    try:
        assert await connections.shopify(SHOP).find_orders("name:#nothing") == []
        target = await connections.exstream(TENANT).resolve_communication("Order Decision Letter")
        letter = await connections.exstream(TENANT).generate_document(
            target.communication_id,
            target.driver_data_source,
            {"orderName": "#1001", "customerName": "Ada Buyer", "decision": "approved", "reason": "ok"},
            "application/pdf",
        )
        assert letter.content.startswith(b"%PDF-") and b"Ada Buyer" in letter.content
        tasks = await connections.opentext_workflow(TENANT).list_tasks(business_key="none")
        assert tasks == []
        assert await connections.bigcommerce(BC_STORE).list_customer_groups(name="nobody") == []
        b2b = connections.bigcommerce_b2b(BC_STORE, f"{sandbox_url}/bigcommerce-b2b")
        assert await b2b.list_companies(q="nobody") == []
        adobe = connections.adobe_commerce(ADOBE_STORE)
        assert await adobe.sales.find_orders([[Filter("increment_id", "nothing")]]) == []
        ecm = connections.content_server(TENANT)
        await ecm.authenticate()
        assert ecm.ticket_fetches == 1
    finally:
        await connections.aclose()
