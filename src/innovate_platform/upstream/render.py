"""`helm template` of a chart with given values, exactly once per distinct input.

Renders are memoized in memory and on disk (`$INNOVATE_RENDER_CACHE`, default
`~/.cache/innovate/renders`), keyed by everything that decides the output: helm itself, the chart
package (or chart directory) contents, release, namespace, Kubernetes version and values. Chart
generated certificates (a fresh CA on every render) are masked so two renders of the same input
compare equal.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

RENDER_CACHE_ENV = "INNOVATE_RENDER_CACHE"
_PEM = re.compile(r"LS0tLS1CRUdJTi[A-Za-z0-9+/=]*|-----BEGIN [A-Z ]+-----[\s\S]*?-----END [A-Z ]+-----")


@dataclass(frozen=True)
class Rendered:
    """helm's output (PEM material masked), or the last line of its error."""

    text: str
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def render_cache_dir() -> Path:
    return Path(os.environ.get(RENDER_CACHE_ENV) or "~/.cache/innovate/renders").expanduser()


@lru_cache(maxsize=64)
def _digest_file(path: str, mtime: float, size: int) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def content_digest(path: Path) -> str:
    """sha256 of a chart package, or of every file of a chart directory."""
    if path.is_file():
        stat = path.stat()
        return _digest_file(str(path), stat.st_mtime, stat.st_size)
    digest = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        digest.update(file.relative_to(path).as_posix().encode())
        stat = file.stat()
        digest.update(_digest_file(str(file), stat.st_mtime, stat.st_size).encode())
    return digest.hexdigest()


class Renderer:
    """Thread-safe memoized `helm template --include-crds` for one Kubernetes version."""

    def __init__(self, helm: Path, kubernetes_version: str, cache: Path | None = None) -> None:
        self.helm = Path(helm)
        self.kube_version = f"{kubernetes_version}.0"
        self.cache = cache if cache is not None else render_cache_dir()
        self._memo: dict[str, Rendered] = {}
        self._lock = threading.Lock()
        stat = self.helm.stat()
        self._helm_id = f"{self.helm.resolve()}:{stat.st_size}:{stat.st_mtime}"
        self.renders = 0  # helm processes actually run (for the bench and tests)

    def _key(self, chart: Path, release: str, namespace: str, values: dict, values_files: tuple[Path, ...]) -> str:
        parts = [self._helm_id, content_digest(chart), release, namespace, self.kube_version,
                 json.dumps(values, sort_keys=True, default=str)]
        parts += [content_digest(f) for f in values_files]
        return hashlib.sha256("\0".join(parts).encode()).hexdigest()

    def render(self, chart: Path, release: str, namespace: str, values: dict[str, Any],
               values_files: tuple[Path, ...] = ()) -> Rendered:
        key = self._key(chart, release, namespace, values, values_files)
        with self._lock:
            if key in self._memo:
                return self._memo[key]
        stored = self.cache / key[:2] / f"{key}.json"
        result = self._load(stored)
        if result is None:
            result = self._run(chart, release, namespace, values, values_files)
            self._store(stored, result)
        with self._lock:
            self._memo[key] = result
        return result

    def _run(self, chart: Path, release: str, namespace: str, values: dict, values_files: tuple[Path, ...]) -> Rendered:
        with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as handle:
            yaml.safe_dump(values, handle)
        try:
            command = [str(self.helm), "template", release, str(chart), "--namespace", namespace,
                       "--kube-version", self.kube_version, "--include-crds"]
            for file in values_files:
                command += ["-f", str(file)]
            command += ["-f", handle.name]
            result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        finally:
            os.unlink(handle.name)
        with self._lock:
            self.renders += 1
        if result.returncode != 0:
            return Rendered("", (result.stderr.strip().splitlines() or ["helm template failed"])[0])
        return Rendered(_PEM.sub("<generated-pem>", result.stdout))

    @staticmethod
    def _load(path: Path) -> Rendered | None:
        try:
            data = json.loads(path.read_text())
            return Rendered(data["text"], data["error"])
        except (OSError, ValueError, KeyError):
            return None

    @staticmethod
    def _store(path: Path, result: Rendered) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
            tmp.write_text(json.dumps({"text": result.text, "error": result.error}))
            tmp.replace(path)
        except OSError:
            pass  # a read-only home: memoized in memory only
