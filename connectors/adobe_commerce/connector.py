"""`AdobeCommerce`: every Adobe Commerce operation Casebridge uses, over one client per store."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx

from connectors.adobe_commerce.auth import AdminTokenCredentials, ImsCredentials, OAuth1Credentials
from connectors.adobe_commerce.b2b import AdobeB2B
from connectors.adobe_commerce.carts import AdobeCarts
from connectors.adobe_commerce.catalog import AdobeCatalog
from connectors.adobe_commerce.client import AdobeCommerceClient
from connectors.adobe_commerce.customer_records import AdobeCustomerRecords
from connectors.adobe_commerce.customers import AdobeCustomers
from connectors.adobe_commerce.order_archive import AdobeOrderArchive
from connectors.adobe_commerce.product_documents import AdobeProductDocuments
from connectors.adobe_commerce.returns import AdobeReturns
from connectors.adobe_commerce.sales import AdobeSales
from connectors.lifecycle import Closing


class AdobeCommerce(Closing):
    """Facade over one store: `sales` (orders, comments, invoices, refunds), `returns` (RMA),
    `b2b` (companies, credit, negotiable quotes), `catalog` (products, prices), `customers` (groups),
    `carts` (admin-created guest carts checked out into orders), `customer_records` (consent and
    Casebridge's customer attributes), `product_documents` (documents published on products) and
    `archive` (the transaction archive's reads: orders by creation time, shipments)."""

    def __init__(
        self,
        base_url: str,
        credentials: AdminTokenCredentials | OAuth1Credentials | ImsCredentials,
        *,
        timeout: float = 15.0,
        max_local_wait: float = 5.0,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = AdobeCommerceClient(
            base_url, credentials, timeout=timeout, max_local_wait=max_local_wait, transport=transport, clock=clock
        )
        self.sales = AdobeSales(self.client)
        self.returns = AdobeReturns(self.client)
        self.b2b = AdobeB2B(self.client)
        self.catalog = AdobeCatalog(self.client)
        self.customers = AdobeCustomers(self.client)
        self.carts = AdobeCarts(self.client)
        self.customer_records = AdobeCustomerRecords(self.client)
        self.product_documents = AdobeProductDocuments(self.client)
        self.archive = AdobeOrderArchive(self.client)  # the transaction archive's reads

    async def aclose(self) -> None:
        await self.client.aclose()
