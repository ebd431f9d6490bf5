"""Process lifecycle shared by the app and gunicorn's hooks: has shutdown begun?"""

import threading

shutting_down = threading.Event()


def begin_shutdown() -> None:
    """Mark this process as stopping: /readyz answers 503 from now on."""
    shutting_down.set()
