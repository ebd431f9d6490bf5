"""Exposed apps share one host: they sit behind one ALB listener whose sign-in sets one session
cookie, and a browser sends a cookie only to the host that set it. The web page calls `/api` on
its own host; an API on another host would never see the session (its Ingress answers an
unauthenticated request with 401, it never redirects to sign in), so every call would be 401.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..dns import host_problem
from ..models import Platform
from .base import Problem, env_path


def edge_host_rules(platform: Platform) -> Iterator[Problem]:
    exposed = [a.name for a in platform.apps if a.exposed]
    for name, env in platform.environments.items():
        hosts = {app: env.dns.hosts[app] for app in exposed if app in env.dns.hosts}
        if any(host_problem(host, env.dns.zone_name) for host in hosts.values()):
            continue  # the host's own error (dns_hosts.py) comes first
        if len(set(hosts.values())) <= 1:
            continue
        listed = ", ".join(f"{app}: {host}" for app, host in hosts.items())
        yield Problem(env_path(name, "dns", "hosts"),
                      f"the exposed apps have different hosts ({listed}), but they share the ALB's sign-in, whose "
                      "session cookie is per host: requests to the other host would always be 401; give every "
                      "exposed app the same host (the ALB routes them by path)")
