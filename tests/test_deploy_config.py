"""The Kubernetes base ships what config/ needs: every policy file the store registry names is in
the policies ConfigMap and projected into both the worker and the shim (ConfigMap keys are flat, so
each file is listed by hand; a forgotten one would fail the pods at load, not at review time)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).parent.parent
BASE = ROOT / "deploy" / "k8s" / "base"


def _policy_files() -> set[str]:
    """Policy files named in config/stores.yaml (`${...}` defaults need no expansion here)."""
    stores = yaml.safe_load((ROOT / "config" / "stores.yaml").read_text())["stores"]
    return {Path(s["policy_file"]).name for s in stores if s.get("policy_file")}


def _projected(manifest: Path) -> set[str]:
    documents: list[dict[str, Any]] = [d for d in yaml.safe_load_all(manifest.read_text()) if d]
    deployment = next(d for d in documents if d["kind"] == "Deployment")
    items: set[str] = set()
    for volume in deployment["spec"]["template"]["spec"]["volumes"]:
        for source in volume.get("projected", {}).get("sources", []):
            config_map = source.get("configMap", {})
            if config_map.get("name") == "casebridge-policies":
                items |= {item["key"] for item in config_map.get("items", [])}
    return items


def test_every_store_policy_is_deployed() -> None:
    needed = _policy_files()
    assert needed, "config/stores.yaml names no policy file"
    kustomization = yaml.safe_load((ROOT / "config" / "kustomization.yaml").read_text())
    generated = next(g for g in kustomization["configMapGenerator"] if g["name"] == "casebridge-policies")
    assert needed <= {Path(f).name for f in generated["files"]}
    for manifest in (BASE / "worker.yaml", BASE / "shim.yaml"):
        assert needed <= _projected(manifest), manifest.name
