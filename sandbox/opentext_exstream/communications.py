"""The customer communications of the demo domain `casebridge`, and the brands its design knows.

Every communication has its own communication set (so its manifest names exactly one driver data
source) with the queues ARCHIVE (PDF, always produced, for filing), EMAIL (HTML), PRINT (PDF, to the
print shop) and WEB (PDF, to the customer portal). Every sample driver starts with the common envelope
(`ENVELOPE_SAMPLE`) and adds the fields of its purpose. Ids are UUIDs derived from the names, so they
are the same in every run (as published design resources are).
"""

from __future__ import annotations

import re
import uuid

from sandbox.opentext_exstream.design import (
    BodyLine,
    BrandConfig,
    CommunicationConfig,
    CustomerDesign,
    LanguageTexts,
    OutputQueueConfig,
    RepeatBlock,
    WhenBlock,
)

_ID_NAMESPACE = uuid.UUID("6f1f3c52-2d0b-4d8e-9a61-0c5d2b7e4a10")
CUSTOMER_SET_PREFIX = "Casebridge Customer Communications"
STATEMENT_NAME = "Monthly Statement"
STATEMENT_SERVICE = "monthly-statements"

ENVELOPE_SAMPLE: dict[str, object] = {
    "document": {"id": "DOC-1001", "kind": "order-confirmation"},
    "brand": "casebridge-outdoor",
    "language": "en",
    "currency": "EUR",
    "channel": "email",
    "recipient": {
        "name": "Ada Buyer",
        "email": "ada@example.com",
        "postalAddress": {"lines": ["1 Summit Way"], "city": "Bristol", "postalCode": "BS1 4ND", "country": "GB"},
        "customerRef": "gid://shopify/Customer/1",
    },
    "store": "casebridge-demo.myshopify.com",
}
ENVELOPE_NULLABLE = ["recipient.email", "recipient.postalAddress"]

_ORDER = {"number": "#1001", "placedAt": "2026-11-02"}
_ITEM = {"sku": "TENT-2P", "name": "Two-person tent", "quantity": 1}
_PRICED_ITEM = {**_ITEM, "amount": "249.90"}
_TOTALS = {"subtotal": "249.90", "tax": "41.65", "shipping": "4.90", "grand": "254.80"}
_SHIPMENT = {"carrier": "DHL", "trackingNumber": "JD0001", "trackingUrl": "https://track.example/JD0001"}

_ITEMS = RepeatBlock(each="items", lines=["  {quantity} x {name} ({sku})"])
_PRICED_LINES = RepeatBlock(each="lines", lines=["  {quantity} x {name} ({sku})  {amount|amount}"])
_TOTAL_LINES = [
    "Subtotal: {totals.subtotal|amount}",
    "Tax: {totals.tax|amount}",
    "Shipping: {totals.shipping|amount}",
    "Total: {totals.grand|amount}",
]

