"""What the store webhook routes share: their answer, the case's search attributes and summary,
and the memory of recent deliveries."""

from __future__ import annotations

from collections import OrderedDict

from pydantic import BaseModel
from temporalio.common import SearchAttributePair, TypedSearchAttributes

from casebridge.stores import Store
from routing.facts import OrderFacts
from workflows import search_attributes as sa
from workflows.order_review import CASE_TYPE

_REMEMBERED_DELIVERIES = 10_000


class WebhookResult(BaseModel):
    result: str  # started | duplicate | not-needed | signalled | no-open-case | ignored
    case_id: str | None = None
    reasons: list[str] = []


class DeliveryMemory:
    """The answers to the last deliveries by `webhook-id`, so a redelivery is answered the same.

    Per process and bounded: with several shim replicas a redelivery may land elsewhere, where the
    case id's REJECT_DUPLICATE makes it harmless. Only deliveries that were handled are remembered;
    one answered 503 must be processed again when BigCommerce retries it.
    """

    def __init__(self, size: int = _REMEMBERED_DELIVERIES) -> None:
        self._size = size
        self._answers: OrderedDict[str, WebhookResult] = OrderedDict()

    def get(self, webhook_id: str) -> WebhookResult | None:
        return self._answers.get(webhook_id)

    def remember(self, webhook_id: str, answer: WebhookResult) -> None:
        self._answers[webhook_id] = answer
        self._answers.move_to_end(webhook_id)
        while len(self._answers) > self._size:
            self._answers.popitem(last=False)


def search_attributes(store: Store, facts: OrderFacts, team: str) -> TypedSearchAttributes:
    return TypedSearchAttributes(
        [
            SearchAttributePair(sa.CASE_TYPE, CASE_TYPE),
            SearchAttributePair(sa.CASE_PLATFORM, store.platform.value),
            SearchAttributePair(sa.CASE_STORE, store.id),
            SearchAttributePair(sa.CASE_REF, facts.order_name),
            SearchAttributePair(sa.CASE_STATUS, "OPEN"),
            SearchAttributePair(sa.CASE_TEAM, team),
            SearchAttributePair(sa.CASE_AMOUNT, float(facts.total)),
        ]
    )


def static_details(facts: OrderFacts, reasons: list[str], delivery_id: str | None) -> str:
    lines = [
        f"**Order** {facts.order_name} (id {facts.order_id})",
        f"**Total** {facts.total} {facts.currency}",
        f"**Customer** {facts.customer_email or 'unknown'}",
        "**Why reviewed**",
        *[f"- {r}" for r in reasons],
    ]
    if delivery_id:
        lines.append(f"_Webhook delivery {delivery_id}_")
    return "\n".join(lines)
