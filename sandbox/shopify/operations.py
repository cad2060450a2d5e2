"""What each simulated mutation does to a shop, with Shopify's validation and side effects.

Inputs are the coerced GraphQL input objects (camelCase dicts, as the schema defines them), outputs
are domain objects plus `UserError`s, so these rules can be exercised without HTTP. Every change
that Shopify reports by webhook emits it here; nothing changes when a mutation answers with
user errors (all checks run before the first write).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

from sandbox.effects import EffectKind
from sandbox.shopify import rest_payloads
from sandbox.shopify.catalog import Catalog
from sandbox.shopify.checkouts import Checkouts
from sandbox.shopify.companies import Companies
from sandbox.shopify.customer_records import CustomerRecords
from sandbox.shopify.disputes import Disputes
from sandbox.shopify.draft_orders import DraftOrders
from sandbox.shopify.fulfillment_order_splits import FulfillmentOrderSplits
from sandbox.shopify.fulfillments import Fulfillments
from sandbox.shopify.gid import parse_gid
from sandbox.shopify.holds import FulfillmentHolds, HoldOutcome
from sandbox.shopify.ops_base import (
    EMAIL_PATTERN,
    MAX_RISK_FACTS,
    MAX_TAG_LENGTH,
    Outcome,
    build_address,
    normalize_tags,
    sorted_tags,
)
from sandbox.shopify.order_edits import OrderEdits
from sandbox.shopify.price_lists import PriceLists
from sandbox.shopify.returns import Returns
from sandbox.shopify.state import (
    SELF_APP_ID,
    Customer,
    Job,
    Order,
    RiskAssessment,
    RiskFact,
    UserError,
    utcnow,
)
from sandbox.shopify.state_b2b import DraftOrder
from sandbox.shopify.state_catalog import Product
from sandbox.shopify.subscriptions import WebhookSubscriptions

__all__ = ["HoldOutcome", "Outcome", "ShopOperations", "normalize_tags"]

Taggable = Order | Customer | DraftOrder | Product


class ShopOperations(
    DraftOrders,  # and, through it, OrderCreation
    FulfillmentHolds,
    FulfillmentOrderSplits,
    WebhookSubscriptions,
    Fulfillments,
    OrderEdits,  # and, through it, Refunds
    Returns,
    Disputes,
    Companies,
    Catalog,
    PriceLists,
    CustomerRecords,
    Checkouts,
):
    """Every simulated mutation of one shop; order lifecycle (cancel jobs, updates, tags) lives here."""

    def job_by_gid(self, value: str) -> Job | None:
        parsed = parse_gid(value)
        if parsed.type_name != "Job":
            return None
        self.settle()
        return self.shop.jobs.get(parsed.raw_id)

    # ---------------------------------------------------------------- cancel

    def cancel_order(
        self, order_gid: str, *, reason: str, refund: bool, restock: bool, staff_note: str | None
    ) -> Outcome[Job]:
        order = self.order_by_gid(order_gid)
        if order is None:
            return Outcome(errors=[UserError("Order does not exist", ["orderId"], "NOT_FOUND")])
        if order.cancelled_at is not None:
            return Outcome(
                errors=[UserError("Cannot cancel an order that is already cancelled", ["orderId"], "INVALID")]
            )
        if order.cancel_job_id is not None:
            return Outcome(errors=[UserError("The order is already being cancelled", ["orderId"], "INVALID")])
        delay = max(self.shop.config.cancel_job_seconds, 0.0)
        job = Job(
            id=str(uuid.uuid4()),
            due_at=self._clock() + delay,
            order_id=order.id,
            reason=reason,
            staff_note=staff_note,
            refund=refund,
            restock=restock,
        )
        self.shop.jobs[job.id] = job
        order.cancel_job_id = job.id
        self._schedule(delay, lambda: self.complete_job(job.id))
        return Outcome(job)

    def _schedule(self, delay: float, callback: Callable[[], None]) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # no loop (direct Python use): `settle()` completes due jobs on the next read
        self._timers = [t for t in self._timers if not t.cancelled()]
        self._timers.append(loop.call_later(delay, callback))

    def close(self) -> None:
        for timer in self._timers:
            timer.cancel()
        self._timers.clear()

    def settle(self) -> None:
        """Complete every job whose time has come (timers normally do it; this covers clock skew)."""
        now = self._clock()
        for job in list(self.shop.jobs.values()):
            if not job.done and job.due_at <= now:
                self.complete_job(job.id)

    def complete_job(self, job_id: str) -> None:
        job = self.shop.jobs.get(job_id)
        if job is None or job.done:
            return
        job.done = True
        order = self.shop.orders.get(job.order_id)
        if order is None or order.cancelled_at is not None:
            return
        now = utcnow()
        refunded_by_api = None
        if job.refund and order.total_received > 0:
            # A real refund (with `refunds/create`), made before the order closes: every unit, the
            # shipping and the money still held.
            refunded_by_api = self.refund_everything(order, restock=job.restock, note=job.staff_note)
        order.cancel_job_id = None
        order.cancelled_at = now
        self.effects(order.id, EffectKind.ORDER_CANCELLED, job.id, reason=job.reason, refund=job.refund)
        order.cancel_reason = job.reason
        order.cancel_staff_note = job.staff_note
        order.updated_at = now
        for fo in order.fulfillment_orders:
            if fo.status in ("OPEN", "ON_HOLD", "SCHEDULED", "IN_PROGRESS"):
                fo.status = "CLOSED"
                for hold in fo.holds:
                    self.shop.holds.pop(hold.id, None)
                fo.holds.clear()
                for item in fo.line_items:
                    item.remaining_quantity = 0
                fo.updated_at = now
        for line in order.line_items:
            line.current_quantity = 0
        if job.refund and refunded_by_api is None:
            if order.financial_status in ("PENDING", "AUTHORIZED", "PARTIALLY_PAID", "EXPIRED"):
                order.financial_status = "VOIDED"
            elif order.financial_status in ("PAID", "PARTIALLY_REFUNDED"):
                # Marked paid at creation without transactions: refund what the order was worth.
                order.total_refunded = order.total_price
                order.financial_status = "REFUNDED"
        event = self.webhooks.new_event_id()
        payload = rest_payloads.order_payload(order)
        self.webhooks.emit(self.shop, "ORDERS_CANCELLED", payload, event_id=event)
        self.webhooks.emit(self.shop, "ORDERS_UPDATED", payload, event_id=event)

    # ---------------------------------------------------------------- updates

    def update_order(self, data: dict[str, Any]) -> Outcome[Order]:
        order = self.order_by_gid(data["id"])
        if order is None:
            return Outcome(errors=[UserError("Order does not exist", ["id"])])
        email = data.get("email")
        if email is not None and email != "" and not EMAIL_PATTERN.match(email):
            return Outcome(errors=[UserError("Email is invalid", ["email"])])
        tags = data.get("tags")
        if tags is not None and any(len(t) > MAX_TAG_LENGTH for t in normalize_tags(tags)):
            return Outcome(errors=[UserError(f"Tags must be {MAX_TAG_LENGTH} characters or fewer", ["tags"])])
        before = rest_payloads.order_payload(order)
        if "email" in data:
            order.email = email or None
        if "note" in data and data["note"] != order.note:
            order.note = data["note"]
            self.effects(order.id, EffectKind.NOTE_WRITTEN, None, note=order.note)
        if tags is not None:
            updated_tags = sorted_tags(normalize_tags(tags))
            self._record_tags(order, order.tags, updated_tags)
            order.tags = updated_tags
        if data.get("customAttributes") is not None:
            order.custom_attributes = [(a["key"], a["value"]) for a in data["customAttributes"]]
        if "poNumber" in data:
            order.po_number = data["poNumber"]
        if data.get("shippingAddress") is not None:
            order.shipping_address = build_address(self.shop, data["shippingAddress"])
        self._touch(order, before)
        return Outcome(order)

    def _touch(self, order: Order, before: dict[str, Any]) -> None:
        """Bump `updatedAt` and send `orders/updated` - only when something really changed."""
        after = rest_payloads.order_payload(order)
        if after == before:
            return
        order.updated_at = utcnow()
        self.webhooks.emit(self.shop, "ORDERS_UPDATED", rest_payloads.order_payload(order))

    def change_tags(self, target_gid: str, tags: list[str], *, add: bool) -> Outcome[Taggable]:
        parsed = parse_gid(target_gid)
        tables: dict[str, dict[int, Any]] = {
            "Order": self.shop.orders,
            "Customer": self.shop.customers,
            "DraftOrder": self.shop.draft_orders,
            "Product": self.shop.products,
        }
        if parsed.type_name not in tables:
            return Outcome(errors=[UserError(f"Tagging a {parsed.type_name} is not simulated by the sandbox", ["id"])])
        target: Taggable | None = tables[parsed.type_name].get(parsed.numeric or -1)
        if target is None:
            return Outcome(errors=[UserError(f"{parsed.type_name} does not exist", ["id"])])
        wanted = normalize_tags(tags)
        if add and any(len(t) > MAX_TAG_LENGTH for t in wanted):
            return Outcome(errors=[UserError(f"Tags must be {MAX_TAG_LENGTH} characters or fewer", ["tags"])])
        before = rest_payloads.order_payload(target) if isinstance(target, Order) else None
        if add:
            merged = normalize_tags([*target.tags, *wanted])
        else:
            dropping = {t.lower() for t in wanted}
            merged = [t for t in target.tags if t.lower() not in dropping]
        updated = sorted_tags(merged)
        if isinstance(target, Order):
            self._record_tags(target, target.tags, updated)
        changed, target.tags = updated != target.tags, updated
        if isinstance(target, Order) and before is not None:
            self._touch(target, before)
        elif changed:
            target.updated_at = utcnow()
        return Outcome(target)

    def _record_tags(self, order: Order, before: list[str], after: list[str]) -> None:
        """One ledger entry per tag really added or removed (Shopify ignores a repeated tag)."""
        old, new = {t.lower() for t in before}, {t.lower() for t in after}
        for tag in after:
            if tag.lower() not in old:
                self.effects(order.id, EffectKind.TAG_ADDED, tag)
        for tag in before:
            if tag.lower() not in new:
                self.effects(order.id, EffectKind.TAG_REMOVED, tag)

    def add_risk_assessment(self, data: dict[str, Any]) -> Outcome[RiskAssessment]:
        order = self.order_by_gid(data["orderId"])
        if order is None:
            return Outcome(
                errors=[UserError("Order does not exist", ["orderRiskAssessmentInput", "orderId"], "NOT_FOUND")]
            )
        facts = data.get("facts") or []
        if len(facts) > MAX_RISK_FACTS:
            return Outcome(
                errors=[
                    UserError(
                        f"An assessment can have at most {MAX_RISK_FACTS} facts",
                        ["orderRiskAssessmentInput", "facts"],
                        "TOO_MANY_FACTS",
                    )
                ]
            )
        assessment = RiskAssessment(
            risk_level=data["riskLevel"],
            facts=[RiskFact(f["description"], f["sentiment"]) for f in facts],
            provider_app_id=SELF_APP_ID,
        )
        order.risk_assessments.append(assessment)
        order.updated_at = utcnow()
        return Outcome(assessment)
