"""Image build step: download a URL and keep it only if its SHA-256 is the pinned digest.

    python fetch_pinned.py <url> <sha256 hex> <destination>

Used by the Dockerfile for the RDS CA bundle: a bundle that differs from the pin (a new AWS
release, a tampered download) fails the build with one line instead of landing in the image.
"""

from __future__ import annotations

import hashlib
import re
import sys
import urllib.request
from pathlib import Path


def fetch_pinned(url: str, digest: str, destination: Path) -> str | None:
    """None when ``destination`` now holds the download; otherwise why nothing was written."""
    if not re.fullmatch(r"[0-9a-f]{64}", digest):
        return f"{digest!r} is not a SHA-256 hex digest"
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            data = response.read()
    except OSError as error:
        return f"cannot download {url}: {error}"
    actual = hashlib.sha256(data).hexdigest()
    if actual != digest:
        return f"{url} has SHA-256 {actual}, not the pinned {digest}: review the new file and update the pin"
    destination.parent.mkdir(parents=True, exist_ok=True)
    destination.write_bytes(data)
    return None


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print("usage: python fetch_pinned.py <url> <sha256> <destination>", file=sys.stderr)
        return 2
    problem = fetch_pinned(argv[0], argv[1], Path(argv[2]))
    if problem:
        print(f"fetch_pinned: {problem}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
