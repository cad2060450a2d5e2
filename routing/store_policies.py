"""Policies per store, loaded from their files and re-read when a file changes, so an edited
policy applies to the next case without a restart (running cases keep their copy)."""

from __future__ import annotations

from pathlib import Path

from routing.policy import StorePolicy, load_policy


class PolicyBook:
    def __init__(self, config_dir: Path) -> None:
        self._config_dir = config_dir
        self._cache: dict[Path, tuple[float, StorePolicy]] = {}

    def get(self, policy_file: str) -> StorePolicy:
        path = self._config_dir / policy_file
        mtime = path.stat().st_mtime
        cached = self._cache.get(path)
        if cached is None or cached[0] != mtime:
            cached = (mtime, load_policy(path))
            self._cache[path] = cached
        return cached[1]
