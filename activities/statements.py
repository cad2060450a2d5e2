"""B2B monthly statements: one document per company and month, its lines the company's orders grouped
by buyer and location, rendered by Exstream's statement batch and filed into the company's ACCOUNT
workspace in Extended ECM.

Three activities, so the workflow waits for the batch with a timer and sees ids and counts only:

* `submit` reads the month's company orders and each company's main contact, leaves out companies
  whose statement of the month is filed already, and submits the rest as one batch;
* `job_state` asks how the batch is doing;
* `file` takes the finished batch's ARCHIVE copies into the companies' workspaces.

Exstream has no idempotency key and a statement batch e-mails each company, so `submit` makes its
one write last, and a rerun of a month sends only what is not filed yet: a finished month sends and
files nothing again. Filing is by name with the content hash, so filing a batch twice adds nothing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from temporalio import activity

from activities.content_server import Filing, node_name
from activities.document_models import OpenWorkspaceRequest, company_workspace
from activities.errors import translate_errors
from activities.statement_models import (
    CompanyAccount,
    CompanyOrder,
    FiledStatements,
    FileStatementsRequest,
    StatementBatchRequest,
    StatementJobRequest,
    StatementJobState,
    SubmittedStatements,
    month_bounds,
    month_range,
)
from activities.statement_readers import company_account, company_orders
from casebridge.connections import Connections
from casebridge.stores import Platform, RegistryLookupError
from connectors.errors import ContractError
from connectors.opentext.content_server_models import BusinessObject
from connectors.opentext.exstream_contract import Channel
from connectors.opentext.exstream_models import (
    DocumentRef,
    Recipient,
    StatementParty,
    StatementPeriod,
    StatementRecord,
    StatementTransaction,
)
from routing.documents import DocumentKind, WorkspaceKind

PDF = "application/pdf"
MAX_ERROR_TEXT = 300


@dataclass(frozen=True)
class StatementStyle:
    """How statements look and travel: the Exstream communication and batch service that render them,
    the brand and language of their texts, the channel they go out on."""

    communication: str = "Monthly Statement"
    service: str = "monthly-statements"
    brand: str = "casebridge-trade"
    language: str = "en"
    channel: Channel = Channel.EMAIL


def statement_style(brand: str | None, language: str | None) -> StatementStyle:
    """The one place statements take their brand and language from: the store policy's
    `communications` as the job's input carries them, else the trade brand in English."""
    default = StatementStyle()
    return StatementStyle(brand=brand or default.brand, language=language or default.language)


def statement_name(month: str, company_name: str) -> str:
    """The statement's document name in the workspace: one per company and month."""
    return node_name(f"Statement {month} {company_name}.pdf")


def statement_key(company_id: str, month: str) -> str:
    return f"statement/{company_id}/{month}"


