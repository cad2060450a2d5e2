"""GraphQL resolvers for customer marketing consent and metafields (customers and products).

Registered into `resolvers`' table on import (the executor imports this module).
"""

from __future__ import annotations

from typing import Any

from sandbox.shopify.customer_records import APP_NAMESPACE
from sandbox.shopify.resolvers import (
    NODE_LOOKUPS,
    Info,
    _ctx,
    _lookup_node,
    _mutation,
    _plain,
    _register,
    _user_errors,
    connection,
)
from sandbox.shopify.state import Customer, MarketingConsent
from sandbox.shopify.state_catalog import Product
from sandbox.shopify.state_records import Metafield

# ------------------------------------------------------------------------------ Mutation


def _consent_update(channel: str) -> Any:
    @_mutation("userErrors")
    def resolve(_: Any, info: Info, args: dict[str, Any]) -> dict[str, Any]:
        outcome = _ctx(info).ops.update_marketing_consent(args["input"], channel=channel)
        return {"customer": outcome.value, "userErrors": _user_errors(outcome.errors)}

    return resolve


@_mutation("userErrors")
def _metafields_set(_: Any, info: Info, args: dict[str, Any]) -> dict[str, Any]:
    outcome = _ctx(info).ops.set_metafields(args["metafields"])
    return {"metafields": outcome.value, "userErrors": _user_errors(outcome.errors)}


@_mutation("userErrors")
def _metafields_delete(_: Any, info: Info, args: dict[str, Any]) -> dict[str, Any]:
    outcome = _ctx(info).ops.delete_metafields(args["metafields"])
    deleted = (
        [None if d is None else {"ownerId": d.owner_id, "namespace": d.namespace, "key": d.key} for d in outcome.value]
        if outcome.value is not None
        else None
    )
    return {"deletedMetafields": deleted, "userErrors": _user_errors(outcome.errors)}


_register(
    "Mutation",
    {
        "customerEmailMarketingConsentUpdate": _consent_update("email"),
        "customerSmsMarketingConsentUpdate": _consent_update("sms"),
        "metafieldsSet": _metafields_set,
        "metafieldsDelete": _metafields_delete,
    },
)

NODE_LOOKUPS["Metafield"] = lambda shop, n: shop.metafields.get(n)

# ------------------------------------------------------------------------------ owners


def _consent(consent: MarketingConsent, *, sms: bool) -> dict[str, Any]:
    level = consent.opt_in_level
    if sms and level is None:
        level = "UNKNOWN"  # non-null on the SMS type; ASSUMPTION: UNKNOWN until the customer opts in
    state: dict[str, Any] = {
        "marketingState": consent.state,
        "marketingOptInLevel": level,
        "consentUpdatedAt": consent.updated_at,
    }
    if sms:
        state["consentCollectedFrom"] = "OTHER" if consent.updated_at else None
    return state


def _owner_metafield(owner: Customer | Product, info: Info, args: dict[str, Any]) -> Metafield | None:
    return _ctx(info).ops.metafield(owner.gid, args.get("namespace") or APP_NAMESPACE, args["key"])


def _owner_metafields(owner: Customer | Product, info: Info, args: dict[str, Any]) -> dict[str, Any]:
    found = _ctx(info).ops.metafields_of(owner.gid, args.get("namespace"), args.get("keys"))
    return connection(found, args, info)


_OWNER_FIELDS = {"metafield": _owner_metafield, "metafields": _owner_metafields}

_register(
    "Customer",
    {
        "emailMarketingConsent": lambda c, _info, _args: _consent(c.email_consent, sms=False) if c.email else None,
        "smsMarketingConsent": lambda c, _info, _args: _consent(c.sms_consent, sms=True) if c.phone else None,
        **_OWNER_FIELDS,
    },
)
_register("Product", dict(_OWNER_FIELDS))


def _owner(metafield: Metafield, info: Info, _args: dict[str, Any]) -> Any:
    return _lookup_node(_ctx(info), metafield.owner_gid)


_register(
    "Metafield",
    {
        "owner": _owner,
        "ownerType": _plain(lambda m: m.owner_type),
        "jsonValue": _plain(lambda m: m.json_value),
        "compareDigest": _plain(lambda m: m.compare_digest),
        "definition": _plain(lambda _m: None),
        "reference": _plain(lambda _m: None),
        "references": _plain(lambda _m: None),
    },
)
