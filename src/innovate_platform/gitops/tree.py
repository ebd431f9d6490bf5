"""The whole gitops/ tree: render it, write it, and find files that differ from what would render."""

from __future__ import annotations

import os
from pathlib import Path

from ..config import Environment, Platform
from .app_needs import alb_target_namespaces, uses_keda
from .apps import render_apps
from .bootstrap import TREE_ROOT
from .controllers import render_addons, render_controllers
from .layers import LAYERS, kustomize_file, render_layers
from .node_pools import render_node_pools
from .notifications import render_notifications
from .objects import Obj, dump
from .pod_security_groups import render_security_group_policies
from .sleep import render_sleep
from .storage import render_storage
from .tenancy import render_tenancy


def _configs(platform: Platform, env: Environment, base_dir: Path, released: list[Obj]) -> dict[str, list[Obj]]:
    files = render_tenancy(platform, env, alb_target_namespaces(platform, env, base_dir))
    optional = {
        "notifications.yaml": render_notifications(platform, env, released),
        "node-pools.yaml": render_node_pools(platform, env),
        "sleep.yaml": render_sleep(platform, env, base_dir),
        "security-group-policies.yaml": render_security_group_policies(platform, env, base_dir),
        "storage-classes.yaml": render_storage(platform, env),
    }
    files |= {name: objs for name, objs in optional.items() if objs}
    return files


def _directory(path: str, files: dict[str, list[Obj]]) -> dict[str, str]:
    out = {f"{path}/{name}": dump(objs) for name, objs in files.items()}
    out[f"{path}/kustomization.yaml"] = dump([kustomize_file(list(files))])
    return out


def render_env(platform: Platform, env: Environment, base_dir: Path) -> dict[str, str]:
    """Every file of one environment, keyed by path from the repository root."""
    controllers, apps, layers = render_controllers(platform, env), render_apps(platform, env, base_dir), render_layers(env)
    addons = render_addons(platform, env, uses_keda(platform, env, base_dir))
    flux_objects = [o for files in (layers, controllers, addons, apps) for objs in files.values() for o in objs]
    by_layer = {
        "infra-controllers": controllers,
        "infra-addons": addons,
        "infra-configs": _configs(platform, env, base_dir, flux_objects),
        "apps": apps,
    }
    dirs = {directory: by_layer[name] for name, directory, _ in LAYERS}
    out = _directory(f"{TREE_ROOT}/clusters/{env.name}", layers)
    for directory, files in dirs.items():
        out |= _directory(f"{TREE_ROOT}/{directory}/{env.name}", files)
    return out


def render_tree(platform: Platform, root: str | os.PathLike[str] = ".") -> dict[str, str]:
    """Relative path -> YAML text of the whole tree; `root` is the repository (charts are read from it)."""
    base = Path(root)
    out: dict[str, str] = {}
    for env in platform.environments.values():
        out |= render_env(platform, env, base)
    return dict(sorted(out.items()))


def write_tree(platform: Platform, root: str | os.PathLike[str] = ".") -> list[str]:
    """Write the rendered tree under `root`, removing files the render no longer has; returns what changed."""
    base = Path(root)
    changed = stale_files(platform, base)
    rendered = render_tree(platform, base)
    for rel in changed:
        path = base / rel
        if rel in rendered:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(rendered[rel])
        else:
            path.unlink()
    tree = base / TREE_ROOT
    directories = sorted((p for p in tree.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True)
    for directory in directories:
        if not any(directory.iterdir()):
            directory.rmdir()
    return changed


def stale_files(platform: Platform, root: str | os.PathLike[str] = ".") -> list[str]:
    """Files under gitops/ that are changed, missing or extra compared with a fresh render."""
    base = Path(root)
    rendered = render_tree(platform, base)
    tree = base / TREE_ROOT
    present = {p.relative_to(base).as_posix() for p in tree.rglob("*") if p.is_file()} if tree.exists() else set()
    stale = {rel for rel in present - rendered.keys()}
    for rel, text in rendered.items():
        path = base / rel
        if rel not in present or path.read_text() != text:
            stale.add(rel)
    return sorted(stale)
