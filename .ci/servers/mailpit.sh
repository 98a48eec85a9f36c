#!/usr/bin/env bash
# Installs (if missing) and starts mailpit, an SMTP capture server with an
# HTTP API, on 127.0.0.1 for the alert tests. Idempotent: a running server
# is kept.
#
# Usage: .ci/servers/mailpit.sh [STATE_DIR]   (default /var/lib/switchboard-it)
# Prints `export VAR=...` lines for the tests; use it as
#   eval "$(.ci/servers/mailpit.sh)"
set -euo pipefail

STATE=${1:-/var/lib/switchboard-it}
DIR=$STATE/mailpit
SMTP_PORT=${SWITCHBOARD_IT_SMTP_PORT:-1025}
HTTP_PORT=${SWITCHBOARD_IT_MAILPIT_PORT:-8025}
VERSION=v1.33.1

log() { echo "mailpit.sh: $*" >&2; }

mkdir -p "$DIR/bin"
if [ ! -x "$DIR/bin/mailpit" ]; then
	log "building mailpit $VERSION (a few minutes the first time)"
	GOBIN="$DIR/bin" go install "github.com/axllent/mailpit@$VERSION" >&2
fi

running() { [ -s "$DIR/mailpit.pid" ] && kill -0 "$(cat "$DIR/mailpit.pid")" 2>/dev/null; }

if ! running; then
	"$DIR/bin/mailpit" --smtp "127.0.0.1:$SMTP_PORT" --listen "127.0.0.1:$HTTP_PORT" \
		--database "$DIR/mailpit.db" --disable-version-check \
		--smtp-auth-accept-any --smtp-auth-allow-insecure </dev/null >"$DIR/mailpit.log" 2>&1 &
	echo $! >"$DIR/mailpit.pid"
fi
for _ in $(seq 1 100); do
	if curl -fsS "http://127.0.0.1:$HTTP_PORT/api/v1/messages" >/dev/null 2>&1; then
		break
	fi
	sleep 0.1
done
curl -fsS "http://127.0.0.1:$HTTP_PORT/api/v1/messages" >/dev/null || { log "mailpit did not start"; cat "$DIR/mailpit.log" >&2; exit 1; }

echo "export SWITCHBOARD_IT_SMTP_ADDR=127.0.0.1:$SMTP_PORT"
echo "export SWITCHBOARD_IT_MAILPIT_API=http://127.0.0.1:$HTTP_PORT"
