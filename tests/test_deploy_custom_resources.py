"""The custom resources deploy/k8s renders (KEDA's ScaledObject and TriggerAuthentication, the
Prometheus operator's PodMonitor) are valid against the CRDs the products ship, as the API server
would take them, offline: the served version's `openAPIV3Schema` (deploy/k8s/schemas/, where
SOURCES.md says where each CRD comes from), its CEL rules, and the server's pruning. Pruning is
what makes a misspelt field dangerous: the server does not refuse a field its schema lacks, it
drops it without a word (`minReplicasCount: 2` applies as no minimum at all). Here it is an error.

KEDA's Temporal trigger takes its settings as a free string map, which no CRD checks: its keys, the
TriggerAuthentication's parameters and the values' formats are checked against what the scaler
reads (TEMPORAL_SCALER below, taken from its source)."""

from __future__ import annotations

import copy
import gzip
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.test_deploy_manifests import K8S, KUBERNETES_VERSION, TARGETS, environment, one, render

SCHEMAS = K8S / "schemas"

# The CEL rules (`x-kubernetes-validations`) of the vendored CRDs, each with its Python equivalent,
# keyed by the rule's text: a rule not listed here fails the test, so a new CRD's rules are read and
# written down rather than skipped.
CEL_RULES: dict[str, Callable[[Any], bool]] = {
    # KEDA 2.20.2, ScaledObject .spec (100 is the default maxReplicaCount).
    "!has(self.minReplicaCount) || self.minReplicaCount <= (has(self.maxReplicaCount)"
    " ? self.maxReplicaCount : 100)": lambda spec: (
        "minReplicaCount" not in spec or spec["minReplicaCount"] <= spec.get("maxReplicaCount", 100)
    ),
}

# The numeric formats the API server checks; the other formats (date-time, ...) are not checked here.
INTEGER_RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}


def read_yaml(path: Path) -> Any:
    data = path.read_bytes()
    return yaml.safe_load(gzip.decompress(data) if path.suffix == ".gz" else data)


@cache
def crds() -> dict[tuple[str, str], list[tuple[str, dict[str, Any]]]]:
    """(group, kind) -> [(release, CRD)] for every CRD in deploy/k8s/schemas/<product>-<release>/."""
    found: dict[tuple[str, str], list[tuple[str, dict[str, Any]]]] = {}
    for path in sorted(SCHEMAS.glob("*/*.yaml*")):
        crd = read_yaml(path)
        assert crd["kind"] == "CustomResourceDefinition", path
        found.setdefault((crd["spec"]["group"], crd["spec"]["names"]["kind"]), []).append((path.parent.name, crd))
    return found


def group_of(document: dict[str, Any]) -> str:
    return str(document["apiVersion"]).rpartition("/")[0]


def is_built_in(group: str) -> bool:
    """Kubernetes' own API groups (kubernetes-validate checks those): the core group, the one-word
    groups (apps, batch, policy, autoscaling) and *.k8s.io."""
    return "." not in group or group.endswith(".k8s.io")


def custom_resources(target: str) -> list[dict[str, Any]]:
    return [d for d in render(target) if not is_built_in(group_of(d))]


def served_schema(crd: dict[str, Any], api_version: str) -> dict[str, Any]:
    """The openAPIV3Schema of the CRD's version named by `api_version`, which it must serve."""
    name = api_version.rpartition("/")[2]
    versions = {v["name"]: v for v in crd["spec"]["versions"]}
    assert name in versions, f"{api_version}: the CRD has only {sorted(versions)}"
    version = versions[name]
    assert version["served"] and not version.get("deprecated"), f"{api_version} is not served, or deprecated"
    return dict(version["schema"]["openAPIV3Schema"])


