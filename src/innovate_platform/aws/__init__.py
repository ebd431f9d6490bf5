"""The AWS layer: CDK stages, stacks and one construct per concern."""

import os
from pathlib import Path

# jsii runs CDK on Node.js. The project pins a supported Node (package.json, installed by
# `make setup`) because the machine's Node 20 is past its end of life; it must be chosen, and
# the end-of-life banner silenced as a fallback, before the first `import aws_cdk`.
_PINNED_NODE = Path(__file__).resolve().parents[3] / "node_modules" / ".bin" / "node"
if "JSII_NODE" not in os.environ and _PINNED_NODE.exists():
    os.environ["JSII_NODE"] = str(_PINNED_NODE)
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
