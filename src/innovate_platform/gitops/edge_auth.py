"""What an external OIDC issuer (platform.yaml `edge.auth.provider: oidc`) needs in the cluster:
the AWS Load Balancer Controller reads the client id and secret from a Secret (keys `clientID`,
`clientSecret`) in the Ingress's namespace. Its chart grants no Secret access by default
(`clusterSecretsPermissions.allowAllSecrets: false`) and recommends a namespaced Role instead:
here one Role per namespace that may carry an internet-facing Ingress (the exposed apps' and
those of teams granted `ingress: internet-facing`, whose Ingresses must sign in too), for that one
Secret name (`resourceNames`; the controller lists and watches it with a `metadata.name` field
selector, which RBAC matches against the name). A team brings its own OIDC client (registered at
the issuer with its hosts' `/oauth2/idpresponse` callback) in a Secret of that name in its
namespace; the platform's client lists only the platform's hosts (docs/adr/0013-...).

The Secret itself holds a credential and is created by an administrator (docs/runbooks/deploy.md),
never rendered into Git.
"""

from __future__ import annotations

from ..config import Environment, Platform
from ..naming import LOAD_BALANCER_CONTROLLER
from .ingress_classes import exposed_namespaces
from .objects import Obj, role_with_binding

ROLE_NAME = "aws-load-balancer-controller-oidc-secret"


def signing_in_namespaces(platform: Platform, env: Environment) -> list[str]:
    """Namespaces whose Ingresses face the internet and so must sign users in."""
    teams = {ns for t in env.teams if t.ingress == "internet-facing" for ns in t.namespaces}
    return sorted(set(exposed_namespaces(platform)) | teams)


def render_oidc_secret_access(platform: Platform, env: Environment) -> list[Obj]:
    """Role + RoleBinding per signing-in namespace with OIDC sign-in; nothing with Cognito."""
    oidc = env.edge.auth.oidc
    if env.edge.auth.provider != "oidc" or oidc is None:
        return []
    rules = [{"apiGroups": [""], "resources": ["secrets"], "resourceNames": [oidc.client_secret_name],
              "verbs": ["get", "list", "watch"]}]
    subject = {"kind": "ServiceAccount", "name": LOAD_BALANCER_CONTROLLER.service_account,
               "namespace": LOAD_BALANCER_CONTROLLER.namespace}
    return [obj for ns in signing_in_namespaces(platform, env) for obj in role_with_binding(ROLE_NAME, ns, rules, subject)]
