"""Evaluate a store's rules against an order. Pure functions: the same facts give the same answer."""

from __future__ import annotations

from routing.facts import OrderFacts
from routing.policy import OrderReviewRules


def review_reasons(rules: OrderReviewRules, facts: OrderFacts) -> list[str]:
    """Why this order needs a human decision; empty when it does not."""
    reasons: list[str] = []
    if rules.total_at_least is not None and facts.total >= rules.total_at_least:
        reasons.append(f"order total {facts.total} {facts.currency} >= {rules.total_at_least}")
    if rules.discount_pct_at_least is not None and facts.discount_pct >= rules.discount_pct_at_least:
        reasons.append(f"discount {facts.discount_pct}% >= {rules.discount_pct_at_least}%")
    if facts.risk_level is not None and facts.risk_level in rules.risk_levels:
        reasons.append(f"risk level {facts.risk_level}")
    if facts.shipping_country and facts.shipping_country.upper() in rules.restricted_countries:
        reasons.append(f"restricted destination {facts.shipping_country.upper()}")
    matched_tags = sorted({t.lower() for t in facts.customer_tags} & set(rules.customer_tags))
    if matched_tags:
        reasons.append(f"customer tagged {', '.join(matched_tags)}")
    if rules.items_at_least is not None and facts.item_count is not None and facts.item_count >= rules.items_at_least:
        reasons.append(f"large basket: {facts.item_count} units >= {rules.items_at_least}")
    if rules.address_mismatch and facts.address_mismatch:
        reasons.append("billing and shipping address differ")
    if rules.company_credit_exceeded and facts.credit_exceeded_by is not None and facts.credit_exceeded_by > 0:
        reasons.append(f"company credit limit exceeded by {facts.credit_exceeded_by:.2f} {facts.currency}")
    return reasons
