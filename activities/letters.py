"""Customer letters through OpenText Exstream: one activity reads whom the letter goes to and what the
order holds from the platform, picks the channel the customer accepts, has Exstream render and
deliver the letter in the store's brand and the customer's language, and files the archive copy in
the case's business workspace. The workflow (`workflows.customer_letter`) only sees references.

On-demand generation has no idempotency key: the letter id is the document id Exstream reports
outcomes under. The archive copy stands in for one: it is filed under a name of the letter and the
channel, recording the delivery in its description, and an attempt that finds it returns that send
instead of sending again (a worker that died after filing, an answer lost on the way back). A copy
that cannot be filed at once is tried again within the attempt, since a retried attempt would send
again. What is left: an attempt that dies between Exstream's answer and the filing, or a letter with
no workspace (a guest's cart), may still be sent twice; the workflow keeps retries few.
"""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from decimal import Decimal
from functools import partial

from pydantic import JsonValue
from temporalio import activity

from activities.cart_readers import CartSnapshot, read_cart
from activities.content_server import Filing
from activities.document_models import FiledDocument, WorkspaceRef
from activities.errors import translate_errors
from activities.letter_models import LetterSent, Recipient, SendLetterRequest, is_guest
from activities.letter_recipients import read_recipient
from activities.preferences import refused_channels, stored_preferences
from activities.shipments import units_to_come
from activities.transaction_models import OrderTransactions
from activities.transaction_readers import read_order_transactions
from casebridge.connections import Connections
from casebridge.stores import Platform, RegistryLookupError, Store
from connectors.errors import TransientError
from connectors.opentext.content_server_models import Node
from connectors.opentext.exstream_contract import Channel
from connectors.opentext.exstream_models import (
    CommunicationDelivery,
    CommunicationDriver,
    CommunicationTarget,
    DocumentRef,
    PostalAddress,
)
from connectors.opentext.exstream_models import Recipient as DriverRecipient
from routing.communications import LetterChannel, LetterPurpose
from routing.documents import DocumentKind
from routing.order_triggers import warranty_region

PDF = "application/pdf"
# Filing the archive copy of a letter already sent: attempts within one activity attempt, and the
# first pause between them (doubling).
ARCHIVE_FILING_ATTEMPTS = 4
ARCHIVE_FILING_PAUSE_SECONDS = 1.0
# The archive copy's description: which send it is. Its delivery id is how outcomes find the letter.
_SENT = re.compile(r"^Sent by (?P<channel>[a-z]+) as delivery (?P<delivery>\S+)$")
# ASSUMPTION: payment terms of an invoice letter when the platform's invoice carries no due date.
INVOICE_DUE_DAYS = 30
# The kind of transaction document a letter about one is about.
LETTER_DOCUMENT_KINDS: dict[LetterPurpose, DocumentKind] = {
    LetterPurpose.SHIPMENT_NOTICE: DocumentKind.SHIPPING_DOCUMENT,
    LetterPurpose.PARTIAL_SHIPMENT: DocumentKind.SHIPPING_DOCUMENT,
    LetterPurpose.INVOICE: DocumentKind.INVOICE,
    LetterPurpose.REFUND: DocumentKind.CREDIT_MEMO,
    LetterPurpose.CREDIT_MEMO: DocumentKind.CREDIT_MEMO,
}


def archive_name(communication: str, business_key: str, letter_id: str, channel: LetterChannel) -> str:
    """The archive copy's name: one document per letter and channel (a bounced e-mail's copy stays
    beside the printed one that followed)."""
    return f"{communication} {business_key} {letter_id.rsplit('/', 1)[-1]} ({channel.value}).pdf"


def sent_description(channel: LetterChannel, delivery_id: str) -> str:
    return f"Sent by {channel.value} as delivery {delivery_id}"