# name -> (purpose fields of the sample driver, body of the document)
_PURPOSES: dict[str, tuple[dict[str, object], list[BodyLine]]] = {
    "Order Confirmation": (
        {"order": _ORDER, "lines": [_PRICED_ITEM], "totals": _TOTALS},
        ["Thank you for your order {order.number} of {order.placedAt}.", _PRICED_LINES, *_TOTAL_LINES],
    ),
    "Invoice": (
        {
            "order": _ORDER,
            "invoice": {"number": "INV-1001", "issuedAt": "2026-11-03", "dueAt": "2026-12-03"},
            "lines": [_PRICED_ITEM],
            "totals": _TOTALS,
        },
        [
            "Invoice {invoice.number} of {invoice.issuedAt} for order {order.number}.",
            _PRICED_LINES,
            *_TOTAL_LINES,
            "Payable by {invoice.dueAt}.",
        ],
    ),
    "Shipment Notice": (
        {"order": _ORDER, "shipment": {**_SHIPMENT, "shippedAt": "2026-11-04"}, "items": [_ITEM]},
        [
            "Your order {order.number} left our warehouse on {shipment.shippedAt}.",
            "Carrier {shipment.carrier}, tracking {shipment.trackingNumber}: {shipment.trackingUrl}",
            _ITEMS,
        ],
    ),
    "Order Delay Letter": (
        {"order": _ORDER, "delay": {"previousDate": "2026-11-05", "expectedDate": "2026-11-12", "reason": "stock"}},
        [
            "Your order {order.number} is delayed.",
            WhenBlock(field="delay.previousDate", lines=["We expected to ship it by {delay.previousDate}."]),
            WhenBlock(
                field="delay.expectedDate",
                lines=["It is now expected by {delay.expectedDate}."],
                otherwise=["The new delivery date is not known yet; we will write again as soon as it is."],
            ),
            "Reason: {delay.reason}",
        ],
    ),
    "Partial Shipment Letter": (
        # What the platforms know of a partial shipment: what shipped, with its tracking, and the
        # units still to come (none of them promises a date for those).
        {"order": _ORDER, "shipment": _SHIPMENT, "items": [_ITEM], "pending": {"items": [_ITEM]}},
        [
            "Part of your order {order.number} is on its way ({shipment.carrier}, {shipment.trackingNumber}):",
            _ITEMS,
            "Still to come:",
            RepeatBlock(each="pending.items", lines=["  {quantity} x {name} ({sku})"]),
        ],
    ),
    "Cancellation Letter": (
        {
            "order": _ORDER,
            "cancellation": {"reason": "customer request", "cancelledAt": "2026-11-03"},
            "items": [_ITEM],
            "refund": {"amount": "249.90"},
        },
        [
            "Your order {order.number} was cancelled on {cancellation.cancelledAt} ({cancellation.reason}).",
            _ITEMS,
            "We refund {refund.amount|amount}.",
        ],
    ),
    "Refund Letter": (
        {"order": _ORDER, "refund": {"amount": "49.90", "method": "card", "reference": "RF-1"}},
        ["We refunded {refund.amount|amount} for order {order.number} to your {refund.method} ({refund.reference})."],
    ),
    "Backorder Letter": (
        {"order": _ORDER, "backorder": {"expectedDate": "2026-12-01", "items": [_ITEM]}},
        [
            "Some items of your order {order.number} are on backorder:",
            RepeatBlock(each="backorder.items", lines=["  {quantity} x {name} ({sku})"]),
            WhenBlock(
                field="backorder.expectedDate",
                lines=["They are expected by {backorder.expectedDate}."],
                otherwise=["Their delivery date is not known yet; we will write again as soon as it is."],
            ),
        ],
    ),
    "Return Authorisation Letter": (
        {
            "order": _ORDER,
            "returnAuthorisation": {
                "number": "RMA-1",
                "expiresAt": "2026-12-01",
                "instructions": "Use the label.",
                "resolution": "A replacement is on its way.",
            },
            "items": [_ITEM],
        },
        [
            "Return {returnAuthorisation.number} for order {order.number} is authorised. Items to send back:",
            _ITEMS,
            WhenBlock(
                field="returnAuthorisation.expiresAt", lines=["Please send them by {returnAuthorisation.expiresAt}."]
            ),
            "{returnAuthorisation.instructions}",
            "{returnAuthorisation.resolution}",
        ],
    ),
    "Credit Memo Letter": (
        {
            "order": _ORDER,
            "creditMemo": {"number": "CM-1", "issuedAt": "2026-11-10", "amount": "49.90", "reason": "return"},
        },
        [
            "Credit memo {creditMemo.number} of {creditMemo.issuedAt} for order {order.number}:",
            "{creditMemo.amount|amount} ({creditMemo.reason}).",
        ],
    ),
    "Warranty Terms": (
        {
            "order": _ORDER,
            "product": {"sku": "TENT-2P", "name": "Two-person tent"},
            "warranty": {"region": "EU", "months": 24, "terms": "Covers seams and poles."},
        },
        [
            "Warranty for {product.name} ({product.sku}), order {order.number}.",
            "{warranty.months} months in region {warranty.region}: {warranty.terms}",
        ],
    ),
    "Product Information": (
        {
            "order": _ORDER,
            "product": {"sku": "GAS-230", "name": "Gas cartridge 230 g"},
            "information": {"kind": "compliance", "title": "Safety data sheet", "region": "EU", "text": "Keep cool."},
        },
        [
            "{information.title} for {product.name} ({product.sku}), order {order.number}.",
            "In region {information.region}: {information.text}",
        ],
    ),
    "Case Decision Letter": (
        {"order": _ORDER, "decision": {"headline": "Your return was approved", "detail": "Refunded to your card."}},
        ["About your order {order.number}:", "{decision.headline}", "{decision.detail}"],
    ),
    "Abandoned Cart Reminder": (
        {"cart": {"id": "cart-1", "url": "https://shop.example/cart/1", "items": [_PRICED_ITEM], "total": "249.90"}},
        [
            "You left items in your cart:",
            RepeatBlock(each="cart.items", lines=["  {quantity} x {name} ({sku})  {amount|amount}"]),
            "Total: {cart.total|amount}. Complete your order: {cart.url}",
        ],
    ),
    "Replenishment Reminder": (
        {
            "product": {"sku": "GAS-230", "name": "Gas cartridge 230 g"},
            "lastOrder": {"number": "#1001", "placedAt": "2026-09-02"},
            "reorderUrl": "https://shop.example/reorder/GAS-230",
        },
        [
            "Time to restock {product.name}? You last ordered it with {lastOrder.number} on {lastOrder.placedAt}.",
            "Reorder: {reorderUrl}",
        ],
    ),
    "Post-purchase Follow-up": (
        {"order": _ORDER, "feedbackUrl": "https://shop.example/feedback/1001"},
        ["How is your order {order.number}? Tell us: {feedbackUrl}"],
    ),
}

