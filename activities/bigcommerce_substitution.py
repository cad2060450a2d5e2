"""The plan of a BigCommerce `substitute-item` order update, kept on the order until it is through.

`PUT /v2/orders/{id}` adds a product to the order each time it is sent, and BigCommerce has no
idempotency key. So before the update, the activity writes its plan into an order metafield keyed by
the case: which lines drop from which quantity to which, which catalog products come in at which
price, and which order products existed before. A retry reads the plan back instead of planning
again (the lowered lines no longer hold the units to plan from), and the order products then say
whether the update got through (`state`): the lines at their targets and the substitutes added.

Why this is sound on BigCommerce: order metafields are stored apart from the order's products and
returned as written; one PUT changes all of its products or none (it is refused as a whole); a
removed line stays listed with quantity 0. Anything in between means someone else changed those
lines since, which the case must not paper over (ConflictError).

Prices: the customer never pays more. A substitute whose catalog price is at least the replaced
line's comes in at that line's prices (the merchant absorbs the difference); a cheaper one at its
catalog price, with the replaced line's tax rate, and the difference is refunded once (`owed`).
ASSUMPTION: catalog prices are entered without tax (BigCommerce's default), so they are compared
with the line's `price_ex_tax`. A line with discounts is refused: the update would clear them.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from enum import Enum

from pydantic import BaseModel, ValidationError

from activities.models import Substitution
from connectors.bigcommerce.models import (
    Metafield,
    OrderProduct,
    OrderProductAddition,
    OrderProductUpdate,
    Product,
)
from connectors.errors import ConflictError

CENT = Decimal("0.01")
SYSTEM = "bigcommerce"


class PlannedLine(BaseModel):
    order_product_id: int
    before: int
    after: int


class PlannedAddition(BaseModel):
    product_id: int
    variant_id: int | None
    quantity: int
    price_ex_tax: Decimal
    price_inc_tax: Decimal


class PlannedSubstitute(BaseModel):
    sku: str
    substitute_sku: str
    title: str
    quantity: int


class SubstitutionPlan(BaseModel):
    lines: list[PlannedLine]
    additions: list[PlannedAddition]
    known: list[int]  # the order products before the update: the added ones are the others
    substitutes: list[PlannedSubstitute]
    absorbed: Decimal  # what dearer substitutes would have cost more, borne by the merchant
    owed: Decimal  # what cheaper substitutes cost less, tax included: refunded once

    def updates(self) -> list[OrderProductUpdate]:
        return [OrderProductUpdate(id=line.order_product_id, quantity=line.after) for line in self.lines]

    def order_additions(self) -> list[OrderProductAddition]:
        return [
            OrderProductAddition(
                product_id=a.product_id,
                variant_id=a.variant_id,
                quantity=a.quantity,
                price_ex_tax=a.price_ex_tax,
                price_inc_tax=a.price_inc_tax,
            )
            for a in self.additions
        ]


class EditState(Enum):
    NOT_APPLIED = "not applied"
    APPLIED = "applied"


def metafield_key(key: str) -> str:
    """Metafield keys are at most 64 characters; case keys can be longer."""
    return f"substitution-{hashlib.sha256(key.encode()).hexdigest()[:40]}"


def read_plan(metafields: list[Metafield], key: str) -> SubstitutionPlan | None:
    wanted = metafield_key(key)
    for metafield in metafields:
        if metafield.key == wanted and metafield.value:
            try:
                return SubstitutionPlan.model_validate_json(metafield.value)
            except ValidationError:
                return None  # not ours after all (edited by hand): plan again
    return None


def plan(
    products: list[OrderProduct], substitutions: list[Substitution], catalog: dict[str, Product]
) -> SubstitutionPlan:
    """Refused (ConflictError) before anything changes: a SKU with fewer units neither shipped nor
    refunded than substituted, or a line whose discounts the update would clear. `catalog` holds
    every substitute SKU's product."""
    open_units = {p.id: p.quantity - p.quantity_shipped - p.quantity_refunded for p in products}
    taken_from: dict[int, int] = {}
    priced: dict[tuple[int, int | None, Decimal, Decimal], int] = {}
    absorbed = owed = Decimal(0)
    for substitution in substitutions:
        product = catalog[substitution.substitute_sku]
        left = substitution.quantity
        for line in products:
            taken = min(max(open_units[line.id], 0), left) if line.sku == substitution.sku else 0
            if taken <= 0:
                continue
            if line.applied_discounts:
                raise ConflictError(
                    f"order product {line.id} ({line.sku}) has discounts the order update would clear",
                    system=SYSTEM,
                    operation="edit_order_products",
                )
            open_units[line.id] -= taken
            taken_from[line.id] = taken_from.get(line.id, 0) + taken
            left -= taken
            ex, inc = _substitute_prices(product, line)
            slot = (product.id, product.base_variant_id, ex, inc)
            priced[slot] = priced.get(slot, 0) + taken
            absorbed += max(catalog_price(product) - line.price_ex_tax, Decimal(0)) * taken
            owed += (line.price_inc_tax - inc) * taken
        if left > 0:
            raise ConflictError(
                f"{substitution.quantity} x {substitution.sku}: only {substitution.quantity - left} "
                "unshipped and unrefunded on the order",
                system=SYSTEM,
                operation="list_order_products",
            )
    quantities = {p.id: p.quantity for p in products}
    return SubstitutionPlan(
        lines=[
            PlannedLine(order_product_id=i, before=quantities[i], after=quantities[i] - n)
            for i, n in taken_from.items()
        ],
        additions=[
            PlannedAddition(product_id=pid, variant_id=vid, quantity=n, price_ex_tax=ex, price_inc_tax=inc)
            for (pid, vid, ex, inc), n in priced.items()
        ],
        known=[p.id for p in products],
        substitutes=[
            PlannedSubstitute(
                sku=s.sku,
                substitute_sku=s.substitute_sku,
                title=catalog[s.substitute_sku].name,
                quantity=s.quantity,
            )
            for s in substitutions
        ],
        absorbed=absorbed.quantize(CENT),
        owed=owed.quantize(CENT),
    )