def recorded_delivery(document: Node | None, channel: LetterChannel) -> str | None:
    """The delivery id an archive copy records for a send by `channel`, or None."""
    found = _SENT.match(document.description or "") if document is not None else None
    return found["delivery"] if found is not None and found["channel"] == channel.value else None


def reachable(recipient: Recipient, channel: LetterChannel) -> bool:
    """Whether the recipient has what the channel needs: an e-mail address, a postal address, or a
    customer account for the portal."""
    if channel is LetterChannel.EMAIL:
        return bool(recipient.email)
    if channel is LetterChannel.PRINT:
        return recipient.has_postal_address
    return not is_guest(recipient.customer_ref)


def order_fields(order: OrderTransactions) -> dict[str, JsonValue]:
    """The order as every order letter's driver has it: number, date, lines, items and totals."""
    lines: list[JsonValue] = [
        {
            "sku": line.sku or "",
            "name": line.title,
            "quantity": line.quantity,
            "amount": str(line.total if line.total is not None else (line.unit_price or Decimal(0)) * line.quantity),
        }
        for line in order.lines
    ]
    items: list[JsonValue] = [
        {"sku": line.sku or "", "name": line.title, "quantity": line.quantity} for line in order.lines
    ]
    subtotal = order.subtotal if order.subtotal is not None else order.total
    tax = order.tax_total or Decimal(0)
    shipping = max(order.total - subtotal - tax, Decimal(0))
    return {
        "order": {"number": order.order_name, "placedAt": order.created_at.date().isoformat()},
        "lines": lines,
        "items": items,
        "totals": {"subtotal": str(subtotal), "tax": str(tax), "shipping": str(shipping), "grand": str(order.total)},
    }


def document_fields(purpose: LetterPurpose, order: OrderTransactions, number: str | None) -> dict[str, JsonValue]:
    """The purpose fields a letter about one of the order's transaction documents takes from it (a
    shipment notice: carrier and tracking; a partial shipment's also what is still to come, read
    from the order's quantities; a refund: amount and reference; an invoice: its number
    and dates). Empty for letters about no document; `LookupError` when the order lacks it."""
    if number is None:
        return {}
    # Numbers are unique per kind only (BigCommerce numbers shipments and refunds each from 1).
    kind = LETTER_DOCUMENT_KINDS.get(purpose)
    document = next((d for d in order.documents if d.number == number and kind in (None, d.kind)), None)
    if document is None:
        raise LookupError(f"order {order.order_name} has no transaction document {number!r}")
    items: list[JsonValue] = [
        {"sku": line.sku or "", "name": line.title, "quantity": line.quantity} for line in document.lines
    ]
    issued = document.issued_at.date()
    amount = str(document.amount if document.amount is not None else order.total)
    if purpose in (LetterPurpose.SHIPMENT_NOTICE, LetterPurpose.PARTIAL_SHIPMENT):
        fields: dict[str, JsonValue] = {
            "shipment": {
                "carrier": document.details.get("carrier", ""),
                "trackingNumber": document.details.get("tracking_number", ""),
                "trackingUrl": document.details.get("tracking_url", ""),
                "shippedAt": issued.isoformat(),
            },
            "items": items or _all_items(order),
        }
        if purpose is LetterPurpose.PARTIAL_SHIPMENT:
            to_come: list[JsonValue] = [
                {"sku": line.sku or "", "name": line.title, "quantity": line.quantity}
                for line in units_to_come(order, number)
            ]
            fields["pending"] = {"items": to_come}
        return fields
    if purpose is LetterPurpose.REFUND:
        method = document.details.get("method", "original payment method")
        return {"refund": {"amount": amount, "method": method, "reference": number}}
    if purpose is LetterPurpose.CREDIT_MEMO:
        reason = document.details.get("reason", "")
        return {"creditMemo": {"number": number, "issuedAt": issued.isoformat(), "amount": amount, "reason": reason}}
    if purpose is LetterPurpose.INVOICE:
        due = issued + timedelta(days=INVOICE_DUE_DAYS)
        return {"invoice": {"number": number, "issuedAt": issued.isoformat(), "dueAt": due.isoformat()}}
    return {}