# Purpose fields a driver must have but may leave null (a fact not known yet: the design words it).
_NULLABLE: dict[str, list[str]] = {
    "Order Delay Letter": ["delay.previousDate", "delay.expectedDate"],
    "Backorder Letter": ["backorder.expectedDate"],
    "Return Authorisation Letter": ["returnAuthorisation.expiresAt"],
}

_STATEMENT_SAMPLE: dict[str, object] = {
    "company": {"id": "C-100", "name": "Alpine Outfitters AG"},
    "buyer": {"id": "B-1", "name": "Jo Buyer"},
    "location": {"id": "L-1", "name": "Zurich store"},
    "period": {"start": "2026-11-01", "end": "2026-11-30"},
    "transaction": {"date": "2026-11-03", "reference": "INV-1001", "description": "Order #1001", "amount": "254.80"},
}
_STATEMENT_BODY: list[BodyLine] = [
    "Statement for {company.name} ({company.id}), {period.start} to {period.end}.",
    RepeatBlock(
        each="sections",
        lines=[
            "Buyer {buyer.name}, location {location.name}:",
            RepeatBlock(each="lines", lines=["  {date}  {reference}  {description}  {amount|amount}"]),
            "  Subtotal: {subtotal|amount}",
        ],
    ),
    "Total due: {total|amount}",
]


def _uuid(kind: str, name: str) -> str:
    return str(uuid.uuid5(_ID_NAMESPACE, f"{kind}:{name}"))


def data_source_name(name: str) -> str:
    """`Order Confirmation` -> `OrderConfirmationDriver` (the communication's `prodDsn`)."""
    return "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", name) if part) + "Driver"


