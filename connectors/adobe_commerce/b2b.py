"""Adobe Commerce B2B: companies (and their approval status), company credit, negotiable quotes.

These endpoints exist only when the B2B extension is installed. Status changes read first and send
nothing when the object is already in the target state, so a retried activity is harmless.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from connectors.adobe_commerce.client import AdobeCommerceClient
from connectors.adobe_commerce.contract import SYSTEM
from connectors.adobe_commerce.models import (
    Company,
    CompanyCredit,
    CompanyStatus,
    CreditHistoryEntry,
    CreditOperation,
    NegotiableQuote,
    NegotiatedPriceType,
    NewCompany,
    QuoteComment,
)
from connectors.adobe_commerce.search import Filter, search_all, where
from connectors.errors import ContractError, RejectedError

# Which operation types each balance call accepts (reference 3.3, "credit-manage").
INCREASE_OPERATIONS = frozenset(
    {
        CreditOperation.ALLOCATED,
        CreditOperation.UPDATED,
        CreditOperation.REIMBURSED,
        CreditOperation.REFUNDED,
        CreditOperation.REVERTED,
    }
)
DECREASE_OPERATIONS = frozenset({CreditOperation.UPDATED, CreditOperation.PURCHASED, CreditOperation.REIMBURSED})


def company_body(company: Company) -> dict[str, object]:
    """The whole company as `{"company": ...}`; required strings the company lacks are sent empty."""
    return {
        "company": {
            "id": company.id,
            "status": int(company.status),
            "company_name": company.company_name or "",
            "legal_name": company.legal_name or "",
            "company_email": company.company_email or "",
            "street": list(company.street),
            "city": company.city or "",
            "country_id": company.country_id or "",
            "region_id": company.region_id or "",
            "postcode": company.postcode or "",
            "telephone": company.telephone or "",
            "customer_group_id": company.customer_group_id,
            "sales_representative_id": company.sales_representative_id,
            "super_user_id": company.super_user_id,
            "reject_reason": company.reject_reason or "",
            "rejected_at": company.rejected_at or "",
            "comment": company.comment or "",
        }
    }


def _boolean(answer: object, operation: str) -> None:
    if answer is not True:
        raise ContractError(f"expected true, got {answer!r}", system=SYSTEM, operation=operation)


class AdobeB2B:
    def __init__(self, client: AdobeCommerceClient) -> None:
        self.client = client

    # -- companies ---------------------------------------------------------------------------------

    async def get_company(self, company_id: int) -> Company:
        return await self.client.call_as(Company, "get_company", "GET", f"/V1/company/{int(company_id)}")

    async def find_companies(self, groups: Sequence[Sequence[Filter]]) -> list[Company]:
        return await search_all(self.client, Company, "find_companies", "/V1/company/", groups)

    async def find_company_by_email(self, email: str) -> Company | None:
        found = await self.find_companies(where("company_email", email))
        return found[0] if found else None

    async def create_company(self, company: NewCompany) -> Company:
        body = {
            "company": {
                **company.model_dump(exclude_none=True, mode="json"),
                "reject_reason": "",
                "rejected_at": "",
            }
        }
        return await self.client.call_as(Company, "create_company", "POST", "/V1/company/", json=body)

    async def set_company_status(self, company_id: int, status: CompanyStatus, *, reason: str | None = None) -> Company:
        """Approve, reject (with `reason`), block or return a company to pending. A company already in
        `status` is returned unchanged without a write."""
        company = await self.get_company(company_id)
        if company.status == status:
            return company
        changes: dict[str, object] = {"status": int(status)}
        if status is CompanyStatus.REJECTED:
            changes["reject_reason"] = reason or "Rejected"
            changes["rejected_at"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
        updated = company.model_copy(update=changes)
        return await self.client.call_as(
            Company, "set_company_status", "PUT", f"/V1/company/{company.id}", json=company_body(updated)
        )

    # -- company credit ----------------------------------------------------------------------------

    async def get_credit(self, company_id: int) -> CompanyCredit:
        """The credit line of a company (every B2B company has one)."""
        return await self.client.call_as(
            CompanyCredit, "get_credit", "GET", f"/V1/companyCredits/company/{int(company_id)}"
        )

    async def set_credit_limit(
        self, company_id: int, credit_limit: Decimal, *, exceed_limit: bool | None = None, comment: str | None = None
    ) -> CompanyCredit:
        credit = await self.get_credit(company_id)
        body: dict[str, Any] = {
            "id": credit.id,
            "company_id": credit.company_id,
            "credit_limit": float(credit_limit),
            "currency_code": credit.currency_code,
            "exceed_limit": credit.exceed_limit if exceed_limit is None else exceed_limit,
        }
        if comment is not None:
            body["credit_comment"] = comment
        return await self.client.call_as(
            CompanyCredit, "set_credit_limit", "PUT", f"/V1/companyCredits/{credit.id}", json={"creditLimit": body}
        )

    async def increase_balance(
        self, credit_id: int, value: Decimal, currency: str, operation: CreditOperation, *, comment: str | None = None
    ) -> None:
        await self._balance(
            "increase_balance", "increaseBalance", INCREASE_OPERATIONS, credit_id, value, currency, operation, comment
        )

    async def decrease_balance(
        self, credit_id: int, value: Decimal, currency: str, operation: CreditOperation, *, comment: str | None = None
    ) -> None:
        await self._balance(
            "decrease_balance", "decreaseBalance", DECREASE_OPERATIONS, credit_id, value, currency, operation, comment
        )

    async def _balance(
        self,
        name: str,
        action: str,
        allowed: frozenset[CreditOperation],
        credit_id: int,
        value: Decimal,
        currency: str,
        operation: CreditOperation,
        comment: str | None,
    ) -> None:
        if operation not in allowed:
            # Refused locally: Commerce would refuse it too, and a rejection must not be retried.
            raise RejectedError(
                f"operation type {operation.name} not allowed for {action}", system=SYSTEM, operation=name
            )
        body: dict[str, object] = {"value": float(value), "currency": currency, "operationType": int(operation)}
        if comment is not None:
            body["comment"] = comment
        _boolean(await self.client.call(name, "POST", f"/V1/companyCredits/{int(credit_id)}/{action}", json=body), name)

    async def credit_history(self, credit_id: int) -> list[CreditHistoryEntry]:
        return await search_all(
            self.client,
            CreditHistoryEntry,
            "credit_history",
            "/V1/companyCredits/history",
            where("company_credit_id", credit_id),
        )

    # -- negotiable quotes -------------------------------------------------------------------------

    async def get_quote(self, quote_id: int) -> NegotiableQuote:
        """The cart behind the quote; `.negotiable` holds the B2B part once it is a negotiable quote."""
        return await self.client.call_as(NegotiableQuote, "get_quote", "GET", f"/V1/carts/{int(quote_id)}")

    async def request_quote(self, quote_id: int, name: str, comment: str | None = None) -> None:
        """Turn a buyer's cart into a negotiable quote."""
        body: dict[str, object] = {"quoteId": int(quote_id), "quoteName": name}
        if comment is not None:
            body["comment"] = comment
        _boolean(
            await self.client.call("request_quote", "POST", "/V1/negotiableQuote/request", json=body), "request_quote"
        )

    async def submit_quote_to_customer(self, quote_id: int, comment: str | None = None) -> None:
        body: dict[str, object] = {"quoteId": int(quote_id)}
        if comment is not None:
            body["comment"] = comment
        _boolean(
            await self.client.call(
                "submit_quote_to_customer", "POST", "/V1/negotiableQuote/submitToCustomer", json=body
            ),
            "submit_quote_to_customer",
        )

    async def decline_quote(self, quote_id: int, reason: str) -> None:
        body = {"quoteId": int(quote_id), "reason": reason}
        _boolean(
            await self.client.call("decline_quote", "POST", "/V1/negotiableQuote/decline", json=body), "decline_quote"
        )

    async def set_negotiated_price(
        self,
        quote_id: int,
        price_type: NegotiatedPriceType,
        value: Decimal,
        *,
        expiration_period: str | None = None,
    ) -> NegotiableQuote:
        """Propose a discount or total: the cart is read and sent back with the new negotiated price."""
        raw = await self.client.call("set_negotiated_price", "GET", f"/V1/carts/{int(quote_id)}")
        if not isinstance(raw, dict) or not isinstance(
            (raw.get("extension_attributes") or {}).get("negotiable_quote"), dict
        ):
            raise RejectedError(
                f"cart {quote_id} is not a negotiable quote", system=SYSTEM, operation="set_negotiated_price"
            )
        negotiable = raw["extension_attributes"]["negotiable_quote"]
        negotiable["negotiated_price_type"] = int(price_type)
        negotiable["negotiated_price_value"] = float(value)
        if expiration_period is not None:
            negotiable["expiration_period"] = expiration_period
        await self.client.call(
            "set_negotiated_price", "PUT", f"/V1/negotiableQuote/{int(quote_id)}", json={"quote": raw}
        )
        return await self.get_quote(quote_id)

    async def quote_comments(self, quote_id: int) -> list[QuoteComment]:
        return await self.client.call_as(
            list[QuoteComment], "quote_comments", "GET", f"/V1/negotiableQuote/{int(quote_id)}/comments"
        )
