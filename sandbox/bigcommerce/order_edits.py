"""`products` in `PUT /v2/orders/{id}`: order lines updated by `id`, added without one.

What the spec says (orders.v2 `updateOrder`, `orderCatalogProduct_Put`, `orderCustomProduct_Put`):
an entry with `id` updates that order line with only the fields given (PATCH-like) and `quantity: 0`
removes it; an entry without `id` is added, a catalog product by `product_id` (`product_options`
when it has variants, unless `variant_id` is given; prices default to the catalog's) or a custom
product with `name` and both prices. Totals follow the lines. The PUT clears the discounts of the
changed lines; the sandbox models no line discounts, so there is nothing to clear.

Sandbox choices where BigCommerce documents nothing precise (strict on purpose):
* A removed line stays on the order with quantity 0: BigCommerce's List Order Products still shows
  it that way after the update (bigcommerce/docs#522).
* A line cannot drop below the units already shipped or refunded; a line id that is not on the
  order, an unknown product id, a variant of another product, or options for a product without
  options are refused. Nothing changes unless every entry is valid.
* Changing a line's product, variant or options, gift wrapping and UPCs are not simulated (400).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from sandbox.bigcommerce.errors import StoreError, invalid
from sandbox.bigcommerce.state import OrderProductState, OrderState

# Fields of an update (`id` given) the sandbox applies; the others the spec allows are refused.
_UPDATE_FIELDS = frozenset(
    {
        *("id", "quantity", "price_inc_tax", "price_ex_tax", "name", "name_customer", "sku"),
        *("product_id", "variant_id", "product_options"),
    }
)
# Fields of an addition (no `id`) the sandbox applies.
_ADD_FIELDS = frozenset(
    {"product_id", "variant_id", "product_options", "quantity", "price_inc_tax", "price_ex_tax", "name", "sku"}
)

AddLine = Callable[[dict[str, Any]], OrderProductState]


def edit_products(order: OrderState, raw: object, add_line: AddLine, money: Callable[[object, str], Decimal]) -> bool:
    """Apply `products` of a PUT to `order`, all or nothing; True when a line changed or was added.
    `add_line` builds (and checks) a new line as `POST /v2/orders` would."""
    if not isinstance(raw, list):
        raise invalid("The field 'products' must be an array.", "products")
    updates: list[tuple[OrderProductState, dict[str, Any]]] = []
    additions: list[dict[str, Any]] = []
    for entry in raw:
        if not isinstance(entry, dict):
            raise invalid("Every entry of 'products' must be an object.", "products")
        if entry.get("id") is None:
            _check_addition(entry)
            additions.append(entry)
            continue
        line = order.product(_integer(entry["id"], "products.id"))
        if line is None:
            raise invalid(f"Order product {entry['id']} does not belong to order {order.id}.", "products.id")
        if any(line is seen for seen, _ in updates):
            raise invalid(f"Order product {line.id} appears more than once.", "products.id")
        _check_update(line, entry, money)
        updates.append((line, entry))
    added = [add_line(entry) for entry in additions]  # checks the catalog; raises before any change
    if updates or added:
        # The payment is what the order totalled before its first edit (see `OrderState.paid_total`).
        order.paid_total = order.total_inc_tax if order.paid_total is None else order.paid_total
    changed = False
    for line, entry in updates:
        changed |= _apply_update(line, entry, money)
    order.products.extend(added)
    return changed or bool(added)


def _integer(value: object, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid(f"The field '{field}' must be an integer.", field)
    return value


def _check_addition(entry: dict[str, Any]) -> None:
    unsimulated = sorted(set(entry) - _ADD_FIELDS)
    if unsimulated:
        raise StoreError(400, f"sandbox: adding an order product with {', '.join(unsimulated)} is not simulated.")
    if entry.get("product_id") is None and (entry.get("variant_id") is not None or entry.get("product_options")):
        raise invalid("A custom product has no variant or options.", "products")


def _check_update(line: OrderProductState, entry: dict[str, Any], money: Callable[[object, str], Decimal]) -> None:
    unsimulated = sorted(set(entry) - _UPDATE_FIELDS)
    if unsimulated:
        raise StoreError(400, f"sandbox: updating {', '.join(unsimulated)} of an order product is not simulated.")
    if "product_id" in entry and entry["product_id"] != line.product_id:
        raise StoreError(400, "sandbox: changing the product of an order line is not simulated.")
    if "variant_id" in entry and entry["variant_id"] != (line.variant_id or 0):
        raise StoreError(400, "sandbox: changing the variant of an order line is not simulated.")
    if entry.get("product_options"):
        raise StoreError(400, "sandbox: changing the options of an order line is not simulated.")
    if "sku" in entry and line.product_id:
        raise invalid("The SKU of a catalog product comes from the catalog.", "products.sku")
    names = [entry[k] for k in ("name", "name_customer") if k in entry]
    if any(not isinstance(name, str) or not name for name in names):
        raise invalid("Empty strings and null are invalid for 'name' and 'name_customer'.", "products.name")
    if len(set(names)) > 1:
        raise invalid("'name' and 'name_customer' must have the same value.", "products.name")
    for field in ("price_inc_tax", "price_ex_tax"):
        if field in entry:
            money(entry[field], field)
    if "quantity" in entry:
        quantity = _integer(entry["quantity"], "products.quantity")
        if quantity < 0:
            raise invalid("The field 'quantity' cannot be negative.", "products.quantity")
        if quantity < line.quantity_shipped:
            raise invalid(
                f"The quantity of order product {line.id} cannot be lower than the {line.quantity_shipped} "
                "units already shipped.",
                "products.quantity",
            )
        if quantity < line.quantity_refunded:
            raise invalid(
                f"The quantity of order product {line.id} cannot be lower than the {line.quantity_refunded} "
                "units already refunded.",
                "products.quantity",
            )


def _apply_update(line: OrderProductState, entry: dict[str, Any], money: Callable[[object, str], Decimal]) -> bool:
    before = (line.quantity, line.price_inc_tax, line.price_ex_tax, line.name, line.sku)
    if "quantity" in entry:
        line.quantity = int(entry["quantity"])
    if "price_inc_tax" in entry:
        line.price_inc_tax = money(entry["price_inc_tax"], "price_inc_tax")
    if "price_ex_tax" in entry:
        line.price_ex_tax = money(entry["price_ex_tax"], "price_ex_tax")
    name = entry.get("name", entry.get("name_customer"))
    if name is not None:
        line.name = str(name)
    if "sku" in entry:
        line.sku = str(entry["sku"] or "")
    return before != (line.quantity, line.price_inc_tax, line.price_ex_tax, line.name, line.sku)
