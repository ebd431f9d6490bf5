"""platform.yaml: typed models, the instance catalog and a loader with clear errors."""

from .catalog import INSTANCE_CATALOG, InstanceType
from .loader import ConfigError, config_path, load_platform, parse_platform
from .models import App, Database, Environment, Karpenter, NodeGroup, NodePool, Platform, SleepSchedule, Team

__all__ = [
    "INSTANCE_CATALOG", "App", "ConfigError", "Database", "Environment", "InstanceType", "Karpenter",
    "NodeGroup", "NodePool", "Platform", "SleepSchedule", "Team", "config_path", "load_platform", "parse_platform",
]
