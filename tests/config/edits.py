"""The example platform.yaml edited in one place, and the one-line refusal that edit gets."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from innovate_platform.config import ConfigError, parse_platform

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = yaml.safe_load((ROOT / "platform.yaml").read_text())


def mutated(change) -> str:
    data = copy.deepcopy(EXAMPLE)
    change(data)
    return yaml.safe_dump(data, sort_keys=False)


def rejection(change) -> str:
    with pytest.raises(ConfigError) as info:
        parse_platform(mutated(change), "platform.yaml")
    return str(info.value)
