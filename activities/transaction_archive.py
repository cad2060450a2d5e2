"""The transaction archive: each order's record and its transaction documents (invoices, credit
memos, tax documents, shipment confirmations) filed into the order's ECM workspace, each with the
retention its kind has in the layout.

An order is read and filed inside one activity, so its amounts and lines never enter a workflow's
history; the activity answers with counts. Records have stable names and are recognised by their
content hash, so archiving an order again files only what changed since (a new refund, a new
version of a record whose data changed) and a rerun of a backfill duplicates nothing. Each shipment
is flagged `partial` when it left ordered units to come, so the case picks its letter without
seeing the quantities.
"""

from __future__ import annotations

from pydantic import JsonValue
from temporalio import activity

from activities.content_server import Filing
from activities.document_models import (
    FiledDocument,
    OpenWorkspaceRequest,
    WorkspaceKind,
    WorkspaceRef,
    customer_workspace,
    order_workspace,
)
from activities.errors import translate_errors
from activities.preferences import customer_records, platform_customer_ref
from activities.shipments import units_to_come
from activities.transaction_models import (
    ArchivedDocument,
    ArchivedOrder,
    ArchiveOrderRequest,
    OrderPage,
    OrderPageRequest,
    OrderTransactions,
)
from activities.transaction_readers import list_orders_created, read_order_transactions
from activities.transaction_records import document_record, order_record, record_name
from casebridge.connections import Connections
from casebridge.stores import Platform
from routing.documents import DocumentKind

HTML = "text/html"
WORKSPACE_FIELD = "ecm_workspace"  # on the customer record: their account workspace in the ECM


class TransactionArchiveActivities:
    def __init__(self, connections: Connections) -> None:
        self._connections = connections
        self._filing = Filing(connections)

    @activity.defn(name="archive.list_orders")
    @translate_errors
    async def list_orders(self, request: OrderPageRequest) -> OrderPage:
        """One page of the orders created in the range, oldest first."""
        return await list_orders_created(
            self._connections,
            request.platform,
            request.store,
            request.created_from,
            request.created_to,
            request.cursor,
            request.limit,
        )

    @activity.defn(name="archive.archive_order")
    @translate_errors
    async def archive_order(self, request: ArchiveOrderRequest) -> ArchivedOrder:
        """File one order's record and transaction documents into its workspace."""
        order = await read_order_transactions(self._connections, request.platform, request.store, request.order_id)
        subject = order_workspace(
            request.store, order.order_id, order.order_name, total=order.total, currency=order.currency
        )
        workspace = await self._filing.open_workspace(
            OpenWorkspaceRequest(tenant=request.tenant, platform=request.platform, store=request.store, subject=subject)
        )
        account = await self._link_to_account(request, order, workspace)
        filed = [await self._file_order_record(workspace, order, request.store)]
        for document in order.documents:
            filed.append(
                await self._filing.file(
                    workspace,
                    document.kind,
                    record_name(document.kind.value, document.number),
                    document_record(order, document, request.store),
                    mime_type=HTML,
                    business_key=f"{order.order_name}/{document.number}",
                )
            )
        return ArchivedOrder(
            order_id=order.order_id,
            workspace_id=workspace.node_id,
            filed=sum(1 for f in filed if not f.unchanged),
            unchanged=sum(1 for f in filed if f.unchanged),
            documents=[
                ArchivedDocument(
                    kind=d.kind,
                    number=d.number,
                    partial=d.kind is DocumentKind.SHIPPING_DOCUMENT and bool(units_to_come(order, d.number)),
                )
                for d in order.documents
            ],
            account_workspace_id=account.node_id if account is not None else None,
        )

    async def _link_to_account(
        self, request: ArchiveOrderRequest, order: OrderTransactions, workspace: WorkspaceRef
    ) -> WorkspaceRef | None:
        """The customer's account workspace, with the order's workspace linked under it, and the
        customer record on the platform pointing back at it (`ecm_workspace`): the account's
        commerce activity and its documents point at each other. Nothing for a guest's order, or
        when the layout has no account workspaces."""
        if order.customer_ref is None or WorkspaceKind.ACCOUNT not in self._filing.layout(request.tenant).workspaces:
            return None
        account = await self._filing.open_workspace(
            OpenWorkspaceRequest(
                tenant=request.tenant,
                platform=request.platform,
                store=request.store,
                subject=customer_workspace(request.store, order.customer_ref),
            )
        )
        await self._filing.link(request.tenant, account.node_id, workspace.node_id)
        store = self._connections.registry.store(Platform(request.platform), request.store)
        if store is not None:
            customer = platform_customer_ref(store, order.customer_ref)
            records, platform_id = customer_records(self._connections, store, customer)
            wanted: dict[str, JsonValue] = {"workspaceId": account.node_id, "name": account.name}
            if (await records.customer_record(platform_id)).fields.get(WORKSPACE_FIELD) != wanted:
                await records.set_customer_fields(platform_id, {WORKSPACE_FIELD: wanted})
        return account

    async def _file_order_record(self, workspace: WorkspaceRef, order: OrderTransactions, store: str) -> FiledDocument:
        return await self._filing.file(
            workspace,
            DocumentKind.ORDER_RECORD,
            record_name(DocumentKind.ORDER_RECORD.value, order.order_name),
            order_record(order, store),
            mime_type=HTML,
            business_key=order.order_name,
        )
