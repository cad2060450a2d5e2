"""Who and what exists in a simulated Content Server: users, OTDS tokens it accepts, category
definitions, workspace types with their templates, and the session idle timeout.

One `ContentServerConfig` is one tenant (one Content Server with its own node tree). Every tenant is
served under the same URL, as separate servers would be behind separate hosts; a session belongs to
the tenant whose user logged in, so user names must be unique across tenants.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

DEMO_EXTERNAL_SYSTEMS = ("shopify-demo", "bigcommerce-demo", "adobe-demo")  # one per demo store

AttributeType = Literal["string", "integer", "date", "boolean"]


class ContentServerUser(BaseModel):
    username: str
    password: SecretStr
    user_id: int = 1000
    display_name: str | None = None


class OTDSTokenGrant(BaseModel):
    """An OTDS access token the server accepts for `GET /api/v1/auth`, and the user it stands for."""

    token: SecretStr
    username: str


class AttributeDefinition(BaseModel):
    id: int = Field(ge=2)  # attribute id 1 is the category itself
    name: str
    type: AttributeType = "string"
    required: bool = False
    multi_value: bool = False
    # A text attribute with a valid-values list (a popup in the UI): other values are refused.
    valid_values: list[str] | None = None

    @model_validator(mode="after")
    def _valid_values_are_text(self) -> AttributeDefinition:
        if self.valid_values is not None and self.type != "string":
            raise ValueError(f"attribute {self.name!r}: valid values are for text attributes")
        return self


class CategoryDefinition(BaseModel):
    id: int
    name: str
    attributes: list[AttributeDefinition]

    def attribute(self, attribute_id: int) -> AttributeDefinition | None:
        return next((a for a in self.attributes if a.id == attribute_id), None)


class WorkspaceTemplate(BaseModel):
    id: int
    name: str
    # The folder structure a new workspace gets: `/`-separated paths, parents before children.
    folders: list[str] = Field(default_factory=list)
    # Categories every workspace from this template carries (values given at creation or empty).
    categories: list[int] = Field(default_factory=list)


class BusinessObjectType(BaseModel):
    """A business object type of an external system, as configured in Extended ECM (the connection
    `ext_system_id`, e.g. one commerce store, and the type's name there, e.g. `order`)."""

    model_config = ConfigDict(frozen=True)

    ext_system_id: str
    bo_type: str


class WorkspaceType(BaseModel):
    id: int
    name: str
    # The business object types this workspace type serves (one type may serve several, e.g. an
    # account workspace for both customers and companies, of every store).
    business_objects: list[BusinessObjectType] = Field(min_length=1)
    # Folder under the Enterprise Workspace where new workspaces of this type are created.
    location: str
    templates: list[WorkspaceTemplate]

    def serves(self, ext_system_id: str, bo_type: str) -> bool:
        return BusinessObjectType(ext_system_id=ext_system_id, bo_type=bo_type) in self.business_objects


class RMClassification(BaseModel):
    """A Records Management classification (a node of the Classifications volume) with the
    retention its records follow; only the id and name matter to the simulator."""

    id: int
    name: str


class ContentServerConfig(BaseModel):
    name: str
    users: list[ContentServerUser]
    otds_tokens: list[OTDSTokenGrant] = Field(default_factory=list)
    categories: list[CategoryDefinition] = Field(default_factory=list)
    workspace_types: list[WorkspaceType] = Field(default_factory=list)
    rm_classifications: list[RMClassification] = Field(default_factory=list)
    # Content Server ends a session after this much inactivity (server setting; ~30 min by default).
    ticket_idle_timeout_seconds: float = 1800.0
    # Node ids of run N start past those of earlier runs: Temporal may remember ids across restarts.
    generation: int = Field(default=0, ge=0)

    @model_validator(mode="after")
    def _references_resolve(self) -> ContentServerConfig:
        known_users = {u.username for u in self.users}
        for grant in self.otds_tokens:
            if grant.username not in known_users:
                raise ValueError(f"OTDS token for unknown user {grant.username!r}")
        category_ids = {c.id for c in self.categories}
        served = [bo for workspace_type in self.workspace_types for bo in workspace_type.business_objects]
        if len(set(served)) != len(served):
            raise ValueError("a business object type is served by one workspace type only")
        for workspace_type in self.workspace_types:
            for template in workspace_type.templates:
                missing = set(template.categories) - category_ids
                if missing:
                    raise ValueError(f"template {template.id} uses undefined categories {sorted(missing)}")
        return self

    def user(self, username: str) -> ContentServerUser | None:
        return next((u for u in self.users if u.username == username), None)

    def category(self, category_id: int) -> CategoryDefinition | None:
        return next((c for c in self.categories if c.id == category_id), None)

    def rm_classification(self, classification_id: int) -> RMClassification | None:
        return next((c for c in self.rm_classifications if c.id == classification_id), None)

    def knows_external_system(self, ext_system_id: str) -> bool:
        return any(bo.ext_system_id == ext_system_id for wt in self.workspace_types for bo in wt.business_objects)

    def workspace_type_for(self, ext_system_id: str, bo_type: str) -> WorkspaceType | None:
        return next((wt for wt in self.workspace_types if wt.serves(ext_system_id, bo_type)), None)

    def template(self, template_id: int) -> tuple[WorkspaceType, WorkspaceTemplate] | None:
        for workspace_type in self.workspace_types:
            for template in workspace_type.templates:
                if template.id == template_id:
                    return workspace_type, template
        return None

    @classmethod
    def demo(
        cls,
        username: str,
        password: SecretStr,
        otds_token: SecretStr | None = None,
        generation: int = 0,
        external_systems: Sequence[str] = DEMO_EXTERNAL_SYSTEMS,
    ) -> ContentServerConfig:
        """The local stack's Extended ECM: workspace types for orders, accounts, products, cases and
        suppliers of the stores known as `external_systems`, their categories, and retention
        classifications."""
        return cls(
            name="casebridge-ecm",
            generation=generation,
            users=[ContentServerUser(username=username, password=password, display_name="Casebridge")],
            otds_tokens=[OTDSTokenGrant(token=otds_token, username=username)] if otds_token else [],
            categories=_DEMO_CATEGORIES,
            workspace_types=_demo_workspace_types(tuple(external_systems)),
            rm_classifications=[
                RMClassification(id=41001, name="Orders - 10 years"),
                RMClassification(id=41002, name="Invoices and tax - 10 years"),
                RMClassification(id=41003, name="Correspondence - 6 years"),
                RMClassification(id=41004, name="Case records - 7 years"),
                RMClassification(id=41005, name="Product documentation - life of product + 10 years"),
            ],
        )


# -- the demo's definitions -----------------------------------------------------------------------


def _attribute(attribute_id: int, name: str, **options: object) -> AttributeDefinition:
    return AttributeDefinition.model_validate({"id": attribute_id, "name": name, **options})


_DEMO_CATEGORIES = [
    CategoryDefinition(
        id=30512,
        name="Order",
        attributes=[
            _attribute(2, "Order number", required=True),
            _attribute(3, "Customer"),
            _attribute(4, "Order date", type="date"),
            _attribute(5, "Total"),
            _attribute(6, "Reviewed", type="boolean"),
            _attribute(7, "Store"),
            _attribute(8, "Currency"),
        ],
    ),
    CategoryDefinition(
        id=30513,
        name="Account",
        attributes=[
            _attribute(2, "Account id", required=True),
            _attribute(3, "Store"),
            _attribute(4, "Company"),
            _attribute(5, "Account type"),
        ],
    ),
    CategoryDefinition(
        id=30514,
        name="Product",
        attributes=[
            _attribute(2, "Product id", required=True),
            _attribute(3, "SKU"),
            _attribute(4, "Store"),
            _attribute(5, "Title"),
        ],
    ),
    CategoryDefinition(
        id=30515,
        name="Case",
        attributes=[
            _attribute(2, "Case id", required=True),
            _attribute(3, "Case type"),
            _attribute(4, "Order number"),
            _attribute(5, "Store"),
            _attribute(6, "Status"),
        ],
    ),
    CategoryDefinition(
        id=30516,
        name="Supplier",
        attributes=[_attribute(2, "Supplier id", required=True), _attribute(3, "Name"), _attribute(4, "Country")],
    ),
    CategoryDefinition(
        id=30600,
        name="Case document",
        attributes=[
            _attribute(2, "Case id"),
            _attribute(3, "Document kind"),
            _attribute(4, "Document status", valid_values=["Draft", "Approved", "Withdrawn"]),
            _attribute(5, "Business key"),
            _attribute(6, "Content hash"),
        ],
    ),
]


def _demo_type(
    type_id: int,
    name: str,
    template: tuple[int, str],
    location: str,
    folders: list[str],
    category_id: int,
    bo_types: list[str],
    external_systems: tuple[str, ...],
) -> WorkspaceType:
    return WorkspaceType(
        id=type_id,
        name=name,
        business_objects=[
            BusinessObjectType(ext_system_id=system, bo_type=bo_type)
            for system in external_systems
            for bo_type in bo_types
        ],
        location=location,
        templates=[WorkspaceTemplate(id=template[0], name=template[1], folders=folders, categories=[category_id])],
    )


def _demo_workspace_types(systems: tuple[str, ...]) -> list[WorkspaceType]:
    return [
        _demo_type(
            17,
            "Order",
            (48211, "Order"),
            "Orders",
            ["Correspondence", "Invoices", "Shipping", "Exceptions", "Review", "Audit"],
            30512,
            ["order"],
            systems,
        ),
        _demo_type(
            18,
            "Account",
            (48221, "Customer account"),
            "Accounts",
            ["Agreements", "Onboarding", "Tax certificates", "Escalations", "Correspondence", "Audit"],
            30513,
            ["customer", "company"],
            systems,
        ),
        _demo_type(
            19,
            "Product",
            (48231, "Product"),
            "Products",
            ["Compliance", "Safety data sheets", "Warranty", "Declarations", "Test reports", "Collateral"],
            30514,
            ["product"],
            systems,
        ),
        _demo_type(
            20,
            "Case",
            (48241, "Case"),
            "Cases",
            ["Order documents", "Photos", "Inspection", "Correspondence", "Resolution", "Audit"],
            30515,
            ["return", "warranty", "service_case"],
            systems,
        ),
        _demo_type(
            21,
            "Supplier",
            (48251, "Supplier"),
            "Suppliers",
            ["Agreements", "Specifications", "Lead times", "Quality"],
            30516,
            ["supplier"],
            systems,
        ),
    ]
