"""Architecture diagram per environment, rendered from platform.yaml with `diagrams` + graphviz."""

from __future__ import annotations

import os
from pathlib import Path

from ..config import Platform
from ..naming import interruption_queue_name
from .workloads import AppWorkload

DEFAULT_OUT = Path(__file__).resolve().parents[3] / "docs" / "images"


def render(platform: Platform, env_name: str, out_dir: Path = DEFAULT_OUT, apps: tuple[AppWorkload, ...] = (),
           formats: tuple[str, ...] = ("png",)) -> Path:
    """Write architecture-<env>.png (and any other `formats`) into out_dir; returns the PNG path."""
    from diagrams import Cluster, Diagram, Edge
    from diagrams.aws.compute import EC2ContainerRegistry, EC2Instances, ElasticKubernetesService
    from diagrams.aws.database import RDSPostgresqlInstance
    from diagrams.aws.integration import Eventbridge, SimpleQueueServiceSqs
    from diagrams.aws.cost import Budgets
    from diagrams.aws.integration import SimpleNotificationServiceSns
    from diagrams.aws.management import Cloudwatch, CloudwatchAlarm, CloudwatchLogs
    from diagrams.saas.chat import Slack
    from diagrams.onprem.client import User
    from diagrams.aws.network import ElbApplicationLoadBalancer, Endpoint, InternetGateway, NATGateway
    from diagrams.aws.security import IdentityAndAccessManagementIamRole
    from diagrams.aws.storage import SimpleStorageServiceS3Bucket
    from diagrams.k8s.clusterconfig import HPA
    from diagrams.k8s.compute import Deploy
    from diagrams.onprem.ci import GithubActions
    from diagrams.onprem.client import Users
    from diagrams.onprem.gitops import Flux
    from diagrams.onprem.vcs import Github

    env = platform.env(env_name)
    out_dir.mkdir(parents=True, exist_ok=True)
    base = out_dir / f"architecture-{env_name}"
    graph = {"fontsize": "20", "pad": "0.4", "splines": "spline", "nodesep": "0.5", "ranksep": "0.9"}
    title = (f"{env.cluster_name}: account {env.account}, {platform.region}, Kubernetes {platform.versions.kubernetes}"
             f"{', sleeps nights and weekends' if env.sleep else ''}")
    with Diagram(title, filename=str(base), outformat=list(formats), show=False, direction="LR", graph_attr=graph):
        users = Users("users")
        with Cluster(f"GitHub {platform.github.repository}"):
            repo = Github(f"{platform.github.branch} (gitops/, charts/)")
            ci = GithubActions("CI: build, push,\npromote")
        with Cluster(f"shared services account {platform.shared.account}"):
            ecr = EC2ContainerRegistry("ECR\n" + ", ".join(platform.shared.ecr_repositories))
            oidc = IdentityAndAccessManagementIamRole("GitHub OIDC\npush role")
        with Cluster(f"{env_name} account {env.account}"):
            with Cluster(f"VPC {env.vpc_cidr} across {env.az_count} AZs"):
                with Cluster(f"public subnets x {env.az_count}"):
                    igw = InternetGateway("internet gateway")
                    alb = ElbApplicationLoadBalancer("ALB (ingress group)\nHTTPS")
                    nat = NATGateway(f"NAT gateway x {env.nat_gateways}") if env.nat_gateways else None
                with Cluster(f"private subnets x {env.az_count}"):
                    endpoint = "private + public (allow-listed)" if env.endpoint.public else "private only"
                    with Cluster(f"EKS {env.cluster_name} (API endpoint {endpoint})"):
                        eks = ElasticKubernetesService("control plane\n5 log types")
                        with Cluster("system node group (CriticalAddonsOnly)"):
                            system = [EC2Instances(f"{g.name}: {g.min_size}-{g.max_size} x {','.join(g.instance_types)}\n{g.capacity_type}")
                                      for g in env.node_groups if g.role == "system"]
                            flux = Flux("Flux")
                            scaler = Deploy("Karpenter" if env.uses_karpenter else "Cluster Autoscaler")
                            lbc = Deploy("AWS Load Balancer\nController")
                            Deploy("metrics-server, KEDA,\nCoreDNS")
                        agent = Deploy("CloudWatch agent +\nFluent Bit (add-on,\nevery node)")
                        with Cluster("app capacity (role=app)"):
                            groups = [EC2Instances(f"{g.name}: {g.min_size}-{g.max_size} x {','.join(g.instance_types)}\n{g.capacity_type}"
                                                   + (" (Cluster Autoscaler)" if g.cluster_autoscaler else ""))
                                      for g in env.node_groups if g.role == "app"]
                            pools = [EC2Instances(f"NodePool {p.name}: {'/'.join(p.capacity_types)}\n{', '.join(p.instance_types)}\n"
                                                  f"limit {p.limit_cpu} vCPU" + (", dedicated" if p.dedicated_on_demand else ""))
                                     for p in (env.karpenter.node_pools if env.karpenter else ())]
                        with Cluster("apps"):
                            workloads = []
                            for app in platform.apps:
                                w = next((a for a in apps if a.name == app.name), None)
                                rng = f"\nHPA {w.min_replicas}-{w.max_replicas}" if w else ""
                                workloads.append(Deploy(f"{app.name} ({app.namespace}){rng}"))
                            HPA("HPA / KEDA")
                    db = env.database
                    rds = RDSPostgresqlInstance(f"RDS PostgreSQL {db.engine_version}\n{db.instance_class}"
                                                f"{' Multi-AZ' if db.multi_az else ''}")
                    vpce = Endpoint("VPC endpoints\nECR, STS, EC2, SSM,\nSQS, Logs, EKS, S3") if env.vpc_endpoints else None
            logs = CloudwatchLogs(f"control-plane logs\n{env.log_retention_days} days")
            with Cluster("observability (CloudWatch)"):
                ci_logs = CloudwatchLogs(f"Container Insights logs\n4 groups, {env.log_retention_days} days")
                metrics = Cloudwatch("Container Insights, ALB,\nRDS, SQS metrics;\non-call dashboard")
                alarms = CloudwatchAlarm("SLO burn-rate, database,\ncapacity alarms")
                topic = SimpleNotificationServiceSns(f"{env.cluster_name}-alerts")
                budget = Budgets("monthly budget")
            buckets = [SimpleStorageServiceS3Bucket(f"{a.name} bucket") for a in platform.apps if a.s3_bucket]
            if env.uses_karpenter:
                queue = SimpleQueueServiceSqs(interruption_queue_name(env))
                Eventbridge("5 interruption rules") >> queue >> Edge(label="interruptions") >> scaler
        users >> igw >> alb >> Edge(label="/api, /") >> workloads
        lbc >> Edge(style="dashed") >> alb
        ci >> oidc >> Edge(label="push") >> ecr
        ecr >> Edge(label="pull", style="dashed") >> (groups + pools + system)
        repo >> Edge(label="reconcile") >> flux
        scaler >> Edge(label="provisions") >> (pools or groups)
        eks >> logs
        # The observability path: collection -> CloudWatch -> alarms -> topic -> people; Flux -> chat.
        agent >> Edge(label="metrics, logs") >> [ci_logs, metrics]
        alb >> Edge(style="dashed") >> metrics
        rds >> Edge(style="dashed") >> metrics
        metrics >> alarms >> topic
        budget >> topic
        oncall = User("on call\n" + ", ".join(platform.alerts.emails)) if platform.alerts else None
        if oncall is not None:
            topic >> Edge(label="e-mail") >> oncall
            if platform.alerts.chat:
                flux >> Edge(label="delivery failures") >> Slack(f"chat: {platform.alerts.chat.channel or platform.alerts.chat.provider}")
        workloads[0] >> rds
        for bucket in buckets:
            workloads[0] >> bucket
        if nat is not None:
            system[0] >> Edge(style="dotted") >> nat
        if vpce is not None:
            eks >> Edge(style="dotted") >> vpce
    return base.with_suffix(".png")


def render_all(platform: Platform, env_names: tuple[str, ...], out_dir: Path = DEFAULT_OUT,
               apps_by_env: dict[str, tuple[AppWorkload, ...]] | None = None) -> list[Path]:
    os.environ.setdefault("SOURCE_DATE_EPOCH", "0")
    return [render(platform, e, out_dir, (apps_by_env or {}).get(e, ())) for e in env_names]
