#!/bin/sh
# Before install or upgrade (deb and rpm): the service's system user. Its
# home is the state folder that systemd creates (StateDirectory=).
set -e
if ! getent group switchboard >/dev/null; then
	groupadd --system switchboard
fi
if ! getent passwd switchboard >/dev/null; then
	useradd --system --gid switchboard --home-dir /var/lib/switchboard --no-create-home \
		--shell /usr/sbin/nologin --comment "Switchboard integration appliance" switchboard
fi