def reminder_fields(
    purpose: LetterPurpose, order: OrderTransactions, content: dict[str, JsonValue]
) -> dict[str, JsonValue]:
    """A replenishment reminder's product and last order, from the order the workflow names the
    product's SKU of (`content["product"]["sku"]`): the workflow passes the SKU, never what the
    order holds. Empty for other purposes; `LookupError` when the order has no line of that SKU."""
    if purpose is not LetterPurpose.REPLENISHMENT_REMINDER:
        return {}
    product = content.get("product")
    sku = product.get("sku") if isinstance(product, dict) else None
    line = next((line for line in order.lines if sku and line.sku == sku), None)
    if line is None or not isinstance(sku, str):
        raise LookupError(f"order {order.order_name} has no line of SKU {sku!r} to remind of")
    return {
        "product": {"sku": sku, "name": line.title},
        "lastOrder": {"number": order.order_name, "placedAt": order.created_at.date().isoformat()},
    }


def _regional_product_letter(
    order: OrderTransactions,
    recipient: Recipient,
    content: dict[str, JsonValue],
    details_key: str,
    by_region_key: str,
    what: str,
) -> tuple[dict[str, JsonValue], dict[str, JsonValue], str, str | None]:
    """(the product as the letter names it, the policy's details the workflow passed, the region
    the letter names, that region's own words if the policy has them) for a letter about one
    product of the order in the customer's region's words: the product's name from the order, the
    region from where the customer lives (their address stays here)."""
    product, details = content.get("product"), content.get(details_key)
    sku = product.get("sku") if isinstance(product, dict) else None
    line = next((line for line in order.lines if sku and line.sku == sku), None)
    if line is None or not isinstance(sku, str) or not isinstance(details, dict):
        raise LookupError(f"order {order.order_name} has no line of SKU {sku!r} with {what}")
    by_region = content.get(by_region_key)
    regions = {k: v for k, v in by_region.items() if isinstance(v, str)} if isinstance(by_region, dict) else {}
    region, words = warranty_region(recipient.country, regions)
    return {"sku": sku, "name": line.title}, details, region, words


def warranty_fields(
    purpose: LetterPurpose, order: OrderTransactions, recipient: Recipient, content: dict[str, JsonValue]
) -> dict[str, JsonValue]:
    """A warranty letter's product and terms: the terms the policy gives for the customer's region
    (`content["termsByRegion"]`), else its general terms. Empty for other purposes."""
    if purpose is not LetterPurpose.WARRANTY_TERMS:
        return {}
    product, warranty, region, terms = _regional_product_letter(
        order, recipient, content, "warranty", "termsByRegion", "warranty terms"
    )
    return {
        "product": product,
        "warranty": {"region": region, "months": warranty.get("months"), "terms": terms or warranty.get("terms")},
    }


def product_information_fields(
    purpose: LetterPurpose, order: OrderTransactions, recipient: Recipient, content: dict[str, JsonValue]
) -> dict[str, JsonValue]:
    """A "Product Information" letter's product and document (`information`: the driver's `document`
    is the letter itself), in the document's words for the customer's region
    (`content["textByRegion"]`), else its general text. Empty for other purposes."""
    if purpose is not LetterPurpose.PRODUCT_INFORMATION:
        return {}
    product, document, region, text = _regional_product_letter(
        order, recipient, content, "information", "textByRegion", "a product document"
    )
    return {
        "product": product,
        "information": {
            "kind": document.get("kind"),
            "title": document.get("title"),
            "region": region,
            "text": text or document.get("text"),
        },
    }


