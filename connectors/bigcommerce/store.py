"""Customers (v3), customer groups (v2), catalog products and brands, price lists (v3) and webhooks (v3)."""

from __future__ import annotations

from connectors.bigcommerce.contract import SYSTEM
from connectors.bigcommerce.http import Params
from connectors.bigcommerce.models import (
    Availability,
    Brand,
    Customer,
    CustomerGroup,
    CustomerGroupUpdate,
    CustomerUpdate,
    Hook,
    NewCustomerGroup,
    NewPriceListAssignment,
    PriceList,
    PriceListAssignment,
    PriceRecord,
    PriceRecordUpsert,
    Product,
    ProductUpdate,
)
from connectors.bigcommerce.rest import RestBase, parse, parse_list, segment
from connectors.errors import ContractError, NotFoundError


def _csv(values: list[int] | list[str]) -> str:
    """v3 `:in` filters take one comma-separated value (`style: form, explode: false`)."""
    return ",".join(str(v) for v in values)


class CustomersApi(RestBase):
    async def find_customers(
        self,
        *,
        ids: list[int] | None = None,
        emails: list[str] | None = None,
        customer_group_ids: list[int] | None = None,
    ) -> list[Customer]:
        params: dict[str, str] = {}
        if ids:
            params["id:in"] = _csv(ids)
        if emails:
            params["email:in"] = _csv(emails)
        if customer_group_ids:
            params["customer_group_id:in"] = _csv(customer_group_ids)
        return await self._v3_list("find_customers", "/customers", Customer, params)

    async def get_customer(self, customer_id: int) -> Customer:
        found = [c for c in await self.find_customers(ids=[customer_id]) if c.id == customer_id]
        if not found:
            raise NotFoundError(f"customer {customer_id} not found", system=SYSTEM, operation="get_customer")
        return found[0]

    async def update_customers(self, updates: list[CustomerUpdate]) -> list[Customer]:
        """Batch `PUT /v3/customers`; only the fields given change. Idempotent."""
        data = await self._v3_data("update_customers", "PUT", "/customers", json=[u.wire() for u in updates])
        return parse_list(Customer, data, "update_customers")

    async def set_customer_group(self, customer_id: int, customer_group_id: int) -> Customer:
        (customer,) = await self.update_customers([CustomerUpdate(id=customer_id, customer_group_id=customer_group_id)])
        return customer

    # -- customer groups (v2) -------------------------------------------------------------------

    async def list_customer_groups(self, *, name: str | None = None) -> list[CustomerGroup]:
        params: Params = {"name": name} if name is not None else {}
        return await self._v2_list("list_customer_groups", "/customer_groups", CustomerGroup, params)

    async def get_customer_group(self, customer_group_id: int) -> CustomerGroup:
        body = await self._v2_call("get_customer_group", "GET", f"/customer_groups/{segment(customer_group_id)}")
        return parse(CustomerGroup, body, "get_customer_group")

    async def create_customer_group(self, group: NewCustomerGroup) -> CustomerGroup:
        """Names are unique per store: a retry after a lost answer gets a 409 (`ConflictError`);
        look the name up with `list_customer_groups(name=...)` first when that matters."""
        body = await self._v2_call("create_customer_group", "POST", "/customer_groups", json=group.wire())
        return parse(CustomerGroup, body, "create_customer_group")

    async def update_customer_group(self, customer_group_id: int, update: CustomerGroupUpdate) -> CustomerGroup:
        body = await self._v2_call(
            "update_customer_group", "PUT", f"/customer_groups/{segment(customer_group_id)}", json=update.wire()
        )
        return parse(CustomerGroup, body, "update_customer_group")


class CatalogApi(RestBase):
    async def get_product(self, product_id: int) -> Product:
        data = await self._v3_data("get_product", "GET", f"/catalog/products/{segment(product_id)}")
        return parse(Product, data, "get_product")

    async def get_brand(self, brand_id: int) -> Brand:
        data = await self._v3_data("get_brand", "GET", f"/catalog/brands/{segment(brand_id)}")
        return parse(Brand, data, "get_brand")

    async def find_product_by_sku(self, sku: str) -> Product | None:
        """The catalog product whose main SKU is `sku` (`GET /v3/catalog/products?sku=`), or None.
        A variant's own SKU is not matched: that is `/v3/catalog/variants`."""
        found = await self._v3_list(
            "find_product_by_sku", "/catalog/products", Product, {"sku": sku}, keep=lambda p: p.sku == sku
        )
        return found[0] if found else None

    async def update_product(self, product_id: int, update: ProductUpdate) -> Product:
        body = update.wire()
        if not body:
            raise ValueError("update_product needs at least one field to change")
        data = await self._v3_data("update_product", "PUT", f"/catalog/products/{segment(product_id)}", json=body)
        return parse(Product, data, "update_product")

    async def set_product_visibility(self, product_id: int, visible: bool) -> Product:
        return await self.update_product(product_id, ProductUpdate(is_visible=visible))

    async def set_product_availability(
        self, product_id: int, availability: Availability, description: str | None = None
    ) -> Product:
        update = ProductUpdate(availability=availability, availability_description=description)
        return await self.update_product(product_id, update)


