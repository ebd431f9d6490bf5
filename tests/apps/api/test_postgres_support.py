"""tests/support/postgres.py: a private server per caller, gone (port and files) after the block."""

import socket

import psycopg

from tests.support.postgres import running_postgres


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_two_servers_side_by_side_then_cleaned_up():
    with running_postgres() as first, running_postgres(dbname="other") as second:
        assert first.port != second.port
        for server in (first, second):
            assert server.url.startswith("postgresql+psycopg://postgres@127.0.0.1:")
            with psycopg.connect(server.libpq_url) as connection:
                assert connection.execute("SELECT current_database()").fetchone()[0] == server.dbname
        paths, ports = [first.base_dir, second.base_dir], [first.port, second.port]
    assert not any(path.exists() for path in paths)
    assert not any(port_open(port) for port in ports)
