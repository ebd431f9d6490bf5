"""gunicorn's entry point (innovate_api.wsgi:app): a bad setting is one line on stderr, not a traceback."""

import sys

from . import ConfigError, create_app

try:
    app = create_app()
except ConfigError as error:
    print(f"innovate-api: {error}", file=sys.stderr)
    sys.exit(4)  # gunicorn's APP_LOAD_ERROR: the arbiter stops instead of respawning workers
