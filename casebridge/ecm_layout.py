"""How one Extended ECM is laid out for Casebridge: per workspace kind, the template to create it
from, the category carrying its business keys, the folder each document kind goes to and the
retention (records management classification) it gets. ECM administrators define these ids; they
are written once per OpenText tenant in `config/stores.yaml` (`content_server.layout`)."""

from __future__ import annotations

from pydantic import BaseModel, Field, model_validator

from routing.documents import DocumentKind, WorkspaceKind


class WorkspaceLayout(BaseModel):
    template_id: int
    workspace_type_id: int | None = None  # derived from the template when left out
    category_id: int  # the category of the workspace's business keys
    attributes: dict[str, int] = Field(default_factory=dict)  # business key name -> attribute id
    folders: dict[DocumentKind, str]  # the template's folder (a `/` path) for each document kind
    retention: dict[DocumentKind, int] = Field(default_factory=dict)  # RM classification ids

    def folder_for(self, kind: DocumentKind) -> str:
        folder = self.folders.get(kind)
        if folder is None:
            raise KeyError(f"the layout files no {kind.value} documents in this workspace kind")
        return folder

    def category_values(self, keys: dict[str, str]) -> dict[int, dict[str, str | None]]:
        """The workspace's category values from the case's business keys (unknown keys are
        dropped: the layout decides what the ECM stores)."""
        values = {
            f"{self.category_id}_{attribute}": keys[name] for name, attribute in self.attributes.items() if name in keys
        }
        return {self.category_id: dict(values)} if values else {}


class DocumentCategory(BaseModel):
    """The category every filed document carries: which case filed it, what it is, and the hash of
    its content (a repeated filing of the same content is recognised, not versioned again)."""

    id: int
    case_id: int = 2
    kind: int = 3
    status: int = 4
    business_key: int = 5
    content_hash: int = 6

    def key(self, attribute: int) -> str:
        return f"{self.id}_{attribute}"


class EcmLayout(BaseModel):
    workspaces: dict[WorkspaceKind, WorkspaceLayout]
    document_category: DocumentCategory

    @model_validator(mode="after")
    def _retention_for_filed_kinds(self) -> EcmLayout:
        for kind, layout in self.workspaces.items():
            stray = set(layout.retention) - set(layout.folders)
            if stray:
                names = ", ".join(sorted(k.value for k in stray))
                raise ValueError(f"{kind.value} workspace: retention for kinds it files nowhere: {names}")
        return self

    def workspace(self, kind: WorkspaceKind) -> WorkspaceLayout:
        layout = self.workspaces.get(kind)
        if layout is None:
            raise KeyError(f"the ECM layout has no {kind.value} workspaces")
        return layout
