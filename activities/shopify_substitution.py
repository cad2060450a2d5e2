"""The plan of a Shopify `substitute-item` edit, kept on the order until the edit is through.

Adding a variant is not a target state (a second add makes a second line), and Shopify 2025-01 has
no idempotency key for order edits. So before editing, the activity writes its plan into one of the
order's custom attributes, keyed by the case: which lines drop to which quantity, which variants
come in and how many units of each the order holds once they are in, and what the replaced units
were paid. A retry reads the plan back instead of planning again, and the order then says whether
the commit got through (`state`): the lines at their targets and the substitute units there.

Why this is sound on real Shopify: custom attributes are stored on the order and returned verbatim
by `order.customAttributes`, and an order edit leaves them alone; the commit is atomic, so the
order shows either all of the edit or none of it. Anything in between means someone else changed
those lines since, which the case must not paper over (ConflictError).
"""

from __future__ import annotations

import math
from decimal import Decimal
from enum import Enum

from pydantic import BaseModel, ValidationError

from activities.models import LineQuantity, ShopifyLineTarget, Substitution
from connectors.errors import ConflictError
from connectors.shopify.assumptions import marker
from connectors.shopify.order_edits import Attribute, PricedOrderLine, SubstitutionLines
from connectors.shopify.products import SkuVariant

_GID_LINE = "gid://shopify/LineItem/"
_GID_VARIANT = "gid://shopify/ProductVariant/"


class PlannedSubstitute(BaseModel):
    sku: str
    substitute_sku: str
    title: str
    variant: int  # ProductVariant number
    quantity: int
    units_after: int  # units of the variant on the order once this edit is in
    discount_per_unit: Decimal  # > 0: dearer, brought down to what the replaced units cost

    @property
    def variant_gid(self) -> str:
        return f"{_GID_VARIANT}{self.variant}"


class SubstitutionPlan(BaseModel):
    """Kept compact (numbers, not gids): it lives in a custom attribute's value."""

    lines: dict[int, int]  # LineItem number -> quantity after the edit
    known: list[int]  # the order's line numbers before the edit: the added ones are the others
    substitutes: list[PlannedSubstitute]
    replaced_value: Decimal  # what the customer paid for the replaced units, tax included

    @property
    def lowered(self) -> dict[str, int]:
        return {f"{_GID_LINE}{number}": after for number, after in self.lines.items()}

    @property
    def absorbed(self) -> Decimal:
        return sum((s.discount_per_unit * s.quantity for s in self.substitutes), Decimal(0))


class EditState(Enum):
    NOT_APPLIED = "not applied"
    APPLIED = "applied"


def attribute_key(key: str) -> str:
    return f"{marker(key)}:substitution"


def read_plan(order: SubstitutionLines, key: str) -> SubstitutionPlan | None:
    wanted = attribute_key(key)
    for attribute in order.custom_attributes:
        if attribute.key == wanted and attribute.value:
            try:
                return SubstitutionPlan.model_validate_json(attribute.value)
            except ValidationError:
                return None  # not ours after all (edited by hand): plan again
    return None


def with_plan(order: SubstitutionLines, key: str, plan: SubstitutionPlan) -> list[Attribute]:
    """The order's custom attributes with the plan added (Shopify replaces the whole list)."""
    wanted = attribute_key(key)
    others = [a for a in order.custom_attributes if a.key != wanted]
    return [*others, Attribute(key=wanted, value=plan.model_dump_json())]


def state(order: SubstitutionLines, plan: SubstitutionPlan) -> EditState:
    current = {_number(line.id): line.current_quantity for line in order.lines}
    lowered = [current.get(number, 0) <= after for number, after in plan.lines.items()]
    added = [_variant_units(order.lines, s.variant) >= s.units_after for s in plan.substitutes]
    if all(lowered) and all(added):
        return EditState.APPLIED
    if not any(lowered) and not any(added):
        return EditState.NOT_APPLIED
    raise ConflictError(
        f"order {order.id} changed since the substitution was planned: part of it is there, part is not",
        system="shopify",
        operation="orderEditCommit",
    )


def plan(
    order: SubstitutionLines,
    substitutions: list[Substitution],
    variants: dict[str, SkuVariant],
    targets_of: list[list[ShopifyLineTarget]],
    replaced_value: Decimal,
) -> SubstitutionPlan:
    """`targets_of[i]`: the lines substitutions[: i + 1] lower, as `_line_targets` spreads them."""
    prices = {line.id: line.discounted_unit_price_after_all_discounts_set.shop_money.amount for line in order.lines}
    units = {sku: _variant_units(order.lines, _number(v.id)) for sku, v in variants.items()}
    substitutes: list[PlannedSubstitute] = []
    for index, substitution in enumerate(substitutions):
        before = {t.line_item_gid: t.quantity_after for t in targets_of[index - 1]} if index else {}
        paid = Decimal(0)  # before tax: what the substitute's own price is compared with
        for target in targets_of[index]:
            taken = before.get(target.line_item_gid, target.quantity_before) - target.quantity_after
            paid += prices[target.line_item_gid] * taken
        variant = variants[substitution.substitute_sku]
        units[substitution.substitute_sku] += substitution.quantity
        substitutes.append(
            PlannedSubstitute(
                sku=substitution.sku,
                substitute_sku=substitution.substitute_sku,
                title=variant.name,
                variant=_number(variant.id),
                quantity=substitution.quantity,
                units_after=units[substitution.substitute_sku],
                discount_per_unit=_discount_per_unit(variant.price, paid, substitution.quantity),
            )
        )
    return SubstitutionPlan(
        lines={_number(t.line_item_gid): t.quantity_after for t in targets_of[-1]},
        known=[_number(line.id) for line in order.lines],
        substitutes=substitutes,
        replaced_value=replaced_value,
    )


def wanted_lines(substitutions: list[Substitution]) -> list[LineQuantity]:
    return [LineQuantity(sku=s.sku, quantity=s.quantity) for s in substitutions]


def added_lines(order: SubstitutionLines, plan: SubstitutionPlan) -> list[PricedOrderLine]:
    """The substitute lines the edit added: lines of a planned variant the order did not have."""
    variants = {s.variant for s in plan.substitutes}
    known = set(plan.known)
    return [
        line
        for line in order.lines
        if _number(line.id) not in known
        and line.variant is not None
        and _number(line.variant.id) in variants
        and line.current_quantity > 0
    ]


def _discount_per_unit(price: Decimal, paid: Decimal, quantity: int) -> Decimal:
    """What comes off each substitute unit so the units cost no more than the replaced ones did;
    rounded up to the cent, so rounding never makes the customer pay more."""
    excess = price * quantity - paid
    if excess <= 0:
        return Decimal(0)
    return (Decimal(math.ceil(excess * 100 / quantity)) / 100).quantize(Decimal("0.01"))


def _variant_units(lines: list[PricedOrderLine], variant: int) -> int:
    return sum(
        line.current_quantity for line in lines if line.variant is not None and _number(line.variant.id) == variant
    )


def _number(gid: str) -> int:
    return int(gid.rsplit("/", 1)[-1])
