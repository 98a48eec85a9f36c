#!/usr/bin/env bash
# The packaging test: builds the .deb twice (linux/amd64 only, versions
# 0.0.1 and 0.0.2) with goreleaser, lints it, checks the unit with
# systemd-analyze, installs it on this machine, runs the service as its
# unit would (systemd does not run here: the ExecStart line as the
# service's user, in its environment and state folder), checks health and
# readiness, upgrades with data and a disabled state kept, and purges. It
# removes what it installed, the service's user and data too.
#
# Needs root and a Debian system; installs lintian when it is missing.
# Usage: scripts/package-test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

GORELEASER=github.com/goreleaser/goreleaser/v2@v2.15.1
MAX_EXPOSURE=3.0
PORT=18090
BASE=http://127.0.0.1:$PORT
OUT=build/package-test
UNIT=/lib/systemd/system/switchboard.service
SERVICE_PID=

step() { printf '\n==> package test: %s\n' "$*"; }
fail() { echo "package test FAILED: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || { echo "package test: skipped (needs root)"; exit 0; }
command -v dpkg >/dev/null || { echo "package test: skipped (not a Debian system)"; exit 0; }
if dpkg -s switchboard >/dev/null 2>&1; then
	fail "a switchboard package is installed on this machine already; the test would replace it"
fi
if ! command -v lintian >/dev/null; then
	. .ci/apt.sh
	apt_install lintian
fi

stop_service() {
	if [ -n "$SERVICE_PID" ]; then
		kill -TERM "$SERVICE_PID" 2>/dev/null || true
		wait "$SERVICE_PID" 2>/dev/null || true
		SERVICE_PID=
	fi
}
cleanup() {
	stop_service
	SWITCHBOARD_PURGE_DATA=yes dpkg --purge switchboard >/dev/null 2>&1 || true
	rm -rf /var/lib/switchboard /run/switchboard-rpm
	userdel switchboard >/dev/null 2>&1 || true
	groupdel switchboard >/dev/null 2>&1 || true
}
trap cleanup EXIT

# build VERSION: a .deb of the working tree for linux/amd64 in $OUT/VERSION.
build() {
	local cfg=build/goreleaser-package-test.yaml
	mkdir -p build
	# One target, and the build flags of the test binary so that Go's build
	# cache from the test run serves it.
	sed -e 's/^    goos: \[.*\]/    goos: [linux]/' -e 's/^    goarch: \[.*\]/    goarch: [amd64]/' \
		-e '/^    flags: \[-trimpath\]/d' goreleaser.yaml >"$cfg"
	printf '\nsnapshot:\n  version_template: "{{ .Env.SB_PKG_VERSION }}"\n' >>"$cfg"
	SB_PKG_VERSION=$1 go run "$GORELEASER" release --snapshot --clean --skip=sbom,sign,archive --config "$cfg" >"build/goreleaser-$1.log" 2>&1 ||
		{ tail -30 "build/goreleaser-$1.log"; fail "goreleaser could not build $1"; }
	mkdir -p "$OUT/$1"
	cp dist/*.deb dist/*.rpm "$OUT/$1/"
}

# serve: runs the unit's ExecStart as the unit would, in the background.
serve() {
	# StateDirectory=: systemd makes the state folder, owned by the user.
	install -d -o switchboard -g switchboard -m 0750 /var/lib/switchboard
	local exec_start env_line
	exec_start=$(sed -n 's/^ExecStart=//p' "$UNIT")
	env_line=$(sed -n 's/^Environment=//p' "$UNIT")
	# shellcheck disable=SC2086
	(
		cd /var/lib/switchboard
		umask "$(sed -n 's/^UMask=//p' "$UNIT")"
		set -a
		export $env_line
		. /etc/switchboard/switchboard.env
		set +a
		exec setpriv --reuid=switchboard --regid=switchboard --init-groups --no-new-privs \
			$(eval echo "$exec_start")
	) >>"$OUT/service.log" 2>&1 &
	SERVICE_PID=$!
	for _ in $(seq 1 600); do
		if curl -fsS "$BASE/api/health" >/dev/null 2>&1; then return 0; fi
		kill -0 "$SERVICE_PID" 2>/dev/null || { cat "$OUT/service.log"; fail "the service stopped"; }
		sleep 0.2
	done
	cat "$OUT/service.log"
	fail "the service did not answer on $BASE"
}

# Outputs are read whole before grep -q searches them (here and below):
# with pipefail, a writer still writing when grep stops at its first match
# gets SIGPIPE and fails the pipeline.
check_ready() {
	local health ready
	health=$(curl -fsS "$BASE/api/health") || fail "/api/health does not answer"
	grep -q '"code":200' <<<"$health" || fail "/api/health is not healthy: $health"
	ready=$(curl -fsS "$BASE/api/switchboard/ready") || fail "/api/switchboard/ready does not answer"
	grep -q '"ready":true' <<<"$ready" || fail "/api/switchboard/ready is not ready: $ready"
}

enabled() { [ -L /etc/systemd/system/multi-user.target.wants/switchboard.service ]; }

rm -rf "$OUT" && mkdir -p "$OUT"
step "building 0.0.1 and 0.0.2"
build 0.0.1
build 0.0.2
DEB1=$(ls "$OUT"/0.0.1/*.deb)
DEB2=$(ls "$OUT"/0.0.2/*.deb)

step "lintian"
lintian --fail-on error "$DEB1" | tee "$OUT/lintian.txt"
if grep -q '^E:' "$OUT/lintian.txt"; then fail "lintian reports errors"; fi

step "rpm metadata"
if command -v rpm >/dev/null; then
	RPM1=$(ls "$OUT"/0.0.1/*.rpm)
	files=$(rpm -qlp "$RPM1") || fail "rpm cannot read $RPM1"
	scripts=$(rpm -qp --scripts "$RPM1")
	configs=$(rpm -qp --configfiles "$RPM1")
	grep -qx /etc/switchboard <<<"$files" || fail "the rpm does not own /etc/switchboard"
	grep -q 'preuninstall scriptlet' <<<"$scripts" || fail "the rpm has no %preun"
	grep -qx /etc/switchboard/switchboard.env <<<"$configs" ||
		fail "the rpm does not mark the environment file as configuration"
	grep -q 'if \[ "\$1" -eq 0 \]' <<<"$scripts" ||
		fail "the rpm's scriptlets do not look at their argument"
else
	echo "rpm not installed: skipped"
fi

step "install 0.0.1"
dpkg -i "$DEB1"
getent passwd switchboard >/dev/null || fail "no switchboard user"
[ -f /etc/switchboard/switchboard.env ] || fail "no environment file"
[ "$(stat -c %a /etc/switchboard/switchboard.env)" = 600 ] || fail "the environment file is not 0600"
enabled || fail "a new install is not enabled"
[ -f /usr/share/man/man1/switchboard.1.gz ] || fail "no man page"
[ -f /usr/share/bash-completion/completions/switchboard ] || fail "no bash completion"

step "systemd-analyze verify and security"
SYSTEMD_LOG_LEVEL=warning systemd-analyze verify "$UNIT"
exposure=$(systemd-analyze security --offline=true "$UNIT" | sed -n 's/.*Overall exposure level for switchboard.service: \([0-9.]*\).*/\1/p')
echo "exposure $exposure (at most $MAX_EXPOSURE)"
awk -v e="$exposure" -v m="$MAX_EXPOSURE" 'BEGIN { exit !(e != "" && e + 0 <= m + 0) }' || fail "exposure $exposure above $MAX_EXPOSURE"

step "the command line before the first start"
if out=$(switchboard user add early@example.com --role viewer 2>&1); then fail "ran before the service made its folder: $out"; fi
grep -q "does not exist yet" <<<"$out" || fail "unclear refusal: $out"

step "serve 0.0.1 as the unit would"
sed -i "s/^SWITCHBOARD_HTTP=.*/SWITCHBOARD_HTTP=127.0.0.1:$PORT/" /etc/switchboard/switchboard.env
serve
check_ready
out=$(switchboard user add ops@example.com --role operator --password 'Passw0rd!12345' 2>&1)
grep -q 'msg="data folder" path=/var/lib/switchboard/sb_data from=/etc/switchboard/switchboard.env user=switchboard' <<<"$out" ||
	fail "the command did not use the service's data as its user: $out"
if [ -n "$(find /var/lib/switchboard ! -user switchboard)" ]; then
	find /var/lib/switchboard ! -user switchboard -ls
	fail "files not owned by the service's user"
fi
login() {
	local answer
	answer=$(curl -fsS -H 'Content-Type: application/json' -d '{"identity":"ops@example.com","password":"Passw0rd!12345"}' \
		"$BASE/api/collections/users/auth-with-password") || return 1
	grep -q '"token"' <<<"$answer"
}
login || fail "the user added from the command line cannot sign in"
stop_service

step "disable, then upgrade to 0.0.2"
systemctl disable switchboard.service
enabled && fail "systemctl disable left the unit enabled"
dpkg -i --force-confold "$DEB2"
enabled && fail "the upgrade enabled a disabled service"
grep -q "switchboard 0.0.2" <<<"$(switchboard version)" || fail "the upgrade did not install 0.0.2"
grep -q "^SWITCHBOARD_HTTP=127.0.0.1:$PORT" /etc/switchboard/switchboard.env || fail "the upgrade replaced the edited environment file"
serve
check_ready
login || fail "the data did not survive the upgrade"
stop_service

step "enable, upgrade again: the unit stays enabled"
systemctl enable switchboard.service
dpkg -i --force-confold "$DEB2"
enabled || fail "a reinstall disabled an enabled service"

step "purge"
out=$(dpkg --purge switchboard 2>&1)
echo "$out"
grep -q "kept the data folder /var/lib/switchboard" <<<"$out" || fail "the purge did not say the data was kept"
[ -e /etc/switchboard ] && fail "the purge left /etc/switchboard"
[ -e "$UNIT" ] && fail "the purge left the unit"
enabled && fail "the purge left the unit enabled"
[ -f /var/lib/switchboard/sb_data/data.db ] || fail "the purge removed the data"
getent passwd switchboard >/dev/null || fail "the purge removed the user"
echo "package test: passed"
