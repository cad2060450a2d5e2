"""What a worker process has learnt from Content Server and may trust afterwards: a business
object's workspace, a workspace's folder, a link between two workspaces, the content last filed
under a document's name. None of these change once true unless someone deletes the node, so
filing an order's second event asks Content Server only about what is new. A document is still
looked up by name before it counts as unchanged (a deleted one is filed again), and `Filing`
forgets what it learnt about a workspace when a call about it answers "not found": the activity's
next attempt opens the workspace again."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

KeyT = TypeVar("KeyT")
ValueT = TypeVar("ValueT")

# Per kind of fact: enough for a busy worker's open orders, a few MB at most.
MAX_REMEMBERED = 20_000


class Recent(Generic[KeyT, ValueT]):
    """A bounded map that forgets its least recently used entries first."""

    def __init__(self, limit: int = MAX_REMEMBERED) -> None:
        self._limit = limit
        self._entries: OrderedDict[KeyT, ValueT] = OrderedDict()

    def get(self, key: KeyT) -> ValueT | None:
        value = self._entries.get(key)
        if value is not None:
            self._entries.move_to_end(key)
        return value

    def put(self, key: KeyT, value: ValueT) -> None:
        self._entries[key] = value
        self._entries.move_to_end(key)
        while len(self._entries) > self._limit:
            self._entries.popitem(last=False)

    def drop(self, which: Callable[[KeyT, ValueT], bool]) -> list[ValueT]:
        """Forget the entries `which` picks; their values."""
        picked = [(k, v) for k, v in self._entries.items() if which(k, v)]
        for key, _ in picked:
            del self._entries[key]
        return [v for _, v in picked]

    def __len__(self) -> int:
        return len(self._entries)


@dataclass(frozen=True)
class KnownDocument:
    node_id: int
    name: str
    version: int
    digest: str  # the content's SHA-256, as the document category carries it


WorkspaceKey = tuple[str, str, str, str]  # tenant, external system, business object type, id
FolderKey = tuple[str, int, str]  # tenant, workspace id, folder path
LinkKey = tuple[str, int, int]  # tenant, parent workspace id, child workspace id
DocumentKey = tuple[str, int, str]  # tenant, folder id, document name


class EcmMemory:
    def __init__(self, limit: int = MAX_REMEMBERED) -> None:
        self.workspaces: Recent[WorkspaceKey, tuple[int, str]] = Recent(limit)  # -> node id, name
        self.folders: Recent[FolderKey, int] = Recent(limit)
        self.links: Recent[LinkKey, bool] = Recent(limit)
        self.documents: Recent[DocumentKey, KnownDocument] = Recent(limit)

    def forget_workspace(self, tenant: str, workspace_id: int) -> bool:
        """Forget everything learnt about one workspace (it, or a folder or document in it, was not
        found); whether anything was remembered."""
        workspaces = self.workspaces.drop(lambda k, v: k[0] == tenant and v[0] == workspace_id)
        folders = self.folders.drop(lambda k, _: k[0] == tenant and k[1] == workspace_id)
        in_folders = {workspace_id, *folders}
        documents = self.documents.drop(lambda k, _: k[0] == tenant and k[1] in in_folders)
        links = self.links.drop(lambda k, _: k[0] == tenant and workspace_id in (k[1], k[2]))
        return bool(workspaces or folders or documents or links)
