"""Hostnames in `environments.<env>.dns.hosts`: each a DNS name inside the environment's hosted
zone (ACM validates the certificate and external-dns publishes the record there), and one for
every exposed app (its Ingress takes the host from `cluster-vars`; without one `innovate gitops`
could not render it). Each problem names `environments.<env>.dns.hosts.<app>` and its line.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..dns import host_problem
from ..models import Platform
from .base import Problem, env_path


def dns_host_rules(platform: Platform) -> Iterator[Problem]:
    for name, env in platform.environments.items():
        zone = env.dns.zone_name
        if not env.dns.hosts:
            yield Problem(env_path(name, "dns", "hosts"),
                          f"no host: the environment's certificate needs at least one name in {zone}; add each exposed "
                          f"app's host, e.g. `web: app.{zone}`")
            continue
        for app, host in env.dns.hosts.items():
            problem = host_problem(host, zone)
            if problem:
                yield Problem(env_path(name, "dns", "hosts", app), problem)
        for app in platform.apps:
            if app.exposed and app.name not in env.dns.hosts:
                yield Problem(env_path(name, "dns", "hosts", app.name),
                              f"app {app.name} is exposed but has no host in {zone}, so its Ingress cannot be "
                              f"rendered; add `{app.name}: <name in {zone}>` under environments.{name}.dns.hosts "
                              f"(the same host as the other exposed apps) or set exposed: false on the app")