def customer_queues() -> list[OutputQueueConfig]:
    return [
        OutputQueueConfig(name="Archive_PDF", mime_type="application/pdf", use="ARCHIVE"),
        OutputQueueConfig(name="Email_HTML", mime_type="text/html", use="EMAIL"),
        OutputQueueConfig(name="Print_PDF", mime_type="application/pdf", use="PRINT"),
        OutputQueueConfig(name="Web_PDF", mime_type="application/pdf", use="WEB"),
    ]


def customer_communication(name: str, design: CustomerDesign, description: str = "") -> CommunicationConfig:
    return CommunicationConfig(
        id=_uuid("communication", name),
        name=name,
        description=description or f"{name} for a customer, by brand, language and channel",
        communication_set_id=_uuid("set", name),
        communication_set_name=f"{CUSTOMER_SET_PREFIX}: {name}",
        prod_dsn=data_source_name(name),
        driver_sample_id=_uuid("sample", name),
        queues=customer_queues(),
        title=name,
        customer_design=design,
    )


def customer_communications() -> list[CommunicationConfig]:
    """Every approved customer communication of the demo domain, the monthly statement last."""
    found = [
        customer_communication(
            name,
            CustomerDesign(
                sample_driver={**ENVELOPE_SAMPLE, **fields},
                nullable=[*ENVELOPE_NULLABLE, *_NULLABLE.get(name, [])],
                body=body,
            ),
        )
        for name, (fields, body) in _PURPOSES.items()
    ]
    statement = CustomerDesign(
        sample_driver={**ENVELOPE_SAMPLE, "document": {"id": "ST-C-100-2026-11", "kind": "statement"}}
        | _STATEMENT_SAMPLE,
        nullable=ENVELOPE_NULLABLE,
        body=_STATEMENT_BODY,
        consolidate_by="company.id",
        group_by=["buyer", "location"],
        line_field="transaction",
        amount_field="amount",
    )
    description = "One statement per company a month, lines grouped by buyer and location"
    return [*found, customer_communication(STATEMENT_NAME, statement, description)]


def demo_brands() -> list[BrandConfig]:
    """The two brands of the demo design; each language has its own legal text."""
    return [
        BrandConfig(
            id="casebridge-outdoor",
            display_name="Casebridge Outdoor",
            languages={
                "en": LanguageTexts(
                    greeting="Dear {recipient.name},",
                    closing="Kind regards, your Casebridge Outdoor team",
                    legal_footer="Casebridge Outdoor Ltd, Bristol, registered in England no. 0912345. "
                    "Your statutory rights are not affected.",
                ),
                "de": LanguageTexts(
                    greeting="Guten Tag {recipient.name},",
                    closing="Mit freundlichen Grüßen, Ihr Casebridge-Outdoor-Team",
                    legal_footer="Casebridge Outdoor GmbH, München, Amtsgericht München HRB 123456. "
                    "Ihre gesetzlichen Rechte bleiben unberührt.",
                ),
                "fr": LanguageTexts(
                    greeting="Bonjour {recipient.name},",
                    closing="Cordialement, l'équipe Casebridge Outdoor",
                    legal_footer="Casebridge Outdoor SAS, Lyon, RCS Lyon 912 345 678. "
                    "Vos droits légaux ne sont pas affectés.",
                ),
            },
        ),
        BrandConfig(
            id="casebridge-trade",
            display_name="Casebridge Trade Supply",
            languages={
                "en": LanguageTexts(
                    greeting="Dear {recipient.name},",
                    closing="Casebridge Trade Supply, accounts team",
                    legal_footer="Casebridge Trade Supply Ltd. For business customers only; "
                    "our terms of trade apply to every order.",
                ),
                "de": LanguageTexts(
                    greeting="Sehr geehrte Damen und Herren, z. Hd. {recipient.name},",
                    closing="Casebridge Trade Supply, Debitorenbuchhaltung",
                    legal_footer="Casebridge Trade Supply GmbH. Nur für Geschäftskunden; "
                    "es gelten unsere Allgemeinen Geschäftsbedingungen.",
                ),
            },
        ),
    ]
