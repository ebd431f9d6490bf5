#!/usr/bin/env python3
"""Image tags, OCI labels and the promotion target for one pushed git ref.

    refs/heads/<branch>   -> sha-<7 hex>                          promote to dev (main only)
    refs/tags/vX.Y.Z-rc.N -> sha-<7 hex>, X.Y.Z-rc.N               promote to staging
    refs/tags/vX.Y.Z      -> sha-<7 hex>, X.Y.Z, X.Y               promote to prod

Pre-releases get no moving X.Y tag. Any other tag (v1.2, v1.2.3-beta.1, 1.2.3) is rejected with
one line naming the field. Standard library only: the workflow runs it with the runner's Python.
"""

from __future__ import annotations

import argparse
import re
import sys
import uuid
from dataclasses import dataclass, field

RELEASE_TAG = re.compile(
    r"^v(?P<major>0|[1-9][0-9]*)\.(?P<minor>0|[1-9][0-9]*)\.(?P<patch>0|[1-9][0-9]*)"
    r"(?:-rc\.(?P<rc>0|[1-9][0-9]*))?$"
)
COMMIT_SHA = re.compile(r"^[0-9a-f]{7,40}$")


class RefError(ValueError):
    """A ref or commit the release flow does not accept; the message names the field."""


@dataclass(frozen=True)
class ImagePlan:
    """What one push publishes: tags in push order, the version and where it is promoted."""

    tags: list[str]
    sha_tag: str
    version: str = ""
    promote_to: str = ""
    labels: dict[str, str] = field(default_factory=dict)


def plan_for(ref: str, sha: str, source: str = "", default_branch: str = "main") -> ImagePlan:
    """The image plan for a push of `sha` to `ref` (GITHUB_REF, GITHUB_SHA)."""
    if not COMMIT_SHA.match(sha):
        raise RefError(f"--sha: {sha!r} is not a git commit id (7 to 40 lowercase hex digits)")
    sha_tag = f"sha-{sha[:7]}"
    if ref.startswith("refs/heads/"):
        branch = ref[len("refs/heads/"):]
        return _with_labels(
            ImagePlan([sha_tag], sha_tag, promote_to="dev" if branch == default_branch else ""),
            source, sha,
        )
    if not ref.startswith("refs/tags/"):
        raise RefError(f"--ref: {ref!r} is neither a branch (refs/heads/...) nor a tag (refs/tags/v...)")
    tag = ref[len("refs/tags/"):]
    match = RELEASE_TAG.match(tag)
    if not match:
        raise RefError(
            f"--ref: tag {tag!r} is not a release tag; use vX.Y.Z (prod) or vX.Y.Z-rc.N (staging)"
        )
    release = f"{match['major']}.{match['minor']}.{match['patch']}"
    if match["rc"] is not None:
        version = f"{release}-rc.{match['rc']}"
        return _with_labels(ImagePlan([sha_tag, version], sha_tag, version, "staging"), source, sha)
    minor = f"{match['major']}.{match['minor']}"
    return _with_labels(ImagePlan([sha_tag, release, minor], sha_tag, release, "prod"), source, sha)


def _with_labels(plan: ImagePlan, source: str, sha: str) -> ImagePlan:
    labels = {"org.opencontainers.image.revision": sha,
              "org.opencontainers.image.version": plan.version or plan.sha_tag}
    if source:
        labels["org.opencontainers.image.source"] = source
    return ImagePlan(plan.tags, plan.sha_tag, plan.version, plan.promote_to, labels)


def github_output(plan: ImagePlan, image: str) -> str:
    """The plan as GITHUB_OUTPUT lines: tags, labels (multi-line), sha_tag, version, promote_to."""
    refs = [f"{image}:{t}" if image else t for t in plan.tags]
    delimiter = f"ghadelim_{uuid.uuid4().hex}"
    lines = [f"tags<<{delimiter}", *refs, delimiter,
             f"labels<<{delimiter}", *(f"{k}={v}" for k, v in plan.labels.items()), delimiter,
             f"sha_tag={plan.sha_tag}", f"version={plan.version}", f"promote_to={plan.promote_to}"]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="image_tags.py", description=__doc__.splitlines()[0])
    parser.add_argument("--ref", required=True, help="the pushed ref, e.g. $GITHUB_REF")
    parser.add_argument("--sha", required=True, help="the pushed commit, e.g. $GITHUB_SHA")
    parser.add_argument("--image", default="", help="registry/repository to prefix each tag with")
    parser.add_argument("--source", default="", help="repository URL for org.opencontainers.image.source")
    parser.add_argument("--github-output", default="", help="append the plan to this file ($GITHUB_OUTPUT)")
    args = parser.parse_args(argv)
    try:
        plan = plan_for(args.ref, args.sha, args.source)
    except RefError as error:
        parser.error(str(error))
    for tag in plan.tags:
        print(f"{args.image}:{tag}" if args.image else tag)
    if args.github_output:
        with open(args.github_output, "a", encoding="utf-8") as out:
            out.write(github_output(plan, args.image))
    return 0


if __name__ == "__main__":
    sys.exit(main())
