#!/usr/bin/env bash
# Installs (if missing), configures and starts a second OpenSSH sshd on
# 127.0.0.1 that serves only SFTP, for the file connectors' integration
# tests. The test user is chrooted to STATE_DIR/sftp (root-owned, so it must
# not be under /tmp) and may write in its "data" folder; it logs in with a
# password or with the generated key. Idempotent.
#
# Usage: .ci/servers/sshd.sh [STATE_DIR]   (default /var/lib/switchboard-it)
# Prints `export VAR=...` lines for the tests; use it as
#   eval "$(.ci/servers/sshd.sh)"
# Stop: kill "$(cat STATE_DIR/sshd/sshd.pid)"
set -euo pipefail
. "$(dirname "$0")/../apt.sh"

STATE=${1:-/var/lib/switchboard-it}
PORT=${SWITCHBOARD_IT_SFTP_PORT:-2222}
USER_NAME=sbsftp
DIR=$STATE/sshd
CHROOT=$STATE/sftp

log() { echo "sshd.sh: $*" >&2; }

install() {
	if [ ! -x /usr/sbin/sshd ] || ! command -v openssl >/dev/null; then
		log "installing openssh-server"
		apt_install --no-install-recommends openssh-server openssl
	fi
}

prepare() {
	mkdir -p "$DIR/keys" "$CHROOT/data" /run/sshd
	chown root:root "$STATE" "$CHROOT"
	chmod 755 "$STATE" "$CHROOT"
	chmod 711 "$DIR"
	chmod 755 "$DIR/keys"
	[ -s "$DIR/password" ] || openssl rand -hex 12 >"$DIR/password"
	[ -s "$DIR/ssh_host_ed25519_key" ] || ssh-keygen -q -t ed25519 -N '' -f "$DIR/ssh_host_ed25519_key"
	[ -s "$DIR/client_key" ] || ssh-keygen -q -t ed25519 -N '' -C switchboard-it -f "$DIR/client_key"
	if ! id "$USER_NAME" >/dev/null 2>&1; then
		useradd --no-create-home --home-dir /data --shell /bin/bash "$USER_NAME"
	fi
	echo "$USER_NAME:$(cat "$DIR/password")" | chpasswd
	chown "$USER_NAME" "$CHROOT/data"
	cp "$DIR/client_key.pub" "$DIR/keys/$USER_NAME"
	chmod 644 "$DIR/keys/$USER_NAME"
	cat >"$DIR/sshd_config" <<CONF
ListenAddress 127.0.0.1
Port $PORT
HostKey $DIR/ssh_host_ed25519_key
PidFile $DIR/sshd.pid
UsePAM no
PasswordAuthentication yes
KbdInteractiveAuthentication no
PubkeyAuthentication yes
AuthorizedKeysFile $DIR/keys/%u
StrictModes no
AllowUsers $USER_NAME
Subsystem sftp internal-sftp
Match User $USER_NAME
	ChrootDirectory $CHROOT
	ForceCommand internal-sftp
	AllowTcpForwarding no
	X11Forwarding no
CONF
}

start() {
	local pidfile=$DIR/sshd.pid
	if [ -s "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
		log "sshd already running (pid $(cat "$pidfile"))"
		return
	fi
	/usr/sbin/sshd -t -f "$DIR/sshd_config"
	/usr/sbin/sshd -D -e -f "$DIR/sshd_config" </dev/null >"$DIR/sshd.log" 2>&1 &
	echo $! >"$pidfile"
	for _ in $(seq 50); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
			log "sshd ready on 127.0.0.1:$PORT"
			return
		fi
		sleep 0.2
	done
	log "sshd did not start; see $DIR/sshd.log"
	cat "$DIR/sshd.log" >&2
	exit 1
}

install
prepare
start

echo "export SWITCHBOARD_IT_SFTP_ADDR=127.0.0.1:$PORT"
echo "export SWITCHBOARD_IT_SFTP_USER=$USER_NAME"
echo "export SWITCHBOARD_IT_SFTP_PASS=$(cat "$DIR/password")"
echo "export SWITCHBOARD_IT_SFTP_KEY=$DIR/client_key"
echo "export SWITCHBOARD_IT_SFTP_DIR=/data"
