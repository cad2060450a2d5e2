"""Products, their attributes' options and prices of a simulated store.

A product the merchant creates (`create_product`, behind the sandbox admin) is saved, which sends
`catalog_product_save_commit_after` as every later save does; a product an order brings along
(`seed_product`) is not announced. `PUT /V1/products/{sku}` updates what it is given (an unknown
SKU is refused here; real Commerce would try to create the product); custom attributes must exist
(`attributes`). The price endpoints save the valid rows and answer one `price-update-result` per
refused row, Magento's `%name` placeholders filled from `parameters` in order.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from sandbox.adobe_commerce.attributes import checked_custom_attributes
from sandbox.adobe_commerce.errors import MagentoError, bad_request, no_such_entity
from sandbox.adobe_commerce.events import PRODUCT_SAVED
from sandbox.adobe_commerce.rendering import money, product_json
from sandbox.adobe_commerce.state import CategoryState, ProductState, SpecialPriceState, TierPriceState, now_text
from sandbox.adobe_commerce.store import Store

NO_PRODUCT = "The product that was requested doesn't exist. Verify the product and try again."
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2})?$")
Result = dict[str, Any]


def seed_category(store: Store, spec: dict[str, Any]) -> CategoryState:
    """A category under `parent_id` (default: the store's root, "Default Category")."""
    parent = get_category(store, int(spec.get("parent_id", 2)))
    category_id = 2 + store.state.next_id("category")  # 1 and 2 are the installed roots
    category = CategoryState(
        id=category_id,
        name=str(spec["name"]),
        parent_id=parent.id,
        level=parent.level + 1,
        path=f"{parent.path}/{category_id}",
        is_active=bool(spec.get("is_active", True)),
    )
    store.state.categories[category.id] = category
    return category


def get_category(store: Store, category_id: int) -> CategoryState:
    category = store.state.categories.get(category_id)
    if category is None:
        raise no_such_entity("id", category_id)
    return category


def children_of(store: Store, category_id: int) -> list[int]:
    return sorted(c.id for c in store.state.categories.values() if c.parent_id == category_id)


def seed_product(store: Store, spec: dict[str, Any]) -> ProductState:
    sku = str(spec["sku"])
    store.state.product_attribute_codes |= set(spec.get("custom_attributes") or {})
    category_ids = [get_category(store, int(c)).id for c in spec.get("category_ids") or []]
    product = ProductState(
        id=store.state.next_id("product"),
        sku=sku,
        name=str(spec.get("name", sku)),
        price=Decimal(str(spec.get("price", 0))),
        status=int(spec.get("status", 1)),
        visibility=int(spec.get("visibility", 4)),
        custom_attributes=dict(spec.get("custom_attributes") or {}),
        category_ids=category_ids,
    )
    store.state.products[sku] = product
    store.state.base_prices[(sku, 0)] = product.price
    return product


def create_product(store: Store, spec: dict[str, Any]) -> ProductState:
    """A product the merchant saves in the admin for the first time: announced like any save."""
    product = seed_product(store, spec)
    store.emit(PRODUCT_SAVED, product_json(product))
    return product


def seed_attribute_option(store: Store, attribute_code: str, label: str) -> dict[str, str]:
    """An option of a select attribute (e.g. a `manufacturer`), as the admin adds it; the same label
    again is the same option. Option ids are numbered across attributes, as Magento's are."""
    if attribute_code not in store.state.product_attribute_codes:
        raise _no_attribute(attribute_code)
    options = store.state.product_attribute_options.setdefault(attribute_code, {})
    value = next((v for v, known in options.items() if known == label), None)
    if value is None:
        value = str(store.state.next_id("attribute_option"))
        options[value] = label
    return {"label": label, "value": value}


def attribute_options(store: Store, attribute_code: str) -> list[dict[str, Any]]:
    """`GET /V1/products/attributes/{attributeCode}/options`. ASSUMPTION: as Magento's admin does, a
    select attribute lists its blank option first (`" "`, value `""`), and an attribute without
    options (a text one) answers just that blank option."""
    if attribute_code not in store.state.product_attribute_codes:
        raise _no_attribute(attribute_code)
    options = store.state.product_attribute_options.get(attribute_code, {})
    return [{"label": " ", "value": ""}] + [{"label": label, "value": value} for value, label in options.items()]


def _no_attribute(attribute_code: str) -> MagentoError:
    return MagentoError(
        404,
        'The attribute with a "%1" attributeCode doesn\'t exist. Verify the attribute and try again.',
        [attribute_code],
    )


def get_product(store: Store, sku: str) -> ProductState:
    product = store.state.products.get(sku)
    if product is None:
        raise MagentoError(404, NO_PRODUCT)
    return product


def update_product(store: Store, sku: str, data: dict[str, Any]) -> ProductState:
    product = get_product(store, sku)
    if "status" in data and int(data["status"]) not in (1, 2):
        raise bad_request(
            'Invalid value of "%value" provided for the %fieldName field.',
            {"value": data["status"], "fieldName": "status"},
        )
    if "visibility" in data and int(data["visibility"]) not in (1, 2, 3, 4):
        raise bad_request(
            'Invalid value of "%value" provided for the %fieldName field.',
            {"value": data["visibility"], "fieldName": "visibility"},
        )
    attributes = checked_custom_attributes(data.get("custom_attributes") or [], store.state.product_attribute_codes)
    if data.get("name"):
        product.name = str(data["name"])
    for name in ("status", "visibility"):
        if name in data:
            setattr(product, name, int(data[name]))
    if data.get("price") is not None:
        product.price = Decimal(str(data["price"]))
        store.state.base_prices[(sku, 0)] = product.price
    product.custom_attributes.update(attributes)
    product.updated_at = now_text()
    store.emit(PRODUCT_SAVED, product_json(product))
    return product


def _result(message: str, *parameters: object) -> Result:
    return {"message": message, "parameters": [str(p) for p in parameters]}


def _price(row: dict[str, Any]) -> Decimal | None:
    try:
        value = Decimal(str(row.get("price")))
    except InvalidOperation:
        return None
    return value if value >= 0 else None


def update_base_prices(store: Store, rows: list[dict[str, Any]]) -> list[Result]:
    results = []
    for row in rows:
        sku, store_id = str(row.get("sku")), int(row.get("store_id", 0))
        price = _price(row)
        if sku not in store.state.products:
            results.append(_result("Requested product doesn't exist. SKU: %SKU, Store ID: %storeId.", sku, store_id))
        elif price is None:
            results.append(
                _result(
                    "Invalid attribute %fieldName = %fieldValue. Row ID: SKU = %SKU, Store ID: %storeId.",
                    "price",
                    row.get("price"),
                    sku,
                    store_id,
                )
            )
        else:
            store.state.base_prices[(sku, store_id)] = price
            if store_id == 0:
                store.state.products[sku].price = price
    return results


def _known(store: Store, skus: list[str]) -> None:
    missing = [s for s in skus if s not in store.state.products]
    if missing:
        raise MagentoError(404, "Requested products don't exist: %sku", {"sku": ", ".join(missing)})


def base_prices(store: Store, skus: list[str]) -> list[Result]:
    _known(store, skus)
    return [
        {"price": money(price), "store_id": store_id, "sku": sku}
        for (sku, store_id), price in sorted(store.state.base_prices.items())
        if sku in skus
    ]


def update_special_prices(store: Store, rows: list[dict[str, Any]]) -> list[Result]:
    results = []
    for row in rows:
        sku, store_id = str(row.get("sku")), int(row.get("store_id", 0))
        price = _price(row)
        dates = (str(row.get("price_from", "")), str(row.get("price_to", "")))
        if sku not in store.state.products:
            results.append(_result("Requested product doesn't exist. SKU: %SKU, Store ID: %storeId.", sku, store_id))
        elif price is None:
            results.append(
                _result(
                    "Invalid attribute %fieldName = %fieldValue. Row ID: SKU = %SKU, Store ID: %storeId.",
                    "price",
                    row.get("price"),
                    sku,
                    store_id,
                )
            )
        elif not all(_DATETIME.match(d) for d in dates) or dates[0] > dates[1]:
            results.append(
                _result(
                    "Invalid attribute Price From: %priceFrom. Row ID: SKU = %SKU, Store ID: %storeId.",
                    dates[0],
                    sku,
                    store_id,
                )
            )
        else:
            store.state.special_prices = [
                p
                for p in store.state.special_prices
                if (p.sku, p.store_id, p.price_from, p.price_to) != (sku, store_id, *dates)
            ]
            store.state.special_prices.append(SpecialPriceState(sku, store_id, price, *dates))
    return results


def special_prices(store: Store, skus: list[str]) -> list[Result]:
    _known(store, skus)
    return [
        {
            "price": money(p.price),
            "store_id": p.store_id,
            "sku": p.sku,
            "price_from": p.price_from,
            "price_to": p.price_to,
        }
        for p in store.state.special_prices
        if p.sku in skus
    ]


def _tier_problem(store: Store, row: dict[str, Any]) -> Result | None:
    sku = str(row.get("sku"))
    price = _price(row)
    if sku not in store.state.products:
        return _result("Requested product doesn't exist. SKU: %SKU.", sku)
    if price is None or (row.get("price_type") == "discount" and price > 100):
        return _result(
            "Invalid attribute %fieldName = %fieldValue. Row ID: SKU = %SKU.", "price", row.get("price"), sku
        )
    if row.get("price_type") not in ("fixed", "discount"):
        return _result(
            "Invalid attribute %fieldName = %fieldValue. Row ID: SKU = %SKU.", "Price Type", row.get("price_type"), sku
        )
    if Decimal(str(row.get("quantity", 0))) <= 0:
        return _result(
            "Invalid attribute %fieldName = %fieldValue. Row ID: SKU = %SKU.", "Quantity", row.get("quantity"), sku
        )
    return None


def _tier(row: dict[str, Any]) -> TierPriceState:
    return TierPriceState(
        sku=str(row["sku"]),
        website_id=int(row.get("website_id", 0)),
        customer_group=str(row.get("customer_group", "ALL GROUPS")),
        quantity=Decimal(str(row["quantity"])),
        price_type=str(row["price_type"]),
        price=Decimal(str(row["price"])),
    )


def update_tier_prices(store: Store, rows: list[dict[str, Any]], *, replace: bool) -> list[Result]:
    problems = [p for p in (_tier_problem(store, row) for row in rows) if p is not None]
    if replace and problems:
        return problems  # replacing is all-or-nothing
    valid = [_tier(row) for row in rows if _tier_problem(store, row) is None]
    if replace:
        skus = {t.sku for t in valid}
        store.state.tier_prices = [t for t in store.state.tier_prices if t.sku not in skus]

    def key(t: TierPriceState) -> tuple[str, int, str, Decimal]:
        return (t.sku, t.website_id, t.customer_group, t.quantity)

    for tier in valid:
        store.state.tier_prices = [t for t in store.state.tier_prices if key(t) != key(tier)]
        store.state.tier_prices.append(tier)
    return problems


def tier_prices(store: Store, skus: list[str]) -> list[Result]:
    _known(store, skus)
    return [
        {
            "price": money(t.price),
            "price_type": t.price_type,
            "website_id": t.website_id,
            "sku": t.sku,
            "customer_group": t.customer_group,
            "quantity": money(t.quantity),
        }
        for t in store.state.tier_prices
        if t.sku in skus
    ]