def backorder_fields(
    purpose: LetterPurpose, order: OrderTransactions, content: dict[str, JsonValue]
) -> dict[str, JsonValue]:
    """A backorder letter's held lines, named from the order: the workflow passes each line's SKU and
    quantity (`content["backorder"]["items"]`), never what the order holds. A SKU the order has no
    line of keeps the SKU as its name (the warehouse named it); no lines: the whole order waits.
    Empty for other purposes."""
    if purpose is not LetterPurpose.BACKORDER:
        return {}
    backorder = content.get("backorder")
    given = backorder if isinstance(backorder, dict) else {}
    held = given.get("items")
    titles = {line.sku: line.title for line in order.lines if line.sku}
    items: list[JsonValue] = [
        {"sku": sku, "name": titles.get(sku, sku), "quantity": item.get("quantity")}
        for item in (held if isinstance(held, list) else [])
        if isinstance(item, dict) and isinstance(sku := item.get("sku"), str)
    ]
    return {"backorder": {"expectedDate": given.get("expectedDate"), "items": items or _all_items(order)}}


def return_authorisation_fields(
    purpose: LetterPurpose, order: OrderTransactions, content: dict[str, JsonValue]
) -> dict[str, JsonValue]:
    """A return authorisation's items to send back: the returned lines the workflow names by title and
    quantity (`content["returnedItems"]`), with their SKUs from the order. Empty for other purposes."""
    if purpose is not LetterPurpose.RETURN_AUTHORISATION:
        return {}
    returned = content.get("returnedItems")
    skus = {line.title: line.sku or "" for line in order.lines}
    items: list[JsonValue] = [
        {"sku": skus.get(name, ""), "name": name, "quantity": item.get("quantity")}
        for item in (returned if isinstance(returned, list) else [])
        if isinstance(item, dict) and isinstance(name := item.get("name"), str)
    ]
    return {"items": items or _all_items(order)}


def _all_items(order: OrderTransactions) -> list[JsonValue]:
    return [{"sku": line.sku or "", "name": line.title, "quantity": line.quantity} for line in order.lines]


