"""A deterministic stand-in for Shopify's fraud analysis.

Real Shopify scores an order asynchronously from signals a sandbox cannot have (card checks, IP
geolocation, order history). Tests and the demo need a risk verdict that is predictable and ready
the moment `orderCreate` returns, so the simulator applies three fixed rules when it creates an
order and stores the result as Shopify's own assessment (`provider` = null):

* HIGH   - billing and shipping country differ, or the buyer's email domain is `risky.example`;
* MEDIUM - otherwise, when the order total exceeds 5000 (in the order currency);
* LOW    - otherwise.

Apps may add their own assessments with `orderRiskAssessmentCreate`; `order.risk.recommendation`
follows the highest level over all assessments (HIGH → CANCEL, MEDIUM → INVESTIGATE, LOW → ACCEPT).
"""

from __future__ import annotations

from decimal import Decimal

from sandbox.shopify.state import Order, RiskAssessment, RiskFact

RISKY_EMAIL_DOMAIN = "risky.example"
MEDIUM_TOTAL_THRESHOLD = Decimal(5000)

_LEVEL_RANK = {"HIGH": 3, "MEDIUM": 2, "LOW": 1, "PENDING": 0, "NONE": 0}
_RECOMMENDATION = {"HIGH": "CANCEL", "MEDIUM": "INVESTIGATE", "LOW": "ACCEPT"}


def assess(order: Order) -> RiskAssessment:
    """Shopify's (simulated) assessment of a freshly created order."""
    negative: list[RiskFact] = []
    billing = order.billing_address.country_code if order.billing_address else None
    shipping = order.shipping_address.country_code if order.shipping_address else None
    if billing and shipping and billing != shipping:
        negative.append(RiskFact(f"Billing country ({billing}) differs from shipping country ({shipping})", "NEGATIVE"))
    email = order.contact_email or ""
    if email.lower().rpartition("@")[2] == RISKY_EMAIL_DOMAIN:
        negative.append(RiskFact("The email address belongs to a domain with a history of fraud", "NEGATIVE"))
    if negative:
        return RiskAssessment("HIGH", negative)
    if order.total_price > MEDIUM_TOTAL_THRESHOLD:
        fact = RiskFact(f"Order total is above {MEDIUM_TOTAL_THRESHOLD} {order.currency}", "NEGATIVE")
        return RiskAssessment("MEDIUM", [fact])
    positive = [RiskFact("No fraud indicators were found for this order", "POSITIVE")]
    if billing and shipping:
        positive.append(RiskFact("Billing and shipping country match", "POSITIVE"))
    return RiskAssessment("LOW", positive)


def highest_level(order: Order) -> str:
    levels = [a.risk_level for a in order.risk_assessments]
    return max(levels, key=lambda level: _LEVEL_RANK.get(level, 0), default="NONE")


def recommendation(order: Order) -> str:
    """`OrderRiskRecommendationResult` over every assessment the order has."""
    return _RECOMMENDATION.get(highest_level(order), "NONE")


def legacy_risk_level(order: Order) -> str:
    """The deprecated `Order.riskLevel` (LOW/MEDIUM/HIGH only)."""
    level = highest_level(order)
    return level if level in ("HIGH", "MEDIUM") else "LOW"
