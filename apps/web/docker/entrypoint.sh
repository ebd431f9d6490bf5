#!/bin/sh
# Writes the web app's runtime configuration from the environment, then runs the given command.
#   API_BASE_URL  origin (and optional path) of the API; empty = same origin (the ALB routes /api).
#   RUNTIME_DIR   writable directory nginx serves config.js from (default /tmp/runtime, an emptyDir).
set -eu

RUNTIME_DIR="${RUNTIME_DIR:-/tmp/runtime}"
API_BASE_URL="${API_BASE_URL:-}"

# Only plain http(s) URLs: the value is written into JavaScript and a CSP header, so quotes,
# spaces or backslashes must never reach them.
url_pattern='^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~/-]*)?$'
if [ -n "$API_BASE_URL" ] && ! printf '%s' "$API_BASE_URL" | grep -Eq "$url_pattern"; then
    echo "innovate-web: API_BASE_URL must be empty or an http(s) URL like https://api.example.com, got: $API_BASE_URL" >&2
    exit 64
fi
api_base_url="${API_BASE_URL%/}"

connect_src="'self'"
if [ -n "$api_base_url" ]; then
    api_origin=$(printf '%s' "$api_base_url" | sed -E 's#^(https?://[^/]+).*#\1#')
    connect_src="'self' $api_origin"
fi

if ! mkdir -p "$RUNTIME_DIR" 2>/dev/null || [ ! -w "$RUNTIME_DIR" ]; then
    echo "innovate-web: RUNTIME_DIR $RUNTIME_DIR is not writable; mount an emptyDir there (or at /tmp)" >&2
    exit 73
fi

write_file() { # write_file NAME CONTENT: atomically, so nginx never serves half a file
    tmp="$RUNTIME_DIR/.$1.tmp"
    printf '%s\n' "$2" > "$tmp"
    mv "$tmp" "$RUNTIME_DIR/$1"
}

write_file config.js "window.__INNOVATE_CONFIG__ = { apiBaseUrl: \"$api_base_url\" };"
write_file csp.conf "set \$innovate_connect_src \"$connect_src\";"
echo "innovate-web: config.js written to $RUNTIME_DIR (apiBaseUrl=\"$api_base_url\")" >&2

exec "$@"
