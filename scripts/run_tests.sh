#!/usr/bin/env bash
# Runs the whole test suite. Services the tests need (PostgreSQL) are started by the test
# fixtures themselves and stopped at the end of the session.
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pytest -n 2 --dist loadfile "$@"
