"""A throwaway PostgreSQL 15 server for tests, browser e2e runs and benchmarks.

Usage::

    from tests.support.postgres import running_postgres

    with running_postgres() as pg:
        engine = create_engine(pg.url)   # postgresql+psycopg://postgres@127.0.0.1:<port>/innovate

The server lives in a fresh temporary directory (data, unix socket, log), listens on a free
loopback port, trusts local connections and runs with durability off (fast, disposable). Each
call starts its own server, so pytest-xdist workers never share one. PostgreSQL refuses to
run as root: when we are root, initdb and pg_ctl run as the ``postgres`` user via runuser.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

PG_BIN_DIRS = ("/usr/lib/postgresql/15/bin",)
SERVER_SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "100",
    "log_min_messages": "warning",
}


class PostgresUnavailable(RuntimeError):
    """PostgreSQL binaries are missing or the server did not start."""


def find_pg_bin() -> Path:
    """The directory holding initdb and pg_ctl (PG_BIN overrides)."""
    candidates = [os.environ["PG_BIN"]] if os.environ.get("PG_BIN") else list(PG_BIN_DIRS)
    for candidate in candidates:
        if (Path(candidate) / "initdb").exists():
            return Path(candidate)
    raise PostgresUnavailable(
        f"initdb not found in {', '.join(candidates)}: install Debian 'postgresql' (scripts/setup.sh) or set PG_BIN"
    )


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class PostgresServer:
    """A running throwaway server; ``url`` is a SQLAlchemy DATABASE_URL for it."""

    bin_dir: Path
    base_dir: Path
    port: int
    dbname: str
    user: str = "postgres"
    host: str = "127.0.0.1"

    @property
    def data_dir(self) -> Path:
        return self.base_dir / "data"

    @property
    def socket_dir(self) -> Path:
        return self.base_dir

    @property
    def log_file(self) -> Path:
        return self.base_dir / "postgres.log"

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://{self.user}@{self.host}:{self.port}/{self.dbname}"

    @property
    def libpq_url(self) -> str:
        """The same database as a plain libpq URL (psql, psycopg.connect)."""
        return f"postgresql://{self.user}@{self.host}:{self.port}/{self.dbname}"

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = [str(self.bin_dir / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)

    def _log_tail(self) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-15:])
        except OSError:
            return ""

    def initdb(self) -> None:
        result = self._run(
            "initdb", "-D", str(self.data_dir), "-U", self.user, "-A", "trust",
            "-N", "-E", "UTF8", "--locale=C.UTF-8",
        )
        if result.returncode != 0:
            raise PostgresUnavailable(f"initdb failed: {result.stderr.strip()}")

    def start(self) -> None:
        """Start (or restart after ``stop``) the server and wait until it accepts connections."""
        options = [f"-p {self.port}", f"-k {self.socket_dir}"]
        options += [f"-c {key}={value}" for key, value in SERVER_SETTINGS.items()]
        result = self._run(
            "pg_ctl", "start", "-w", "-t", "30", "-D", str(self.data_dir),
            "-l", str(self.log_file), "-o", " ".join(options),
        )
        if result.returncode != 0:
            raise PostgresUnavailable(
                f"PostgreSQL did not start on port {self.port}: {result.stderr.strip()}\n{self._log_tail()}"
            )

    def stop(self) -> None:
        """Stop the server now, cutting its connections (data is kept); ``start`` brings it back."""
        self._run("pg_ctl", "stop", "-m", "fast", "-w", "-D", str(self.data_dir))

    @property
    def running(self) -> bool:
        return self._run("pg_ctl", "status", "-D", str(self.data_dir)).returncode == 0

    def create_database(self, name: str) -> None:
        result = self._run("createdb", "-h", str(self.socket_dir), "-p", str(self.port), "-U", self.user, name)
        if result.returncode != 0:
            raise PostgresUnavailable(f"createdb {name} failed: {result.stderr.strip()}")


@contextmanager
def running_postgres(dbname: str = "innovate", attempts: int = 3) -> Iterator[PostgresServer]:
    """Start a throwaway PostgreSQL 15 with an empty database ``dbname``; stop and delete it on exit."""
    bin_dir = find_pg_bin()
    base_dir = Path(tempfile.mkdtemp(prefix="innovate-pg-"))
    if os.geteuid() == 0:
        shutil.chown(base_dir, user="postgres", group="postgres")
    server = PostgresServer(bin_dir=bin_dir, base_dir=base_dir, port=free_port(), dbname=dbname)
    try:
        server.initdb()
        for attempt in range(attempts):
            try:
                server.start()
                break
            except PostgresUnavailable:
                # Another process may have taken the port between free_port() and start.
                if attempt == attempts - 1:
                    raise
                server.port = free_port()
        server.create_database(dbname)
        yield server
    finally:
        if server.data_dir.exists():
            server.stop()
        shutil.rmtree(base_dir, ignore_errors=True)
