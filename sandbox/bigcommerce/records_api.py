"""Customer attributes, attribute values, storefront consent (customers.v3.yml) and product custom
fields (products_catalog.v3.yml).

Rules from the specs' descriptions: at most 50 attribute definitions per store; an attribute's type
(string, number, date) is fixed once created, and deleting it deletes its values; attribute values
are upserted per (customer, attribute), at most 10 customers per call, up to 255 characters (schema);
custom fields are 1-250 characters each (schema), at most 200 per product, and every name-value
pair is unique within a product. The bodies' shapes are checked against the spec before a handler
runs (`BigCommerceSimulator.admit`). ASSUMPTION: the refusals' wording and status (422, as the specs
list for invalid data) and that a value must parse as its attribute's type (a number; an ISO 8601
date) - BigCommerce documents the types, not how it checks them. Attribute names are unique per
store (ASSUMPTION: a duplicate name is refused with 422).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from sandbox.bigcommerce.errors import StoreError, invalid, not_found
from sandbox.bigcommerce.http_support import context_of
from sandbox.bigcommerce.orders import Event
from sandbox.bigcommerce.rendering import v3_date
from sandbox.bigcommerce.rest_api import runtime_of
from sandbox.bigcommerce.state_records import (
    AttributeValueState,
    ConsentState,
    CustomerAttributeState,
    CustomFieldState,
    StoreRecords,
    now,
)
from sandbox.bigcommerce.store_api import collection, csv_ints

if TYPE_CHECKING:
    from sandbox.bigcommerce.simulator import BigCommerceSimulator

V3 = "/stores/{store_hash}/v3"
MAX_ATTRIBUTES = 50
MAX_CUSTOMERS_PER_VALUES_CALL = 10
MAX_CUSTOM_FIELDS = 200
CONSENT_CATEGORIES = ("essential", "functional", "analytics", "targeting")
_ATTRIBUTE_FILTERS = frozenset({"name", "name:like", "type", "page", "limit"})
_VALUE_FILTERS = frozenset({"customer_id:in", "attribute_id:in", "name", "page", "limit"})


def attribute_json(attribute: CustomerAttributeState) -> dict[str, Any]:
    return {
        "id": attribute.id,
        "name": attribute.name,
        "type": attribute.type,
        "date_created": v3_date(attribute.date_created),
        "date_modified": v3_date(attribute.date_modified),
    }


def value_json(value: AttributeValueState) -> dict[str, Any]:
    return {
        "id": value.id,
        "attribute_id": value.attribute_id,
        "customer_id": value.customer_id,
        "attribute_value": value.value,
        "date_created": v3_date(value.date_created),
        "date_modified": v3_date(value.date_modified),
    }


def custom_field_json(custom_field: CustomFieldState) -> dict[str, Any]:
    return {"id": custom_field.id, "name": custom_field.name, "value": custom_field.value}


def _unsimulated(request: Request, allowed: frozenset[str]) -> None:
    extra = sorted(set(request.query_params) - allowed)
    if extra:
        raise StoreError(400, f"sandbox: filters {', '.join(extra)} are not simulated.")


def _value_fits(kind: str, value: str) -> bool:
    if kind == "number":
        try:
            float(value)
        except ValueError:
            return False
        return True
    if kind == "date":
        for parse in (date.fromisoformat, lambda v: datetime.fromisoformat(v.replace("Z", "+00:00"))):
            try:
                parse(value)
            except ValueError:
                continue
            return True
        return False
    return True


def _records(request: Request) -> StoreRecords:
    records: StoreRecords = runtime_of(request).state.records
    return records


def add_routes(router: APIRouter, sim: BigCommerceSimulator) -> None:
    # -- attribute definitions ----------------------------------------------------------------------

    @router.get(V3 + "/customers/attributes", tags=["bigcommerce v3"])
    async def list_attributes(request: Request) -> JSONResponse:
        _unsimulated(request, _ATTRIBUTE_FILTERS)
        params = request.query_params
        found = [
            a
            for a in sorted(_records(request).attributes.values(), key=lambda a: a.id)
            if ("name" not in params or a.name == params["name"])
            and ("name:like" not in params or params["name:like"].lower() in a.name.lower())
            and ("type" not in params or a.type == params["type"])
        ]
        return collection(request, [attribute_json(a) for a in found])

    @router.post(V3 + "/customers/attributes", tags=["bigcommerce v3"])
    async def create_attributes(request: Request) -> JSONResponse:
        records = _records(request)
        wanted: list[dict[str, Any]] = context_of(request).json()
        names = [str(w["name"]) for w in wanted]
        taken = {a.name for a in records.attributes.values()}
        for name in names:
            if name in taken or names.count(name) > 1:
                raise invalid(f"An attribute named '{name}' already exists.", "name")
        if len(records.attributes) + len(wanted) > MAX_ATTRIBUTES:
            raise invalid(f"A store cannot have more than {MAX_ATTRIBUTES} customer attributes.", "name")
        state = runtime_of(request).state
        created = []
        for item in wanted:
            attribute = CustomerAttributeState(state.next_id("customer_attribute", 1), item["name"], item["type"])
            records.attributes[attribute.id] = attribute
            created.append(attribute_json(attribute))
        return JSONResponse({"data": created, "meta": {}})

    @router.delete(V3 + "/customers/attributes", tags=["bigcommerce v3"])
    async def delete_attributes(request: Request) -> Response:
        records = _records(request)
        for attribute_id in csv_ints(request, "id:in") or set():
            if records.attributes.pop(attribute_id, None) is not None:
                for value in [v for v in records.attribute_values.values() if v.attribute_id == attribute_id]:
                    del records.attribute_values[value.id]
        return Response(status_code=204)

    # -- attribute values ---------------------------------------------------------------------------

    @router.get(V3 + "/customers/attribute-values", tags=["bigcommerce v3"])
    async def list_values(request: Request) -> JSONResponse:
        _unsimulated(request, _VALUE_FILTERS)
        records = _records(request)
        customers = csv_ints(request, "customer_id:in")
        attributes = csv_ints(request, "attribute_id:in")
        name = request.query_params.get("name")
        found = [
            v
            for v in sorted(records.attribute_values.values(), key=lambda v: v.id)
            if (customers is None or v.customer_id in customers)
            and (attributes is None or v.attribute_id in attributes)
            and (name is None or records.attributes[v.attribute_id].name == name)
        ]
        return collection(request, [value_json(v) for v in found])

    @router.put(V3 + "/customers/attribute-values", tags=["bigcommerce v3"])
    async def upsert_values(request: Request) -> JSONResponse:
        runtime = runtime_of(request)
        state, records = runtime.state, runtime.state.records
        items: list[dict[str, Any]] = context_of(request).json()
        customers = {int(i["customer_id"]) for i in items}
        if len(customers) > MAX_CUSTOMERS_PER_VALUES_CALL:
            message = (
                f"Attribute values can be upserted for at most {MAX_CUSTOMERS_PER_VALUES_CALL} customers per call."
            )
            raise invalid(message, "customer_id")
        for item in items:  # all-or-nothing: check every item before changing any
            if item["customer_id"] not in state.customers:
                raise invalid(f"Customer {item['customer_id']} does not exist.", "customer_id")
            attribute = records.attributes.get(item["attribute_id"])
            if attribute is None:
                raise invalid(f"Attribute {item['attribute_id']} does not exist.", "attribute_id")
            if not _value_fits(attribute.type, item["value"]):
                raise invalid(f"The value for attribute {attribute.id} must be a {attribute.type}.", "value")
        written = []
        stamp = now()
        for item in items:
            existing = next(
                (v for v in records.values_of(item["customer_id"]) if v.attribute_id == item["attribute_id"]),
                None,
            )
            if existing is None:
                existing = AttributeValueState(
                    state.next_id("attribute_value", 1), item["attribute_id"], item["customer_id"], item["value"]
                )
                records.attribute_values[existing.id] = existing
            elif existing.value != item["value"]:
                existing.value, existing.date_modified = item["value"], stamp
            written.append(existing)
        events = [Event("store/customer/updated", {"type": "customer", "id": c}) for c in sorted(customers)]
        sim.emit(runtime, events)
        return collection(request, [value_json(v) for v in written])

    @router.delete(V3 + "/customers/attribute-values", tags=["bigcommerce v3"])
    async def delete_values(request: Request) -> Response:
        records = _records(request)
        for value_id in csv_ints(request, "id:in") or set():
            records.attribute_values.pop(value_id, None)
        return Response(status_code=204)

    # -- storefront consent (cookies and scripts, not marketing) ------------------------------------

    def customer_id_of(request: Request, customer_id: int) -> int:
        if customer_id not in runtime_of(request).state.customers:
            raise not_found("customer", customer_id)
        return customer_id

    def consent_json(consent: ConsentState) -> dict[str, Any]:
        # The spec: `updated_at` is the time of the call, not of the last change.
        return {"allow": consent.allow, "deny": consent.deny, "updated_at": v3_date(now())}

    @router.get(V3 + "/customers/{customerId}/consent", tags=["bigcommerce v3"])
    async def get_consent(request: Request, customerId: int) -> JSONResponse:
        consent = _records(request).consents.get(customer_id_of(request, customerId), ConsentState())
        return JSONResponse(consent_json(consent))

    @router.put(V3 + "/customers/{customerId}/consent", tags=["bigcommerce v3"])
    async def put_consent(request: Request, customerId: int) -> JSONResponse:
        customer_id = customer_id_of(request, customerId)
        body: dict[str, Any] = context_of(request).json() or {}
        allow, deny = list(body.get("allow") or []), list(body.get("deny") or [])
        if set(allow) & set(deny):
            raise invalid("A consent category cannot be both allowed and denied.", "allow")
        if "essential" in deny:  # ASSUMPTION: essential cookies cannot be refused
            raise invalid("Essential consent cannot be denied.", "deny")
        consent = ConsentState(
            allow=sorted({"essential", *allow}, key=CONSENT_CATEGORIES.index),
            deny=sorted(set(deny), key=CONSENT_CATEGORIES.index),
        )
        _records(request).consents[customer_id] = consent
        return JSONResponse(consent_json(consent))

    # -- product custom fields ----------------------------------------------------------------------

    def product_id_of(request: Request, product_id: int) -> int:
        if product_id not in runtime_of(request).state.products:
            raise not_found("product", product_id)
        return product_id

    def custom_field_of(request: Request, product_id: int, custom_field_id: int) -> CustomFieldState:
        found = _records(request).custom_fields.get(custom_field_id)
        if found is None or found.product_id != product_id_of(request, product_id):
            raise not_found("custom field", custom_field_id)
        return found

    def check_pair(request: Request, product_id: int, name: str, value: str, ignore: int | None = None) -> None:
        for other in _records(request).custom_fields_of(product_id):
            if other.id != ignore and (other.name, other.value) == (name, value):
                raise invalid("The name-value pair must be unique within the product.", "name")

    def product_changed(request: Request, product_id: int) -> None:
        runtime = runtime_of(request)
        runtime.state.products[product_id].date_modified = now()
        sim.emit(runtime, [Event("store/product/updated", {"type": "product", "id": product_id})])

    @router.get(V3 + "/catalog/products/{product_id}/custom-fields", tags=["bigcommerce v3"])
    async def list_custom_fields(request: Request, product_id: int) -> JSONResponse:
        _unsimulated(request, frozenset({"page", "limit"}))
        found = _records(request).custom_fields_of(product_id_of(request, product_id))
        return collection(request, [custom_field_json(f) for f in found])

    @router.post(V3 + "/catalog/products/{product_id}/custom-fields", tags=["bigcommerce v3"])
    async def create_custom_field(request: Request, product_id: int) -> JSONResponse:
        records = _records(request)
        body: dict[str, Any] = context_of(request).json()
        product_id = product_id_of(request, product_id)
        if len(records.custom_fields_of(product_id)) >= MAX_CUSTOM_FIELDS:
            raise invalid(f"A product cannot have more than {MAX_CUSTOM_FIELDS} custom fields.", "name")
        check_pair(request, product_id, body["name"], body["value"])
        created = CustomFieldState(
            runtime_of(request).state.next_id("custom_field", 1), product_id, body["name"], body["value"]
        )
        records.custom_fields[created.id] = created
        product_changed(request, product_id)
        return JSONResponse({"data": custom_field_json(created), "meta": {}})

    @router.get(V3 + "/catalog/products/{product_id}/custom-fields/{custom_field_id}", tags=["bigcommerce v3"])
    async def get_custom_field(request: Request, product_id: int, custom_field_id: int) -> JSONResponse:
        found = custom_field_of(request, product_id, custom_field_id)
        return JSONResponse({"data": custom_field_json(found), "meta": {}})

    @router.put(V3 + "/catalog/products/{product_id}/custom-fields/{custom_field_id}", tags=["bigcommerce v3"])
    async def update_custom_field(request: Request, product_id: int, custom_field_id: int) -> JSONResponse:
        found = custom_field_of(request, product_id, custom_field_id)
        body: dict[str, Any] = context_of(request).json()
        name, value = body.get("name", found.name), body.get("value", found.value)
        check_pair(request, product_id, name, value, ignore=found.id)
        if (name, value) != (found.name, found.value):
            found.name, found.value = name, value
            product_changed(request, product_id)
        return JSONResponse({"data": custom_field_json(found), "meta": {}})

    @router.delete(V3 + "/catalog/products/{product_id}/custom-fields/{custom_field_id}", tags=["bigcommerce v3"])
    async def delete_custom_field(request: Request, product_id: int, custom_field_id: int) -> Response:
        found = custom_field_of(request, product_id, custom_field_id)
        del _records(request).custom_fields[found.id]
        product_changed(request, product_id)
        return Response(status_code=204)
