"""The control-plane log group is ours, with the environment's retention, before the cluster writes."""

from __future__ import annotations

import pytest

ENVS = ("dev", "staging", "prod")


@pytest.mark.parametrize("env", ENVS)
def test_control_plane_log_group_has_retention_and_exists_before_the_cluster(synthesis, platform, env):
    name = f"/aws/eks/{platform.env(env).cluster_name}/cluster"
    for stack in synthesis.for_stage(env):
        clusters = stack.of_type("AWS::EKS::Cluster")
        if not clusters:
            continue
        groups = {lid: r for lid, r in stack.of_type("AWS::Logs::LogGroup").items()
                  if r["Properties"].get("LogGroupName") == name}
        assert len(groups) == 1, f"no log group {name} in {stack.name}"
        (group_id, group), = groups.items()
        assert group["Properties"]["RetentionInDays"] == platform.env(env).log_retention_days
        (cluster,) = clusters.values()
        depends = cluster.get("DependsOn") or []
        assert group_id in ([depends] if isinstance(depends, str) else depends), "the cluster must wait for its log group"
        return
    pytest.fail(f"no EKS cluster in {env}")
