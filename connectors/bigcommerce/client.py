"""`BigCommerceClient`: the store's REST API (v2 + v3) for the case types, one instance per store.

Every method raises only `connectors.errors` types (`system="bigcommerce"`, `operation` = the method
name): 400/422 → `RejectedError` with BigCommerce's message, 404 → `NotFoundError`, 409 →
`ConflictError`, 401/403 → `AuthenticationError`, 5xx/timeouts → `TransientError`, 429 →
`RateLimitedError` when the wait is longer than `max_local_wait` (shorter waits happen inside).
Wire-level assumptions live in `connectors.bigcommerce.contract`.
"""

from __future__ import annotations

from connectors.bigcommerce.carts import CartsApi
from connectors.bigcommerce.customer_records import CustomerRecordsApi
from connectors.bigcommerce.order_archive import OrderArchiveApi
from connectors.bigcommerce.orders import OrdersApi
from connectors.bigcommerce.payments import PaymentsApi
from connectors.bigcommerce.product_documents import ProductDocumentsApi
from connectors.bigcommerce.store import CatalogApi, CustomersApi, HooksApi, PriceListsApi
from connectors.lifecycle import Closing


class BigCommerceClient(
    OrdersApi,
    PaymentsApi,
    CustomerRecordsApi,  # and, through it, CustomersApi
    CustomersApi,
    CatalogApi,
    PriceListsApi,
    HooksApi,
    ProductDocumentsApi,
    OrderArchiveApi,
    CartsApi,
    Closing,
):
    """`BigCommerceClient(store_hash, access_token, base_url=..., transport=...)`; see `RestBase`."""
