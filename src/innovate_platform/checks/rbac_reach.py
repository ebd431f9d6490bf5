"""RBAC reachability: what each team and each app's Flux reconciler can actually do, computed from
the rendered Roles, ClusterRoles and their bindings, compared with what platform.yaml grants.

- Team: the (verb, group/resource, namespace) triples reachable through every binding naming
  the team's group, against gitops/tenancy.team_rules over the team's namespaces. Anything
  beyond is a finding (a wildcard counts as beyond).
- App release: its HelmRelease names a reconciler ServiceAccount (else helm-controller applies it
  as cluster-admin); that account is bound by namespaced Roles in the app's namespace only, and
  those Roles cover every kind the app's chart renders.
"""

from __future__ import annotations

from typing import Iterable, Iterator

from ..config import Platform
from ..gitops.bootstrap import FLUX_NAMESPACE
from ..gitops.tenancy import team_rules
from .admission import RESOURCES
from .model import Finding
from .tenancy import role_rules

Triple = tuple[str, str, str]  # verb, "group/resource", namespace ("*" = every namespace)
BUILTIN = {"cluster-admin", "admin", "edit", "view"}


def expand(rules: Iterable[dict], namespace: str) -> set[Triple]:
    return {(verb, f"{group}/{resource}", namespace)
            for r in rules for group in r.get("apiGroups") or [] for resource in r.get("resources") or []
            for verb in r.get("verbs") or []}


def reach(objects: list, matches) -> tuple[set[Triple], list[str]]:
    """Triples reachable by subjects `matches(subject)` selects, and bindings whose role is unknown."""
    out: set[Triple] = set()
    unknown: list[str] = []
    for b in objects:
        if b.kind not in ("RoleBinding", "ClusterRoleBinding") or not any(matches(s or {}) for s in b.obj.get("subjects") or []):
            continue
        ref = b.obj.get("roleRef") or {}
        scope = "*" if b.kind == "ClusterRoleBinding" else str(b.namespace)
        rules = role_rules(objects, str(ref.get("kind")), str(ref.get("name")), b.namespace)
        if rules is None:
            if ref.get("name") in BUILTIN or ref.get("kind") == "ClusterRole":
                out.add(("*", "*/*", scope))
            unknown.append(b.where)
            continue
        out |= expand(rules, scope)
    return out, unknown


def _group_subject(group: str):
    return lambda s: s.get("kind") == "Group" and s.get("name") == group


def _account_subject(name: str, namespace: str):
    return lambda s: s.get("kind") == "ServiceAccount" and s.get("name") == name and s.get("namespace") == namespace


def _summarise(triples: set[Triple]) -> str:
    by: dict[tuple[str, str], list[str]] = {}
    for verb, resource, ns in sorted(triples):
        by.setdefault((resource, ns), []).append(verb)
    return "; ".join(f"{','.join(v)} {r} in {ns}" for (r, ns), v in sorted(by.items()))


def team_findings(platform: Platform, env: str, objects: list) -> Iterator[Finding]:
    for team in platform.env(env).teams:
        granted = set().union(*(expand(team_rules(team), ns) for ns in team.namespaces))
        reached, _ = reach(objects, _group_subject(team.group))
        beyond = reached - granted
        if beyond:
            yield Finding(env, f"team {team.name} (group {team.group})", "RBAC",
                          f"can reach more than platform.yaml grants: {_summarise(beyond)}",
                          "remove the extra Roles/bindings, or grant it in platform.yaml (teams[].ingress) so the tree renders it")


def _is_test_hook(obj: dict) -> bool:
    return "test" in str(((obj.get("metadata") or {}).get("annotations") or {}).get("helm.sh/hook", ""))


def _release_kinds(objects: list, namespace: str) -> set[str]:
    """Kinds the app's chart installs (helm test hooks only run on `helm test`, which the releases disable)."""
    return {o.kind for o in objects if o.namespace == namespace and o.path.startswith("charts/") and not _is_test_hook(o.obj)}


def release_findings(platform: Platform, env: str, objects: list) -> Iterator[Finding]:
    releases = {o.name: o for o in objects if o.kind == "HelmRelease" and o.namespace == FLUX_NAMESPACE}
    for app in platform.apps:
        release = releases.get(app.name)
        if release is None:
            continue
        account = (release.obj.get("spec") or {}).get("serviceAccountName")
        if not account:
            yield Finding(env, release.where, "spec.serviceAccountName",
                          "the app release is reconciled as helm-controller's own cluster-admin account: a chart change can create "
                          "cluster-scoped objects", "reconcile it as the app's reconciler ServiceAccount (gitops/reconciler.py)")
            continue
        reached, unknown = reach(objects, _account_subject(account, FLUX_NAMESPACE))
        outside = {t for t in reached if t[2] != app.namespace}
        if outside or unknown:
            yield Finding(env, release.where, "spec.serviceAccountName",
                          f"reconciler {account} reaches beyond namespace {app.namespace}: {_summarise(outside) or ', '.join(unknown)}",
                          f"bind {account} with Roles in {app.namespace} only")
        writable = {r for verb, r, ns in reached if verb in ("create", "*") and ns == app.namespace}
        for kind in sorted(_release_kinds(objects, app.namespace)):
            group, resource = RESOURCES.get(kind, ("?", kind.lower()))
            if f"{group}/{resource}" not in writable and f"{group}/*" not in writable:
                yield Finding(env, release.where, "spec.serviceAccountName",
                              f"reconciler {account} cannot create the chart's {kind} objects in {app.namespace}",
                              "add the resource to RECONCILER_RULES (gitops/reconciler.py)")
