"""Who and what exists in a simulated Content Server: users, OTDS tokens it accepts, category
definitions, workspace types with their templates, and the session idle timeout.

One `ContentServerConfig` is one tenant (one Content Server with its own node tree). Every tenant is
served under the same URL, as separate servers would be behind separate hosts; a session belongs to
the tenant whose user logged in, so user names must be unique across tenants.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, SecretStr, model_validator

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


class WorkspaceType(BaseModel):
    id: int
    name: str
    # The business object type this workspace type serves.
    ext_system_id: str
    bo_type: str
    # Folder under the Enterprise Workspace where new workspaces of this type are created.
    location: str
    templates: list[WorkspaceTemplate]


class ContentServerConfig(BaseModel):
    name: str
    users: list[ContentServerUser]
    otds_tokens: list[OTDSTokenGrant] = Field(default_factory=list)
    categories: list[CategoryDefinition] = Field(default_factory=list)
    workspace_types: list[WorkspaceType] = Field(default_factory=list)
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

    def template(self, template_id: int) -> tuple[WorkspaceType, WorkspaceTemplate] | None:
        for workspace_type in self.workspace_types:
            for template in workspace_type.templates:
                if template.id == template_id:
                    return workspace_type, template
        return None

    @classmethod
    def demo(
        cls, username: str, password: SecretStr, otds_token: SecretStr | None = None, generation: int = 0
    ) -> ContentServerConfig:
        """The local stack's Extended ECM: one "Order" workspace type for Shopify orders."""
        return cls(
            name="casebridge-ecm",
            generation=generation,
            users=[ContentServerUser(username=username, password=password, display_name="Casebridge")],
            otds_tokens=[OTDSTokenGrant(token=otds_token, username=username)] if otds_token else [],
            categories=[
                CategoryDefinition(
                    id=30512,
                    name="Order",
                    attributes=[
                        AttributeDefinition(id=2, name="Order number", required=True),
                        AttributeDefinition(id=3, name="Customer"),
                        AttributeDefinition(id=4, name="Order date", type="date"),
                        AttributeDefinition(id=5, name="Total", type="string"),
                        AttributeDefinition(id=6, name="Reviewed", type="boolean"),
                    ],
                ),
                CategoryDefinition(
                    id=30600,
                    name="Case document",
                    attributes=[
                        AttributeDefinition(id=2, name="Case id"),
                        AttributeDefinition(id=3, name="Document kind"),
                    ],
                ),
            ],
            workspace_types=[
                WorkspaceType(
                    id=17,
                    name="Order",
                    ext_system_id="shopify",
                    bo_type="order",
                    location="Orders",
                    templates=[
                        WorkspaceTemplate(
                            id=48211,
                            name="Order review",
                            folders=["Correspondence", "Invoices", "Review"],
                            categories=[30512],
                        )
                    ],
                )
            ],
        )
