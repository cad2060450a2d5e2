"""Shared plumbing of the typed Shopify operations: one mutation call with its `userErrors` check."""

from __future__ import annotations

from typing import Any

from connectors.errors import ContractError
from connectors.shopify.client import SYSTEM, ShopifyClient, raise_for_user_errors


class AdminBase:
    """What every operations mixin of `ShopifyAdmin` builds on: the shop's client."""

    client: ShopifyClient

    async def _mutate(
        self, document: str, variables: dict[str, Any], *, operation: str, errors_key: str = "userErrors"
    ) -> dict[str, Any]:
        """Run a mutation; its `userErrors` become `RejectedError` (NotFound/Conflict by code)."""
        data = await self.client.execute(document, variables, operation=operation)
        payload = data.get(operation)
        if not isinstance(payload, dict):
            raise ContractError(f"{operation} payload missing", system=SYSTEM, operation=operation)
        raise_for_user_errors(payload, errors_key, operation, classify=True)
        return payload

    @staticmethod
    def _required(payload: dict[str, Any], key: str, operation: str) -> Any:
        """A result the mutation must return when it reported no user errors."""
        value = payload.get(key)
        if value is None:
            raise ContractError(f"{key} missing from the {operation} reply", system=SYSTEM, operation=operation)
        return value
