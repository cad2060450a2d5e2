"""B2B companies, company credit and negotiable quotes of a simulated store.

* Company status: 0 pending approval, 1 approved, 2 rejected (needs a reason; `rejected_at` is set
  by the server), 3 blocked. Every company gets a credit line (limit 0) when created.
* Credit: increase accepts operation types 1, 2, 4, 5, 6; decrease 2, 3, 4; a decrease beyond the
  available credit is refused unless the line may exceed its limit. Each change is in the history.
* Negotiable quotes: a cart becomes a quote (`created`), the seller edits it (`processing_by_admin`),
  submits it (`submitted_by_admin`) or declines it (`declined`); ordered/closed/declined are final.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sandbox.adobe_commerce.errors import MagentoError, bad_request, no_such_entity, required_field
from sandbox.adobe_commerce.events import COMPANY_SAVED
from sandbox.adobe_commerce.rendering import company_json
from sandbox.adobe_commerce.state import (
    CartItemState,
    CartState,
    CompanyState,
    CreditHistoryState,
    CreditState,
    NegotiableState,
    QuoteCommentState,
    now_text,
)
from sandbox.adobe_commerce.store import Store

COMPANY_STATUSES = frozenset({0, 1, 2, 3})
INCREASE_TYPES = frozenset({1, 2, 4, 5, 6})
DECREASE_TYPES = frozenset({2, 3, 4})
EDITABLE_QUOTE = frozenset({"created", "processing_by_admin", "submitted_by_customer"})
FINAL_QUOTE = frozenset({"ordered", "closed", "declined"})
CREATOR_INTEGRATION, CREATOR_ADMIN, CREATOR_CUSTOMER = 1, 2, 3  # Magento's UserContextInterface types


def _invalid(field_name: str, value: object) -> MagentoError:
    return bad_request(
        'Invalid value of "%value" provided for the %fieldName field.', {"value": value, "fieldName": field_name}
    )


def _text(value: object) -> str | None:
    return str(value) if value not in (None, "") else None


# -- companies --------------------------------------------------------------------------------------


def get_company(store: Store, company_id: int) -> CompanyState:
    company = store.state.companies.get(company_id)
    if company is None:
        raise no_such_entity("id", company_id)
    return company


def _apply_status(company: CompanyState, data: dict[str, Any]) -> None:
    status = int(data.get("status", company.status))
    if status not in COMPANY_STATUSES:
        raise _invalid("status", status)
    if status == 2:
        reason = _text(data.get("reject_reason")) or company.reject_reason
        if not reason:
            raise required_field("reject_reason")
        if company.status != 2:
            company.rejected_at = now_text()
        company.reject_reason = reason
    else:
        company.reject_reason = company.rejected_at = None
    company.status = status


def create_company(store: Store, data: dict[str, Any]) -> CompanyState:
    for name in ("company_name", "company_email", "city", "country_id", "postcode", "telephone"):
        if not _text(data.get(name)):
            raise required_field(name)
    if any(c.company_email == data["company_email"] for c in store.state.companies.values()):
        raise bad_request("Company with this email address already exists in the system. Enter a different email.")
    company = CompanyState(
        id=store.state.next_id("company"),
        status=0,
        company_name=str(data["company_name"]),
        company_email=str(data["company_email"]),
        street=[str(s) for s in data.get("street") or []],
        city=str(data["city"]),
        country_id=str(data["country_id"]),
        postcode=str(data["postcode"]),
        telephone=str(data["telephone"]),
        customer_group_id=int(data["customer_group_id"]),
        sales_representative_id=int(data["sales_representative_id"]),
        super_user_id=int(data["super_user_id"]),
        legal_name=_text(data.get("legal_name")),
        region_id=_text(data.get("region_id")),
        region=_text(data.get("region")),
        vat_tax_id=_text(data.get("vat_tax_id")),
        reseller_id=_text(data.get("reseller_id")),
        comment=_text(data.get("comment")),
    )
    _apply_status(company, data)
    store.state.companies[company.id] = company
    credit = CreditState(id=store.state.next_id("credit"), company_id=company.id, currency_code=store.config.currency)
    store.state.credits[credit.id] = credit
    store.emit(COMPANY_SAVED, company_json(company))
    return company


def update_company(store: Store, company_id: int, data: dict[str, Any]) -> CompanyState:
    company = get_company(store, company_id)
    email = data.get("company_email")
    if email and any(c.company_email == email and c.id != company.id for c in store.state.companies.values()):
        raise bad_request("Company with this email address already exists in the system. Enter a different email.")
    _apply_status(company, data)
    for name in ("company_name", "company_email", "city", "country_id", "postcode", "telephone"):
        if _text(data.get(name)):
            setattr(company, name, str(data[name]))
    for name in ("legal_name", "region_id", "region", "vat_tax_id", "reseller_id", "comment"):
        if name in data:
            setattr(company, name, _text(data[name]))
    for name in ("customer_group_id", "sales_representative_id", "super_user_id"):
        if name in data:
            setattr(company, name, int(data[name]))
    if "street" in data:
        company.street = [str(s) for s in data["street"]]
    store.emit(COMPANY_SAVED, company_json(company))
    return company


# -- credit -----------------------------------------------------------------------------------------


def get_credit(store: Store, credit_id: int) -> CreditState:
    credit = store.state.credits.get(credit_id)
    if credit is None:
        raise no_such_entity("id", credit_id)
    return credit


def credit_of_company(store: Store, company_id: int) -> CreditState:
    get_company(store, company_id)
    credit = store.state.credit_of_company(company_id)
    if credit is None:
        raise no_such_entity("company_id", company_id)
    return credit


def _history(store: Store, credit: CreditState, kind: int, amount: Decimal, currency: str, comment: str) -> None:
    credit.history.append(
        CreditHistoryState(
            id=store.state.next_id("credit_history"),
            company_credit_id=credit.id,
            type=kind,
            amount=amount,
            balance=credit.balance,
            credit_limit=credit.credit_limit,
            available_limit=credit.available_limit,
            currency_credit=credit.currency_code,
            currency_operation=currency,
            comment=comment,
        )
    )


def update_credit(store: Store, credit_id: int, data: dict[str, Any]) -> CreditState:
    credit = get_credit(store, credit_id)
    currency = str(data.get("currency_code") or credit.currency_code)
    if currency != credit.currency_code and credit.balance != 0:
        raise bad_request("The credit currency can't be changed while the balance is not zero.")
    kind = 1 if not credit.history else 2
    if "credit_limit" in data and data["credit_limit"] is not None:
        limit = Decimal(str(data["credit_limit"]))
        if limit < 0:
            raise _invalid("credit_limit", data["credit_limit"])
        credit.credit_limit = limit
    credit.exceed_limit = bool(data.get("exceed_limit", credit.exceed_limit))
    credit.currency_code = currency
    _history(store, credit, kind, Decimal(0), currency, str(data.get("credit_comment") or ""))
    return credit


def change_balance(store: Store, credit_id: int, data: dict[str, Any], *, increase: bool) -> bool:
    credit = get_credit(store, credit_id)
    kind = int(data["operationType"])
    if kind not in (INCREASE_TYPES if increase else DECREASE_TYPES):
        raise _invalid("operationType", kind)
    value = Decimal(str(data["value"]))
    if value <= 0:
        raise _invalid("value", data["value"])
    if data["currency"] != credit.currency_code:
        raise bad_request(
            'The currency "%1" isn\'t the credit currency "%2".', [data["currency"], credit.currency_code]
        )
    if not increase and not credit.exceed_limit and value > credit.available_limit:
        raise bad_request("The requested amount exceeds the available credit of %1.", [str(credit.available_limit)])
    credit.balance += value if increase else -value
    _history(store, credit, kind, value if increase else -value, str(data["currency"]), str(data.get("comment") or ""))
    return True


# -- negotiable quotes ------------------------------------------------------------------------------


def seed_cart(store: Store, spec: dict[str, Any]) -> CartState:
    state = store.state
    cart = CartState(
        id=state.next_id("cart"),
        customer_id=int(spec.get("customer_id", 1)),
        customer_email=str(spec.get("customer_email", "buyer@example.test")),
        customer_firstname=str(spec.get("customer_firstname", "Ada")),
        customer_lastname=str(spec.get("customer_lastname", "Buyer")),
        store_id=int(spec.get("store_id", 1)),
        company_id=spec.get("company_id"),
        items=[
            CartItemState(
                state.next_id("cart_item"),
                str(i["sku"]),
                str(i.get("name", i["sku"])),
                Decimal(str(i["price"])),
                Decimal(str(i.get("qty", 1))),
            )
            for i in spec.get("items", [])
        ],
    )
    state.carts[cart.id] = cart
    return cart


def get_cart(store: Store, cart_id: int) -> CartState:
    cart = store.state.carts.get(cart_id)
    if cart is None:
        raise no_such_entity("cartId", cart_id)
    return cart


def _negotiable(store: Store, quote_id: int) -> tuple[CartState, NegotiableState]:
    cart = get_cart(store, quote_id)
    if cart.negotiable is None:
        raise no_such_entity("quoteId", quote_id)
    return cart, cart.negotiable


def _comment(store: Store, cart: CartState, text: str, creator: tuple[int, int], *, decline: bool = False) -> None:
    assert cart.negotiable is not None
    cart.negotiable.comments.append(
        QuoteCommentState(
            store.state.next_id("quote_comment"), cart.id, creator[0], creator[1], text, is_decline=1 if decline else 0
        )
    )


def request_quote(store: Store, data: dict[str, Any]) -> bool:
    cart = get_cart(store, int(data["quoteId"]))
    if cart.negotiable is not None:
        raise bad_request("The quote %1 is already a negotiable quote.", [cart.id])
    if cart.company_id is None or not cart.items:
        raise bad_request("Cannot create a B2B quote. Make sure the cart has items and belongs to a company user.")
    cart.negotiable = NegotiableState(quote_name=str(data["quoteName"]), status="created", creator_id=cart.customer_id)
    if data.get("comment"):
        _comment(store, cart, str(data["comment"]), (CREATOR_CUSTOMER, cart.customer_id))
    cart.updated_at = now_text()
    return True


def submit_to_customer(store: Store, data: dict[str, Any], admin_id: int = 1) -> bool:
    cart, quote = _negotiable(store, int(data["quoteId"]))
    if quote.status not in EDITABLE_QUOTE:
        raise bad_request('The quote can\'t be submitted in the "%1" status.', [quote.status])
    quote.status = "submitted_by_admin"
    if data.get("comment"):
        _comment(store, cart, str(data["comment"]), (CREATOR_ADMIN, admin_id))
    cart.updated_at = now_text()
    return True


def decline_quote(store: Store, data: dict[str, Any], admin_id: int = 1) -> bool:
    cart, quote = _negotiable(store, int(data["quoteId"]))
    if quote.status in FINAL_QUOTE:
        raise bad_request('The quote can\'t be declined in the "%1" status.', [quote.status])
    quote.status = "declined"
    quote.negotiated_price_type = quote.negotiated_price_value = None
    _comment(store, cart, str(data["reason"]), (CREATOR_ADMIN, admin_id), decline=True)
    cart.updated_at = now_text()
    return True


def update_quote(store: Store, quote_id: int, data: dict[str, Any]) -> None:
    cart, quote = _negotiable(store, quote_id)
    if int(data.get("id", quote_id)) != quote_id:
        raise bad_request("The quote ID in the body doesn't match the URL.")
    if quote.status not in EDITABLE_QUOTE:
        raise bad_request('The quote can\'t be edited in the "%1" status.', [quote.status])
    raw = (data.get("extension_attributes") or {}).get("negotiable_quote") or {}
    price_type = raw.get("negotiated_price_type")
    price_value = raw.get("negotiated_price_value")
    if price_type:  # 0 / absent: no negotiated price
        if int(price_type) not in (1, 2, 3):
            raise _invalid("negotiated_price_type", price_type)
        value = Decimal(str(price_value or 0))
        if value < 0 or (int(price_type) == 1 and value > 100):
            raise _invalid("negotiated_price_value", price_value)
        quote.negotiated_price_type, quote.negotiated_price_value = int(price_type), value
    if raw.get("expiration_period") is not None:
        quote.expiration_period = str(raw["expiration_period"])
    if raw.get("quote_name"):
        quote.quote_name = str(raw["quote_name"])
    quote.status = "processing_by_admin"
    cart.updated_at = now_text()
