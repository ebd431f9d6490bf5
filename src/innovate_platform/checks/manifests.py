"""Manifest validation without a cluster: Kubernetes schemas, CRD schemas with their CEL rules, pins.

- Core kinds: `kubernetes-validate` in strict mode for the cluster's Kubernetes version; an
  apiVersion the version no longer serves (policy/v1beta1, autoscaling/v2beta2) is an error.
- CRD kinds (Karpenter, Flux, KEDA, SecurityGroupPolicy): the CRD's openAPIV3Schema from
  ../shared/schemas with unknown fields rejected (as the API server's strict field validation
  does), defaults applied, then its `x-kubernetes-validations` CEL rules (rules on `oldSelf`
  only apply to updates and are skipped).
- Pins: container images carry a tag or digest and never `latest`; Helm chart versions and
  OCI chart tags are exact.
"""

from __future__ import annotations

import copy
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Iterator

import yaml

Obj = dict[str, Any]

SCHEMAS_ENV = "INNOVATE_SCHEMAS"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
EXACT_VERSION = re.compile(r"^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$")
VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class Finding:
    """One problem with one object: `where` is kind/namespace/name plus the field path."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def default_schema_root() -> Path:
    """../shared/schemas next to the repository, or $INNOVATE_SCHEMAS."""
    if os.environ.get(SCHEMAS_ENV):
        return Path(os.environ[SCHEMAS_ENV])
    return Path(__file__).resolve().parents[3].parent / "shared" / "schemas"


def describe(obj: Obj) -> str:
    meta = obj.get("metadata") or {}
    ns = f"{meta['namespace']}/" if meta.get("namespace") else ""
    return f"{obj.get('kind', '?')} {ns}{meta.get('name', '?')}"


# --- CRD schemas -------------------------------------------------------------------------------


def strict_schema(schema: Any) -> Any:
    """A copy that rejects unknown fields: `additionalProperties: false` on every object schema
    with `properties`, unless it preserves unknown fields."""
    if isinstance(schema, dict):
        out = {k: strict_schema(v) for k, v in schema.items()}
        if "properties" in schema and not schema.get("x-kubernetes-preserve-unknown-fields") and "additionalProperties" not in schema:
            out["additionalProperties"] = False
        return out
    if isinstance(schema, list):
        return [strict_schema(v) for v in schema]
    return schema


@dataclass(frozen=True)
class CrdVersion:
    group: str
    version: str
    kind: str
    schema: Obj  # as published, for defaults and CEL
    strict: Obj  # unknown fields rejected


@lru_cache(maxsize=4)
def load_crds(root: str) -> dict[tuple[str, str], CrdVersion]:
    """(apiVersion, kind) -> schema of every served version of every CRD under `root`."""
    crds: dict[tuple[str, str], CrdVersion] = {}
    base = Path(root)
    if not base.is_dir():
        raise FileNotFoundError(f"{base}: CRD schemas not found; set {SCHEMAS_ENV} to the shared/schemas directory")
    from .chart_crds import chart_crd_documents, upstream_charts_dir

    docs = [doc for path in sorted(base.rglob("*.yaml")) for doc in yaml.load_all(path.read_text(), Loader=_LOADER)]
    for doc in list(chart_crd_documents(upstream_charts_dir(base))) + docs:  # schemas/ wins over a chart's copy
        if not isinstance(doc, dict) or doc.get("kind") != "CustomResourceDefinition":
            continue
        group, kind = doc["spec"]["group"], doc["spec"]["names"]["kind"]
        for version in doc["spec"]["versions"]:
            if not version.get("served", True):
                continue
            schema = version["schema"]["openAPIV3Schema"]
            crds[(f"{group}/{version['name']}", kind)] = CrdVersion(group, version["name"], kind, schema, strict_schema(schema))
    return crds


def apply_defaults(value: Any, schema: Obj) -> Any:
    """Structural defaulting as the API server does it before CEL runs."""
    if isinstance(value, dict):
        props = schema.get("properties") or {}
        out = dict(value)
        for key, sub in props.items():
            if key not in out and "default" in sub:
                out[key] = copy.deepcopy(sub["default"])
        for key, item in out.items():
            if key in props:
                out[key] = apply_defaults(item, props[key])
            elif isinstance(schema.get("additionalProperties"), dict):
                out[key] = apply_defaults(item, schema["additionalProperties"])
        return out
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        return [apply_defaults(v, schema["items"]) for v in value]
    return value


# --- CEL -----------------------------------------------------------------------------------------


def _cel_functions() -> dict[str, Any]:
    from celpy import celtypes

    def find(text: Any, pattern: Any) -> Any:
        match = re.search(str(pattern), str(text))
        return celtypes.StringType(match.group(0) if match else "")

    def split(text: Any, sep: Any) -> Any:
        return celtypes.ListType([celtypes.StringType(p) for p in str(text).split(str(sep))])

    return {"find": find, "split": split}


@lru_cache(maxsize=None)
def _cel_program(rule: str) -> Any:
    import celpy

    env = celpy.Environment()
    return env.program(env.compile(rule), functions=_cel_functions())


@lru_cache(maxsize=8192)
def _cel_outcome(text: str, value_json: str) -> str | None:
    """None when the rule holds for the value, else why not (the same rule on the same value, e.g.
    a label key repeated across NodeClaims or environments, is evaluated once)."""
    import json

    import celpy
    from celpy.evaluation import CELEvalError

    try:
        result = _cel_program(text).evaluate({"self": celpy.json_to_cel(json.loads(value_json))})
    except CELEvalError as exc:
        result = exc
    if isinstance(result, CELEvalError):
        return f"CEL rule could not be evaluated ({text}): {result.args[0] if result.args else result}"
    return None if bool(result) else ""


def cel_findings(value: Any, schema: Obj, path: str = "") -> Iterator[tuple[str, str]]:
    """(field path, message) for every CEL rule the value breaks, depth first."""
    import json

    for rule in schema.get("x-kubernetes-validations") or ():
        text = rule["rule"]
        if "oldSelf" in text:
            continue
        outcome = _cel_outcome(text, json.dumps(value, sort_keys=True))
        if outcome:
            yield path or ".", outcome
        elif outcome == "":
            yield path or ".", f"{rule.get('message') or 'CEL rule failed'} (rule: {text})"
    if isinstance(value, dict):
        props = schema.get("properties") or {}
        extra = schema.get("additionalProperties")
        for key, item in value.items():
            sub = props.get(key) or (extra if isinstance(extra, dict) else None)
            if sub:
                yield from cel_findings(item, sub, f"{path}.{key}")
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for i, item in enumerate(value):
            yield from cel_findings(item, schema["items"], f"{path}[{i}]")


def validate_custom_resource(obj: Obj, crd: CrdVersion) -> list[Finding]:
    """Schema (unknown fields rejected) and CEL rules of one custom resource."""
    import jsonschema

    where = describe(obj)
    validator = jsonschema.Draft7Validator(crd.strict)  # no format checker: formats mean Kubernetes things
    findings = [
        Finding(f"{where} .{'.'.join(str(p) for p in err.absolute_path)}", err.message)
        for err in sorted(validator.iter_errors(obj), key=lambda e: list(map(str, e.absolute_path)))
    ]
    if findings:
        return findings
    defaulted = apply_defaults(obj, crd.schema)
    return [Finding(f"{where} {path}", message) for path, message in cel_findings(defaulted, crd.schema)]


# --- core kinds ----------------------------------------------------------------------------------


@lru_cache(maxsize=None)
def _core_validator(kubernetes_version: str, api_version: str, kind: str) -> Any:
    """The strict validator kubernetes-validate would build, built once per kind (its schema
    files are large JSON and it reloads them on every call)."""
    import jsonschema
    from kubernetes_validate import utils
    from referencing import Registry, Resource

    wanted = utils.major_minor(kubernetes_version)
    version = [v for v in utils.all_versions() if utils.major_minor(v) <= wanted][-1]
    schema_dir = f"v{version}-local-strict"
    group_version = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    try:
        schema = utils.schema_contents(f"kubernetes-json-schema/{schema_dir}/{kind.lower()}-{group_version}.json", kubernetes_version)
    except FileNotFoundError:
        return None
    definitions = _core_definitions(schema_dir, kubernetes_version)
    registry = Resource.from_contents(definitions) @ (Resource.from_contents(schema) @ Registry())
    return jsonschema.validators.Draft202012Validator(schema, registry=registry)


@lru_cache(maxsize=4)
def _core_definitions(schema_dir: str, kubernetes_version: str) -> Any:
    from kubernetes_validate import utils

    return utils.schema_contents(f"kubernetes-json-schema/{schema_dir}/_definitions.json", kubernetes_version)


def validate_core(obj: Obj, kubernetes_version: str) -> list[Finding]:
    """Strict schema of a built-in kind (kubernetes-validate's schemas for the version); an
    apiVersion the version does not serve is an error."""
    where = describe(obj)
    validator = _core_validator(kubernetes_version, str(obj.get("apiVersion")), str(obj.get("kind")))
    if validator is None:
        return [
            Finding(
                where,
                f"{obj.get('apiVersion')} {obj.get('kind')} is not served by Kubernetes {kubernetes_version} "
                "(removed or unknown API version); use the current apiVersion",
            )
        ]
    errors = sorted(validator.iter_errors(obj), key=lambda e: list(map(str, e.absolute_path)))
    return [Finding(f"{where} .{'.'.join(str(p) for p in err.absolute_path)}", err.message) for err in errors]


# --- pins ----------------------------------------------------------------------------------------


def image_problem(image: str) -> str | None:
    """Why an image reference is not pinned, or None."""
    if "@sha256:" in image:
        return None
    last = image.rsplit("/", 1)[-1]
    if ":" not in last:
        return f"image '{image}' has no tag (means latest); pin a version"
    if last.rsplit(":", 1)[1] in ("", "latest"):
        return f"image '{image}' uses the latest tag; pin a version"
    return None


def _images(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for key, item in value.items():
            sub = f"{path}.{key}"
            if key == "image" and isinstance(item, str):
                problem = image_problem(item)
                if problem:
                    yield sub, problem
            elif key == "image" and isinstance(item, dict) and str(item.get("tag", "")).strip() == "latest":
                yield f"{sub}.tag", "image tag 'latest' is not a pin; set a version"
            else:
                yield from _images(item, sub)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _images(item, f"{path}[{i}]")


def pin_findings(obj: Obj) -> list[Finding]:
    """Images with a tag that is not latest; exact chart versions and OCI tags."""
    where = describe(obj)
    out = [Finding(f"{where} {path}", msg) for path, msg in _images(obj, "")]
    spec = obj.get("spec") or {}
    if obj.get("kind") == "HelmRelease":
        chart = (spec.get("chart") or {}).get("spec") or {}
        source = (chart.get("sourceRef") or {}).get("kind")
        version = str(chart.get("version", ""))
        if source in ("HelmRepository", None) and chart and not EXACT_VERSION.match(version):
            out.append(Finding(f"{where} .spec.chart.spec.version", f"chart version '{version}' is not an exact version"))
    if obj.get("kind") == "OCIRepository":
        ref = spec.get("ref") or {}
        tag = str(ref.get("tag", ""))
        if "digest" not in ref and (not EXACT_VERSION.match(tag) or "semver" in ref):
            out.append(Finding(f"{where} .spec.ref", f"OCI ref {ref} is not an exact tag or digest; pin ref.tag"))
    return out


# --- documents -----------------------------------------------------------------------------------


def is_build_file(obj: Obj) -> bool:
    """kustomization.yaml files configure the build; they are not cluster objects."""
    return str(obj.get("apiVersion", "")).startswith("kustomize.config.k8s.io/")


def validate_object(obj: Obj, kubernetes_version: str, schema_root: str | os.PathLike[str] | None = None) -> list[Finding]:
    """Every finding for one object: its schema (core or CRD with CEL) and its pins."""
    if not isinstance(obj, dict) or "apiVersion" not in obj or "kind" not in obj:
        return [Finding("document", "not a Kubernetes object (apiVersion and kind are required)")]
    crds = load_crds(str(schema_root or default_schema_root()))
    crd = crds.get((obj["apiVersion"], obj["kind"]))
    if crd is not None:
        findings = validate_custom_resource(obj, crd)
    elif any(group == obj["apiVersion"].split("/")[0] for group in {c.group for c in crds.values()}):
        findings = [Finding(describe(obj), f"{obj['apiVersion']} is not a served version of the {obj['kind']} CRD")]
    else:
        findings = validate_core(obj, kubernetes_version)
    return findings + pin_findings(obj)


def validate_documents(
    docs: Iterable[Obj], kubernetes_version: str, schema_root: str | os.PathLike[str] | None = None
) -> list[Finding]:
    out: list[Finding] = []
    for doc in docs:
        if doc is None or is_build_file(doc):
            continue
        out.extend(validate_object(doc, kubernetes_version, schema_root))
    return out


class SubstitutionError(KeyError):
    """A `${var}` with no value in cluster-vars."""


def substitute(text: str, variables: dict[str, str]) -> str:
    """Flux postBuild substitution of `${name}`; a name missing from `variables` is an error."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in variables:
            raise SubstitutionError(f"${{{name}}} is not a key of cluster-vars")
        return variables[name]

    return VARIABLE.sub(value, text)


def variables_in(text: str) -> set[str]:
    return set(VARIABLE.findall(text))
