#!/usr/bin/env python3
"""Promote an image tag to an environment: set `image.tag` in charts/<app>/values-<env>.yaml.

Flux reconciles the charts from git, so promotion is this edit plus a commit. The edit is a
targeted line change, never a YAML round trip: comments, quoting, key order and line endings
stay as they are. When a values file has no `image.tag` yet, the key is added under `image:`
(or an `image:` block is appended). With --digests (the digest each app's image was pushed as,
from the images workflow) `image.digest` is set next to the tag, so the chart renders
repository:tag@digest; a promotion without one removes a digest left from an earlier tag.
Which tags an environment accepts:

    dev      sha-<7 hex>, X.Y.Z-rc.N or X.Y.Z
    staging  X.Y.Z-rc.N or X.Y.Z
    prod     X.Y.Z only

Standard library only: the promotion jobs run it with the runner's Python.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

SHA_TAG = r"sha-[0-9a-f]{7}"
RELEASE = r"(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)"
CANDIDATE = RELEASE + r"-rc\.(?:0|[1-9][0-9]*)"
ACCEPTED_TAGS = {
    "dev": (re.compile(f"^(?:{SHA_TAG}|{CANDIDATE}|{RELEASE})$"), "sha-<7 hex>, X.Y.Z-rc.N or X.Y.Z"),
    "staging": (re.compile(f"^(?:{CANDIDATE}|{RELEASE})$"), "X.Y.Z-rc.N or X.Y.Z"),
    "prod": (re.compile(f"^{RELEASE}$"), "X.Y.Z (a final SemVer release)"),
}
TOP_LEVEL_IMAGE = re.compile(r"^image:[ \t]*(?:#.*)?$")
FLOW_IMAGE = re.compile(r"^image:[ \t]*[{\[]")
DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")


def _key_line(key: str) -> re.Pattern[str]:
    return re.compile(
        rf"^(?P<key>[ \t]*{key}:)(?P<gap>[ \t]*)(?P<value>\"[^\"]*\"|'[^']*'|[^\s#]+)?(?P<rest>[ \t]*(?:#.*)?)$"
    )


TAG_LINE = _key_line("tag")


class PromotionError(ValueError):
    """A promotion that cannot be done; the message names the file or field."""


def check_tag(env: str, tag: str) -> None:
    """Raise PromotionError unless `env` accepts `tag`."""
    pattern, accepted = ACCEPTED_TAGS[env]
    if not pattern.match(tag):
        raise PromotionError(f"--tag: {tag!r} cannot be promoted to {env}; {env} accepts {accepted}")


def _split_ending(line: str) -> tuple[str, str]:
    body = line.rstrip("\r\n")
    return body, line[len(body):]


def _indent(body: str) -> int:
    return len(body) - len(body.lstrip(" \t"))


def _is_content(body: str) -> bool:
    stripped = body.strip()
    return bool(stripped) and not stripped.startswith("#")


def set_image_tag(text: str, tag: str, where: str = "values file") -> tuple[str, str | None]:
    """Return (new text, previous tag or None) with `image.tag` set to `tag` by a line edit."""
    return set_image_value(text, "tag", tag, where)


def _image_block(bodies: list[str]) -> tuple[int, int] | None:
    start = next((i for i, b in enumerate(bodies) if TOP_LEVEL_IMAGE.match(b)), None)
    if start is None:
        return None
    end = start + 1
    while end < len(bodies) and not (_is_content(bodies[end]) and _indent(bodies[end]) == 0):
        end += 1
    return start, end


def drop_image_digest(text: str) -> tuple[str, str | None]:
    """Return (new text, removed digest or None) without the `image.digest` line."""
    lines = text.splitlines(keepends=True)
    bodies = [_split_ending(line)[0] for line in lines]
    block = _image_block(bodies)
    if block is None:
        return text, None
    pattern = _key_line("digest")
    children = [i for i in range(block[0] + 1, block[1]) if _is_content(bodies[i])]
    child_indent = min((_indent(bodies[i]) for i in children), default=2)
    for i in children:
        match = pattern.match(bodies[i])
        if match and _indent(bodies[i]) == child_indent:
            del lines[i]
            return "".join(lines), (match["value"] or "").strip("'\"") or None
    return text, None


def set_image_value(text: str, key: str, value: str, where: str = "values file") -> tuple[str, str | None]:
    """Return (new text, previous value or None) with `image.<key>` set to `value` by a line edit."""
    lines = text.splitlines(keepends=True)
    newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    bodies = [_split_ending(line)[0] for line in lines]
    if any(FLOW_IMAGE.match(b) for b in bodies):
        raise PromotionError(f"{where}: image: is a flow mapping; write it as a block to promote")
    block = _image_block(bodies)
    if block is None:
        tail = "" if not text or text.endswith(("\n", "\r")) else newline
        block_text = (f"# -- Image tag promoted by CI (scripts/promote.py, docs/release-flow.md).{newline}"
                      f'image:{newline}  {key}: "{value}"{newline}')
        return text + tail + block_text, None
    start, end = block
    pattern = _key_line(key)
    children = [i for i in range(start + 1, end) if _is_content(bodies[i])]
    child_indent = min((_indent(bodies[i]) for i in children), default=2)
    for i in children:
        body, ending = _split_ending(lines[i])
        match = pattern.match(body)
        if not match or _indent(body) != child_indent:
            continue
        old = match["value"] or ""
        quote = old[0] if old[:1] in ("'", '"') else ('"' if not old else "")
        previous = old.strip("'\"") if old else None
        gap = match["gap"] or " "
        lines[i] = f"{match['key']}{gap}{quote}{value}{quote}{match['rest']}{ending}"
        return "".join(lines), previous
    tags = [i for i in children if TAG_LINE.match(bodies[i]) and _indent(bodies[i]) == child_indent]
    after = tags[0] if tags else start  # a new key goes right after the tag (or under image:)
    insert = f'{" " * child_indent}{key}: "{value}"{newline}'
    if not lines[after].endswith(("\n", "\r")):
        lines[after] += newline
    lines.insert(after + 1, insert)
    return "".join(lines), None


def values_files(charts_dir: Path, env: str, apps: list[str]) -> list[Path]:
    """charts/<app>/values-<env>.yaml for the given apps, or for every chart that has one."""
    if apps:
        files = [charts_dir / app / f"values-{env}.yaml" for app in apps]
        missing = [str(f) for f in files if not f.is_file()]
        if missing:
            raise PromotionError(f"--app: no values file {', '.join(missing)}")
        return files
    files = sorted(charts_dir.glob(f"*/values-{env}.yaml"))
    if not files:
        raise PromotionError(f"--charts-dir: no {charts_dir}/*/values-{env}.yaml to promote")
    return files


def parse_digests(raw: str) -> dict[str, str]:
    """`--digests`: a JSON object app -> sha256 digest; keys may carry the images workflow's
    `digest_` prefix (its job outputs, `toJSON(needs.image.outputs)`)."""
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as error:
        raise PromotionError(f"--digests: not JSON ({error.msg}); pass an object like {{\"api\": \"sha256:...\"}}") from None
    if not isinstance(data, dict):
        raise PromotionError("--digests: pass a JSON object app -> sha256:<64 hex>")
    digests = {str(k).removeprefix("digest_"): str(v) for k, v in data.items()}
    bad = [f"{app}={value!r}" for app, value in digests.items() if not DIGEST.match(value)]
    if bad:
        raise PromotionError(f"--digests: {', '.join(bad)} is not sha256:<64 lowercase hex>")
    return digests


def promote(charts_dir: Path, env: str, tag: str, apps: list[str], digests: dict[str, str] | None = None) -> list[Path]:
    """Set image.tag (and image.digest when `digests` is given) in each values file of `env`;
    return the files that changed."""
    check_tag(env, tag)
    files = values_files(charts_dir, env, apps)
    missing = [f.parent.name for f in files if digests is not None and f.parent.name not in digests]
    if missing:  # before any file is written: a promotion changes all apps or none
        raise PromotionError(f"--digests: no digest for {', '.join(missing)} (given: {', '.join(sorted(digests or {})) or 'none'})")
    edits = []
    for path in files:
        app = path.parent.name
        text = path.read_bytes().decode("utf-8")
        new_text, previous = set_image_tag(text, tag, where=str(path))
        if digests is not None:
            new_text, _ = set_image_value(new_text, "digest", digests[app], where=str(path))
        else:
            new_text, _ = drop_image_digest(new_text)  # the digest of an earlier tag would pin the wrong image
        edits.append((path, text, new_text, previous))
    changed = []
    for path, text, new_text, previous in edits:  # every file edited in memory first, then written
        app = path.parent.name
        if new_text == text:
            print(f"{path}: image.tag already {tag}")
            continue
        path.write_bytes(new_text.encode("utf-8"))
        pinned = f" @ {digests[app]}" if digests is not None else ""
        print(f"{path}: image.tag {previous or '(unset)'} -> {tag}{pinned}")
        changed.append(path)
    return changed


def commit(files: list[Path], env: str, tag: str) -> None:
    """Commit exactly `files` in their git work tree."""
    root = files[0].parent
    names = [str(f.resolve()) for f in files]
    message = f"Promote {tag} to {env}"
    body = "Sets image.tag in " + ", ".join(f"{f.parent.name}/{f.name}" for f in files) + " (scripts/promote.py)."
    for cmd in (["git", "add", "--", *names], ["git", "commit", "-q", "-m", message, "-m", body, "--", *names]):
        result = subprocess.run(cmd, cwd=root, capture_output=True, text=True)
        if result.returncode != 0:
            raise PromotionError(f"--commit: {' '.join(cmd[:2])} failed: {result.stderr.strip()}")
    print(message)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="promote.py", description=__doc__.splitlines()[0])
    parser.add_argument("--env", required=True, choices=sorted(ACCEPTED_TAGS))
    parser.add_argument("--tag", required=True, help="image tag, e.g. sha-1a2b3c4 or 1.4.0")
    parser.add_argument("--app", action="append", default=[], help="only this chart (repeatable)")
    parser.add_argument("--charts-dir", type=Path, default=Path(__file__).resolve().parent.parent / "charts")
    parser.add_argument("--commit", action="store_true", help="git commit the changed values files")
    parser.add_argument("--digests", help='JSON object app -> pushed digest, e.g. {"api": "sha256:..."}; sets image.digest')
    args = parser.parse_args(argv)
    try:
        digests = parse_digests(args.digests) if args.digests else None
        changed = promote(args.charts_dir, args.env, args.tag, args.app, digests)
        if args.commit and changed:
            commit(changed, args.env, args.tag)
    except (PromotionError, UnicodeDecodeError, OSError) as error:
        parser.error(str(error))
    return 0


if __name__ == "__main__":
    sys.exit(main())
