"""Renders docs/images/release-flow.png: a commit's way from pull request to prod.

Run from the repository root: .venv/bin/python docs/images/release-flow.py
(the `diagrams` package and Debian graphviz, both installed by scripts/setup.sh).
"""

from pathlib import Path

from diagrams import Cluster, Diagram, Edge
from diagrams.aws.compute import ECR, EKS
from diagrams.onprem.ci import GithubActions
from diagrams.onprem.client import Users
from diagrams.onprem.gitops import Flux
from diagrams.onprem.security import Trivy
from diagrams.onprem.vcs import Github

OUT = Path(__file__).with_suffix("")

with Diagram("Release flow: commit to prod", filename=str(OUT), outformat="png", show=False,
             direction="LR", graph_attr={"fontsize": "20", "pad": "0.4", "nodesep": "0.6", "ranksep": "0.9", "splines": "spline"}):
    developer = Users("developer")
    with Cluster("GitHub"):
        pull_request = Github("pull request")
        ci = GithubActions("ci.yml\nmake test · gitops --check\nsynth · infra diff")
        main = Github("main")
        images = GithubActions("images.yml\nbuildx · provenance · SBOM")
    with Cluster("promotion: a commit to main"):
        promote_dev = GithubActions("promote dev\nvalues-dev.yaml")
        promote_staging = GithubActions("promote staging\nvalues-staging.yaml")
        promote_prod = GithubActions("promote prod\n(production approval)\nvalues-prod.yaml")
    with Cluster("shared services 444444444444"):
        ecr = ECR("ECR api, web\nsha-abc1234\n1.2.3-rc.1 · 1.2.3")
        scan = Trivy("scan: fail on\nCRITICAL")
    with Cluster("clusters"):
        flux = Flux("Flux\n(reconciles main)")
        prod = EKS("prod")
        staging = EKS("staging")
        dev = EKS("dev")

    developer >> pull_request >> ci >> Edge(label="merge") >> main >> images >> ecr >> scan
    scan >> Edge(label="push to main") >> promote_dev
    scan >> Edge(label="tag v1.2.3-rc.1") >> promote_staging
    scan >> Edge(label="tag v1.2.3") >> promote_prod
    [promote_dev, promote_staging, promote_prod] >> flux
    flux >> prod
    flux >> staging
    flux >> dev
