"""FluxBootstrap: the one Helm release CDK installs (Flux), its Git source, the root
Kustomization for `gitops/clusters/<env>`, and the `cluster-vars` ConfigMap.

Everything else inside the cluster is reconciled by Flux from the gitops/ tree; cluster-vars
carries the values only known after deployment (VPC id, role ARNs, queue name, ...) for the
Kustomizations' `postBuild.substituteFrom`.
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_eks_v2 as eks
from constructs import Construct

from ...config import Environment, Platform
from ...gitops.bootstrap import FLUX_NAMESPACE
from ...gitops.flux_values import (
    FLUX_CHART,
    FLUX_CHART_REPOSITORY,
    FLUX_RELEASE,
    cluster_vars_config_map,
    flux_values,
    git_repository,
    root_kustomization,
)


class FluxBootstrap(Construct):
    """Flux controllers on the system group, following `github.repository`@`github.branch`."""

    def __init__(
        self, scope: Construct, construct_id: str, *, platform: Platform, env: Environment,
        cluster: eks.Cluster, cluster_vars: dict[str, str],
    ) -> None:
        super().__init__(scope, construct_id)
        # The chart's own keys (proved by the upstream-charts check against the real chart).
        self.chart = eks.HelmChart(
            self, "Flux",
            cluster=cluster,
            chart=FLUX_CHART,
            repository=FLUX_CHART_REPOSITORY,
            version=platform.versions.charts[FLUX_CHART],
            release=FLUX_RELEASE,
            namespace=FLUX_NAMESPACE,
            create_namespace=True,
            values=flux_values(),
            wait=True,
            timeout=Duration.minutes(10),
        )
        self.sync = eks.KubernetesManifest(
            self, "Sync",
            cluster=cluster,
            manifest=[
                cluster_vars_config_map(cluster_vars),
                git_repository(platform),
                root_kustomization(env),
            ],
            overwrite=True,
        )
        self.sync.node.add_dependency(self.chart)
