"""The node tree of one simulated Content Server: folders, documents with versions, business
workspaces created from templates, category values, and the business-object index.

Rules enforced as the server does: numeric ids, names unique per parent (a clash answers 500
"already exists"), documents need content, only containers take children, one workspace per
business object of a configured type, category values checked against their definitions, relations
between workspaces, and Records Management classifications of configured ones only.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sandbox.opentext_ecm import categories as cats
from sandbox.opentext_ecm.config import (
    ContentServerConfig,
    ContentServerUser,
    RMClassification,
    WorkspaceTemplate,
    WorkspaceType,
)
from sandbox.opentext_ecm.errors import cs_error, name_clash, node_missing

ENTERPRISE_WORKSPACE_ID = 2000
SUBTYPE_FOLDER = 0
SUBTYPE_DOCUMENT = 144
SUBTYPE_BUSINESS_WORKSPACE = 848
SUBTYPE_ENTERPRISE_VOLUME = 141
CONTAINER_SUBTYPES = frozenset({SUBTYPE_FOLDER, SUBTYPE_BUSINESS_WORKSPACE, SUBTYPE_ENTERPRISE_VOLUME})
TYPE_NAMES = {
    SUBTYPE_FOLDER: "Folder",
    SUBTYPE_DOCUMENT: "Document",
    SUBTYPE_BUSINESS_WORKSPACE: "Business Workspace",
    SUBTYPE_ENTERPRISE_VOLUME: "Enterprise Workspace",
}
MAX_NAME_LENGTH = 248
RELATION_TYPES = ("child", "parent")


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@dataclass
class Upload:
    file_name: str
    mime_type: str
    content: bytes


@dataclass
class Version:
    number: int
    file_name: str
    mime_type: str
    content: bytes = field(repr=False)
    description: str
    created_at: datetime
    owner_id: int
    major: bool = False

    @property
    def size(self) -> int:
        return len(self.content)


@dataclass(frozen=True)
class BusinessObjectKey:
    ext_system_id: str
    bo_type: str
    bo_id: str


@dataclass
class NodeState:
    id: int
    parent_id: int
    name: str
    subtype: int
    owner_id: int
    description: str = ""
    created_at: datetime = field(default_factory=now)
    modified_at: datetime = field(default_factory=now)
    children: list[int] = field(default_factory=list)
    versions: list[Version] = field(default_factory=list)
    categories: dict[int, dict[str, object]] = field(default_factory=dict)
    workspace_type_id: int | None = None
    template_id: int | None = None
    business_object: BusinessObjectKey | None = None
    # Records Management. Plain defaults (no factories): nodes saved by an older sandbox lack them.
    rm_classification_id: int | None = None
    rm_record_date: datetime | None = None
    rm_revision: int = 0  # bumped on every classification change; the metadata token derives from it

    @property
    def is_container(self) -> bool:
        return self.subtype in CONTAINER_SUBTYPES

    @property
    def rm_metadata_token(self) -> str:
        """Guards reclassification against concurrent editors, as `rm_metadataToken` does."""
        return hashlib.md5(f"{self.id}:{self.rm_revision}".encode(), usedforsecurity=False).hexdigest()


@dataclass
class WorkspaceCreation:
    """The arguments of `POST /api/v2/businessworkspaces`, already parsed."""

    name: str | None
    template_id: int | None
    workspace_type_id: int | None
    parent_id: int | None
    description: str
    business_object: BusinessObjectKey | None
    categories: dict[int, dict[str, object]]


class Repository:
    def __init__(self, config: ContentServerConfig) -> None:
        self.config = config
        configured = [
            *(c.id for c in config.categories),
            *(t.id for wt in config.workspace_types for t in wt.templates),
            *(c.id for c in config.rm_classifications),
        ]
        first = max([100_000, *(i + 1 for i in configured)]) + config.generation * 10_000_000
        self._ids: Iterator[int] = itertools.count(first)
        self.nodes: dict[int, NodeState] = {}
        self.by_business_object: dict[BusinessObjectKey, int] = {}
        self.recent: dict[int, list[int]] = {}  # user id -> workspaces recently accessed
        # Workspace relations as (parent workspace, child workspace): one relation shows on both
        # sides (the parent lists a child, the child lists a parent).
        self.relations: set[tuple[int, int]] = set()
        self.reset()

    def reset(self) -> None:
        """Only the Enterprise Workspace and the workspace types' location folders remain."""
        self.nodes.clear()
        self.by_business_object.clear()
        self.recent.clear()
        self.relations.clear()
        root = NodeState(ENTERPRISE_WORKSPACE_ID, -1, "Enterprise Workspace", SUBTYPE_ENTERPRISE_VOLUME, 1000)
        self.nodes[root.id] = root
        for workspace_type in self.config.workspace_types:
            self._folder_path(root.id, workspace_type.location, owner_id=1000)

    # -- reading --------------------------------------------------------------------------------

    def node(self, node_id: int) -> NodeState:
        node = self.nodes.get(node_id)
        if node is None:
            raise node_missing(node_id)
        return node

    def children(self, node_id: int) -> list[NodeState]:
        return [self.nodes[child] for child in self.node(node_id).children]

    def workspaces(self) -> list[NodeState]:
        return [n for n in self.nodes.values() if n.subtype == SUBTYPE_BUSINESS_WORKSPACE]

    def workspace_of(self, node_id: int) -> NodeState | None:
        """The business workspace a node lies in (the node itself when it is one), or None."""
        current = self.nodes.get(node_id)
        while current is not None:
            if current.subtype == SUBTYPE_BUSINESS_WORKSPACE:
                return current
            current = self.nodes.get(current.parent_id)
        return None

    def descendants(self, node_id: int) -> list[NodeState]:
        """Every node below `node_id`, parents before their children."""
        found: list[NodeState] = []
        pending = list(self.node(node_id).children)
        while pending:
            node = self.nodes[pending.pop(0)]
            found.append(node)
            pending.extend(node.children)
        return found

    def version(self, node_id: int, number: int) -> Version:
        """One version of a document; the content download answers 500 for what it cannot find."""
        node = self.nodes.get(node_id)
        if node is None:
            raise cs_error(500, f"Could not locate node: {node_id}")
        if not 1 <= number <= len(node.versions):
            raise cs_error(500, "The version is not found")
        return node.versions[number - 1]

    def touch_workspace(self, user: ContentServerUser, node: NodeState) -> None:
        """Remember what the user opened: `expanded_view=false` searches only these."""
        if node.subtype == SUBTYPE_BUSINESS_WORKSPACE:
            recent = self.recent.setdefault(user.user_id, [])
            if node.id in recent:
                recent.remove(node.id)
            recent.insert(0, node.id)

    # -- nodes ----------------------------------------------------------------------------------

    def create_node(
        self,
        user: ContentServerUser,
        *,
        subtype: int,
        parent_id: int,
        name: str,
        description: str = "",
        upload: Upload | None = None,
        categories: Mapping[str, object] | None = None,
    ) -> NodeState:
        if subtype not in (SUBTYPE_FOLDER, SUBTYPE_DOCUMENT):
            if subtype in TYPE_NAMES:
                raise cs_error(400, f"Could not create a new {TYPE_NAMES[subtype]} with this call.")
            raise cs_error(400, f"Subtype {subtype} not registered")
        parent = self._container(parent_id, TYPE_NAMES[subtype])
        values = cats.split_by_category(self.config, categories or {})
        if subtype == SUBTYPE_DOCUMENT and upload is None:
            raise cs_error(400, "Missing required parameter 'file'")
        node = self._add(parent, name, subtype, user.user_id, description)
        node.categories = values
        if upload is not None and subtype == SUBTYPE_DOCUMENT:
            node.versions.append(self._version(1, upload, description, user.user_id))
        return node

    def add_version(
        self,
        user: ContentServerUser,
        node_id: int,
        upload: Upload | None,
        *,
        description: str = "",
        major: bool = False,
        categories: Mapping[str, object] | None = None,
    ) -> Version:
        node = self.node(node_id)
        if node.subtype != SUBTYPE_DOCUMENT:
            raise cs_error(400, f"Could not add a version: node {node_id} is a {TYPE_NAMES.get(node.subtype, 'node')}.")
        if upload is None:
            raise cs_error(400, "Missing required parameter 'File'")
        if len(description) > 255:
            raise cs_error(400, "The version description must not exceed 255 characters.")
        for category_id, values in cats.split_by_category(self.config, categories or {}).items():
            node.categories.setdefault(category_id, {}).update(values)
        version = self._version(len(node.versions) + 1, upload, description, user.user_id, major)
        node.versions.append(version)
        node.modified_at = version.created_at
        return version

    # -- business workspaces --------------------------------------------------------------------

    def check_business_object_type(self, ext_system_id: str, bo_type: str | None) -> None:
        """Refuse an external system (and business object type) Extended ECM does not know.

        ASSUMPTION (reference 3.6/7): a 400 with `{"error": ...}`; the wording is the simulator's."""
        if not self.config.knows_external_system(ext_system_id):
            raise cs_error(400, f"The external system '{ext_system_id}' is not configured.")
        if bo_type is not None and self.config.workspace_type_for(ext_system_id, bo_type) is None:
            raise cs_error(
                400, f"The business object type '{bo_type}' is not configured for external system '{ext_system_id}'."
            )

    def create_workspace(self, user: ContentServerUser, request: WorkspaceCreation) -> NodeState:
        bo = request.business_object
        if bo is not None:
            self.check_business_object_type(bo.ext_system_id, bo.bo_type)
        workspace_type, template = self._template_for(request)
        if bo is not None:
            if not workspace_type.serves(bo.ext_system_id, bo.bo_type):
                raise cs_error(
                    400,
                    f"Business object type '{bo.bo_type}' of external system '{bo.ext_system_id}' is not configured "
                    f"for workspace type '{workspace_type.name}'.",
                )
            if bo in self.by_business_object:
                raise cs_error(
                    400,
                    f"A business workspace for business object '{bo.bo_id}' ({bo.bo_type}, {bo.ext_system_id}) "
                    "already exists.",
                )
        if not request.name:
            raise cs_error(400, "Missing required parameter 'name'")
        values = self._workspace_categories(template, request.categories)
        parent_id = request.parent_id if request.parent_id is not None else self._location(workspace_type)
        parent = self._container(parent_id, "Business Workspace")
        node = self._add(parent, request.name, SUBTYPE_BUSINESS_WORKSPACE, user.user_id, request.description)
        node.workspace_type_id = workspace_type.id
        node.template_id = template.id
        node.categories = values
        node.business_object = bo
        for path in template.folders:
            self._folder_path(node.id, path, owner_id=user.user_id)
        if bo is not None:
            self.by_business_object[bo] = node.id
        self.touch_workspace(user, node)
        return node

    def _template_for(self, request: WorkspaceCreation) -> tuple[WorkspaceType, WorkspaceTemplate]:
        if request.template_id is None:
            # Without a template the business object's type decides (its first template).
            bo = request.business_object
            workspace_type = self.config.workspace_type_for(bo.ext_system_id, bo.bo_type) if bo else None
            if workspace_type is None:
                raise cs_error(400, "Missing required parameter 'template_id'")
            return workspace_type, workspace_type.templates[0]
        found = self.config.template(request.template_id)
        if found is None:
            raise node_missing(request.template_id)
        workspace_type, template = found
        if request.workspace_type_id is not None and request.workspace_type_id != workspace_type.id:
            raise cs_error(
                400, f"Template {template.id} does not belong to workspace type {request.workspace_type_id}."
            )
        return found

    def _workspace_categories(
        self, template: WorkspaceTemplate, given: Mapping[int, Mapping[str, object]]
    ) -> dict[int, dict[str, object]]:
        unknown = sorted(set(given) - set(template.categories))
        if unknown:
            raise cs_error(400, f"Category {unknown[0]} is not part of template '{template.name}' ({template.id}).")
        values: dict[int, dict[str, object]] = {}
        for category_id in template.categories:
            definition = cats.definition_of(self.config, category_id)
            values[category_id] = cats.validate(definition, given.get(category_id, {}))
            missing = cats.missing_required(definition, values[category_id])
            if missing:
                raise cs_error(400, f"Attribute '{missing[0]}' of category '{definition.name}' is required.")
        return values

    def _location(self, workspace_type: WorkspaceType) -> int:
        folder = self._folder_path(ENTERPRISE_WORKSPACE_ID, workspace_type.location, owner_id=1000, create=False)
        return folder.id

    # -- relations between workspaces -----------------------------------------------------------

    def add_relation(self, workspace_id: int, related_id: int, rel_type: str) -> None:
        """`related_id` becomes a child (or, for `parent`, the parent) of `workspace_id`.

        ASSUMPTION (pyxecm warns "It may already exist" when this call fails): relating the same
        pair the same way twice is refused with a 400 "... already exists"."""
        if rel_type not in RELATION_TYPES:
            raise cs_error(400, f"Invalid relation type '{rel_type}': use child or parent.")
        workspace = self._workspace(workspace_id)
        related = self._workspace(related_id)
        if workspace.id == related.id:
            raise cs_error(400, "A business workspace cannot be related to itself.")
        edge = (workspace.id, related.id) if rel_type == "child" else (related.id, workspace.id)
        if edge in self.relations:
            raise cs_error(400, f"The relation between {workspace.id} and {related.id} already exists.")
        self.relations.add(edge)

    def remove_relation(self, workspace_id: int, related_id: int, rel_type: str) -> None:
        if rel_type not in RELATION_TYPES:
            raise cs_error(400, f"Invalid relation type '{rel_type}': use child or parent.")
        self._workspace(workspace_id)
        edge = (workspace_id, related_id) if rel_type == "child" else (related_id, workspace_id)
        if edge not in self.relations:
            raise cs_error(400, f"The relation between {workspace_id} and {related_id} does not exist.")
        self.relations.discard(edge)

    def delete_node(self, node_id: int) -> None:
        """Delete a node and everything below it, with a workspace's business object and relations.

        ASSUMPTION: the real server moves deleted items to the Recycle Bin, from which an
        administrator may restore them; the simulator purges them at once (nothing restores)."""
        node = self.node(node_id)
        if node.parent_id not in self.nodes or node.subtype == SUBTYPE_ENTERPRISE_VOLUME:
            raise cs_error(400, f"The node {node_id} cannot be deleted.")
        gone = {node.id, *(n.id for n in self.descendants(node.id))}
        self.nodes[node.parent_id].children.remove(node.id)
        for key in [k for k, v in self.by_business_object.items() if v in gone]:
            del self.by_business_object[key]
        self.relations = {(p, c) for p, c in self.relations if p not in gone and c not in gone}
        for recent in self.recent.values():
            recent[:] = [w for w in recent if w not in gone]
        for removed in gone:
            del self.nodes[removed]

    def related(self, workspace_id: int, rel_types: tuple[str, ...] = RELATION_TYPES) -> list[tuple[NodeState, str]]:
        """Related workspaces with the relation seen from `workspace_id` (`child` or `parent`)."""
        self._workspace(workspace_id)
        found: list[tuple[NodeState, str]] = []
        for parent, child in sorted(self.relations):
            if parent == workspace_id and "child" in rel_types:
                found.append((self.nodes[child], "child"))
            if child == workspace_id and "parent" in rel_types:
                found.append((self.nodes[parent], "parent"))
        return found

    def _workspace(self, node_id: int) -> NodeState:
        node = self.node(node_id)
        if node.subtype != SUBTYPE_BUSINESS_WORKSPACE:
            raise cs_error(400, f"Node {node_id} is not a business workspace.")
        return node

    # -- records management ---------------------------------------------------------------------

    def classify(self, node_id: int, classification_id: int, *, apply_to_sub_items: bool, token: str | None) -> None:
        """Assign an RM classification (and the record date), optionally to every item below.

        ASSUMPTION (pyxecm `assign_rm_classification`): changing a node's classification to another
        needs its current `rm_metadataToken`; assigning the one it has changes nothing."""
        node = self.node(node_id)
        classification = self._rm_classification(classification_id)
        targets = [node, *(self.descendants(node_id) if apply_to_sub_items else [])]
        if node.rm_classification_id not in (None, classification.id) and token != node.rm_metadata_token:
            raise cs_error(
                400,
                f"Node {node_id} is already classified ({node.rm_classification_id}): reclassifying it needs its "
                "current rm_metadataToken.",
            )
        for target in targets:
            if target.rm_classification_id == classification.id:
                continue
            target.rm_classification_id = classification.id
            target.rm_record_date = now()
            target.rm_revision += 1
            target.modified_at = now()

    def _rm_classification(self, classification_id: int) -> RMClassification:
        classification = self.config.rm_classification(classification_id)
        if classification is None:
            raise cs_error(400, f"Invalid RM Classification {classification_id}: no such classification.")
        return classification

    # -- categories -----------------------------------------------------------------------------

    def apply_category(self, node_id: int, category_id: int, values: Mapping[str, object]) -> None:
        node = self.node(node_id)
        definition = cats.definition_of(self.config, category_id)
        if category_id in node.categories:
            raise cs_error(400, f"The attribute group '{definition.name}' already exists")
        node.categories[category_id] = cats.validate(definition, values)
        node.modified_at = now()

    def update_category(self, node_id: int, category_id: int, values: Mapping[str, object]) -> None:
        node = self.node(node_id)
        definition = cats.definition_of(self.config, category_id)
        if category_id not in node.categories:
            raise cs_error(400, f"Category '{definition.name}' ({category_id}) is not applied to node {node_id}.")
        node.categories[category_id].update(cats.validate(definition, values))
        node.modified_at = now()

    def set_attribute_by_name(self, node_id: int, attribute_name: str, value: object) -> int:
        """What a reviewer does in the UI: set one attribute (found by name among the configured
        categories) on a node, applying its category first when needed. Returns the category id."""
        node = self.node(node_id)
        found = [
            (category, attribute)
            for category in self.config.categories
            for attribute in category.attributes
            if attribute.name == attribute_name
        ]
        applied = [pair for pair in found if pair[0].id in node.categories]
        if not found:
            raise cs_error(400, f"No category defines an attribute named '{attribute_name}'.")
        category, attribute = (applied or found)[0]
        key = f"{category.id}_{attribute.id}"
        checked = cats.validate(category, {key: value})
        node.categories.setdefault(category.id, {}).update(checked)
        node.modified_at = now()
        return category.id

    # -- plumbing -------------------------------------------------------------------------------

    def _container(self, parent_id: int, what: str) -> NodeState:
        parent = self.nodes.get(parent_id)
        if parent is None:
            raise cs_error(
                400,
                "Sorry, the item you requested could not be accessed. Either it does not exist or you do not have "
                "permission to access it.",
            )
        if not parent.is_container:
            raise cs_error(400, f"Could not create a new {what}: node {parent_id} cannot contain items.")
        return parent

    def _add(self, parent: NodeState, name: str, subtype: int, owner_id: int, description: str) -> NodeState:
        name = name.strip()
        if not name or ":" in name or len(name) > MAX_NAME_LENGTH:
            raise cs_error(400, f"Invalid name '{name}'.")
        if any(self.nodes[child].name.lower() == name.lower() for child in parent.children):
            raise name_clash(name)
        node = NodeState(next(self._ids), parent.id, name, subtype, owner_id, description)
        self.nodes[node.id] = node
        parent.children.append(node.id)
        parent.modified_at = node.created_at
        return node

    def _folder_path(self, root_id: int, path: str, *, owner_id: int, create: bool = True) -> NodeState:
        current = self.node(root_id)
        for name in (part.strip() for part in path.split("/") if part.strip()):
            existing = next((self.nodes[c] for c in current.children if self.nodes[c].name == name), None)
            if existing is None:
                if not create:
                    raise node_missing(f"{path} in {root_id}")
                existing = self._add(current, name, SUBTYPE_FOLDER, owner_id, "")
            current = existing
        return current

    @staticmethod
    def _version(number: int, upload: Upload, description: str, owner_id: int, major: bool = False) -> Version:
        return Version(number, upload.file_name, upload.mime_type, upload.content, description, now(), owner_id, major)
