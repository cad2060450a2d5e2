"""GraphQL resolvers for products, variants, publications and price lists.

Registered into `resolvers`' table on import (the executor imports this module).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from sandbox.shopify.gid import parse_gid
from sandbox.shopify.resolvers import (
    NODE_LOOKUPS,
    Info,
    _ctx,
    _mutation,
    _plain,
    _register,
    _shop,
    _user_errors,
    connection,
    money_v2,
    record_search,
)
from sandbox.shopify.search_terms import FieldMatcher, any_text, number, parse_search, text
from sandbox.shopify.state import ShopState
from sandbox.shopify.state_catalog import FixedPrice, PriceList, Product, ProductVariant, Publication

# ------------------------------------------------------------------------------ QueryRoot

_PRODUCT_FIELDS: dict[str, FieldMatcher[Product]] = {
    "title": text(lambda p: p.title),
    "handle": text(lambda p: p.handle),
    "status": text(lambda p: p.status),
    "tag": any_text(lambda p: p.tags),
    "vendor": text(lambda p: p.vendor),
    "product_type": text(lambda p: p.product_type),
    "sku": any_text(lambda p: [v.sku for v in p.variants if v.sku]),
    "id": number(lambda p: p.id),
}


_PRODUCT_TITLE: FieldMatcher[Product] = text(lambda p: p.title)


def _products(_: Any, info: Info, args: dict[str, Any]) -> dict[str, Any]:
    ctx = _ctx(info)
    search = parse_search(args.get("query"), _PRODUCT_FIELDS, _PRODUCT_TITLE)
    record_search(ctx, info, args.get("query"), search.warnings)
    return connection([p for p in ctx.shop.products.values() if search.predicate(p)], args, info)


def _lookup(kind: str, table: str) -> Any:
    def resolve(_: Any, info: Info, args: dict[str, Any]) -> Any:
        found = parse_gid(args["id"]).is_a(kind)
        return getattr(_ctx(info).shop, table).get(found) if found is not None else None

    return resolve


_register(
    "QueryRoot",
    {
        "product": _lookup("Product", "products"),
        "products": _products,
        "productVariant": _lookup("ProductVariant", "variants"),
        "publication": _lookup("Publication", "publications"),
        "publications": lambda _s, info, args: connection(_ctx(info).ops.publications(), args, info),
        "priceList": _lookup("PriceList", "price_lists"),
        "priceLists": lambda _s, info, args: connection(list(_ctx(info).shop.price_lists.values()), args, info),
    },
)

NODE_LOOKUPS.update(
    {
        "Product": lambda shop, n: shop.products.get(n),
        "ProductVariant": lambda shop, n: shop.variants.get(n),
        "Publication": lambda shop, n: shop.publications.get(n),
        "PriceList": lambda shop, n: shop.price_lists.get(n),
    }
)

# ------------------------------------------------------------------------------ Mutation


@_mutation("userErrors")
def _product_update(_: Any, info: Info, args: dict[str, Any]) -> dict[str, Any]:
    outcome = _ctx(info).ops.update_product(args.get("product"))
    return {"product": outcome.value, "userErrors": _user_errors(outcome.errors)}


def _publishable(publish: bool) -> Any:
    @_mutation("userErrors")
    def resolve(source: Any, info: Info, args: dict[str, Any]) -> dict[str, Any]:
        outcome = _ctx(info).ops.set_publication(args["id"], args["input"], publish=publish)
        return {
            "publishable": outcome.value,
            "shop": _shop(source, info, {}),
            "userErrors": _user_errors(outcome.errors),
        }

    return resolve


@_mutation("userErrors")
def _price_list_create(_: Any, info: Info, args: dict[str, Any]) -> dict[str, Any]:
    outcome = _ctx(info).ops.create_price_list(args["input"])
    return {"priceList": outcome.value, "userErrors": _user_errors(outcome.errors)}


@_mutation("userErrors")
def _fixed_prices_add(_: Any, info: Info, args: dict[str, Any]) -> dict[str, Any]:
    outcome = _ctx(info).ops.add_fixed_prices(args["priceListId"], args["prices"])
    return {"prices": outcome.value, "userErrors": _user_errors(outcome.errors)}


@_mutation("userErrors")
def _fixed_prices_update(_: Any, info: Info, args: dict[str, Any]) -> dict[str, Any]:
    outcome = _ctx(info).ops.update_fixed_prices(args["priceListId"], args["pricesToAdd"], args["variantIdsToDelete"])
    change = outcome.value
    return {
        "priceList": change.price_list if change else None,
        "pricesAdded": change.added if change else None,
        "deletedFixedPriceVariantIds": change.deleted if change else None,
        "userErrors": _user_errors(outcome.errors),
    }


_register(
    "Mutation",
    {
        "productUpdate": _product_update,
        "publishablePublish": _publishable(publish=True),
        "publishableUnpublish": _publishable(publish=False),
        "priceListCreate": _price_list_create,
        "priceListFixedPricesAdd": _fixed_prices_add,
        "priceListFixedPricesUpdate": _fixed_prices_update,
    },
)

# ------------------------------------------------------------------------------ products

_TAG = re.compile(r"<[^>]+>")


def _description(product: Product, _info: Info, args: dict[str, Any]) -> str:
    plain = " ".join(_TAG.sub(" ", product.description_html).split())
    limit = args.get("truncateAt")
    return plain[: limit - 1] + "…" if limit and len(plain) > limit else plain


def _resource_publications(product: Product, shop: ShopState, only_published: bool) -> list[dict[str, Any]]:
    """One entry per publication (published or not, unless `onlyPublished`), as Shopify lists them."""
    out: list[dict[str, Any]] = []
    for publication in shop.publications.values():
        when = product.publications.get(publication.id)
        if when is None and only_published:
            continue
        out.append(
            {
                "isPublished": when is not None,
                "publication": publication,
                "publishDate": when or product.created_at,
                "publishable": product,
            }
        )
    return out


def _published_on(product: Product, _info: Info, args: dict[str, Any]) -> bool:
    return parse_gid(args["publicationId"]).is_a("Publication") in product.publications


def _price_range(product: Product, currency: str) -> dict[str, Any]:
    prices = [v.price for v in product.variants] or [Decimal(0)]
    return {"minVariantPrice": money_v2(min(prices), currency), "maxVariantPrice": money_v2(max(prices), currency)}


def _unpublished(product: Product, shop: ShopState) -> list[Publication]:
    return [p for p in shop.publications.values() if p.id not in product.publications]


_register(
    "Product",
    {
        "variants": lambda p, info, args: connection(p.variants, args, info),
        "variantsCount": _plain(lambda p: {"count": len(p.variants), "precision": "EXACT"}),
        "totalVariants": _plain(lambda p: len(p.variants)),
        "description": _description,
        "bodyHtml": _plain(lambda p: p.description_html),
        "resourcePublications": lambda p, info, args: connection(
            _resource_publications(p, _ctx(info).shop, args.get("onlyPublished", True) is not False), args, info
        ),
        "resourcePublicationsCount": lambda p, info, args: {
            "count": len(_resource_publications(p, _ctx(info).shop, args.get("onlyPublished", True) is not False)),
            "precision": "EXACT",
        },
        "publishedOnPublication": _published_on,
        "publishedOnCurrentPublication": _plain(lambda _p: False),
        "unpublishedPublications": lambda p, info, args: connection(_unpublished(p, _ctx(info).shop), args, info),
        "availablePublicationsCount": lambda _p, info, _args: {
            "count": len(_ctx(info).shop.publications),
            "precision": "EXACT",
        },
        "hasOnlyDefaultVariant": _plain(lambda p: len(p.variants) == 1 and p.variants[0].title == "Default Title"),
        "hasOutOfStockVariants": _plain(lambda p: any(v.inventory_quantity <= 0 for v in p.variants)),
        "tracksInventory": _plain(lambda _p: True),
        "isGiftCard": _plain(lambda _p: False),
        "options": _plain(lambda _p: []),
        "seo": _plain(lambda _p: {"title": None, "description": None}),
        "onlineStoreUrl": lambda p, info, _args: (
            f"https://{_ctx(info).shop.domain}/products/{p.handle}" if p.published_at and p.status == "ACTIVE" else None
        ),
        "priceRangeV2": lambda p, info, _args: _price_range(p, _ctx(info).shop.currency),
        "defaultCursor": _plain(lambda p: str(p.id)),
    },
)

_register(
    "ProductVariant",
    {
        "displayName": _plain(lambda v: v.display_name),
        "availableForSale": _plain(lambda v: v.product.status == "ACTIVE" and v.inventory_quantity > 0),
        "sellableOnlineQuantity": _plain(lambda v: max(v.inventory_quantity, 0)),
        "selectedOptions": _plain(lambda v: [{"name": "Title", "value": v.title}]),
        "inventoryPolicy": _plain(lambda _v: "DENY"),
        "defaultCursor": _plain(lambda v: str(v.id)),
    },
)

_register(
    "Publication",
    {
        "products": lambda pub, info, args: connection(
            [p for p in _ctx(info).shop.products.values() if pub.id in p.publications], args, info
        ),
        "catalog": _plain(lambda _pub: None),
        "operation": _plain(lambda _pub: None),
    },
)

# ------------------------------------------------------------------------------ price lists


def _price_entry(price_list: PriceList, fixed: FixedPrice | None, variant: ProductVariant) -> dict[str, Any]:
    if fixed is not None:
        compare_at = money_v2(fixed.compare_at_price, fixed.currency) if fixed.compare_at_price is not None else None
        return {
            "price": money_v2(fixed.price, fixed.currency),
            "compareAtPrice": compare_at,
            "originType": "FIXED",
            "variant": variant,
        }
    return {
        "price": money_v2(price_list.relative_price(variant), price_list.currency),
        "compareAtPrice": None,
        "originType": "RELATIVE",
        "variant": variant,
    }


def _prices(price_list: PriceList, info: Info, args: dict[str, Any]) -> dict[str, Any]:
    """Fixed prices, plus relative ones (the parent adjustment) for every other variant when the
    list is in the shop's currency (the sandbox has no exchange rates)."""
    shop = _ctx(info).shop
    entries = [_price_entry(price_list, fixed, fixed.variant) for fixed in price_list.fixed.values()]
    if price_list.currency == shop.currency:
        entries += [
            _price_entry(price_list, None, variant)
            for variant in shop.variants.values()
            if variant.id not in price_list.fixed
        ]
    if args.get("originType"):
        entries = [e for e in entries if e["originType"] == args["originType"]]
    return connection(entries, args, info)


_register(
    "PriceList",
    {
        "fixedPricesCount": _plain(lambda pl: len(pl.fixed)),
        "parent": _plain(
            lambda pl: {
                "adjustment": {"type": pl.adjustment_type, "value": pl.adjustment_value},
                "settings": {"compareAtMode": "ADJUSTED"},
            }
        ),
        "prices": _prices,
        "catalog": _plain(lambda _pl: None),
    },
)

_register(
    "PriceListPrice",
    {
        "price": lambda p, _info, _args: money_v2(p.price, p.currency) if isinstance(p, FixedPrice) else p["price"],
        "compareAtPrice": lambda p, _info, _args: (
            (money_v2(p.compare_at_price, p.currency) if p.compare_at_price is not None else None)
            if isinstance(p, FixedPrice)
            else p["compareAtPrice"]
        ),
    },
)
