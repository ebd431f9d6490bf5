"""Innovate's reference Flask API: projects and their items on PostgreSQL, attachments on S3."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Flask

from . import bodies, cors, db, errors, identity, logs, metrics
from .config import ConfigError, Settings, load_settings
from .routing import IdConverter

__all__ = ["ConfigError", "Settings", "create_app", "load_settings"]


def create_app(config: Mapping[str, str] | Settings | None = None) -> Flask:
    """The WSGI app. ``config``: environment-style settings (tests) or Settings; default os.environ."""
    settings = config if isinstance(config, Settings) else load_settings(config)
    app = Flask(__name__, static_folder=None)
    app.config.update(MAX_CONTENT_LENGTH=settings.max_content_length)
    app.json.sort_keys = False
    app.extensions["innovate_api.settings"] = settings
    app.url_map.converters["id"] = IdConverter
    app.url_map.strict_slashes = False

    logs.init_app(app, settings.log_level)  # first: every later hook may log with the request id
    metrics.init_app(app)
    cors.init_app(app)
    errors.init_app(app)
    bodies.init_app(app, settings.max_content_length)
    identity.init_app(app, settings)  # after CORS and body limits: refusals keep their own answers
    db.init_app(app, settings)

    from . import attachments, health, items, me, openapi, projects

    for blueprint in (health.bp, me.bp, projects.bp, items.bp, attachments.bp, openapi.bp):
        app.register_blueprint(blueprint)

    from .migrate import register_cli

    register_cli(app)
    return app
