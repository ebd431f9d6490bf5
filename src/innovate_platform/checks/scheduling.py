"""`scheduling`: Karpenter's decisions, checked. For every app pod template (the charts as Flux renders
them, per environment) and every NodePool of the environment's tree, the NodeClaim Karpenter 1.14.1
would create (`checks/nodeclaims.py`) is validated against the NodeClaim CRD the pinned
`karpenter-crd` chart ships, schema and CEL rules (`checks/manifests.py`). A NodeClaim the API
server would reject is an error; so is a pod that no NodePool and no managed node group can take
(taints, node selectors and affinity, instance sizes against requests, pool limits)."""

from __future__ import annotations

import json
import tarfile
from functools import lru_cache
from pathlib import Path

import yaml

from ..config import Environment, NodeGroup, Platform
from ..config.catalog import INSTANCE_CATALOG
from ..upstream.cache import CHARTS_ENV
from .inputs import CheckInputs, ManifestFile
from .karpenter_requirements import Requirement, Requirements, pod_requirement_terms, tolerates
from .kubernetes import describe
from .manifests import CrdVersion, strict_schema, validate_custom_resource
from .model import Check, CheckUnavailable, Finding
from .nodeclaims import Requests, allocatable, fits, simulate
from .pod_security import pod_spec_of

NODECLAIM = ("karpenter.sh/v1", "NodeClaim")
ZONE_FIX = ("remove min_zones from this pool in platform.yaml (minValues on topology.kubernetes.io/zone): the pods' "
            "zone spread narrows every NodeClaim to one zone (kubernetes-sigs/karpenter#2999); the spread itself spreads the nodes")


@lru_cache(maxsize=4)
def nodeclaim_crd(package: str) -> CrdVersion:
    """The NodeClaim CRD from the karpenter-crd chart package (its Helm template lines dropped)."""
    path = Path(package)
    if not path.is_file():
        raise CheckUnavailable(f"{path.name} is not in the chart cache {path.parent}; run `innovate charts pull`, or pass "
                               f"--charts DIR (or set {CHARTS_ENV}) naming a directory of chart packages")
    with tarfile.open(path) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith("karpenter.sh_nodeclaims.yaml"))
        text = tar.extractfile(member).read().decode()
    doc = yaml.safe_load("\n".join(line for line in text.splitlines() if "{{" not in line))
    version = next(v for v in doc["spec"]["versions"] if v["name"] == "v1")
    schema = version["schema"]["openAPIV3Schema"]
    return CrdVersion(doc["spec"]["group"], "v1", doc["spec"]["names"]["kind"], schema, strict_schema(schema))


def zones_of(root: Path, platform: Platform, env: Environment) -> tuple[str, ...]:
    """The VPC's zones: the committed AZ lookup (cdk.context.json), its first az_count."""
    context = root / "cdk.context.json"
    key = f"availability-zones:account={env.account}:region={platform.region}"
    found = json.loads(context.read_text()).get(key) if context.is_file() else None
    return tuple((found or [f"{platform.region}{c}" for c in "abc"])[: env.az_count])


def preference_policy(files: list[ManifestFile]) -> str:
    """Karpenter's settings.preferencePolicy from its HelmRelease (chart default Respect)."""
    for obj in (o for f in files for o in f.objects()):
        if obj.get("kind") == "HelmRelease" and obj["metadata"]["name"] == "karpenter":
            return str((((obj.get("spec") or {}).get("values") or {}).get("settings") or {}).get("preferencePolicy", "Respect"))
    return "Respect"


