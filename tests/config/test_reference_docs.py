"""docs/platform-yaml.md names every key the loader accepts, so the reference cannot fall behind."""

import re
from pathlib import Path

from pydantic import BaseModel

from innovate_platform.config import models

DOC = (Path(__file__).resolve().parents[2] / "docs" / "platform-yaml.md").read_text()


def field_names(model: type[BaseModel]) -> set[str]:
    return {name for name, field in model.model_fields.items()}


def test_every_config_key_is_documented():
    documented_models = [models.Platform, models.Environment, models.NodeGroup, models.NodePool, models.Karpenter,
                         models.DisruptionBudget, models.Endpoint, models.Team, models.App, models.SleepSchedule,
                         models.Database, models.Shared, models.GitHub, models.Versions]
    def documented(name: str) -> bool:
        return re.search(rf"`([\w.]+\.)?{name}(`|\[\]|\.)", DOC) is not None

    missing = {f"{m.__name__}.{name}" for m in documented_models for name in field_names(m)
               if name != "name" and not documented(name)}
    assert not missing, f"docs/platform-yaml.md does not mention: {sorted(missing)}"
