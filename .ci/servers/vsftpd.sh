#!/usr/bin/env bash
# Installs (if missing), configures and starts three vsftpd servers on
# 127.0.0.1 for the file connectors' integration tests: one for plain FTP and
# FTPS with explicit TLS, one for FTPS with implicit TLS, both with a
# self-signed certificate; and a third, "legacy", for plain FTP as an old
# server behind NAT: it refuses MDTM (file times only to the minute of its
# listings) and EPSV, and its PASV answers name an address it
# does not listen on (127.0.0.2), as a server behind NAT names its inside
# one.
# Idempotent: servers already running are kept.
#
# Usage: .ci/servers/vsftpd.sh [STATE_DIR]   (default /var/lib/switchboard-it)
# Prints `export VAR=...` lines for the tests; use it as
#   eval "$(.ci/servers/vsftpd.sh)"
# Stop: kill "$(cat STATE_DIR/ftp/explicit.pid)" "$(cat STATE_DIR/ftp/implicit.pid)" \
#   "$(cat STATE_DIR/ftp/legacy.pid)"
set -euo pipefail
. "$(dirname "$0")/../apt.sh"

STATE=${1:-/var/lib/switchboard-it}
FTP_PORT=${SWITCHBOARD_IT_FTP_PORT:-2121}
FTPS_PORT=${SWITCHBOARD_IT_FTPS_IMPLICIT_PORT:-2990}
LEGACY_PORT=${SWITCHBOARD_IT_FTP_LEGACY_PORT:-2122}
USER_NAME=sbftp
DIR=$STATE/ftp

log() { echo "vsftpd.sh: $*" >&2; }

install() {
	if [ ! -x /usr/sbin/vsftpd ] || ! command -v openssl >/dev/null; then
		log "installing vsftpd"
		apt_install --no-install-recommends vsftpd openssl
	fi
}

prepare() {
	mkdir -p "$DIR/root" "$DIR/empty"
	chmod 755 "$STATE" "$DIR" "$DIR/empty"
	[ -s "$DIR/password" ] || openssl rand -hex 12 >"$DIR/password"
	chmod 600 "$DIR/password"
	if ! id "$USER_NAME" >/dev/null 2>&1; then
		useradd --no-create-home --home-dir "$DIR/root" --shell /bin/bash "$USER_NAME"
	fi
	echo "$USER_NAME:$(cat "$DIR/password")" | chpasswd
	chown "$USER_NAME" "$DIR/root"
	if [ ! -s "$DIR/cert.pem" ]; then
		openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=127.0.0.1" \
			-addext "subjectAltName=IP:127.0.0.1" \
			-keyout "$DIR/key.pem" -out "$DIR/cert.pem" 2>/dev/null
	fi
}

# config NAME PORT PASV_MIN IMPLICIT [MORE]
config() {
	cat >"$DIR/$1.conf" <<CONF
listen=YES
listen_ipv6=NO
listen_address=127.0.0.1
listen_port=$2
background=NO
anonymous_enable=NO
local_enable=YES
write_enable=YES
local_umask=022
chroot_local_user=YES
allow_writeable_chroot=YES
local_root=$DIR/root
secure_chroot_dir=$DIR/empty
seccomp_sandbox=NO
pasv_enable=YES
pasv_address=127.0.0.1
pasv_min_port=$3
pasv_max_port=$(($3 + 19))
pam_service_name=vsftpd
userlist_enable=NO
xferlog_enable=NO
vsftpd_log_file=$DIR/$1.xfer.log
ssl_enable=YES
implicit_ssl=$4
rsa_cert_file=$DIR/cert.pem
rsa_private_key_file=$DIR/key.pem
force_local_logins_ssl=NO
force_local_data_ssl=NO
require_ssl_reuse=YES
ssl_ciphers=HIGH
${5:-}
CONF
}

# start NAME PORT
start() {
	local pidfile=$DIR/$1.pid
	if [ -s "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
		log "$1 already running (pid $(cat "$pidfile"))"
		return
	fi
	/usr/sbin/vsftpd "$DIR/$1.conf" </dev/null >"$DIR/$1.log" 2>&1 &
	echo $! >"$pidfile"
	for _ in $(seq 50); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null; then
			log "$1 ready on 127.0.0.1:$2"
			return
		fi
		sleep 0.2
	done
	log "$1 did not start; see $DIR/$1.log"
	cat "$DIR/$1.log" >&2
	exit 1
}

install
prepare
config explicit "$FTP_PORT" 30000 NO
config implicit "$FTPS_PORT" 30020 YES
config legacy "$LEGACY_PORT" 30040 NO "$(printf 'cmds_denied=MDTM,EPSV\npasv_address=127.0.0.2')"
start explicit "$FTP_PORT"
start implicit "$FTPS_PORT"
start legacy "$LEGACY_PORT"

echo "export SWITCHBOARD_IT_FTP_ADDR=127.0.0.1:$FTP_PORT"
echo "export SWITCHBOARD_IT_FTPS_IMPLICIT_ADDR=127.0.0.1:$FTPS_PORT"
echo "export SWITCHBOARD_IT_FTP_LEGACY_ADDR=127.0.0.1:$LEGACY_PORT"
echo "export SWITCHBOARD_IT_FTP_USER=$USER_NAME"
echo "export SWITCHBOARD_IT_FTP_PASS=$(cat "$DIR/password")"
echo "export SWITCHBOARD_IT_FTPS_CA=$DIR/cert.pem"
