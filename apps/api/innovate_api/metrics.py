"""Prometheus metrics: requests by method/route/status, latency, in-flight; /metrics exposes them.

With PROMETHEUS_MULTIPROC_DIR set (gunicorn with several workers) every worker writes its
samples there and /metrics aggregates all workers, whichever one answers the scrape.
"""

from __future__ import annotations

import os
import time

from flask import Blueprint, Flask, Response, current_app, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client import multiprocess

bp = Blueprint("metrics", __name__)
METRICS_KEY = "innovate_api.metrics"
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class ApiMetrics:
    """The API's metric families, registered on a per-app registry (or the multiprocess files)."""

    def __init__(self):
        self.multiprocess = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
        self.registry = CollectorRegistry()
        target = None if self.multiprocess else self.registry
        if self.multiprocess:
            multiprocess.MultiProcessCollector(self.registry)
        self.requests = Counter(
            "http_requests_total", "HTTP requests answered", ["method", "route", "status"], registry=target
        )
        self.latency = Histogram(
            "http_request_duration_seconds", "Time to answer an HTTP request", ["method", "route"],
            buckets=LATENCY_BUCKETS, registry=target,
        )
        self.in_flight = Gauge(
            "http_requests_in_flight", "HTTP requests being answered", registry=target, multiprocess_mode="livesum"
        )


def route_label() -> str:
    """The route template (bounded cardinality), never the raw path."""
    return request.url_rule.rule if request.url_rule is not None else "<unmatched>"


def _start() -> None:
    g.started = time.perf_counter()
    g.in_flight = True
    current_app.extensions[METRICS_KEY].in_flight.inc()


def _record(response):
    metrics: ApiMetrics = current_app.extensions[METRICS_KEY]
    route = route_label()
    metrics.requests.labels(request.method, route, str(response.status_code)).inc()
    metrics.latency.labels(request.method, route).observe(time.perf_counter() - g.started)
    return response


def _finish(_exc=None) -> None:
    if g.pop("in_flight", False):
        current_app.extensions[METRICS_KEY].in_flight.dec()


@bp.get("/metrics")
def metrics_endpoint():
    registry = current_app.extensions[METRICS_KEY].registry
    return Response(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)


def init_app(app: Flask) -> None:
    app.extensions[METRICS_KEY] = ApiMetrics()
    app.before_request(_start)
    app.after_request(_record)
    app.teardown_request(_finish)
    app.register_blueprint(bp)
