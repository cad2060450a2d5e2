"""Customer marketing consent and metafields (on customers and products).

`customerEmailMarketingConsentUpdate` / `customerSmsMarketingConsentUpdate` set one channel's consent
state; `metafieldsSet` upserts typed values by (owner, namespace, key), atomically and at most 25 at
a time; `metafieldsDelete` removes them. Rules from the 2025-01 schema descriptions are quoted in
`metafield_types`; the refusals' exact wording and codes are ASSUMPTIONs where the schema only lists
the codes. Customers are seeded by the sandbox admin route (or created by orders and companies).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sandbox.shopify import metafield_types as types
from sandbox.shopify.ops_base import EMAIL_PATTERN, OperationsBase, Outcome, normalize_tags, safe_gid
from sandbox.shopify.state import Customer, MarketingConsent, UserError, utcnow
from sandbox.shopify.state_records import OWNER_TYPES, Metafield, MetafieldsSetError

# Set by Shopify itself (erasure, bounces), never accepted as input. ASSUMPTION: refused as INCLUSION.
_READ_ONLY_STATES = {"REDACTED", "INVALID"}
# Without an explicit namespace a metafield goes to the app-reserved one (`$app` → `app--{app id}`).
APP_NAMESPACE = "app--1"


@dataclass
class DeletedMetafield:
    owner_id: str
    namespace: str
    key: str


class CustomerRecords(OperationsBase):
    def customer_by_gid(self, value: str) -> Customer | None:
        parsed = safe_gid(value)
        number = parsed.is_a("Customer") if parsed else None
        return self.shop.customers.get(number) if number is not None else None

    def seed_customer(self, data: dict[str, Any]) -> Customer:
        """A customer as the merchant would have made it (snake_case sandbox input)."""
        customer = Customer(
            id=self.shop.next_id("Customer"),
            email=data.get("email"),
            first_name=data.get("first_name"),
            last_name=data.get("last_name"),
            phone=data.get("phone"),
            tags=normalize_tags(list(data.get("tags") or [])),
        )
        now = utcnow()
        for channel in ("email", "sms"):
            state = data.get(f"{channel}_marketing_state")
            if state:
                setattr(
                    customer, f"{channel}_consent", MarketingConsent(state, data.get(f"{channel}_opt_in_level"), now)
                )
        self.shop.customers[customer.id] = customer
        return customer

    # ---------------------------------------------------------------- consent

    def update_marketing_consent(self, data: dict[str, Any], *, channel: str) -> Outcome[Customer]:
        """`customerEmailMarketingConsentUpdate` (channel "email") or `customerSmsMarketingConsentUpdate` ("sms")."""
        consent_key = "emailMarketingConsent" if channel == "email" else "smsMarketingConsent"
        customer = self.customer_by_gid(data["customerId"])
        if customer is None:
            return Outcome(errors=[UserError("Customer not found", ["input", "customerId"], "INVALID")])
        consent = data[consent_key]
        errors: list[UserError] = []
        # The schema: the customer must have a unique email address (email) / phone number (SMS).
        contact = customer.email if channel == "email" else customer.phone
        if not contact:
            what = "an email address" if channel == "email" else "a phone number"
            errors.append(UserError(f"Customer must have {what}", ["input", "customerId"], "INVALID"))
        elif channel == "email" and not EMAIL_PATTERN.match(contact):
            errors.append(UserError("Email is invalid", ["input", "customerId"], "INVALID"))
        state = consent["marketingState"]
        if state in _READ_ONLY_STATES:
            errors.append(
                UserError(
                    f"Marketing state {state} can't be set", ["input", consent_key, "marketingState"], "INCLUSION"
                )
            )
        when: datetime | None = consent.get("consentUpdatedAt")
        now = utcnow()
        if when is not None and when > now:  # ASSUMPTION: a future consent date is refused
            errors.append(
                UserError(
                    "Consent updated at can't be in the future", ["input", consent_key, "consentUpdatedAt"], "INVALID"
                )
            )
        if errors:
            return Outcome(errors=errors)
        previous: MarketingConsent = getattr(customer, f"{channel}_consent")
        # ASSUMPTION: without a level Shopify keeps the previous one, else records SINGLE_OPT_IN.
        level = consent.get("marketingOptInLevel") or previous.opt_in_level or "SINGLE_OPT_IN"
        setattr(customer, f"{channel}_consent", MarketingConsent(state, level, when or now))
        customer.updated_at = now
        return Outcome(customer)

    # ---------------------------------------------------------------- metafields

    def owner_exists(self, owner_gid: str) -> bool:
        parsed = safe_gid(owner_gid)
        if parsed is None or parsed.type_name not in OWNER_TYPES or parsed.numeric is None:
            return False
        table = self.shop.customers if parsed.type_name == "Customer" else self.shop.products
        return parsed.numeric in table

    def metafield(self, owner_gid: str, namespace: str, key: str) -> Metafield | None:
        return next(
            (
                m
                for m in self.shop.metafields.values()
                if (m.owner_gid, m.namespace, m.key) == (owner_gid, namespace, key)
            ),
            None,
        )

    def metafields_of(
        self, owner_gid: str, namespace: str | None = None, keys: list[str] | None = None
    ) -> list[Metafield]:
        """An owner's metafields; `keys` are `namespace.key` strings, as the schema's `keys` argument."""
        found = [m for m in self.shop.metafields.values() if m.owner_gid == owner_gid]
        if namespace is not None:
            found = [m for m in found if m.namespace == namespace]
        if keys is not None:
            found = [m for m in found if f"{m.namespace}.{m.key}" in keys]
        return found

    def set_metafields(self, inputs: list[dict[str, Any]]) -> Outcome[list[Metafield]]:
        """`metafieldsSet`: all or nothing."""
        if len(inputs) > types.MAX_METAFIELDS_PER_CALL:
            message = f"Exceeded the maximum metafields input limit of {types.MAX_METAFIELDS_PER_CALL}."
            return Outcome(errors=[UserError(message, ["metafields"], "LESS_THAN_OR_EQUAL_TO")])
        errors: list[UserError] = []
        planned: list[tuple[Metafield | None, dict[str, Any]]] = []
        seen: set[tuple[str, str, str]] = set()
        for index, raw in enumerate(inputs):
            found = self._check_metafield(raw, index, seen)
            if isinstance(found, list):
                errors += found
            else:
                planned.append(found)
        if errors:
            return Outcome(errors=errors)
        now = utcnow()
        written: list[Metafield] = []
        for existing, fields in planned:
            if existing is None:
                existing = Metafield(self.shop.next_id("Metafield"), created_at=now, updated_at=now, **fields)
                self.shop.metafields[existing.id] = existing
            elif existing.value != fields["value"]:
                existing.value, existing.updated_at = fields["value"], now
            written.append(existing)
        return Outcome(written)

    def _check_metafield(
        self, raw: dict[str, Any], index: int, seen: set[tuple[str, str, str]]
    ) -> tuple[Metafield | None, dict[str, Any]] | list[UserError]:
        path = ["metafields", str(index)]

        def error(message: str, field: str, code: str) -> UserError:
            return MetafieldsSetError(message, [*path, field], code, element_index=index)

        owner, key, value = str(raw["ownerId"]), str(raw["key"]), str(raw["value"])
        namespace = raw.get("namespace") or APP_NAMESPACE
        if not self.owner_exists(owner):
            return [error("Owner subject does not exist.", "ownerId", "INVALID_VALUE")]
        errors = [
            error(problem[1], field, problem[0])
            for field, problem in (
                ("namespace", types.identifier_problem(namespace, types.NAMESPACE_LENGTH, "Namespace")),
                ("key", types.identifier_problem(key, types.KEY_LENGTH, "Key")),
            )
            if problem is not None
        ]
        if errors:
            return errors
        if (owner, namespace, key) in seen:
            return [error("The same metafield is set more than once in this request.", "key", "TAKEN")]
        seen.add((owner, namespace, key))
        existing = self.metafield(owner, namespace, key)
        type_name = raw.get("type") or (existing.type if existing else None)
        if not type_name:
            return [error("Type can't be blank", "type", "BLANK")]
        if type_name not in types.SIMULATED_TYPES:
            return [error(f"Type '{type_name}' is not a valid metafield type.", "type", "INVALID_TYPE")]
        if existing is not None and existing.type != type_name:
            message = f"Type '{type_name}' must be consistent with the existing metafield type '{existing.type}'."
            return [error(message, "type", "INVALID_TYPE")]
        if "compareDigest" in raw:
            current = existing.compare_digest if existing else None
            if raw["compareDigest"] != current:
                message = "The resource has been updated since it was loaded; read it again for a current digest."
                return [error(message, "compareDigest", "INVALID_COMPARE_DIGEST")]
        problem = types.value_problem(type_name, value)
        if problem is not None:
            return [error(problem[1], "value", problem[0])]
        return existing, {"owner_gid": owner, "namespace": namespace, "key": key, "type": type_name, "value": value}

    def delete_metafields(self, identifiers: list[dict[str, Any]]) -> Outcome[list[DeletedMetafield | None]]:
        """`metafieldsDelete`: each identifier answers with itself, or null when there was no such metafield."""
        errors = [
            UserError("Owner subject does not exist.", ["metafields", str(i), "ownerId"])
            for i, raw in enumerate(identifiers)
            if not self.owner_exists(str(raw["ownerId"]))
        ]
        if errors:
            return Outcome(errors=errors)
        deleted: list[DeletedMetafield | None] = []
        for raw in identifiers:
            found = self.metafield(str(raw["ownerId"]), str(raw["namespace"]), str(raw["key"]))
            if found is None:
                deleted.append(None)
                continue
            del self.shop.metafields[found.id]
            deleted.append(DeletedMetafield(found.owner_gid, found.namespace, found.key))
        return Outcome(deleted)