class PriceListsApi(RestBase):
    async def create_price_list(self, name: str, *, active: bool = True) -> PriceList:
        data = await self._v3_data("create_price_list", "POST", "/pricelists", json={"name": name, "active": active})
        return parse(PriceList, data, "create_price_list")

    async def get_price_list(self, price_list_id: int) -> PriceList:
        data = await self._v3_data("get_price_list", "GET", f"/pricelists/{segment(price_list_id)}")
        return parse(PriceList, data, "get_price_list")

    async def list_price_lists(self, *, name: str | None = None) -> list[PriceList]:
        params: Params = {"name": name} if name is not None else {}
        return await self._v3_list("list_price_lists", "/pricelists", PriceList, params)

    async def upsert_price_records(self, price_list_id: int, records: list[PriceRecordUpsert]) -> None:
        """Batch upsert (create or replace per variant + currency): idempotent."""
        await self._v3_data(
            "upsert_price_records",
            "PUT",
            f"/pricelists/{segment(price_list_id)}/records",
            json=[record.wire() for record in records],
        )

    async def list_price_records(
        self, price_list_id: int, *, currency: str | None = None, variant_ids: list[int] | None = None
    ) -> list[PriceRecord]:
        params: dict[str, str] = {}
        if currency is not None:
            params["currency"] = currency
        if variant_ids:
            params["variant_id:in"] = _csv(variant_ids)
        return await self._v3_list(
            "list_price_records", f"/pricelists/{segment(price_list_id)}/records", PriceRecord, params
        )

    async def assign_price_list(self, assignments: list[NewPriceListAssignment]) -> None:
        """`POST /v3/pricelists/assignments` (batch). An assignment that exists already is refused
        with 422 by BigCommerce, so check `list_price_list_assignments` first on a retry."""
        await self._v3_data(
            "assign_price_list", "POST", "/pricelists/assignments", json=[a.wire() for a in assignments]
        )

    async def list_price_list_assignments(
        self, *, price_list_id: int | None = None, customer_group_id: int | None = None
    ) -> list[PriceListAssignment]:
        params: dict[str, int] = {}
        if price_list_id is not None:
            params["price_list_id"] = price_list_id
        if customer_group_id is not None:
            params["customer_group_id"] = customer_group_id
        return await self._v3_list(
            "list_price_list_assignments", "/pricelists/assignments", PriceListAssignment, params
        )


class HooksApi(RestBase):
    async def create_hook(
        self, scope: str, destination: str, *, headers: dict[str, str] | None = None, is_active: bool = True
    ) -> Hook:
        body: dict[str, object] = {"scope": scope, "destination": destination, "is_active": is_active}
        if headers:
            body["headers"] = headers
        data = await self._v3_data("create_hook", "POST", "/hooks", json=body)
        return parse(Hook, data, "create_hook")

    async def list_hooks(self, *, scope: str | None = None) -> list[Hook]:
        params: Params = {"scope": scope} if scope is not None else {}
        return await self._v3_list("list_hooks", "/hooks", Hook, params)

    async def ensure_hook(self, scope: str, destination: str, *, headers: dict[str, str] | None = None) -> Hook:
        """Create the hook unless an active one with the same scope and destination exists."""
        for hook in await self.list_hooks(scope=scope):
            if hook.scope == scope and hook.destination == destination and hook.is_active:
                return hook
        return await self.create_hook(scope, destination, headers=headers)

    async def set_hook_active(self, hook_id: int, active: bool = True) -> Hook:
        """Switch a hook on (BigCommerce deactivates one whose deliveries keep failing) or off."""
        data = await self._v3_data("update_hook", "PUT", f"/hooks/{segment(hook_id)}", json={"is_active": active})
        return parse(Hook, data, "update_hook")

    async def delete_hook(self, hook_id: int) -> Hook:
        data = await self._v3_data("delete_hook", "DELETE", f"/hooks/{segment(hook_id)}")
        if data is None:
            raise ContractError("delete answered without the hook", system=SYSTEM, operation="delete_hook")
        return parse(Hook, data, "delete_hook")