class LetterActivities:
    def __init__(self, connections: Connections) -> None:
        self._connections = connections
        self._filing = Filing(connections)
        self._targets: dict[tuple[str, str], CommunicationTarget] = {}

    @activity.defn(name="letters.send")
    @translate_errors
    async def send_letter(self, request: SendLetterRequest) -> LetterSent:
        """Send the letter by the first channel of the policy the customer accepts and can be reached
        on (the request's `excluded` ones failed already); file its archive copy."""
        store = self._store(request)
        cart: CartSnapshot | None = None
        if request.cart_id is not None:
            cart = await read_cart(self._connections, request.platform, request.store, request.cart_id)
            if cart.closed is not None or cart.recipient is None:
                return LetterSent(channel=None, not_sent=cart.closed or "the cart names nobody to write to")
            recipient = cart.recipient
        else:
            recipient = await read_recipient(
                self._connections, request.platform, request.store, self._order_id(request)
            )
        refused: list[LetterChannel] = []
        if not is_guest(recipient.customer_ref):
            said_no = refused_channels(await stored_preferences(self._connections, store, recipient.customer_ref))
            if cart is not None and cart.email_declined:
                said_no.add(LetterChannel.EMAIL.value)
            refused = [c for c in request.policy.channels if c.value in said_no]
        candidates = [c for c in request.policy.channels if c not in request.excluded and c not in refused]
        channel = next((c for c in candidates if reachable(recipient, c)), None)
        if channel is None:
            why = "every channel of the policy was refused by the customer, failed, or lacks an address"
            return LetterSent(channel=None, refused=refused, not_sent=why)
        if cart is not None:
            currency, business_key, fields = cart.currency, f"cart {cart.cart_id}", cart.letter_fields(request.cart_url)
            fields = {**request.content, **fields}
        else:
            order = await read_order_transactions(
                self._connections, request.platform, request.store, self._order_id(request)
            )
            currency, business_key = order.currency, order.order_name
            fields = {
                **order_fields(order),
                **document_fields(request.purpose, order, request.document),
                **request.content,
                **reminder_fields(request.purpose, order, request.content),
                **warranty_fields(request.purpose, order, recipient, request.content),
                **product_information_fields(request.purpose, order, recipient, request.content),
                **backorder_fields(request.purpose, order, request.content),
                **return_authorisation_fields(request.purpose, order, request.content),
            }
        language = request.policy.language_for(recipient.locale)
        archive = archive_name(request.communication, business_key, request.letter_id, channel)
        if request.workspace is not None:
            earlier = await self._filing.find(request.workspace, DocumentKind.CORRESPONDENCE, archive)
            delivery_id = recorded_delivery(earlier, channel)
            if earlier is not None and delivery_id is not None:
                activity.logger.info("%s was sent by %s before this attempt", request.letter_id, channel.value)
                return LetterSent(
                    channel=channel,
                    delivery_id=delivery_id,
                    language=language,
                    brand=request.policy.brand,
                    refused=refused,
                    filed_node_id=earlier.id,
                )
        driver = CommunicationDriver(
            document=DocumentRef(id=request.letter_id, kind=request.purpose.value),
            brand=request.policy.brand,
            language=language,
            currency=currency,
            channel=Channel(channel.value),
            recipient=_driver_recipient(recipient),
            store=request.store,
            **fields,
        )
        delivery = await self._exstream_send(request.tenant, request.communication, driver)
        sent = LetterSent(
            channel=channel,
            delivery_id=delivery.delivery_id,
            language=language,
            brand=request.policy.brand,
            refused=refused,
        )
        if request.workspace is not None:
            filed = await self._file_sent_letter(request.workspace, archive, delivery, channel, business_key)
            sent.filed_node_id, sent.filed_version = filed.node_id, filed.version
        return sent

    async def _file_sent_letter(
        self,
        workspace: WorkspaceRef,
        name: str,
        delivery: CommunicationDelivery,
        channel: LetterChannel,
        business_key: str,
    ) -> FiledDocument:
        """File the archive copy of a letter Exstream has sent: a passing ECM failure is waited out
        here, as failing the attempt would send the letter again."""
        pause = ARCHIVE_FILING_PAUSE_SECONDS
        file_copy = partial(
            self._filing.file,
            workspace,
            DocumentKind.CORRESPONDENCE,
            name,
            delivery.archive.content,
            mime_type=delivery.archive.mime_type or PDF,
            business_key=business_key,
            description=sent_description(channel, delivery.delivery_id),
        )
        for _ in range(ARCHIVE_FILING_ATTEMPTS - 1):
            try:
                return await file_copy()
            except TransientError as err:
                activity.logger.warning("archive copy of a sent letter not filed yet (%s); again in %.0f s", err, pause)
                await asyncio.sleep(pause)
                pause *= 2
        return await file_copy()

    @staticmethod
    def _order_id(request: SendLetterRequest) -> str:
        if request.order_id is None:
            raise ValueError("an order letter without an order id")
        return request.order_id

    async def _exstream_send(
        self, tenant: str, communication: str, driver: CommunicationDriver
    ) -> CommunicationDelivery:
        client = self._connections.exstream(tenant)
        key = (tenant, communication)
        target = self._targets.get(key)
        if target is None:
            target = self._targets[key] = await client.resolve_communication(communication)
        return await client.send_communication(target, driver)

    def _store(self, request: SendLetterRequest) -> Store:
        store = self._connections.registry.store(Platform(request.platform), request.store)
        if store is None:
            raise RegistryLookupError(f"no {request.platform} store {request.store!r} in the registry")
        return store


def _driver_recipient(recipient: Recipient) -> DriverRecipient:
    address = (
        PostalAddress(
            lines=recipient.address_lines,
            city=recipient.city or "",
            postal_code=recipient.postal_code or "",
            country=recipient.country or "",
        )
        if recipient.has_postal_address
        else None
    )
    return DriverRecipient(
        name=recipient.name, email=recipient.email, postal_address=address, customer_ref=recipient.customer_ref
    )