def catalog_price(product: Product) -> Decimal:
    """What the storefront sells it for: the calculated price (the sale price when set), else the list price."""
    return product.calculated_price if product.calculated_price is not None else product.price


def _substitute_prices(product: Product, line: OrderProduct) -> tuple[Decimal, Decimal]:
    """(price_ex_tax, price_inc_tax) of the substitute for units of `line`: never above the line's."""
    catalog = catalog_price(product)
    if catalog >= line.price_ex_tax:
        return line.price_ex_tax, line.price_inc_tax
    # Cheaper: its catalog price, taxed at the rate of the line it replaces (price_ex_tax > 0 here).
    return catalog, (catalog * line.price_inc_tax / line.price_ex_tax).quantize(CENT)


def state(order_id: int, products: list[OrderProduct], plan: SubstitutionPlan) -> EditState:
    quantities = {p.id: p.quantity for p in products}
    lowered = [quantities.get(line.order_product_id) == line.after for line in plan.lines]
    untouched = [quantities.get(line.order_product_id) == line.before for line in plan.lines]
    new_units: dict[int, int] = {}
    for product in products:
        if product.id not in plan.known:
            new_units[product.product_id] = new_units.get(product.product_id, 0) + product.quantity
    wanted: dict[int, int] = {}
    for addition in plan.additions:
        wanted[addition.product_id] = wanted.get(addition.product_id, 0) + addition.quantity
    added = all(new_units.get(pid, 0) >= units for pid, units in wanted.items())
    none_added = not any(new_units.get(pid, 0) for pid in wanted)
    if all(lowered) and added:
        return EditState.APPLIED
    if all(untouched) and none_added:
        return EditState.NOT_APPLIED
    raise ConflictError(
        f"order {order_id} changed since the substitution was planned: part of it is there, part is not",
        system=SYSTEM,
        operation="edit_order_products",
    )
