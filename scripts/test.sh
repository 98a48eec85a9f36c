#!/usr/bin/env bash
# Runs every check Switchboard has: formatting, vet, the release config,
# and the whole test suite with the race detector, against real servers
# (FTP/FTPS, SFTP, ...) that it installs and starts on 127.0.0.1 when it runs
# as root. Integration tests skip when their server is absent, unless
# SWITCHBOARD_REQUIRE_IT=1 (as in CI), which makes a missing server a failure.
#
# With no arguments it ends with the packaging test (scripts/package-test.sh,
# as root). Usage: scripts/test.sh [go test flags, e.g. -run TestX ./app/...]
set -euo pipefail
cd "$(dirname "$0")/.."

GORELEASER=github.com/goreleaser/goreleaser/v2@v2.15.1
STATE=${SWITCHBOARD_IT_STATE:-/var/lib/switchboard-it}

step() { printf '\n==> %s\n' "$*"; }

step "gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
	echo "not gofmt-formatted:"; echo "$unformatted"; exit 1
fi

step "go vet"
go vet ./...

step "goreleaser check"
go run "$GORELEASER" check --config goreleaser.yaml

stop_servers() {
	for pid in $(find "$STATE" -name '*.pid' 2>/dev/null); do
		kill "$(cat "$pid")" 2>/dev/null || true
	done
}

step "test servers"
if [ "$(id -u)" = 0 ] && [ "${SWITCHBOARD_SKIP_SERVERS:-}" != 1 ]; then
	trap stop_servers EXIT
	for script in .ci/servers/*.sh; do
		[ -e "$script" ] || continue
		echo "starting $(basename "$script" .sh)"
		# A server that fails to start stops the run here: its exports
		# would be missing and its tests would fail for the wrong reason.
		exports=$(bash "$script" "$STATE") ||
			{ echo "$(basename "$script"): failed to start (exit $?)" >&2; exit 1; }
		eval "$exports"
	done
else
	echo "not root: integration tests whose server is absent will skip"
fi

step "go test -race"
full=$#
if [ $# -eq 0 ]; then set -- ./...; fi
go test -race -count=1 -timeout 30m "$@"

# The packaging test builds, lints, installs, serves, upgrades and purges
# the .deb on this machine (as root; it skips otherwise). It runs with the
# whole suite only.
if [ "$full" -eq 0 ] && [ "${SWITCHBOARD_SKIP_PACKAGE_TEST:-}" != 1 ]; then
	step "package test"
	scripts/package-test.sh
fi