def group_reason(group: NodeGroup, spec: dict, zones: tuple[str, ...]) -> str | None:
    """Why a managed node group cannot take the pod, or None."""
    taint = tolerates([{**t, "effect": "NoSchedule"} for t in group.taints], spec.get("tolerations"))
    if taint:
        return f"the pod does not tolerate the taint {taint['key']}={taint['value']}:NoSchedule"
    labels = Requirements.from_labels({**group.labels, "eks.amazonaws.com/nodegroup": group.name,
                                       "eks.amazonaws.com/capacityType": group.capacity_type,
                                       "kubernetes.io/arch": "amd64", "kubernetes.io/os": "linux"})
    labels.add(Requirement.of("node.kubernetes.io/instance-type", "In", group.instance_types),
               Requirement.of("topology.kubernetes.io/zone", "In", zones), Requirement.of("kubernetes.io/hostname", "Exists"))
    problems = []
    for term in pod_requirement_terms(spec):
        missing = [f"{r}" for k, r in term.items() if k not in labels and r.operator not in ("NotIn", "DoesNotExist")]
        problem = (f"its nodes have no label {missing[0].split()[0]}" if missing else labels.incompatibility(term))
        if problem is None:
            break
        problems.append(problem)
    else:
        return "; ".join(dict.fromkeys(problems))
    pod = Requests.of_pod(spec)
    if not any(fits(INSTANCE_CATALOG[t], pod) for t in group.instance_types):
        largest = max(group.instance_types, key=lambda t: allocatable(INSTANCE_CATALOG[t]).memory)
        return f"the pod requests {pod}, more than {largest} can allocate ({allocatable(INSTANCE_CATALOG[largest])})"
    return None


def pod_findings(env: Environment, pods: list[ManifestFile], pools: list[dict], zones: tuple[str, ...],
                 crd: CrdVersion, policy: str = "Respect") -> list[Finding]:
    out: list[Finding] = []
    for file in pods:
        for obj in file.objects():
            spec = pod_spec_of(obj)
            if spec is None:
                continue
            where = f"{file.path}: {describe(obj)}"
            takers, reasons = [], []
            for pool in pools:
                outcome = simulate(pool, spec, zones, policy)
                if outcome.nodeclaim is None:
                    reasons.append(f"NodePool {outcome.pool}: {outcome.reason}")
                    continue
                rejected = validate_custom_resource(outcome.nodeclaim, crd)
                for problem in rejected:
                    field = problem.where.rsplit(" ", 1)[-1]
                    zone = "minValues" in problem.message and any(
                        r.get("key") == "topology.kubernetes.io/zone" and "minValues" in r for r in outcome.nodeclaim["spec"]["requirements"])
                    out.append(Finding(env.name, where, f"NodePool {outcome.pool} -> NodeClaim .{field.lstrip('.')}",
                                       f"the NodeClaim Karpenter would create for this pod is rejected by the NodeClaim CRD: "
                                       f"{problem.message}; requirements: {_brief(outcome.nodeclaim)}",
                                       ZONE_FIX if zone else "change the NodePool (karpenter.node_pools in platform.yaml) or "
                                       "the pod's scheduling constraints until the NodeClaim validates"))
                if rejected:
                    reasons.append(f"NodePool {outcome.pool}: its NodeClaim would be rejected")
                else:
                    takers.append(outcome.pool)
            for group in env.node_groups:
                reason = group_reason(group, spec, zones)
                if reason is None:
                    takers.append(group.name)
                else:
                    reasons.append(f"node group {group.name}: {reason}")
            if not takers:
                out.append(Finding(env.name, where, "spec", "no NodePool or node group can run this pod: " + "; ".join(reasons),
                                   "give the pod matching tolerations, node selectors and requests, or add capacity "
                                   "that can take it (node_groups or karpenter.node_pools in platform.yaml)"))
    return out


def _brief(nodeclaim: dict) -> str:
    return ", ".join(str(Requirement.of(r["key"], r["operator"], r.get("values") or (), r.get("minValues")))
                     for r in nodeclaim["spec"]["requirements"])


def run(inputs: CheckInputs, env: str) -> list[Finding]:
    environment = inputs.platform.env(env)
    gitops = inputs.gitops().for_env(env)
    pools = [o for f in gitops for o in f.objects() if o.get("kind") == "NodePool"]
    package = inputs.charts_dir / f"karpenter-crd-{inputs.platform.versions.charts['karpenter-crd']}.tgz"
    crd = nodeclaim_crd(str(package))
    zones = zones_of(inputs.root, inputs.platform, environment)
    return pod_findings(environment, inputs.charts().for_env(env), pools, zones, crd, preference_policy(gitops))


CHECK = Check("scheduling", "Karpenter's NodeClaims for every app pod pass the NodeClaim CRD; every pod has capacity", run,
              needs=("gitops", "charts"), envs=("dev", "staging", "prod"))
