"""CDK entry point for the CDK CLI (`cdk synth/diff/deploy`); `innovate synth` calls the same code."""

import os

from innovate_platform.aws.stage import STAGES, build_app
from innovate_platform.config import load_platform

stages = tuple(s for s in os.environ.get("INNOVATE_STAGES", ",".join(STAGES)).split(",") if s)
build_app(load_platform(os.environ.get("INNOVATE_CONFIG")), stages).synth()
