"""Image references in a Dockerfile, for platform-security's image-digest rule (checks/image_digests.py).

The `# syntax=` directive, every FROM (ARG defaults declared before the first FROM resolved), every
`COPY --from=<image>` and every `RUN --mount=...,from=<image>`. Names of earlier stages (`FROM ... AS
<name>`), stage indexes and `scratch` are not images and are skipped.
"""

from __future__ import annotations

import re
import shlex
from typing import Iterator

VAR = re.compile(r"\$(?:\{(\w+)\}|(\w+))")


def _logical_lines(text: str) -> list[tuple[int, str]]:
    out, buffer, start = [], "", 0
    for number, line in enumerate(text.splitlines(), 1):
        if not buffer:
            start = number
        if line.rstrip().endswith("\\"):
            buffer += line.rstrip()[:-1] + " "
            continue
        out.append((start, buffer + line))
        buffer = ""
    return out


def dockerfile_images(text: str) -> Iterator[tuple[int, str]]:
    """(line, image) for the `# syntax=` directive, every FROM (ARG defaults before the first FROM
    resolved; earlier stage names and scratch skipped), every COPY --from=<image> and every
    RUN --mount=...,from=<image>."""
    args: dict[str, str] = {}
    stages: set[str] = {"scratch"}
    seen_from = False
    for number, line in _logical_lines(text):
        stripped = line.strip()
        directive = re.match(r"#\s*syntax\s*=\s*(\S+)", stripped, flags=re.I)
        if directive and not seen_from:
            yield number, directive.group(1)
        if not stripped or stripped.startswith("#"):
            continue
        words = shlex.split(stripped, posix=False)
        instruction = words[0].upper()
        if instruction == "ARG" and not seen_from and len(words) > 1 and "=" in words[1]:
            name, default = words[1].split("=", 1)
            args[name] = default.strip("\"'")
        elif instruction == "FROM":
            seen_from = True
            refs = [w for w in words[1:] if not w.startswith("--")]
            image = VAR.sub(lambda m: args.get(m.group(1) or m.group(2), m.group(0)), refs[0]) if refs else ""
            if image and image.lower() not in stages:
                yield number, image
            if len(refs) >= 3 and refs[1].upper() == "AS":
                stages.add(refs[2].lower())
        elif instruction == "COPY":
            for word in words[1:]:
                source = word[len("--from="):] if word.startswith("--from=") else None
                if source and source.lower() not in stages and not source.isdigit():
                    yield number, source
        elif instruction == "RUN":
            for word in words[1:]:
                if not word.startswith("--"):
                    break
                source = _mount_from(word)
                if source and source.lower() not in stages and not source.isdigit():
                    yield number, source


def _mount_from(word: str) -> str | None:
    """The `from=` of a `RUN --mount=type=...,from=<stage or image>` flag (BuildKit's mount options)."""
    if not word.startswith("--mount="):
        return None
    for option in word[len("--mount="):].strip("\"'").split(","):
        key, _, value = option.partition("=")
        if key.strip().lower() == "from" and value.strip():
            return value.strip()
    return None
