#!/usr/bin/env bash
# Installs (if missing) Debian's Chromium and ChromeDriver and starts a
# headless Chromium with its DevTools endpoint on 127.0.0.1, for the web
# UI's browser tests. Idempotent: a running browser is kept.
#
# Usage: .ci/servers/chromium.sh [STATE_DIR]   (default /var/lib/switchboard-it)
# Prints `export VAR=...` lines for the tests; use it as
#   eval "$(.ci/servers/chromium.sh)"
set -euo pipefail
. "$(dirname "$0")/../apt.sh"

STATE=${1:-/var/lib/switchboard-it}
DIR=$STATE/chromium
PORT=${SWITCHBOARD_IT_CHROME_PORT:-9223}

log() { echo "chromium.sh: $*" >&2; }

if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
	log "installing chromium and chromium-driver"
	apt_install chromium chromium-driver
fi

mkdir -p "$DIR"
running() { [ -s "$DIR/chromium.pid" ] && kill -0 "$(cat "$DIR/chromium.pid")" 2>/dev/null; }

if ! running; then
	rm -rf "$DIR/profile"
	# The flags keep Chromium off the network (this machine has none) and
	# out of the sandbox, which needs privileges a CI runner lacks.
	chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$DIR/profile" --remote-debugging-address=127.0.0.1 \
		--remote-debugging-port="$PORT" about:blank </dev/null >"$DIR/chromium.log" 2>&1 &
	echo $! >"$DIR/chromium.pid"
fi
for _ in $(seq 1 150); do
	if curl -fsS "http://127.0.0.1:$PORT/json/version" >/dev/null 2>&1; then
		break
	fi
	sleep 0.1
done
curl -fsS "http://127.0.0.1:$PORT/json/version" >/dev/null || { log "chromium did not start"; cat "$DIR/chromium.log" >&2; exit 1; }

echo "export SWITCHBOARD_IT_CHROME=http://127.0.0.1:$PORT"
