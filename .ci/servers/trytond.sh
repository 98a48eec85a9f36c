#!/usr/bin/env bash
# Installs (if missing) Tryton 6.0 from Debian (tryton-server with the
# product, party, sale, stock and account-invoice modules), creates a
# template database once (SQLite: the modules, a company with euros, a
# minimal chart of accounts, fiscal years around this one, VAT taxes, an
# accounting product category, payment terms and a few countries), and
# starts trytond on 127.0.0.1 for the Tryton connector's tests. The tests
# copy the template into a database of their own for each test (two
# seconds, where a new database takes a minute). Idempotent: a running
# server and an existing template are kept.
#
# Usage: .ci/servers/trytond.sh [STATE_DIR]   (default /var/lib/switchboard-it)
# Prints `export VAR=...` lines for the tests; use it as
#   eval "$(.ci/servers/trytond.sh)"
# Stop: kill "$(cat STATE_DIR/trytond/trytond.pid)"
set -euo pipefail
. "$(dirname "$0")/../apt.sh"

STATE=${1:-/var/lib/switchboard-it}
PORT=${SWITCHBOARD_IT_TRYTON_PORT:-8000}
DIR=$STATE/trytond
DB=$DIR/db
TEMPLATE=template
MODULES="product party sale stock account_invoice"

log() { echo "trytond.sh: $*" >&2; }

install() {
	if [ ! -x /usr/bin/trytond ] || [ ! -d /usr/lib/python3/dist-packages/trytond/modules/account_invoice ] ||
		[ ! -d /usr/lib/python3/dist-packages/trytond/modules/sale ]; then
		log "installing tryton-server 6.0 and its modules (about two minutes)"
		apt_install --no-install-recommends tryton-server tryton-modules-product tryton-modules-party \
			tryton-modules-sale tryton-modules-stock tryton-modules-account-invoice >&2
	fi
}

configure() {
	mkdir -p "$DB"
	[ -s "$DIR/password" ] || od -An -N12 -tx1 /dev/urandom | tr -d ' \n' >"$DIR/password"
	chmod 600 "$DIR/password"
	cat >"$DIR/trytond.conf" <<CONF
[database]
uri = sqlite://
path = $DB

[web]
listen = 127.0.0.1:$PORT
CONF
}

# template creates the template database once: the modules, then the
# company and accounting a shop's Tryton has (setup.py).
template() {
	if [ -s "$DIR/$TEMPLATE.ready" ] && [ -s "$DB/$TEMPLATE.sqlite" ]; then
		return
	fi
	log "creating the template database (about a minute, once)"
	rm -f "$DB/$TEMPLATE.sqlite"
	touch "$DB/$TEMPLATE.sqlite"
	TRYTONPASSFILE="$DIR/password" trytond-admin -c "$DIR/trytond.conf" -d "$TEMPLATE" --all \
		-u $MODULES --activate-dependencies --email admin@example.test </dev/null >"$DIR/admin.log" 2>&1 ||
		{ log "trytond-admin failed"; cat "$DIR/admin.log" >&2; exit 1; }
	/usr/bin/python3 "$(dirname "$0")/trytond_setup.py" "$DIR/trytond.conf" "$TEMPLATE" >"$DIR/setup.log" 2>&1 ||
		{ log "setting the template up failed"; cat "$DIR/setup.log" >&2; exit 1; }
	date >"$DIR/$TEMPLATE.ready"
}

start() {
	local pidfile=$DIR/trytond.pid
	if [ -s "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
		log "trytond already running (pid $(cat "$pidfile"))"
		return
	fi
	trytond -c "$DIR/trytond.conf" </dev/null >"$DIR/trytond.log" 2>&1 &
	echo $! >"$pidfile"
	for _ in $(seq 100); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
			log "trytond ready on 127.0.0.1:$PORT"
			return
		fi
		sleep 0.2
	done
	log "trytond did not start; see $DIR/trytond.log"
	cat "$DIR/trytond.log" >&2
	exit 1
}

install
configure
template
start

echo "export SWITCHBOARD_IT_TRYTON_URL=http://127.0.0.1:$PORT"
echo "export SWITCHBOARD_IT_TRYTON_DB_DIR=$DB"
echo "export SWITCHBOARD_IT_TRYTON_TEMPLATE=$TEMPLATE"
echo "export SWITCHBOARD_IT_TRYTON_USER=admin"
echo "export SWITCHBOARD_IT_TRYTON_PASS=$(cat "$DIR/password")"
