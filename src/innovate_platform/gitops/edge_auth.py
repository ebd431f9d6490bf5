"""What an external OIDC issuer (platform.yaml `edge.auth.provider: oidc`) needs in the cluster:
the AWS Load Balancer Controller reads the client id and secret from a Secret (keys `clientID`,
`clientSecret`) in the Ingress's namespace. Its chart grants no Secret access by default
(`clusterSecretsPermissions.allowAllSecrets: false`) and recommends a namespaced Role instead:
here one Role per exposed app's namespace, for that one Secret (`resourceNames`; the controller
lists and watches it with a `metadata.name` field selector, which RBAC matches against the name).

The Secret itself holds a credential and is created by an administrator (docs/runbooks/deploy.md),
never rendered into Git.
"""

from __future__ import annotations

from ..config import Environment, Platform
from ..naming import LOAD_BALANCER_CONTROLLER
from .ingress_classes import exposed_namespaces
from .objects import Obj, role_with_binding

ROLE_NAME = "aws-load-balancer-controller-oidc-secret"


def render_oidc_secret_access(platform: Platform, env: Environment) -> list[Obj]:
    """Role + RoleBinding per exposed namespace with OIDC sign-in; nothing with Cognito."""
    oidc = env.edge.auth.oidc
    if env.edge.auth.provider != "oidc" or oidc is None:
        return []
    rules = [{"apiGroups": [""], "resources": ["secrets"], "resourceNames": [oidc.client_secret_name],
              "verbs": ["get", "list", "watch"]}]
    subject = {"kind": "ServiceAccount", "name": LOAD_BALANCER_CONTROLLER.service_account,
               "namespace": LOAD_BALANCER_CONTROLLER.namespace}
    return [obj for ns in exposed_namespaces(platform) for obj in role_with_binding(ROLE_NAME, ns, rules, subject)]
