"""gunicorn settings for the API container (port 8080, graceful SIGTERM, JSON logs).

Every value can be tuned from the environment the chart sets: WEB_CONCURRENCY (worker
processes), GUNICORN_THREADS (threads per worker), GRACEFUL_TIMEOUT (seconds to finish
in-flight requests after SIGTERM; keep it below terminationGracePeriodSeconds).
"""

import os
import shutil
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # innovate_api, wherever gunicorn starts

wsgi_app = "innovate_api.wsgi:app"
bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8080")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = 30
graceful_timeout = int(os.environ.get("GRACEFUL_TIMEOUT", "25"))
keepalive = 75  # longer than the ALB's 60 s idle timeout, so the ALB closes idle connections first
max_requests = 10000
max_requests_jitter = 1000
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
control_socket_disable = True  # no $HOME/.gunicorn socket on a read-only root filesystem
accesslog = None  # the app logs each request itself, as JSON with its request id
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "innovate_api.logs.JsonFormatter"}},
    "handlers": {"stdout": {"class": "innovate_api.logs.StdoutHandler", "formatter": "json"}},
    "loggers": {
        "gunicorn.error": {"handlers": ["stdout"], "level": loglevel.upper(), "propagate": False},
        "gunicorn.access": {"handlers": [], "propagate": False},
    },
    "root": {"handlers": ["stdout"], "level": "WARNING"},
}


def on_starting(server):
    """Fail fast with one line on a bad setting; start metrics from an empty multiprocess dir."""
    from innovate_api.config import ConfigError, load_settings

    try:
        load_settings()
    except ConfigError as error:
        print(f"innovate-api: {error}", file=sys.stderr)
        sys.exit(1)
    multiproc_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if multiproc_dir:
        shutil.rmtree(multiproc_dir, ignore_errors=True)
        os.makedirs(multiproc_dir, exist_ok=True)


def post_worker_init(worker):
    """JSON for gunicorn's own errors; on SIGTERM, mark the worker as stopping (readiness 503)."""
    from innovate_api import server_errors
    from innovate_api.lifecycle import begin_shutdown

    server_errors.install()

    drain = worker.handle_exit

    def stop(signum, frame):
        begin_shutdown()
        drain(signum, frame)

    signal.signal(signal.SIGTERM, stop)


def worker_exit(server, worker):
    """Close the worker's database connections so PostgreSQL sees clean disconnects."""
    from innovate_api.db import dispose

    app = getattr(worker, "wsgi", None)
    if app is not None and hasattr(app, "extensions"):
        dispose(app)


def child_exit(server, worker):
    """Drop the dead worker's live gauges from the multiprocess metrics."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    server.log.info("innovate-api stopped")