class StatementActivities:
    def __init__(self, connections: Connections) -> None:
        self._connections = connections
        self._filing = Filing(connections)

    @activity.defn(name="statements.submit")
    @translate_errors
    async def submit(self, request: StatementBatchRequest) -> SubmittedStatements:
        """The month's company orders as one statement batch (nothing to send: no job)."""
        start, end = month_range(request.month)
        by_company: dict[str, list[CompanyOrder]] = defaultdict(list)
        async for page in company_orders(self._connections, request.platform, request.store, start, end):
            for order in page:
                by_company[order.company.id].append(order)
            activity.heartbeat(len(by_company))
        result = SubmittedStatements()
        records: list[StatementRecord] = []
        for company_id in sorted(by_company, key=lambda c: (by_company[c][0].company.name, c)):
            account = await company_account(self._connections, request.platform, request.store, company_id)
            if await self._filed_already(request, account):
                result.already_filed.append(company_id)
            elif account.contact_email is None or account.contact_ref is None:
                result.without_recipient.append(company_id)
            else:
                records += _records(request, account, by_company[company_id])
                result.companies.append(company_id)
                result.orders += len(by_company[company_id])
            activity.heartbeat(len(result.companies))
        if records:
            exstream = self._connections.exstream(request.tenant)
            style = statement_style(request.brand, request.language)
            result.job_id = (await exstream.submit_statement_batch(style.service, records)).job_id
        return result

    @activity.defn(name="statements.job_state")
    @translate_errors
    async def job_state(self, request: StatementJobRequest) -> StatementJobState:
        job = await self._connections.exstream(request.tenant).get_batch_job(request.job_id)
        first = job.errors[0].error_message[:MAX_ERROR_TEXT] if job.errors else None
        return StatementJobState(
            state=job.state.value, finished=job.finished, errors=len(job.errors), first_error=first
        )

    @activity.defn(name="statements.file")
    @translate_errors
    async def file(self, request: FileStatementsRequest) -> FiledStatements:
        """Each company's statement (the ARCHIVE copy) into its account workspace."""
        exstream = self._connections.exstream(request.tenant)
        style = statement_style(request.brand, request.language)
        target = await exstream.resolve_communication(style.communication)
        documents = await exstream.batch_communications(request.job_id, target)
        # ASSUMPTION (Exstream): customers are numbered 1, 2, ... in the order their first record
        # comes in the driver file, and `submit` sent the companies' records in `companies` order.
        documents.sort(key=lambda d: int(d.customer_number or 0))
        if [d.customer_number for d in documents] != [str(n) for n in range(1, len(request.companies) + 1)]:
            raise ContractError(
                f"{len(request.companies)} companies submitted, documents for customers"
                f" {[d.customer_number for d in documents]}",
                system="opentext-exstream",
                operation="batch_communications",
            )
        filed = FiledStatements()
        for company_id, document in zip(request.companies, documents, strict=True):
            account = await company_account(self._connections, request.platform, request.store, company_id)
            workspace = await self._filing.open_workspace(
                OpenWorkspaceRequest(
                    tenant=request.tenant,
                    platform=request.platform,
                    store=request.store,
                    subject=company_workspace(request.store, company_id, account.name),
                )
            )
            done = await self._filing.file(
                workspace,
                DocumentKind.STATEMENT,
                statement_name(request.month, account.name),
                document.archive.content,
                mime_type=PDF,
                business_key=statement_key(company_id, request.month),
            )
            filed.workspaces_created += workspace.created
            filed.unchanged += done.unchanged
            filed.filed += not done.unchanged
            activity.heartbeat(filed.filed + filed.unchanged)
        return filed

    async def _filed_already(self, request: StatementBatchRequest, account: CompanyAccount) -> bool:
        """The company's statement of the month is in its workspace (looked up, never created here)."""
        store = self._connections.registry.store(Platform(request.platform), request.store)
        if store is None or store.ecm_ext_system_id is None:
            raise RegistryLookupError(f"store {request.store} has no ECM external system (ecm_ext_system_id)")
        ecm = self._connections.content_server(request.tenant)
        subject = company_workspace(request.store, account.id, account.name)
        workspace = await ecm.find_business_workspace(
            BusinessObject(ext_system_id=store.ecm_ext_system_id, bo_type=subject.bo_type, bo_id=subject.bo_id)
        )
        if workspace is None:
            return False
        path = self._filing.layout(request.tenant).workspace(WorkspaceKind.ACCOUNT).folder_for(DocumentKind.STATEMENT)
        folder = await ecm.find_folder(workspace.id, path) if path.strip("/") else None
        parent = folder.id if folder is not None else workspace.id
        return await ecm.find_child(parent, statement_name(request.month, account.name)) is not None


def _records(
    request: StatementBatchRequest, account: CompanyAccount, orders: list[CompanyOrder]
) -> list[StatementRecord]:
    """The company's statement lines, by buyer, then location, then date: Exstream groups them in
    the order they come."""
    assert account.contact_email is not None and account.contact_ref is not None
    style = statement_style(request.brand, request.language)
    first, last = month_bounds(request.month)
    currencies = {o.currency for o in orders}
    if len(currencies) != 1:  # amounts are the shop's money: one currency per store
        raise ContractError(
            f"company {account.id}: orders in {len(currencies)} currencies",
            system=request.platform,
            operation="company_orders",
        )
    (currency,) = currencies
    recipient = Recipient(
        name=account.contact_name or account.name, email=account.contact_email, customer_ref=account.contact_ref
    )
    ordered = sorted(orders, key=lambda o: (o.buyer.name, o.buyer.id, o.location.name, o.location.id, o.processed_at))
    return [
        StatementRecord(
            document=DocumentRef(id=f"ST-{account.id}-{request.month}", kind=DocumentKind.STATEMENT.value),
            brand=style.brand,
            language=style.language,
            currency=currency,
            channel=style.channel,
            recipient=recipient,
            store=request.store,
            company=StatementParty(id=account.id, name=account.name),
            buyer=StatementParty(id=order.buyer.id, name=order.buyer.name),
            location=StatementParty(id=order.location.id, name=order.location.name),
            period=StatementPeriod(start=first, end=last),
            transaction=StatementTransaction(
                date=order.processed_at.date(),
                reference=order.order_name,
                description=f"Order {order.order_name}",
                amount=order.total,
            ),
        )
        for order in ordered
    ]