def as_json_schema(schema: Any) -> Any:
    """A CRD's structural schema (OpenAPI v3.0) as JSON Schema draft 4, which shares its keywords
    (exclusiveMinimum is a boolean in both): `nullable` becomes a "null" type, an int-or-string
    without a type both types, and the other `x-kubernetes-*` keys go (pruning, CEL and embedded
    resources are checked by `server_side_problems`)."""
    if isinstance(schema, list):
        return [as_json_schema(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    converted = {key: as_json_schema(value) for key, value in schema.items() if not key.startswith("x-kubernetes-")}
    if "properties" in schema:  # property names, not schemas: keep the keys as they are
        converted["properties"] = {name: as_json_schema(s) for name, s in schema["properties"].items()}
    if schema.get("x-kubernetes-int-or-string") and "type" not in schema and "anyOf" not in schema:
        converted["type"] = ["integer", "string"]
    if converted.pop("nullable", False) and "type" in converted:
        types = converted["type"] if isinstance(converted["type"], list) else [converted["type"]]
        converted["type"] = [*types, "null"]
    return converted


def schema_errors(document: dict[str, Any], schema: dict[str, Any]) -> list[str]:
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema (with kubernetes-validate, extra `dev`)")
    formats = jsonschema.FormatChecker(formats=())
    for name, (low, high) in INTEGER_RANGES.items():
        formats.checks(name)(lambda value, low=low, high=high: not isinstance(value, int) or low <= value <= high)
    validator = jsonschema.Draft4Validator(as_json_schema(schema), format_checker=formats)
    return sorted(f"{field_path(error.absolute_path)}: {error.message}" for error in validator.iter_errors(document))


def field_path(parts: Iterable[str | int]) -> str:
    """`spec.triggers[0].metadata`, as kubectl says it."""
    path = ""
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else f".{part}" if path else part
    return path or "(root)"


def server_side_problems(value: Any, schema: dict[str, Any], path: str = "") -> Iterator[str]:
    """What the API server would drop (pruning) or refuse (CEL rules) that JSON Schema does not see.
    A field is pruned where the schema neither lists it in `properties` nor allows it by
    `additionalProperties` or `x-kubernetes-preserve-unknown-fields`; `metadata` at the root (and
    in an embedded resource) is ObjectMeta, which the server checks itself (as
    test_every_custom_resource_has_valid_metadata does)."""
    for rule in schema.get("x-kubernetes-validations", []):
        check = CEL_RULES.get(rule["rule"])
        if check is None:
            yield f"{path or '(root)'}: CEL rule not evaluated here, add it to CEL_RULES: {rule['rule']!r}"
        elif not check(value):
            yield f"{path or '(root)'}: {rule.get('message', rule['rule'])}"
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        keeps_unknown = schema.get("x-kubernetes-preserve-unknown-fields") is True or extra is True
        object_meta = (
            {"apiVersion", "kind", "metadata"} if not path or schema.get("x-kubernetes-embedded-resource") else set()
        )
        for key, item in value.items():
            where = f"{path}.{key}" if path else key
            if key in properties and not (key == "metadata" and key in object_meta):
                yield from server_side_problems(item, properties[key], where)
            elif isinstance(extra, dict):
                yield from server_side_problems(item, extra, where)
            elif key not in object_meta and not keeps_unknown:
                yield f"{where}: not in the schema, the API server would drop it (misspelt?)"
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(value):
            yield from server_side_problems(item, schema["items"], f"{path}[{index}]")


def problems(document: dict[str, Any], schema: dict[str, Any]) -> list[str]:
    return [*schema_errors(document, schema), *server_side_problems(document, schema)]


@pytest.mark.parametrize("target", TARGETS)
def test_every_custom_resource_is_valid_against_its_crds(target: str) -> None:
    """Against every vendored release of its CRD: for KEDA the oldest supported (2.17.2) and the latest
    when vendored (2.20.2)."""
    found: list[str] = []
    for document in custom_resources(target):
        name = f"{document['kind']} {document['metadata']['name']}"
        releases = crds().get((group_of(document), document["kind"]))
        assert releases, f"{name}: no CRD for {document['apiVersion']} in deploy/k8s/schemas (vendor it)"
        for release, crd in releases:
            found += [
                f"{name} ({release}): {p}" for p in problems(document, served_schema(crd, document["apiVersion"]))
            ]
    assert not found, f"{target}:\n  " + "\n  ".join(found)


@pytest.mark.parametrize("target", TARGETS)
def test_every_custom_resource_has_valid_metadata(target: str) -> None:
    """The CRD schemas leave `metadata` to the server (ObjectMeta, as in every kind): checked here as
    a ConfigMap's, against the Kubernetes schema."""
    kubernetes_validate = pytest.importorskip("kubernetes_validate", reason="kubernetes-validate (extra `dev`)")
    for document in custom_resources(target):
        probe = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": document["metadata"]}
        try:
            kubernetes_validate.validate(probe, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as err:
            pytest.fail(f"{target}: {document['kind']} {document['metadata']['name']}: metadata: {err.message}")


def test_the_production_overlays_have_custom_resources_to_check() -> None:
    """So that the tests above cannot pass by finding nothing."""
    kinds = {d["kind"] for t in TARGETS for d in custom_resources(t)}
    assert kinds == {"ScaledObject", "TriggerAuthentication", "PodMonitor"}
    assert {kind for _, kind in crds()} == kinds


def test_a_misspelt_or_mistyped_field_is_reported() -> None:
    """The checks above can fail: a misspelt field (pruned by the server), a string for an integer,
    and minReplicaCount over maxReplicaCount (KEDA 2.20's CEL rule)."""
    crd = dict(crds()[("keda.sh", "ScaledObject")])["keda-2.20.2"]
    scaled = one(render("overlays/temporal-cloud-api-key"), "ScaledObject", "casebridge-worker")
    schema = served_schema(crd, scaled["apiVersion"])
    assert problems(scaled, schema) == []

    misspelt = copy.deepcopy(scaled)
    misspelt["spec"]["minReplicasCount"] = misspelt["spec"].pop("minReplicaCount")
    misspelt["spec"]["triggers"][0]["authenticationRef"]["nmae"] = "casebridge-temporal"
    assert sorted(server_side_problems(misspelt, schema)) == [
        "spec.minReplicasCount: not in the schema, the API server would drop it (misspelt?)",
        "spec.triggers[0].authenticationRef.nmae: not in the schema, the API server would drop it (misspelt?)",
    ]
    mistyped = copy.deepcopy(scaled)
    mistyped["spec"]["minReplicaCount"] = "2"
    mistyped["spec"]["triggers"][0]["metadata"]["targetQueueSize"] = 20
    assert schema_errors(mistyped, schema) == [
        "spec.minReplicaCount: '2' is not of type 'integer'",
        "spec.triggers[0].metadata.targetQueueSize: 20 is not of type 'string'",
    ]
    inverted = copy.deepcopy(scaled)
    inverted["spec"]["minReplicaCount"] = inverted["spec"]["maxReplicaCount"] + 1
    assert list(server_side_problems(inverted, schema)) == [
        "spec: minReplicaCount must be less than or equal to maxReplicaCount"
    ]


# --- KEDA's Temporal scaler ---------------------------------------------------------------------


@dataclass(frozen=True)
class ScalerParameters:
    metadata: frozenset[str]  # the trigger's `metadata` keys
    auth: frozenset[str]  # the TriggerAuthentication's `parameter`s
    deprecated: frozenset[str] = frozenset()


# What KEDA's Temporal scaler reads: the `keda:"name=...,order=..."` tags of `temporalMetadata`
# (order=triggerMetadata: a metadata key; order=authParams: a TriggerAuthentication parameter), read
# from kedacore/keda at the releases whose CRDs deploy/k8s/schemas holds:
#   v2.17.2 (b51655b12fd85bb585f7392acae68f95eb20ac19) pkg/scalers/temporal.go, the first release that
#           dials TLS with an API key (2.17.0 and 2.17.1 send it in plaintext; Temporal Cloud refuses);
#   v2.20.2 (68a5b5028f35b22d50597c69819ab32c4e92f21a) pkg/scalers/temporal_scaler.go.
# The scaler ignores a key it does not read (at most a warning event, with
# KEDA_CHECK_UNEXPECTED_SCALERS_PARAMS=enabled), so a misspelt setting silently takes its default.
# `enableTLS` is read by no release: it came on main after v2.20.2 (8360d22a, default true).
_METADATA_2_17 = frozenset(
    {
        "endpoint",
        "namespace",
        "activationTargetQueueSize",
        "targetQueueSize",
        "taskQueue",
        "queueTypes",
        "buildId",
        "selectAllActive",
        "selectUnversioned",
        "minConnectTimeout",
        "unsafeSsl",
    }
)
_AUTH = frozenset({"apiKey", "cert", "key", "keyPassword", "ca"})
TEMPORAL_SCALER = {
    "v2.17.2": ScalerParameters(metadata=_METADATA_2_17, auth=_AUTH),
    "v2.20.2": ScalerParameters(
        # 2.20 adds Worker Deployment versioning and the TLS server name.
        metadata=_METADATA_2_17 | {"workerDeploymentName", "workerDeploymentBuildId", "tlsServerName"},
        auth=_AUTH,
        # "will be removed in v2.21" (Temporal drops the Rules-Based Versioning APIs they use).
        deprecated=frozenset({"buildId", "selectAllActive", "selectUnversioned"}),
    ),
}
# Neither `optional` nor with a `default` in either release.
TEMPORAL_REQUIRED_METADATA = {"endpoint", "taskQueue"}
# getQueueTypes: the value split on "," as it is (no spaces), each compared exactly; any other
# word becomes an unspecified queue type without an error.
TEMPORAL_QUEUE_TYPES = {"workflow", "activity", "nexus"}
# int64 and int fields are parsed as JSON numbers: plain decimal integers here.
TEMPORAL_COUNTS = {"targetQueueSize", "activationTargetQueueSize", "minConnectTimeout"}
# bool fields: Go's strconv.ParseBool.
GO_BOOLEANS = {"1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False"}
TEMPORAL_BOOLEANS = {"unsafeSsl", "selectAllActive", "selectUnversioned"}


def keda_targets() -> list[str]:
    return [
        t
        for t in TARGETS
        if "../../components/keda"
        in (yaml.safe_load((K8S / t / "kustomization.yaml").read_text()).get("components") or [])
    ]


def test_the_scaler_parameters_come_from_the_vendored_releases() -> None:
    """TEMPORAL_SCALER covers every KEDA release whose CRDs the tests above use, and something uses it."""
    vendored = {p.name.removeprefix("keda-") for p in SCHEMAS.glob("keda-*")}
    assert {release.removeprefix("v") for release in TEMPORAL_SCALER} == vendored
    assert keda_targets(), "no overlay includes components/keda"


@pytest.mark.parametrize("target", keda_targets())
def test_the_temporal_triggers_use_only_what_the_scaler_reads(target: str) -> None:
    documents = render(target)
    triggers = [t for d in documents if d["kind"] == "ScaledObject" for t in d["spec"]["triggers"]]
    temporal = [t for t in triggers if t["type"] == "temporal"]
    assert temporal, f"{target}: no temporal trigger"
    known = frozenset.intersection(*(p.metadata for p in TEMPORAL_SCALER.values()))
    deprecated = frozenset.union(*(p.deprecated for p in TEMPORAL_SCALER.values()))
    auth_known = frozenset.intersection(*(p.auth for p in TEMPORAL_SCALER.values()))
    for trigger in temporal:
        metadata: dict[str, str] = trigger["metadata"]
        unknown = metadata.keys() - known
        assert not unknown, f"{target}: the scaler (every release from 2.17.2) does not read {sorted(unknown)}"
        assert not metadata.keys() & deprecated, f"{target}: deprecated: {sorted(metadata.keys() & deprecated)}"
        missing = TEMPORAL_REQUIRED_METADATA - metadata.keys()
        assert not missing, f"{target}: the scaler requires {sorted(missing)}"
        assert re.fullmatch(r"[^:/\s]+:\d+", metadata["endpoint"]), "host:port, no scheme"
        if "queueTypes" in metadata:
            wrong = set(metadata["queueTypes"].split(",")) - TEMPORAL_QUEUE_TYPES
            assert not wrong, f"queueTypes: {sorted(wrong)}, not among {sorted(TEMPORAL_QUEUE_TYPES)} (no spaces)"
        for key in TEMPORAL_COUNTS & metadata.keys():
            assert re.fullmatch(r"\d+", metadata[key]), f"{key}: {metadata[key]!r} is not a whole number"
        # 2.17 refuses 0 (only 2.18 and later accept it).
        assert int(metadata.get("targetQueueSize", "5")) > 0
        for key in TEMPORAL_BOOLEANS & metadata.keys():
            assert metadata[key] in GO_BOOLEANS, f"{key}: {metadata[key]!r}"

        auth = one(documents, "TriggerAuthentication", trigger["authenticationRef"]["name"])["spec"]
        refs = [r for kind in ("secretTargetRef", "configMapTargetRef", "env") for r in auth.get(kind, [])]
        parameters = {r["parameter"] for r in refs}
        assert parameters, f"{target}: the trigger authenticates with nothing"
        assert parameters <= auth_known, f"{target}: the scaler does not read {sorted(parameters - auth_known)}"
        assert ("cert" in parameters) == ("key" in parameters), "the scaler takes cert and key together"
        # What the worker connects with, the scaler connects with.
        env = environment(documents, "casebridge-worker")
        assert ("apiKey" in parameters) == bool(env.get("TEMPORAL_API_KEY_FILE"))
        assert ("cert" in parameters) == bool(env.get("TEMPORAL_TLS_CLIENT_CERT_PATH"))
